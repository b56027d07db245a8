// Line formats of olly-parse: logfmt, access logs, syslog, CSV/TSV.
// Real samples are read from the conformance folder (OLLY_CONFORMANCE_DIR, or
// the environment variable of that name); those cases are skipped when absent.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "parse/line_detail.h"
#include "parse/line_formats.h"

using namespace olly;
using namespace olly::parse;

namespace {

std::string conformance_dir() {
  if (const char* env = std::getenv("OLLY_CONFORMANCE_DIR")) return env;
#ifdef OLLY_CONFORMANCE_DIR
  return OLLY_CONFORMANCE_DIR;
#else
  return "";
#endif
}

// The file's text, or nullopt (and a doctest message) when it is absent.
std::optional<std::string> read_conformance(const std::string& rel) {
  std::string dir = conformance_dir();
  std::ifstream in(dir + "/" + rel, std::ios::binary);
  if (!in) {
    MESSAGE("skipped: conformance file not found: " << dir << "/" << rel);
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

struct Parsed {
  bool ok;
  std::string json;    // the object when ok
  std::string reason;  // when not ok
};

template <class Fn>
Parsed run(Fn&& fn) {
  std::string buf;
  JsonBuilder out(buf);
  std::string reason;
  bool ok = fn(out, reason);
  return {ok, buf, reason};
}

Parsed logfmt(std::string_view line, bool infer = false) {
  LineFormatOptions opts;
  opts.infer_types = infer;
  return run([&](JsonBuilder& o, std::string& r) { return parse_logfmt(line, o, r, opts); });
}

Parsed access(const AccessLogFormat& f, std::string_view line) {
  return run([&](JsonBuilder& o, std::string& r) { return f.parse(line, o, r, {}); });
}

Parsed syslog(std::string_view line, int year = 2024) {
  LineFormatOptions opts;
  opts.default_year = year;
  return run([&](JsonBuilder& o, std::string& r) { return parse_syslog(line, o, r, opts); });
}

bool is_json_object(const std::string& json) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(json).get(e)) return false;
  return e.is_object();
}

}  // namespace

// ---------------------------------------------------------------- logfmt

TEST_CASE("logfmt: pairs, quoting, bare keys, empty values") {
  auto p = logfmt(R"(a=1 b="bar baz" c d= e="esc\t\"q\"")");
  REQUIRE(p.ok);
  CHECK(p.json == R"({"a":"1","b":"bar baz","c":true,"d":"","e":"esc\t\"q\""})");
  CHECK(logfmt("a=1 b=2.5 c=true d=x e=\"7\" f=01", true).json ==
        R"({"a":1,"b":2.5,"c":true,"d":"x","e":"7","f":"01"})");
}

TEST_CASE("logfmt: duplicate keys, last wins at the first position") {
  CHECK(logfmt("a=1 b=2 a=3").json == R"({"a":"3","b":"2"})");
  // Many keys take the hashed path; still last wins.
  std::string line;
  for (int i = 0; i < 100; ++i) {
    line.append("k").append(std::to_string(i % 10)).append("=");
    line.append(std::to_string(i)).append(" ");
  }
  auto p = logfmt(line);
  REQUIRE(p.ok);
  CHECK(p.json.starts_with(R"({"k0":"90","k1":"91",)"));
}

TEST_CASE("logfmt: time normalized into ts") {
  CHECK(logfmt(R"(time="2021-09-15T21:17:10.220731+02:00" level=info)").json ==
        R"({"time":"2021-09-15T21:17:10.220731+02:00","level":"info","ts":"2021-09-15T19:17:10.220731Z"})");
  CHECK(logfmt("ts=1 time=2021-09-15T21:17:10Z").json == R"({"ts":"1","time":"2021-09-15T21:17:10Z"})");
}

TEST_CASE("--infer-types: only numbers JSON readers take back are numbers (logfmt, csv)") {
  auto p = logfmt("a=1e999 b=-1e999 c=1e-999 d=18446744073709551615 e=18446744073709551616 "
                  "f=-9223372036854775808 g=-9223372036854775809 h=007 i=1.5 j=true k=-", true);
  REQUIRE(p.ok);
  CHECK(p.json == R"({"a":"1e999","b":"-1e999","c":1e-999,"d":18446744073709551615,)"
                  R"("e":"18446744073709551616","f":-9223372036854775808,)"
                  R"("g":"-9223372036854775809","h":"007","i":1.5,"j":true,"k":"-"})");
  CHECK(is_json_object(p.json));
}

TEST_CASE("logfmt: errors name the column") {
  auto p = logfmt(R"(a="1)");
  CHECK(!p.ok);
  CHECK(p.reason == "unterminated quoted value at column 5");
  CHECK(logfmt("k=b=ar").reason == "unexpected '=' at column 4");
  CHECK(logfmt("").reason == "empty line");
  CHECK(logfmt("  \r").reason == "empty line");
}

TEST_CASE("logfmt: go-logfmt test vectors") {
  auto text = read_conformance("logfmt/go-logfmt-test-vectors.json");
  if (!text) return;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(*text);
  auto hex = [](std::string_view h) {
    std::string s;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
      s.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return s;
  };
  int checked = 0;
  for (simdjson::dom::element c : doc["decode"].get_array()) {
    std::string input(std::string_view(c["input"].get_string()));
    auto lines = split_lines(input);
    std::vector<simdjson::dom::element> records;
    for (auto r : c["records"].get_array()) records.push_back(r);
    // go-logfmt yields one record per line, blank lines as empty records.
    REQUIRE(lines.size() == records.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(input);
      auto p = logfmt(lines[i]);
      auto pairs = records[i].get_array();
      if (pairs.size() == 0) {
        CHECK(!p.ok);
        CHECK(p.reason == "empty line");
        continue;
      }
      REQUIRE(p.ok);
      // Expected object: last value wins; null = bare key (true) or `k=` ("").
      std::vector<std::pair<std::string, std::string>> kv;
      for (auto pr : pairs) {
        std::string k(std::string_view(pr.at(0).get_string()));
        std::string v;
        if (pr.at(1).is_null()) {
          bool with_eq = std::string_view(lines[i]).find(k + "=") != std::string_view::npos;
          v = with_eq ? "\"\"" : "true";
        } else {
          append_json_string(v, std::string_view(pr.at(1).get_string()));
        }
        bool found = false;
        for (auto& [ek, ev] : kv)
          if (ek == k) { ev = v; found = true; }
        if (!found) kv.emplace_back(k, v);
      }
      std::string expect;
      JsonBuilder b(expect);
      b.begin_object();
      for (auto& [k, v] : kv) b.field_raw(k, v);
      b.end_object();
      CHECK(p.json == expect);
    }
    ++checked;
  }
  for (simdjson::dom::element c : doc["decode_syntax_errors"].get_array()) {
    std::string input;
    std::string_view s;
    if (!c["input"].get(s)) input = std::string(s);
    else input = hex(std::string_view(c["input_hex"].get_string()));
    auto lines = split_lines(input);
    int64_t line_no = c["line"].get_int64();
    int64_t pos = c["pos"].get_int64();
    std::string error(std::string_view(c["error"].get_string()));
    CAPTURE(input);
    for (int64_t i = 0; i + 1 < line_no; ++i) CHECK(logfmt(lines[i]).ok);
    auto p = logfmt(lines[line_no - 1]);
    CHECK(!p.ok);
    CHECK(p.reason == error + " at column " + std::to_string(pos));
    ++checked;
  }
  // decode_then_encode: every input line decodes (or is blank).
  for (simdjson::dom::element c : doc["decode_then_encode"].get_array()) {
    std::string input(std::string_view(c["input"].get_string()));
    for (auto line : split_lines(input)) {
      auto p = logfmt(line);
      CHECK((p.ok || p.reason == "empty line"));
    }
    ++checked;
  }
  CHECK(checked == 15 + 14 + 5);
}

