// olly-snapshot run whole (run_snapshot) over NDJSON made from the input: the
// first byte picks flags (--json or the screen, --error / --latency / --by /
// --message given or picked, --every, --top), the rest is the file, with
// -j 1 and -j 2 over tiny ranges.
//
// Invariants: --json writes exactly one line, a JSON object holding
// "snapshot" with "events" equal to the records read minus the bad lines;
// -j 2 writes the same bytes as -j 1 (the fold merges in input order); the
// screen (no color) holds no control character but newlines, and every
// line of it fits the width (COLUMNS=60) except the next command.
#include <cstdlib>
#include <string>

#include "core/diag.h"
#include "core/run.h"
#include "core/runner.h"
#include "fuzz_common.h"
#include "snapshot/snapshot.h"
#include "view/text.h"

using namespace olly;

namespace {

struct Outcome {
  std::string out;
  int status = 0;
  uint64_t in = 0, bad = 0;
};

Outcome run_once(const std::string& path, uint8_t flags, int jobs) {
  snapshot::SnapshotOptions opts;
  opts.json = flags & 1;
  if (flags & 2) opts.error = "level == \"error\" || status >= 500";
  if (flags & 4) opts.latency = "d";
  if (flags & 8) opts.by = "a.b";
  if (flags & 16) opts.message = "m";
  if (flags & 32) opts.every = "1s";
  opts.top = (flags & 64) ? 1 : 5;
  opts.color = "never";
  opts.run.files = {path};
  opts.run.jobs = jobs;
  opts.run.block = jobs > 1 ? 64 : opts.run.block;
  opts.run.min_fold_range = 1;
  CommonOptions common;
  common.color = "never";
  Outcome o;
  RunContext ctx(common);
  try {
    o.status = snapshot::run_snapshot(opts, ctx);
  } catch (const InputError&) {
    o.status = 3;
  }
  o.in = ctx.stats().records_in;
  o.bad = ctx.stats().errors;
  o.out = fuzz::take_stdout();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool init = [] {
    setenv("COLUMNS", "60", 1);
    set_tool_name("olly-snapshot");
    fuzz::capture_fd();
    return true;
  }();
  (void)init;
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  fuzz::TempFile file("snapshot");
  file.write(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  const Outcome one = run_once(file.path(), flags, 1);
  const Outcome two = run_once(file.path(), flags, 2);
  FUZZ_CHECK(one.status == two.status);
  FUZZ_CHECK(one.out == two.out, one.out, two.out);
  if (one.status != 0) return 0;
  if (flags & 1) {
    FUZZ_CHECK(fuzz::count_lines(one.out) == 1, one.out);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    FUZZ_CHECK(!parser.parse(one.out.data(), one.out.size(), true).get(doc), one.out);
    int64_t events = -1;
    FUZZ_CHECK(!doc["snapshot"]["events"].get_int64().get(events), one.out);
    FUZZ_CHECK(static_cast<uint64_t>(events) + one.bad == one.in, one.out);
  } else {
    size_t start = 0;
    while (start < one.out.size()) {
      size_t nl = one.out.find('\n', start);
      if (nl == std::string::npos) nl = one.out.size();
      const std::string_view line(one.out.data() + start, nl - start);
      for (char c : line) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "control character", line);
      if (line.substr(0, 5) != "next:") FUZZ_CHECK(view::display_width(line) <= 60, "line wider than COLUMNS", line);
      start = nl + 1;
    }
  }
  return 0;
}
