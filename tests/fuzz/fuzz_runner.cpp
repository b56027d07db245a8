// NDJSON framing through the one runner (lib/core/runner.h run_stage): the
// input bytes go to a file (gzip- or zstd-compressed when the first byte says
// so, to reach the decompressing reader), then a pass-through map stage reads
// it with -j 1 and with -j 2 and a tiny block size.
//
// Invariants: records in == records out + bad lines; -j 1 and -j 2 write the
// same bytes and the same bad lines; every output line is valid JSON; and,
// for plain input, the output is exactly what a model of the framing gives
// (split at LF, one trailing CR dropped, blank lines skipped, lines that
// are whole JSON documents kept in order).
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/input.h"
#include "core/run.h"
#include "core/runner.h"
#include "core/stage.h"
#include "core/writer.h"
#include "expr/extract.h"
#include "fuzz_common.h"

using namespace olly;

namespace {

// filter 'true' (reads no field, copies the line), plus a full DOM check so
// that only whole JSON documents go out (filter itself skips what it does
// not read: olly(7)).
class PassStage : public Stage {
 public:
  Result on_event(Event& ev, Emitter& out) override {
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    simdjson::dom::element el;
    if (auto e = dom_.parse(ev.raw.data(), ev.raw.size(), true).get(el)) return Result::bad(e);
    out.line(ev.raw);
    return Result::ok();
  }
  StageKind kind() const override { return StageKind::map; }
  std::unique_ptr<Stage> clone() const override { return std::make_unique<PassStage>(); }

 private:
  FieldExtractor extractor_;
  std::vector<Value> slots_;
  simdjson::dom::parser dom_;
};

struct Outcome {
  std::string out, errors;
  Stats stats;
  bool threw = false;
};

Outcome run(const std::string& path, unsigned jobs, uint64_t block) {
  fuzz::take_stdout();
  fuzz::TempFile errors("errors");
  Outcome o;
  {
    CommonOptions common;
    common.errors_path = errors.path();
    RunContext ctx(common);
    RunnerOptions opts;
    opts.files = {path};
    opts.jobs = jobs;
    opts.block = block;
    PassStage stage;
    try {
      run_stage(opts, ctx, stage);
    } catch (const InputError&) {
      o.threw = true;  // a corrupt compressed stream
    }
    o.stats = ctx.stats();
  }
  o.out = fuzz::take_stdout();
  o.errors = errors.read();
  return o;
}

std::string gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) fuzz::fail("deflateInit2");
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) fuzz::fail("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 1);
  if (ZSTD_isError(n)) fuzz::fail("ZSTD_compress");
  out.resize(n);
  return out;
}

bool starts_compressed(std::string_view s) {
  return (s.size() >= 2 && s[0] == '\x1f' && s[1] == '\x8b') ||
         (s.size() >= 4 && s.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4));
}

// The framing model: the output a plain file must give.
std::string model(std::string_view text, uint64_t& records) {
  std::string out;
  records = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (is_blank_line(line)) continue;
    ++records;
    if (fuzz::is_json(line)) {
      out.append(line);
      out.push_back('\n');
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string bytes;
  switch (mode & 3) {
    case 1: bytes = gzip(text); break;
    case 2: bytes = zstd(text); break;
    default: bytes.assign(text); break;
  }
  fuzz::TempFile input("in");
  input.write(bytes);
  const uint64_t block = 1 + (mode >> 2);  // 1..64 bytes a range

  Outcome one = run(input.path(), 1, 1 << 20);
  Outcome two = run(input.path(), 2, block);

  FUZZ_CHECK(one.threw == two.threw);
  FUZZ_CHECK(one.out == two.out, "-j 1 and -j 2 outputs differ");
  FUZZ_CHECK(one.errors == two.errors, "-j 1 and -j 2 --errors differ");
  for (const Outcome* o : {&one, &two}) {
    FUZZ_CHECK(o->stats.records_out == fuzz::count_lines(o->out));
    FUZZ_CHECK(o->stats.errors == fuzz::count_lines(o->errors));
    fuzz::check_json_lines(o->errors, "--errors line is not JSON");
    if (o->threw) continue;
    FUZZ_CHECK(o->stats.records_in == o->stats.records_out + o->stats.errors, "records in != out + bad");
    fuzz::check_json_lines(o->out, "output line is not JSON");
  }
  FUZZ_CHECK(one.stats.records_in == two.stats.records_in);
  FUZZ_CHECK(one.stats.records_out == two.stats.records_out);
  FUZZ_CHECK(one.stats.errors == two.stats.errors);
  if (!one.threw && !starts_compressed(text)) {
    uint64_t records;
    std::string expected = model(text, records);
    FUZZ_CHECK(one.stats.records_in == records, "records in differ from the framing model");
    FUZZ_CHECK(one.out == expected, "output differs from the framing model");
  }
  return 0;
}