TEST_CASE("logfmt: lnav logrus sample, every line") {
  auto text = read_conformance("logfmt/logfile_logfmt.0");
  if (!text) return;
  int n = 0;
  for (auto line : split_lines(*text)) {
    auto p = logfmt(line);
    CAPTURE(line);
    CHECK(p.ok);
    CHECK(is_json_object(p.json));
    ++n;
  }
  CHECK(n > 0);
  auto first = logfmt(split_lines(*text)[0]);
  CHECK(first.json.find(R"("level":"error")") != std::string::npos);
  CHECK(first.json.find(R"("reason":"")") != std::string::npos);
  CHECK(first.json.find(R"("ts":"2021-09-15T21:17:10.220731Z")") != std::string::npos);
}

TEST_CASE("logfmt: hostile input") {
  std::string big(1 << 20, 'x');
  auto p = logfmt("k=" + big);
  CHECK(p.ok);
  CHECK(p.json.size() == big.size() + 8);
  CHECK(!logfmt("k=\"" + big).ok);
  std::string nul("a=1\0b=2", 7);
  // A control byte is no separator (only whitespace and 0x1c..0x1f are) and
  // no key byte: the line is a bad line, not pairs split around it.
  CHECK(logfmt(nul).reason == "unexpected control byte at column 4");
  CHECK(logfmt("\x10").reason == "unexpected control byte at column 1");
  CHECK(logfmt("\x03\xE8\xA3\x9C\x10").reason == "unexpected control byte at column 1");
  CHECK(logfmt("\x1e").reason == "no key");
  CHECK(logfmt("\x1e y=g\x1fz=1\x0b").json == R"({"y":"g","z":"1"})");
  CHECK(logfmt("k\x7f=1").reason == "invalid key at column 3");
  CHECK(logfmt("\xC2\x85=1").reason == "invalid key at column 3");
  CHECK(logfmt("a=\"\x01\" b.c/d@e:f-g_h=1 \xC6\x92=2").json == R"({"a":"\u0001","b.c/d@e:f-g_h":"1","ƒ":"2"})");
  CHECK(logfmt("k=v\x7f").json == "{\"k\":\"v\x7f\"}");
  CHECK(logfmt("a=\"\xff\xfe\"").json == "{\"a\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  CHECK(logfmt("a=\"\\u00e9\\ud83d\\ude00\"").json == "{\"a\":\"\xC3\xA9\xF0\x9F\x98\x80\"}");
  std::string many;
  for (int i = 0; i < 200000; ++i) many += "k ";
  CHECK(logfmt(many).json == R"({"k":true})");
}

// ---------------------------------------------------------------- access logs

TEST_CASE("access: combined line, request split, typed fields, ts") {
  auto f = AccessLogFormat::combined();
  REQUIRE(f);
  auto p = access(*f, R"(192.168.202.254 - - [20/Jul/2009:22:59:26 +0000] "GET /vmw/cgi/tramp?a=1&b HTTP/1.0" 200 134 "-" "gPXE/0.9.7")");
  REQUIRE(p.ok);
  CHECK(p.json ==
        R"({"remote_addr":"192.168.202.254","remote_user":null,"time_local":"20/Jul/2009:22:59:26 +0000","ts":"2009-07-20T22:59:26Z",)"
        R"("request":"GET /vmw/cgi/tramp?a=1&b HTTP/1.0","method":"GET","path":"/vmw/cgi/tramp","query":"a=1&b","protocol":"HTTP/1.0",)"
        R"("status":200,"body_bytes_sent":134,"http_referer":null,"http_user_agent":"gPXE/0.9.7"})");
}

TEST_CASE("access: escaped quotes, IPv6, '-' request, common lines, extras") {
  auto f = *AccessLogFormat::combined();
  auto p = access(f, R"(::1 - bob [26/Dec/2016:16:16:29 +0200] "GET /a\"b HTTP/1.1" 404 - "-" "Mozilla \"x\" \x22y\x22")");
  REQUIRE(p.ok);
  CHECK(p.json ==
        R"({"remote_addr":"::1","remote_user":"bob","time_local":"26/Dec/2016:16:16:29 +0200","ts":"2016-12-26T14:16:29Z",)"
        R"("request":"GET /a\"b HTTP/1.1","method":"GET","path":"/a\"b","protocol":"HTTP/1.1","status":404,"body_bytes_sent":null,)"
        R"("http_referer":null,"http_user_agent":"Mozilla \"x\" \"y\""})");
  CHECK(access(f, R"(::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -)").json ==
        R"({"remote_addr":"::1","remote_user":null,"time_local":"26/Dec/2016:16:16:48 +0200","ts":"2016-12-26T14:16:48Z","request":null,"status":408,"body_bytes_sent":null})");
  CHECK(access(f, R"(1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" "-" 0.005 0.004, 0.001)").json ==
        R"({"remote_addr":"1.2.3.4","remote_user":null,"time_local":"26/Dec/2016:16:16:48 +0000","ts":"2016-12-26T16:16:48Z","request":"GET / HTTP/1.1","method":"GET","path":"/","protocol":"HTTP/1.1",)"
        R"("status":200,"body_bytes_sent":5,"http_referer":null,"http_user_agent":"ua","http_x_forwarded_for":null,"request_time":0.005,"upstream_response_time":"0.004, 0.001"})");
  // A trailing column's name comes from its place, never from its value.
  CHECK(access(f, R"(1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" what is this)").json.ends_with(
        R"("http_user_agent":"ua","request_time":"what","upstream_response_time":"is","extra":"this"})"));
  CHECK(access(f, R"(1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 0.1 -)").json.ends_with(
        R"("http_user_agent":"ua","request_time":0.1,"upstream_response_time":null})"));
  CHECK(access(f, R"(1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 0.1 10.0.3.7:8080)").json.ends_with(
        R"("http_user_agent":"ua","request_time":0.1,"upstream_response_time":"10.0.3.7:8080"})"));
  CHECK(access(f, R"(1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" "a" "b")").json.ends_with(
        R"("http_user_agent":"ua","http_x_forwarded_for":"a","extra":"\"b\""})"));
  auto c = *AccessLogFormat::common();
  CHECK(access(c, R"(1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] "GET / HTTP/1.1" 200 5 "ref" "ua")").json.ends_with(
        R"("status":200,"body_bytes_sent":5,"http_referer":"ref","http_user_agent":"ua"})"));
}

