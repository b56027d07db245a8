// olly parse auto's format detection (lib/parse/detect.h) on the bytes, then
// a parse with the format it chose.
//
// Invariants: detection is deterministic (the same input, read again, gets
// the same answer; detect_format over the same lines too) and names a format
// olly parse has; the parse keeps the invariants of every parse run (events
// are JSON objects, counts match), and for formats that read each line
// alone every non-blank line is an event or a bad line.
#include <algorithm>
#include <string>
#include <vector>

#include "core/input.h"
#include "fuzz_common.h"
#include "fuzz_parse.h"
#include "parse/detect.h"

using namespace olly;

namespace {

std::string detect_file(const std::string& path) {
  LineReader reader({path});
  return parse::detect_input(reader);
}

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size() && lines.size() < 200) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> lines = split(text);
  const std::string guess = parse::detect_format(lines);
  FUZZ_CHECK(guess == parse::detect_format(lines), "detect_format is not deterministic");
  (void)parse::starts_json_document(lines);

  fuzz::TempFile input("in");
  input.write(text);
  const std::string format = detect_file(input.path());
  FUZZ_CHECK(format == detect_file(input.path()), "detect_input is not deterministic");
  if (format.empty()) return 0;
  const auto& names = parse::format_names();
  FUZZ_CHECK(std::find(names.begin(), names.end(), format) != names.end() && format != "auto", format);

  parse::ParseOptions opts;
  opts.format = format;
  opts.year = 2026;
  fuzz::ParseRun run = fuzz::parse_file(opts, input.path());
  fuzz::check_parse_run(run, format);
  if (run.threw) return 0;
  const bool lines_alone = format == "logfmt" || format == "combined" || format == "common" ||
                           format == "syslog";
  if (lines_alone) {
    FUZZ_CHECK(run.stats.records_in == run.stats.records_out + run.stats.errors, "records in != out + bad");
    if (!fuzz::starts_compressed(text)) {
      FUZZ_CHECK(run.stats.records_in == fuzz::nonblank_lines(text), "records in != non-blank lines");
    }
  }
  return 0;
}
