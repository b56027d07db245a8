// The line formats of olly parse (logfmt, combined and common with and
// without a format string, syslog, csv, tsv, regex), chosen by the first
// byte; the rest is the file.
//
// Invariants: every event is a JSON object, every --errors line JSON; for
// formats that read each line alone, every non-blank line is either an event
// or a bad line (records in == non-blank lines == out + bad), and -j 2 with
// a tiny block writes exactly what -j 1 writes; csv and tsv never write more
// events than records.
#include <string>

#include "fuzz_common.h"
#include "fuzz_parse.h"

using namespace olly;

namespace {

struct Choice {
  const char* format;
  const char* format_string;  // combined/common: an nginx log_format
  const char* pattern;        // regex
  bool infer_types;
  bool lines_alone;           // one event or one bad line per non-blank line
};

const Choice kChoices[] = {
    {"logfmt", nullptr, nullptr, false, true},
    {"logfmt", nullptr, nullptr, true, true},
    {"combined", nullptr, nullptr, false, true},
    {"common", nullptr, nullptr, false, true},
    {"combined",
     "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
     "\"$http_referer\" \"$http_user_agent\" $request_time $upstream_response_time $msec",
     nullptr, false, true},
    {"combined", "$time_iso8601 $remote_addr \"$request\" $status $bytes_sent $connection ${upstream_status}",
     nullptr, false, true},
    {"syslog", nullptr, nullptr, false, true},
    {"syslog", nullptr, nullptr, true, true},  // infer_types unused: the year from the clock
    {"csv", nullptr, nullptr, false, false},
    {"csv", nullptr, nullptr, true, false},
    {"tsv", nullptr, nullptr, true, false},
    {"regex", nullptr, R"(^(?P<ts>\S+) (?P<level>[A-Z]+) (?P<n>\d+)? ?(?P<msg>.*)$)", true, true},
    {"regex", nullptr, R"((?P<key>\w+)=(?P<value>\S*))", false, true},
    {"cri", nullptr, nullptr, false, false},  // parts of a line joined: not each line alone
    {"apache_error", nullptr, nullptr, false, true},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Choice& c = kChoices[data[0] % std::size(kChoices)];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  fuzz::TempFile input("in");
  input.write(text);

  parse::ParseOptions opts;
  opts.format = c.format;
  // RFC 3164 lines: a fixed year (per-file rollover state, serial), or the
  // clock's (each line alone, so -j 2 runs too).
  opts.year = std::string_view(c.format) == "syslog" && c.infer_types ? 0 : 2026;
  opts.infer_types = c.infer_types;
  if (c.format_string) opts.format_string = c.format_string;
  if (c.pattern) opts.pattern = c.pattern;

  fuzz::ParseRun one = fuzz::parse_file(opts, input.path());
  fuzz::check_parse_run(one, c.format);
  if (one.threw) return 0;  // a corrupt compressed stream
  if (!c.lines_alone) {
    FUZZ_CHECK(one.stats.records_out <= one.stats.records_in);
    return 0;
  }
  FUZZ_CHECK(one.stats.records_in == one.stats.records_out + one.stats.errors, "records in != out + bad");
  if (!fuzz::starts_compressed(text)) {
    FUZZ_CHECK(one.stats.records_in == fuzz::nonblank_lines(text), "records in != non-blank lines");
  }
  const uint64_t block = 1 + (size % 61);
  fuzz::ParseRun two = fuzz::parse_file(opts, input.path(), 2, block);
  fuzz::check_parse_run(two, c.format);
  FUZZ_CHECK(!two.threw, "-j 2 failed where -j 1 read the input");
  FUZZ_CHECK(one.out == two.out, "-j 1 and -j 2 events differ");
  FUZZ_CHECK(one.errors == two.errors, "-j 1 and -j 2 --errors differ");
  FUZZ_CHECK(one.stats.records_in == two.stats.records_in);
  return 0;
}