// Every value plain: the access-log and RFC 5424 writers take the one
// reservation path (CursorMembers); otherwise the escaping one. Both must
// write the same bytes for the same members.
template <class Members>
void write_sample_members(Members& m) {
  m.plain("host", "web-1");
  m.null("user");
  m.string("path", "/a/b?c=1");
  m.raw("rt", "0.005");
  m.integer("status", "200", 200);
  m.integer("zeros", "007", 7);
  m.integer("minus_zero", "-0", 0);
  m.integer("neg", "-012", -12);
  m.integer("big", "9223372036854775807", INT64_MAX);
  m.ts(1795574400 * int64_t{1000000000} + 123000000);
}

TEST_CASE("line writers: one reservation writes what the builder writes") {
  std::string built;
  {
    JsonBuilder out(built);
    out.begin_object();
    out.raw("\"a\":1");  // something before: the next member needs a comma
    detail::BuilderMembers m(out);
    write_sample_members(m);
  }
  std::string cursor = "{\"a\":1";
  {
    // Exactly the bound the writers reserve: keys + 8 a member, the values, ts 48.
    detail::MemberCursor cur(cursor, 600, false);
    detail::CursorMembers m(cur);
    write_sample_members(m);
    cur.done();
  }
  CHECK(cursor == built);
  CHECK(cursor ==
        R"({"a":1,"host":"web-1","user":null,"path":"/a/b?c=1","rt":0.005,"status":200,"zeros":7,)"
        R"("minus_zero":0,"neg":-12,"big":9223372036854775807,"ts":"2026-11-25T02:40:00.123Z")");
  // done() trims the room to what was written, the first member has no comma.
  std::string one;
  detail::MemberCursor cur(one, 1000, true);
  cur.member_plain("k", "v");
  cur.done();
  CHECK(one == R"("k":"v")");
}

TEST_CASE("access: rejected lines say why and where") {
  auto f = *AccessLogFormat::combined();
  auto p = access(f, R"(192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET / HTTP/1.0" 404 46210 "-" "gPXE/0.9.7")");
  CHECK(!p.ok);
  CHECK(p.reason == "expected ' - ' before remote_user at column 16");
  p = access(f, R"(1.2.3.4 - - 20/Jul/2009:22:59:29 +0000] "GET / HTTP/1.0" 404 46210 "-" "gPXE/0.9.7")");
  CHECK(p.reason == "expected ' [' before time_local at column 12");
  p = access(f, R"(1.2.3.4 - - [20/Jul/2009:22:59:29 +0000] "GET / HTTP/1.0" 4x4 46210 "-" "gPXE/0.9.7")");
  CHECK(p.reason == "expected an integer for status at column 59");
  CHECK(p.json.empty());
  p = access(f, R"(1.2.3.4 - - [20/Jul/2009:22:59:29 +0000] "GET / HTTP/1.0)");
  CHECK(p.reason == "unterminated quoted request (expected '\" ') at column 42");
  p = access(f, R"(1.2.3.4 - - [20/Foo/2009:22:59:29 +0000] "GET / HTTP/1.0" 404 46210 "-" "gPXE/0.9.7")");
  CHECK(p.reason == "invalid time_local '20/Foo/2009:22:59:29 +0000' at column 14");
}

