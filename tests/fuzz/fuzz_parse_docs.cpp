// The document formats of olly parse (otlp, prom, json: records of one line
// or many), chosen by the first byte; the rest is the file.
//
// Invariants: every event is a JSON object, every --errors line JSON, the
// counts match the lines written, and a second run over the same file (one
// input in four) writes the same bytes (no state leaks from run to run).
#include <string>

#include "fuzz_common.h"
#include "fuzz_parse.h"

using namespace olly;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kFormats[] = {"otlp", "prom", "json"};
  const char* format = kFormats[data[0] % 3];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  fuzz::TempFile input("in");
  input.write(text);

  parse::ParseOptions opts;
  opts.format = format;
  opts.keep_raw = (data[0] & 4) != 0;
  if (data[0] & 8) opts.time_field = "ts";
  fuzz::ParseRun one = fuzz::parse_file(opts, input.path());
  fuzz::check_parse_run(one, format);
  if (one.threw) return 0;
  FUZZ_CHECK(one.stats.errors <= one.stats.records_in || std::string_view(format) == "otlp",
             "more bad records than records");
  if (size % 4 != 0) return 0;  // the second run on a quarter of the inputs: files cost here
  fuzz::ParseRun again = fuzz::parse_file(opts, input.path());
  FUZZ_CHECK(one.out == again.out, "a second run wrote other events");
  FUZZ_CHECK(one.errors == again.errors, "a second run wrote other --errors");
  return 0;
}
