// Hostile input for every olly-parse format: each prefix of a few valid lines
// (truncated lines at every length) is parsed with its last byte right before
// an unreadable page, so a read one byte past the end of the line faults here
// even without a sanitizer. Whatever the parser decides, it must not read
// outside the line, and what it writes must be one JSON object per event.
#include <doctest/doctest.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parse/driver.h"
#include "core/stage.h"
#include "core/writer.h"

using namespace olly;
using namespace olly::parse;

namespace {

// A buffer whose end touches a PROT_NONE page.
class GuardedText {
 public:
  GuardedText() {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_ = kPages * page_;
    void* p = mmap(nullptr, size_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    base_ = static_cast<char*>(p);
    REQUIRE(mprotect(base_ + size_, page_, PROT_NONE) == 0);
  }
  ~GuardedText() { munmap(base_, size_ + page_); }
  // s copied so that its last byte is the last readable one.
  std::string_view place(std::string_view s) {
    REQUIRE(s.size() <= size_);
    char* at = base_ + size_ - s.size();
    if (!s.empty()) std::memcpy(at, s.data(), s.size());
    return {at, s.size()};
  }

 private:
  static constexpr size_t kPages = 16;
  char* base_ = nullptr;
  size_t page_ = 0, size_ = 0;
};

struct Sample {
  const char* format;
  std::vector<std::string> before;  // whole lines fed first (header, # TYPE)
  std::vector<std::string> lines;   // each cut at every length
};

std::vector<Sample> samples() {
  return {
      {"syslog", {},
       {"<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8",
        "Jan 12 10:00:00.123 2024 host app: msg",
        "Jan 12 2024 10:00:00 host app: msg",
        "Jan  2 10:00:00 Setup Assistant[1173]: x",
        "2024-06-01T10:00:00.5+02:00 host app[1]: m",
        "<13>Jan 12 10:00:00 2001:db8:: app[12]:msg",
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"][x a=\"\\\"b\\\\\\]\" a=\"2\"] "
        "\xEF\xBB\xBF"
        "An application event",
        "<13>1 - - - - - -"}},
      {"logfmt", {},
       {"level=info msg=\"hello \\\"w\\\" \\x41\\u00e9\\U0001F600\\ud83d\\ude00 \\101 \\n\" a= b c=1.5e3 "
        "t=2024-06-01T10:00:00Z",
        "ts=2024-06-01T10:00:00+02:00 k=v k=w \xC3\xA9=1"}},
      {"combined", {},
       {"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a?b=c HTTP/1.1\" 200 2326 "
        "\"http://x/\\\"q\\\"\" \"Mozilla \\x41\" \"1.2.3.4\" 0.010 0.002, 0.003",
        "::1 - - [10/Oct/2000:13:55:36 -0700] \"-\" 400 0"}},
      {"common", {}, {"1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.0\" 200 - \"r\" \"u\""}},
      {"csv", {"a,b,c"}, {"1,\"x\"\"y\",z", "\"\",,\"a,b\""}},
      {"tsv", {"a\tb"}, {"x\\ty\\\\\tz\\n"}},
      {"prom", {"# HELP x help \\\\ \\n text", "# TYPE x histogram"},
       {"x_bucket{le=\"+Inf\",b=\"\\\"q\\n\"} 3 1700000000000 # {trace_id=\"a\"} 1 1.5",
        "x_sum 1.5e3", "{\"x_count\",a=\"1\"} NaN", "# UNIT x seconds", "# EOF"}},
      {"json", {}, {"{\"a\":[1,2.5,\"s\\u00e9\"],\"b\":{\"c\":null}}"}},
      {"otlp", {},
       {"{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{"
        "\"stringValue\":\"s\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"n\"},\"spans\":[{"
        "\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"EEE19B7EC3C1B174\",\"name\":"
        "\"x\",\"kind\":2,\"startTimeUnixNano\":\"1544712660000000000\",\"endTimeUnixNano\":"
        "\"1544712661000000000\"}]}]}]}"}},
  };
}

bool all_json_objects(std::string_view out) {
  simdjson::dom::parser parser;
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    if (nl == std::string_view::npos) return false;
    simdjson::dom::element e;
    if (parser.parse(std::string(out.substr(start, nl - start))).get(e) || !e.is_object()) return false;
    start = nl + 1;
  }
  return true;
}

}  // namespace

TEST_CASE("every format: each prefix of valid lines is read within its bytes") {
  GuardedText guarded;
  for (const Sample& s : samples()) {
    ParseOptions opts;
    opts.format = s.format;
    opts.year = 2024;
    opts.infer_types = true;
    auto format = build_format(opts);
    OutputSink sink(-1);
    Stats stats;
    Emitter emitter(sink, stats);
    EventWriter writer(emitter, opts);
    std::string reason;
    size_t parsed = 0;
    for (const std::string& line : s.lines) {
      for (size_t len = 0; len <= line.size(); ++len) {
        CAPTURE(s.format);
        CAPTURE(line.substr(0, len));
        format->start_file();
        for (const std::string& b : s.before) {
          writer.set_record(b);
          if (!format->parse(b, writer, reason)) writer.abandon();
        }
        std::string_view text = guarded.place(std::string_view(line).substr(0, len));
        writer.set_record(text);
        reason.clear();
        if (format->parse(text, writer, reason)) ++parsed;
        else writer.abandon();
        if (!format->finish_file(reason)) reason.clear();
      }
      CHECK(all_json_objects(sink.buffer()));
      sink.buffer().clear();
    }
    CHECK(parsed > 0);
  }
}