TEST_CASE("access: custom nginx log_format") {
  std::string err;
  auto f = AccessLogFormat::compile(R"($remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time ${upstream_response_time})", err);
  REQUIRE(f);
  auto p = access(*f, R"(10.0.0.1 [25/Nov/2026:02:40:00 +0100] "POST /api/checkout HTTP/2.0" 502 0 0.802 0.800)");
  REQUIRE(p.ok);
  CHECK(p.json ==
        R"({"remote_addr":"10.0.0.1","time_local":"25/Nov/2026:02:40:00 +0100","ts":"2026-11-25T01:40:00Z","request":"POST /api/checkout HTTP/2.0",)"
        R"("method":"POST","path":"/api/checkout","protocol":"HTTP/2.0","status":502,"body_bytes_sent":0,"request_time":0.802,"upstream_response_time":0.800})");
  p = access(*f, R"(10.0.0.1 [25/Nov/2026:02:40:00 +0100] "POST /api/checkout HTTP/2.0" 502 0 0.802 0.010, 0.002)");
  CHECK(p.json.ends_with(R"("upstream_response_time":"0.010, 0.002"})"));
  CHECK(!AccessLogFormat::compile("$a$b", err));
  CHECK(err == "$a and the next variable need text between them (column 3)");
  CHECK(!AccessLogFormat::compile("no variables", err));
  CHECK(!AccessLogFormat::compile("$ x", err));
  CHECK(err == "expected a variable name after '$' at column 1");
  auto host = AccessLogFormat::compile(R"($host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")", err);
  REQUIRE(host);
  p = access(*host, R"(example.com:80 "10.5.102.222, 175.16.199.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /assets/xxxx?q=100 HTTP/1.1" 200 25507 "-" "Amazon CloudFront")");
  REQUIRE(p.ok);
  CHECK(p.json.starts_with(R"({"host":"example.com:80","remote_addr":"\"10.5.102.222, 175.16.199.1, 204.246.1.1\" 10.2.1.185",)"));
}

namespace {

// Parses every line; returns the rejected ones as "N: reason".
template <class Fn>
std::vector<std::string> rejected_lines(Fn&& parse_line, std::string_view text, int& ok) {
  std::vector<std::string> rejected;
  int n = 0;
  for (auto line : split_lines(text)) {
    ++n;
    Parsed p = parse_line(line);
    if (p.ok) {
      ++ok;
      CHECK(is_json_object(p.json));
    } else {
      rejected.push_back(std::to_string(n) + ": " + p.reason);
    }
  }
  return rejected;
}

}  // namespace

TEST_CASE("access: real samples (lnav, beats)") {
  auto f = *AccessLogFormat::combined();
  auto by_f = [&](std::string_view line) { return access(f, line); };
  struct Sample { const char* file; std::vector<std::string> rejected; };
  std::vector<Sample> samples = {
      {"logs/lnav/logfile_access_log.0", {}},
      {"logs/lnav/logfile_access_log.1", {}},
      // The middle line lacks ident and user: truly not combined.
      {"logs/lnav/logfile_bad_access_log.0", {"2: expected ' - ' before remote_user at column 16"}},
      {"logs/lnav/logfile_shop_access_log.0", {}},
      {"logs/beats/nginx_access_test.log", {}},
      {"logs/beats/apache_access_test.log", {}},
  };
  for (auto& s : samples) {
    auto text = read_conformance(s.file);
    if (!text) continue;
    int ok = 0;
    CAPTURE(s.file);
    CHECK(rejected_lines(by_f, *text, ok) == s.rejected);
    CHECK(ok > 0);
  }
  if (auto text = read_conformance("logs/beats/nginx_access_test.log")) {
    auto lines = split_lines(*text);
    CHECK(access(f, lines[0]).json.starts_with(R"({"remote_addr":"10.0.0.2, 10.0.0.1, 127.0.0.1","remote_user":null,)"));
    CHECK(access(f, lines[1]).json.ends_with(R"("http_x_forwarded_for":null})"));
    CHECK(access(f, lines[4]).json.starts_with(R"({"remote_addr":"\"10.5.102.222, 199.96.1.1, 204.246.1.1\" 10.2.1.185",)"));
    CHECK(access(f, lines[6]).json ==
          R"({"remote_addr":"127.0.0.1","remote_user":null,"time_local":"12/Apr/2018:09:48:40 +0200","ts":"2018-04-12T07:48:40Z","request":"","status":400,"body_bytes_sent":0,"http_referer":null,"http_user_agent":null})");
  }
  if (auto text = read_conformance("logs/beats/nginx_access_test-with-host.log")) {
    std::string err;
    auto host = *AccessLogFormat::compile(R"($host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")", err);
    auto by_host = [&](std::string_view line) { return access(host, line); };
    int ok = 0;
    // Lines with the trailing "-" do not fit this stricter custom layout.
    auto rejected = rejected_lines(by_host, *text, ok);
    CHECK(rejected == std::vector<std::string>{"2: unexpected text after the format's end at column 166",
                                               "9: unexpected text after the format's end at column 157",
                                               "10: unexpected text after the format's end at column 170"});
    auto lines = split_lines(*text);
    CHECK(access(host, lines[7]).json.starts_with(R"({"host":"example.com:80","remote_addr":"unix:",)"));
  }
  if (auto text = read_conformance("logs/lnav/logfile_shop_access_log.0")) {
    auto p = access(f, split_lines(*text)[0]);
    CHECK(p.json.find(R"("ts":"2019-01-22T00:26:14Z")") != std::string::npos);
    CHECK(p.json.ends_with(R"x("http_user_agent":"Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)","http_x_forwarded_for":null})x"));
  }
}

TEST_CASE("access: hostile input") {
  auto f = *AccessLogFormat::combined();
  std::string big(1 << 20, 'a');
  CHECK(!access(f, big).ok);
  auto p = access(f, R"(1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] "GET /)" + big + R"( HTTP/1.1" 200 5 "-" "ua")");
  CHECK(p.ok);
  // Many candidate delimiters: backtracking is bounded.
  std::string spaces;
  for (int i = 0; i < 100000; ++i) spaces += " - ";
  CHECK(!access(f, "x" + spaces).ok);
  static const char kNul[] = "1.2.3.4 - - [26/Dec/2016:16:16:48 +0000] \"GET /\0 HTTP/1.1\" 200 5 \"-\" \"\xff\"";
  std::string nul(kNul, sizeof kNul - 1);
  p = access(f, nul);
  REQUIRE(p.ok);
  CHECK(p.json.find(R"("path":"/\u0000")") != std::string::npos);
  CHECK(p.json.find("\"http_user_agent\":\"\xEF\xBF\xBD\"") != std::string::npos);
  CHECK(access(f, "").reason == "empty line");
}

// ---------------------------------------------------------------- syslog

TEST_CASE("syslog: RFC 3164 variants") {
  CHECK(syslog("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8").json ==
        R"({"pri":34,"facility":"auth","severity":"crit","time":"Oct 11 22:14:15","ts":"2024-10-11T22:14:15Z","host":"mymachine","app":"su","pid":123,"msg":"'su root' failed for lonvick on /dev/pts/8"})");
  CHECK(syslog("Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6").json ==
        R"({"time":"Nov  3 09:47:02","ts":"2024-11-03T09:47:02Z","host":"veridian","app":"sudo","msg":"timstack : TTY=pts/6"})");
  CHECK(syslog("Apr 4 03:39:57 --- last message repeated 1 time ---").json ==
        R"({"time":"Apr 4 03:39:57","ts":"2024-04-04T03:39:57Z","msg":"--- last message repeated 1 time ---"})");
  // No hostname: the word after the time is already the tag.
  CHECK(syslog("<13>Feb  5 17:32:18 sshd[42]: Accepted publickey").json ==
        R"({"pri":13,"facility":"user","severity":"notice","time":"Feb  5 17:32:18","ts":"2024-02-05T17:32:18Z","app":"sshd","pid":42,"msg":"Accepted publickey"})");
  // A year in the line, a fraction, and an RFC 3339 time (rsyslog files).
  CHECK(syslog("Feb  5 2019 17:32:18.250 host1 cron: x", 2024).json ==
        R"({"time":"Feb  5 2019 17:32:18.250","ts":"2019-02-05T17:32:18.250Z","host":"host1","app":"cron","msg":"x"})");
  CHECK(syslog("Feb  5 17:32:18 2019 host1 cron: x").json.find(R"("ts":"2019-02-05T17:32:18Z")") != std::string::npos);
  CHECK(syslog("2018-08-14T14:30:02.203151+02:00 linux-sqrz systemd[4179]: Stopped target Paths.").json ==
        R"({"time":"2018-08-14T14:30:02.203151+02:00","ts":"2018-08-14T12:30:02.203151Z","host":"linux-sqrz","app":"systemd","pid":4179,"msg":"Stopped target Paths."})");
  // Tags: launchd style without ':', a name with a space, none at all.
  CHECK(syslog("Aug  1 00:00:03 mac com.apple.xpc.launchd[1] (com.apple.x[50989]): Service exited").json.ends_with(
        R"("host":"mac","app":"com.apple.xpc.launchd","pid":1,"msg":"(com.apple.x[50989]): Service exited"})"));
  CHECK(syslog("Jan  4 10:23:26 Tims-MacBook-Air Setup Assistant[1173]: Creating connection").json.ends_with(
        R"("app":"Setup Assistant","pid":1173,"msg":"Creating connection"})"));
  CHECK(syslog("Nov  3 09:23:38 veridian lookup for opt failed").json.ends_with(
        R"("host":"veridian","msg":"lookup for opt failed"})"));
}

TEST_CASE("syslog: RFC 5424") {
  CHECK(syslog("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
               "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
               "[examplePriority@32473 class=\"high\"] \xEF\xBB\xBF" "An application event")
            .json ==
        R"({"pri":165,"facility":"local4","severity":"notice","version":1,"time":"2003-10-11T22:14:15.003Z","ts":"2003-10-11T22:14:15.003Z",)"
        R"("host":"mymachine.example.com","app":"evntslog","pid":null,"msgid":"ID47","sd":{"exampleSDID@32473":{"iut":"3","eventSource":"Application","eventID":"1011"},)"
        R"("examplePriority@32473":{"class":"high"}},"msg":"An application event"})");
  CHECK(syslog("<30>1 - - - - - -").json ==
        R"({"pri":30,"facility":"daemon","severity":"info","version":1,"time":null,"ts":null,"host":null,"app":null,"pid":null,"msgid":null,"sd":null})");
  // Escapes in param values; repeated params become arrays; repeated ids merge.
  CHECK(syslog(R"(<14>1 2024-01-01T00:00:00+01:00 h a p m [x@1 a="q\"\]\\" a="2"][y b="3"][x@1 c="4"] m)").json.ends_with(
        R"("ts":"2023-12-31T23:00:00Z","host":"h","app":"a","pid":"p","msgid":"m","sd":{"x@1":{"a":["q\"]\\","2"],"c":"4"},"y":{"b":"3"}},"msg":"m"})"));
  auto bad = syslog("<14>1 2024-01-01T00:00:00Z h a p m [x@1 a=\"unterminated]");
  CHECK(!bad.ok);
  CHECK(bad.reason == "unterminated SD-PARAM value at column 44");
  CHECK(syslog("<14>1 yesterday h a p m -").reason == "invalid TIMESTAMP 'yesterday' at column 7");
  CHECK(syslog("<14>1 2024-01-01T00:00:00Z h a").reason == "expected ' ' after APP-NAME at column 31");
  CHECK(syslog("<192>Oct 11 22:14:15 h a: b").reason == "invalid PRI (expected <0..191>) at column 1");
}

