// olly-sort run whole (run_sort) over the bytes as an NDJSON file. Byte 0
// picks the -k fields and --head; the rest is the input.
//
// Invariants: a run forced through external runs (--memory 1 byte: a run per
// record, merged in passes past the fan-in) writes exactly what the
// in-memory sort writes; records out = records in - bad; every output line
// is an input line (each input line used at most once), so the output is a
// permutation of the valid lines; the output is ordered by the key, and
// equal keys keep input order (stable); --head N writes the first N lines
// of the full sort.
#include <map>
#include <deque>
#include <string>
#include <vector>

#include "core/run.h"
#include "fuzz_common.h"
#include "sort/run_sort.h"

using namespace olly;

namespace {

struct Outcome {
  std::string out;
  Stats stats;
};

Outcome run(const SortOptions& base, const std::string& path, uint64_t memory, uint64_t head) {
  fuzz::take_stdout();
  Outcome o;
  SortOptions opts = base;
  opts.files = {path};
  opts.sorter.memory = memory;
  opts.sorter.head = head;
  CommonOptions common;
  RunContext ctx(common);
  (void)run_sort(opts, ctx);
  o.stats = ctx.stats();
  o.out = fuzz::take_stdout();
  return o;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* kFields[] = {"a", "-a", "b,-a", "-b,a", "a.b", "-c[0]", "a,b,c", "-ts"};
  const uint8_t opt = data[0];
  SortOptions opts;
  opts.fields = parse_sort_fields(kFields[opt & 7], "--key");
  const uint64_t head = (opt & 0x08) ? (opt >> 4) : UINT64_MAX;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  fuzz::TempFile file("in");
  file.write(input);

  Outcome mem = run(opts, file.path(), 1ull << 30, UINT64_MAX);
  Outcome ext = run(opts, file.path(), 1, UINT64_MAX);
  FUZZ_CHECK(mem.out == ext.out, "in-memory and external sorts differ", mem.out + "\n---\n" + ext.out);
  FUZZ_CHECK(mem.stats.records_out == mem.stats.records_in - mem.stats.errors, "records out != in - bad");
  if (head != UINT64_MAX) {
    Outcome top = run(opts, file.path(), 1ull << 30, head);
    auto all = lines_of(mem.out);
    std::string want;
    for (size_t i = 0; i < all.size() && i < head; ++i) (want += all[i]) += '\n';
    FUZZ_CHECK(top.out == want, "--head is not the start of the full sort", top.out + "\n---\n" + want);
  }

  // Compressed input is decoded by the runner: the line model below is of plain text.
  if (input.starts_with("\x1f\x8b") || input.starts_with("\x28\xb5\x2f\xfd")) return 0;
  std::map<std::string_view, std::deque<size_t>> where;  // input line -> its positions
  auto in_lines = lines_of(input);
  for (size_t i = 0; i < in_lines.size(); ++i) {
    std::string_view l = in_lines[i];
    if (l.ends_with('\r')) l.remove_suffix(1);
    where[l].push_back(i);
  }
  SortKeyReader reader(opts.fields);
  simdjson::ondemand::parser parser;
  std::string key, prev_key;
  size_t prev_pos = 0;
  bool first = true;
  for (std::string_view l : lines_of(mem.out)) {
    auto it = where.find(l);
    FUZZ_CHECK(it != where.end() && !it->second.empty(), "an output line is not an unused input line", l);
    const size_t pos = it->second.front();
    it->second.pop_front();
    simdjson::padded_string padded(l);
    simdjson::ondemand::document doc;
    FUZZ_CHECK(!parser.iterate(padded).get(doc) && !reader.read(doc, key), "an output line's key cannot be read", l);
    if (!first) {
      FUZZ_CHECK(prev_key <= key, "output out of key order", l);
      FUZZ_CHECK(prev_key != key || prev_pos < pos, "equal keys out of input order (not stable)", l);
    }
    first = false;
    prev_key = key;
    prev_pos = pos;
  }
  return 0;
}