TEST_CASE("syslog: RFC 5424 without PRI and VERSION (rsyslog file format)") {
  CHECK(syslog("2022-08-27T14:22:01.613Z host app 3106 - [sd@1 a=\"b\"] msg").json ==
        R"({"time":"2022-08-27T14:22:01.613Z","ts":"2022-08-27T14:22:01.613Z","host":"host","app":"app","pid":3106,"msgid":null,"sd":{"sd@1":{"a":"b"}},"msg":"msg"})");
  CHECK(syslog("2022-08-27T14:22:01.613Z host app 3106 ID47 - msg").json ==
        R"({"time":"2022-08-27T14:22:01.613Z","ts":"2022-08-27T14:22:01.613Z","host":"host","app":"app","pid":3106,"msgid":"ID47","sd":null,"msg":"msg"})");
  CHECK(syslog("<13>2022-08-27T14:22:01Z host app - - -").json ==
        R"({"pri":13,"facility":"user","severity":"notice","time":"2022-08-27T14:22:01Z","ts":"2022-08-27T14:22:01Z","host":"host","app":"app","pid":null,"msgid":null,"sd":null})");
  // rsyslog's high-precision traditional format stays RFC 3164.
  CHECK(syslog("2022-08-27T14:22:01+00:00 host app[12]: msg").json ==
        R"({"time":"2022-08-27T14:22:01+00:00","ts":"2022-08-27T14:22:01Z","host":"host","app":"app","pid":12,"msg":"msg"})");
  CHECK(syslog("2022-08-27T14:22:01+00:00 host app: a b - c").json ==
        R"({"time":"2022-08-27T14:22:01+00:00","ts":"2022-08-27T14:22:01Z","host":"host","app":"app","msg":"a b - c"})");
  // The shape but no valid structured data: RFC 3164 as before.
  CHECK(syslog("2022-08-27T14:22:01Z host app 1 2 [oops").json ==
        R"({"time":"2022-08-27T14:22:01Z","ts":"2022-08-27T14:22:01Z","host":"host","msg":"app 1 2 [oops"})");
}

TEST_CASE("syslog: RFC 5424 ts keeps the time's fraction") {
  // ts carries as many fraction digits as the instant needs (format_rfc3339
  // with -1): milliseconds stay, a zero fraction is dropped.
  auto ts_of = [](std::string_view time) {
    std::string json = syslog("<166>1 " + std::string(time) + " orders-2 orders 1026 - - GET /x 200").json;
    size_t at = json.find("\"ts\":\"");
    REQUIRE(at != std::string::npos);
    return json.substr(at + 6, json.find('"', at + 6) - at - 6);
  };
  CHECK(ts_of("2026-11-25T00:00:00.003Z") == "2026-11-25T00:00:00.003Z");
  CHECK(ts_of("2026-11-25T00:00:00.25Z") == "2026-11-25T00:00:00.250Z");
  CHECK(ts_of("2026-11-25T01:00:00.000123+01:00") == "2026-11-25T00:00:00.000123Z");
  CHECK(ts_of("2026-11-25T00:00:00.123456789Z") == "2026-11-25T00:00:00.123456789Z");
  CHECK(ts_of("2026-11-25T00:00:00.000Z") == "2026-11-25T00:00:00Z");
  CHECK(ts_of("2026-11-25T00:00:07Z") == "2026-11-25T00:00:07Z");
}

TEST_CASE("syslog: RFC 5424 times: repeated times, --tz only for times without offset") {
  // The rendered ts is reused for a repeated time; a time without offset is
  // read in --tz each time, so the same text under another zone moves.
  std::optional<TimeZone> paris = TimeZone::load("Europe/Paris");
  if (!paris) return;  // no tz database here
  auto ts_with = [](std::string_view line, const TimeZone* tz) {
    LineFormatOptions opts;
    opts.tz = tz;
    std::string json = run([&](JsonBuilder& o, std::string& r) { return parse_syslog(line, o, r, opts); }).json;
    size_t at = json.find("\"ts\":\"");
    REQUIRE(at != std::string::npos);
    return json.substr(at + 6, json.find('"', at + 6) - at - 6);
  };
  const char* local = "<14>1 2026-07-01T12:00:00.5 h a - - - m";
  CHECK(ts_with(local, nullptr) == "2026-07-01T12:00:00.500Z");
  CHECK(ts_with(local, &*paris) == "2026-07-01T10:00:00.500Z");
  CHECK(ts_with(local, nullptr) == "2026-07-01T12:00:00.500Z");
  const char* zulu = "<14>1 2026-07-01T12:00:00.5Z h a - - - m";
  CHECK(ts_with(zulu, nullptr) == "2026-07-01T12:00:00.500Z");
  CHECK(ts_with(zulu, &*paris) == "2026-07-01T12:00:00.500Z");
  CHECK(ts_with("<14>1 2026-07-01T12:00:00.5+02:00 h a - - - m", &*paris) == "2026-07-01T10:00:00.500Z");
  CHECK(ts_with("<14>1 2026-07-01T12:00:00.5+02:00 h a - - - m", nullptr) == "2026-07-01T10:00:00.500Z");
}

TEST_CASE("syslog: real samples") {
  struct Sample { const char* file; std::vector<std::string> rejected; };
  const std::string cont = ": continuation line (starts with blank space), not a syslog header at column 1";
  std::vector<Sample> samples = {
      {"logs/lnav/logfile_syslog.0", {}},
      {"logs/lnav/logfile_syslog.3", {"4" + cont, "5" + cont, "7" + cont, "8" + cont, "10" + cont, "11" + cont,
                                      "13" + cont, "14" + cont, "16" + cont, "17" + cont}},
      {"logs/lnav/logfile_bad_syslog.0", {}},
      {"logs/lnav/logfile_syslog_with_mixed_times.0", {}},
      {"logs/lnav/logfile_syslog_with_access_log.0", {}},
      {"logs/lnav/logfile_haproxy.0", {}},
      {"logs/beats/system_syslog_tz-offset.log", {}},
      {"logs/beats/system_syslog_suse-syslog.log", {}},
      {"logs/syslog5424/drill_test.syslog1", {}},
      {"logs/syslog5424/dynatrace_RFC5424", {}},
      {"logs/syslog5424/dynatrace_RFC3164", {}},
  };
  auto parse = [](std::string_view line) { return syslog(line); };
  for (auto& s : samples) {
    auto text = read_conformance(s.file);
    if (!text) continue;
    int ok = 0;
    CAPTURE(s.file);
    CHECK(rejected_lines(parse, *text, ok) == s.rejected);
    CHECK(ok > 0);
  }
  if (auto text = read_conformance("logs/beats/system_syslog_darwin-syslog-sample.log")) {
    int ok = 0;
    auto rejected = rejected_lines(parse, *text, ok);
    CHECK(ok == 3);
    CHECK(rejected.size() == 18);  // the tab-indented continuation lines of one event
    for (auto& r : rejected) CHECK(r.ends_with(cont));
  }
  if (auto text = read_conformance("logs/syslog5424/dynatrace_RFC5424")) {
    auto p = syslog(*text);
    CHECK(p.json.starts_with(R"({"pri":86,"facility":"authpriv","severity":"info","version":1,"time":"2015-08-05T21:58:59.693Z","ts":"2015-08-05T21:58:59.693Z","host":"192.168.2.132","app":"SecureAuth0","pid":23108,"msgid":"ID52020","sd":{"SecureAuth@27389":{"UserHostAddress":"192.168.2.132","Realm":"SecureAuth0",)"));
    CHECK(p.json.ends_with(R"("msg":"Found the user for retrieving user's profile"})"));
  }
  if (auto text = read_conformance("logs/syslog5424/drill_test.syslog1")) {
    auto lines = split_lines(*text);
    CHECK(syslog(lines[1]).json ==
          R"({"pri":134,"facility":"local0","severity":"info","version":1,"time":"2016-04-01T16:44:58Z","ts":"2016-04-01T16:44:58Z","host":"MacBook-Pro-3","app":null,"pid":94473,"msgid":null,"sd":null,)"
          R"("msg":"{\"pid\":94473,\"hostname\":\"MacBook-Pro-3\",\"level\":30,\"msg\":\"hello world\",\"time\":1459529098958,\"v\":1}"})");
  }
  if (auto text = read_conformance("logs/syslog5424/dynatrace_RFC3164")) {
    CHECK(syslog(*text).json ==
          R"({"pri":34,"facility":"auth","severity":"crit","time":"Feb  4 11:14:27","ts":"2024-02-04T11:14:27Z","host":"1.2.3.4","app":"apache_server","msg":"test message"})");
  }
  if (auto text = read_conformance("logs/lnav/syslog_log.format.json")) {
    // The sample lines of lnav's syslog format definition (3 are RFC 5424).
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(*text);
    int n = 0;
    for (auto sample : doc["syslog_log"]["sample"].get_array()) {
      std::string_view line = sample["line"].get_string();
      auto p = syslog(line);
      CAPTURE(line);
      CHECK(p.ok);
      ++n;
    }
    CHECK(n >= 8);
    CHECK(syslog(R"(<30>1 2017-04-27T07:59:12+02:00 nextcloud dhclient - - -  DHCPREQUEST on eth0 to 192.168.1.1 port 67)").json.ends_with(
          R"("host":"nextcloud","app":"dhclient","pid":null,"msgid":null,"sd":null,"msg":"DHCPREQUEST on eth0 to 192.168.1.1 port 67"})"));
  }
}

TEST_CASE("syslog: loghub Linux and OpenSSH samples, every line") {
  for (const char* file : {"loghub/Linux/Linux_2k.log", "loghub/OpenSSH/OpenSSH_2k.log"}) {
    auto text = read_conformance(file);
    if (!text) continue;
    int ok = 0;
    auto parse = [](std::string_view line) { return syslog(line); };
    CAPTURE(file);
    CHECK(rejected_lines(parse, *text, ok) == std::vector<std::string>{});
    CHECK(ok == 2000);
  }
  if (auto text = read_conformance("loghub/OpenSSH/OpenSSH_2k.log")) {
    auto p = syslog(split_lines(*text)[0]);
    CHECK(p.json.find(R"("host":"LabSZ","app":"sshd","pid":24200,)") != std::string::npos);
  }
}

TEST_CASE("syslog: hostile input") {
  CHECK(syslog("").reason == "empty line");
  CHECK(syslog("\tcontinued").reason == "continuation line (starts with blank space), not a syslog header at column 1");
  CHECK(syslog("<12").reason == "invalid PRI (expected <0..191>) at column 1");
  CHECK(syslog("Oct").reason == "expected a syslog time (\"Mmm dd hh:mm:ss\" or RFC 3339) at column 1");
  CHECK(syslog("Oct 11 22:14").reason == "expected a syslog time (\"Mmm dd hh:mm:ss\" or RFC 3339) at column 1");
  std::string big = "Oct 11 22:14:15 h app: " + std::string(1 << 20, 'x');
  CHECK(syslog(big).ok);
  std::string sd = "<14>1 - - - - - [a";
  for (int i = 0; i < 100000; ++i) sd += " p=\"v\"";
  sd += "]";
  auto p = syslog(sd);
  REQUIRE(p.ok);
  CHECK(p.json.size() > 400000);  // one array of 100000 values
  static const char kNul[] = "Oct 11 22:14:15 h app: a\0b\xff";
  std::string nul(kNul, sizeof kNul - 1);
  CHECK(syslog(nul).json.ends_with("\"msg\":\"a\\u0000b\xEF\xBF\xBD\"}"));
}

// ---------------------------------------------------------------- CSV / TSV

namespace {

// Feeds text line by line; returns the objects (one per line) and the
// results as letters: r record, h header, m need_more, s skipped, e error.
struct CsvRun {
  std::string objects;
  std::string results;
  std::vector<std::string> reasons;
  bool finished;
};

CsvRun csv_run(std::string_view text, CsvReader::Options opts) {
  CsvReader r(std::move(opts));
  CsvRun run;
  std::string buf;
  for (auto line : split_lines(text)) {
    buf.clear();
    JsonBuilder out(buf);
    std::string reason;
    switch (r.feed(line, out, reason)) {
      case CsvReader::Result::record: run.results += 'r'; run.objects += buf + "\n"; break;
      case CsvReader::Result::header: run.results += 'h'; break;
      case CsvReader::Result::need_more: run.results += 'm'; break;
      case CsvReader::Result::skipped: run.results += 's'; break;
      case CsvReader::Result::error: run.results += 'e'; run.reasons.push_back(reason); break;
    }
  }
  std::string reason;
  run.finished = r.finish(reason);
  if (!run.finished) run.reasons.push_back(reason);
  return run;
}

}  // namespace

TEST_CASE("csv: header, RFC 4180 quoting, embedded newlines") {
  auto run = csv_run("\xEF\xBB\xBFname,note,n\r\n"
                     "ann,\"say \"\"hi\"\"\",1\r\n"
                     "\r\n"
                     "bob,\"two\nlines, and a comma\",2\n"
                     "cy,,\n",
                     {});
  CHECK(run.results == "hrsmrr");
  CHECK(run.objects ==
        "{\"name\":\"ann\",\"note\":\"say \\\"hi\\\"\",\"n\":\"1\"}\n"
        "{\"name\":\"bob\",\"note\":\"two\\nlines, and a comma\",\"n\":\"2\"}\n"
        "{\"name\":\"cy\",\"note\":\"\",\"n\":\"\"}\n");
  CHECK(run.finished);
}

TEST_CASE("csv: --infer-types, --columns, duplicate and empty names") {
  CsvReader::Options o;
  o.infer_types = true;
  o.columns = {"a", "b", "a", "", "e", "f", "g"};
  auto run = csv_run("12,-1.5e3,\"7\",true,,007,99999999999999999999\n", o);
  CsvReader::Options infer;
  infer.infer_types = true;
  auto big = csv_run("a,b\n1e999,18446744073709551615\n", infer);
  CHECK(big.objects == R"({"a":"1e999","b":18446744073709551615})" "\n");
  CHECK(run.results == "r");
  CHECK(run.objects ==
        R"({"a":12,"b":-1.5e3,"a_2":"7","_4":true,"e":null,"f":"007","g":"99999999999999999999"})" "\n");
}

TEST_CASE("csv: errors") {
  auto run = csv_run("a,b\n1,2,3\n\"x\"y,2\n1\n4,5\n", {});
  CHECK(run.results == "heeer");
  CHECK(run.reasons == std::vector<std::string>{"record has 3 fields, expected 2",
                                                "unexpected text after a closing quote at column 4",
                                                "record has 1 field, expected 2"});
  run = csv_run("a,b\n1,\"open\n2,3\n", {});
  CHECK(run.results == "hmm");
  CHECK(!run.finished);
  CHECK(run.reasons.back() == "unterminated quoted field at end of input (record started 2 lines before)");
  CsvReader::Options small;
  small.max_record_bytes = 10;
  run = csv_run("a,b\n1,\"open\n2,3\n4,5\n", small);
  CHECK(run.results == "hmer");
}

TEST_CASE("csv: a quoted field over several lines keeps its state from line to line") {
  // "" at the start and end of lines, an empty line and a delimiter inside.
  auto run = csv_run("a,b,c\n1,\"x\n\"\"y\"\"\n\nz, w\",2\n3,\"\"\"\n\"\"\",4\n", {});
  CHECK(run.results == "hmmmrmr");
  CHECK(run.objects ==
        R"({"a":"1","b":"x\n\"y\"\n\nz, w","c":"2"})" "\n"
        R"({"a":"3","b":"\"\n\"","c":"4"})" "\n");
  // Text after the closing quote on a later line: the column is the line's.
  run = csv_run("a,b\n1,\"x\ny\"z,2\n5,6\n", {});
  CHECK(run.results == "hmer");
  CHECK(run.reasons == std::vector<std::string>{"unexpected text after a closing quote at column 3"});
  // A stray quote: every later line is scanned once (linear), and the open
  // record is reported at the end.
  std::string stray = "a,b\n\"open,1\n";
  for (int i = 0; i < 200000; ++i) stray += "x,2\n";
  run = csv_run(stray, {});
  CHECK(!run.finished);
  CHECK(run.reasons.back() == "unterminated quoted field at end of input (record started 200001 lines before)");
}

TEST_CASE("tsv: no quoting, backslash escapes") {
  CsvReader::Options o;
  o.delimiter = '\t';
  o.quoting = false;
  auto run = csv_run("a\tb\n\"q\"\tx\\ty\\\\z\\n\n", o);
  CHECK(run.results == "hr");
  CHECK(run.objects == "{\"a\":\"\\\"q\\\"\",\"b\":\"x\\ty\\\\z\\n\"}\n");
}

TEST_CASE("csv: loghub structured CSV files, every record") {
  for (const char* file : {"loghub/OpenSSH/OpenSSH_2k.log_structured_corrected.csv",
                           "loghub/Apache/Apache_2k.log_structured_corrected.csv",
                           "loghub/Linux/Linux_2k.log_structured_corrected.csv"}) {
    auto text = read_conformance(file);
    if (!text) continue;
    CAPTURE(file);
    CsvReader::Options o;
    o.infer_types = true;
    auto run = csv_run(*text, o);
    CHECK(run.finished);
    CHECK(run.reasons.empty());
    CHECK(std::count(run.results.begin(), run.results.end(), 'r') == 2000);
    for (auto obj : split_lines(run.objects)) CHECK(is_json_object(std::string(obj)));
    auto first = split_lines(run.objects)[0];
    CHECK(first.starts_with(R"({"LineId":1,)"));
  }
}

TEST_CASE("csv: hostile input") {
  std::string big = "a\n\"" + std::string(1 << 20, 'x') + "\"\n";
  auto run = csv_run(big, {});
  CHECK(run.results == "hr");
  static const char kNul[] = "a,b\n\0,\xff\n";
  run = csv_run(std::string_view(kNul, sizeof kNul - 1), {});
  CHECK(run.objects == "{\"a\":\"\\u0000\",\"b\":\"\xEF\xBF\xBD\"}\n");
  run = csv_run("", {});
  CHECK(run.results.empty());
  CHECK(run.finished);
}

// ---------------------------------------------------------------- cri, apache_error

TEST_CASE("cri: time, stream, tag, message; hostile lines refused with the part that fails") {
  auto cri = [](std::string_view line) {
    return run([&](JsonBuilder& o, std::string& r) { return parse_cri(line, o, r); });
  };
  auto p = cri("2016-10-06T00:17:09.669794202Z stdout F {\"a\": 1}\r");
  REQUIRE(p.ok);
  CHECK(p.json ==
        R"({"time":"2016-10-06T00:17:09.669794202Z","ts":"2016-10-06T00:17:09.669794202Z","stream":"stdout",)"
        R"("logtag":"F","msg":"{\"a\": 1}"})");
  CHECK(cri("2016-10-06T00:17:09Z stderr F").json.find(R"("msg":"")") != std::string::npos);
  CHECK(cri("2016-10-06T02:17:09+02:00 stdout F x").json.find(R"("ts":"2016-10-06T00:17:09Z")") != std::string::npos);
  CriLine l;
  std::string reason;
  CHECK(split_cri("2016-10-06T00:17:09Z stdout P part", l, reason));
  CHECK(l.partial);
  CHECK(l.msg == "part");
  for (std::string_view bad : {"", " ", "2016-10-06T00:17:09Z", "2016-10-06T00:17:09Z stdout", "x stdout F m",
                               "2016-10-06T00:17:09Z stdin F m", "2016-10-06T00:17:09Z stdout PF m",
                               "2016-10-06T00:17:09Z stdout  F m", "2016-13-06T00:17:09Z stdout F m"}) {
    auto r = cri(bad);
    CHECK_MESSAGE(!r.ok, bad);
    CHECK(r.reason.starts_with("not a CRI line"));
  }
}

TEST_CASE("apache_error: 2.4 and 2.2 lines, the optional parts, hostile lines") {
  auto ae = [](std::string_view line) {
    return run([&](JsonBuilder& o, std::string& r) { return parse_apache_error(line, o, r, {}); });
  };
  auto p = ae("[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client "
              "72.15.99.187:51234] AH00128: File does not exist: /favicon.ico, referer: http://a/b");
  REQUIRE(p.ok);
  CHECK(p.json == R"({"time":"Wed Oct 11 14:32:52.123456 2000","ts":"2000-10-11T14:32:52.123456Z","module":"core",)"
                  R"("level":"error","pid":35708,"tid":"4328636416","client":"72.15.99.187:51234","code":"AH00128",)"
                  R"("msg":"File does not exist: /favicon.ico","referer":"http://a/b"})");
  p = ae("[Sun Mar  7 16:02:00 2004] [notice] Apache/1.3.29 (Unix) configured");
  REQUIRE(p.ok);
  CHECK(p.json == R"({"time":"Sun Mar  7 16:02:00 2004","ts":"2004-03-07T16:02:00Z","level":"notice",)"
                  R"("msg":"Apache/1.3.29 (Unix) configured"})");
  p = ae("[Thu Jun 27 11:55:44.569531 2013] [core:info] [pid 4101:tid 2992634688] (32)Broken pipe: [client "
         "1.2.3.4:5678] AH00170: read failed");
  CHECK(p.json.find(R"("os_error":"(32)Broken pipe","client":"1.2.3.4:5678","code":"AH00170","msg":"read failed")") !=
        std::string::npos);
  // A pid bracket never closed is message text (found by fuzz_parse_lines: it was read as a bracket).
  p = ae("[Sun Mar 07 16:02:00 2004] [error] [pid 35710:tid 1\torder_id,cust");
  REQUIRE(p.ok);
  CHECK(p.json.find(R"("msg":"[pid 35710:tid 1\torder_id,cust")") != std::string::npos);
  // A pid bracket that is no pid stays in the message.
  p = ae("[Sun Mar 07 16:02:00 2004] [error] [pid x] left as text");
  CHECK(p.json.find(R"("msg":"[pid x] left as text")") != std::string::npos);
  for (std::string_view bad : {"", "[", "[]", "[Sun Mar 07 16:02:00 2004]", "[Sun Mar 07 16:02:00 2004] [loud] x",
                               "[Sun Mar 07 16:02:00] [error] no year", "[Sun Mar 07 16:02:00 2004 [error] x",
                               "[Sun Foo 07 16:02:00 2004] [error] x", "Nov 25 02:40:07 web-1 sshd[912]: x"}) {
    auto r = ae(bad);
    CHECK_MESSAGE(!r.ok, bad);
    if (!r.ok) CHECK(r.reason.starts_with("not an Apache error log line"));
    if (r.ok) CHECK(is_json_object(r.json));
  }
}
