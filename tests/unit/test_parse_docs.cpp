// Unit tests for olly-parse's structured formats (lib/parse: otlp, prom,
// regex, json, detect, driver), on our own small inputs and on the real
// samples in ../shared/conformance (skipped with a message when absent).
#include <doctest/doctest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/input.h"
#include "parse/detect.h"
#include "parse/driver.h"
#include "parse/otlp.h"
#include "core/run.h"
#include "core/stage.h"
#include "temp_dir.h"

using namespace olly;
using namespace olly::parse;

namespace {

// OLLY_CONFORMANCE in the environment overrides the build's location (for
// worktrees that do not sit next to shared/).
std::string conformance(const std::string& rel) {
  const char* env = std::getenv("OLLY_CONFORMANCE");
  return std::string(env && *env ? env : OLLY_CONFORMANCE_DIR) + "/" + rel;
}

bool have(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// In the test process's temporary directory (gone at exit, also when a
// run throws before removing its files).
std::string temp_path(const char* tag) { return test::temp_path(tag); }

std::string write_temp(const std::string& text) {
  std::string path = temp_path("in");
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

struct Run {
  std::vector<std::string> events;
  std::vector<std::string> errors;  // --errors lines
  Stats stats;
};

// Runs olly-parse's loop on files, as the tool does, capturing output.
Run run(ParseOptions opts, const std::vector<std::string>& paths) {
  std::string out_path = temp_path("out"), err_path = temp_path("err");
  Run r;
  {
    std::FILE* f = std::fopen(out_path.c_str(), "wb");
    OutputSink sink(fileno(f));
    CommonOptions common;
    common.errors_path = err_path;
    RunContext ctx(common);
    Emitter emitter(sink, ctx.stats());
    if (opts.format == "auto") {
      run_parse_auto(paths, 1, 1 << 20, ctx, emitter, opts);
    } else {
      LineReader reader(paths);
      auto format = build_format(opts);
      run_parse(reader, ctx, emitter, *format, opts);
    }
    sink.flush();
    std::fclose(f);
    r.stats = ctx.stats();
  }
  r.events = split_lines(slurp(out_path));
  r.errors = split_lines(slurp(err_path));
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

Run run_text(ParseOptions opts, const std::string& text) {
  std::string path = write_temp(text);
  Run r = run(std::move(opts), {path});
  std::remove(path.c_str());
  return r;
}

ParseOptions fmt_opts(const char* name) {
  ParseOptions o;
  o.format = name;
  return o;
}

// Every output line must be one valid JSON object.
void check_json_lines(const std::vector<std::string>& lines) {
  simdjson::dom::parser p;
  for (const auto& l : lines) {
    simdjson::dom::element e;
    INFO(l);
    REQUIRE(p.parse(l).get(e) == simdjson::SUCCESS);
    CHECK(e.is_object());
  }
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

// ---------------------------------------------------------------- OTLP --

TEST_CASE("otlp ids: hex of any case becomes lower-case, base64 is converted") {
  std::string hex;
  CHECK(otlp_id_to_hex("5B8EFFF798038103D269B633813FC60C", hex));
  CHECK(hex == "5b8efff798038103d269b633813fc60c");
  CHECK(otlp_id_to_hex("W47/95gDgQPSabYzgT/GDA==", hex));
  CHECK(hex == "5b8efff798038103d269b633813fc60c");
  CHECK(otlp_id_to_hex("7uGbfsPBsXQ=", hex));
  CHECK(hex == "eee19b7ec3c1b174");
  CHECK_FALSE(otlp_id_to_hex("not an id!", hex));
}

TEST_CASE("otlp: the opentelemetry-proto trace example") {
  std::string path = conformance("otlp/trace.json");
  if (!have(path)) {
    MESSAGE("SKIP: conformance folder absent: " << path);
    return;
  }
  Run r = run(fmt_opts("otlp"), {path});
  REQUIRE(r.events.size() == 1);
  CHECK(r.stats.errors == 0);
  check_json_lines(r.events);
  CHECK(r.events[0] ==
        R"({"signal":"span","ts":"2018-12-13T14:51:00Z","name":"I'm a server span","service":"my.service",)"
        R"("trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",)"
        R"("parent_span_id":"eee19b7ec3c1b173","kind":"SERVER","status":"UNSET","duration_ms":1000,)"
        R"("start_time_unix_nano":1544712660000000000,"end_time_unix_nano":1544712661000000000,)"
        R"("attributes":{"my.span.attr":"some value"},"resource":{"service.name":"my.service"},)"
        R"("scope":{"name":"my.library","version":"1.0.0","my.scope.attribute":"some scope attribute"}})");
}

TEST_CASE("otlp: logs example, every AnyValue variant") {
  std::string path = conformance("otlp/logs.json");
  if (!have(path)) {
    MESSAGE("SKIP: conformance folder absent: " << path);
    return;
  }
  Run r = run(fmt_opts("otlp"), {path});
  REQUIRE(r.events.size() == 1);
  check_json_lines(r.events);
  CHECK(r.events[0] ==
        R"({"signal":"log","ts":"2018-12-13T14:51:00.300Z","severity":"Information","severity_number":10,)"
        R"("body":"Example log record","service":"my.service",)"
        R"("trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",)"
        R"("time_unix_nano":1544712660300000000,"observed_time_unix_nano":1544712660300000000,)"
        R"("attributes":{"string.attribute":"some string","boolean.attribute":true,"int.attribute":10,)"
        R"("double.attribute":637.704,"array.attribute":["many","values"],)"
        R"("map.attribute":{"some.map.key":"some value"}},"resource":{"service.name":"my.service"},)"
        R"("scope":{"name":"my.library","version":"1.0.0","my.scope.attribute":"some scope attribute"}})");
}

TEST_CASE("otlp: events example (event name, kvlist body)") {
  std::string path = conformance("otlp/events.json");
  if (!have(path)) {
    MESSAGE("SKIP: conformance folder absent: " << path);
    return;
  }
  Run r = run(fmt_opts("otlp"), {path});
  REQUIRE(r.events.size() == 1);
  CHECK(has(r.events[0], R"("event_name":"browser.page_view")"));
  CHECK(has(r.events[0], R"("body":{"type":0,"url":"https://www.guidgenerator.com/online-guid-generator.aspx",)"));
  CHECK(has(r.events[0], R"("severity":"test severity text","severity_number":9)"));
}

TEST_CASE("otlp: metrics example, one event per data point") {
  std::string path = conformance("otlp/metrics.json");
  if (!have(path)) {
    MESSAGE("SKIP: conformance folder absent: " << path);
    return;
  }
  Run r = run(fmt_opts("otlp"), {path});
  REQUIRE(r.events.size() == 4);
  check_json_lines(r.events);
  CHECK(has(r.events[0], R"("name":"my.counter","type":"sum","service":"my.service","value":5,"unit":"1",)"
                         R"("description":"I am a Counter","temporality":"DELTA","monotonic":true,)"));
  CHECK(has(r.events[1], R"("name":"my.gauge","type":"gauge","service":"my.service","value":10,)"));
  CHECK(has(r.events[2], R"("count":2,"sum":2,"min":0,"max":2,"bucket_counts":[1,1],"explicit_bounds":[1],)"));
  CHECK(has(r.events[3], R"("type":"exponential_histogram")"));
  CHECK(has(r.events[3], R"("scale":0,"zero_count":1,"zero_threshold":0,"positive":{"offset":1,"bucket_counts":[0,2]})"));
}

TEST_CASE("otlp: collector file-exporter lines (lnav sample)") {
  std::string path = conformance("logs/lnav/logfile_otel_collector.jsonl");
  if (!have(path)) {
    MESSAGE("SKIP: conformance folder absent: " << path);
    return;
  }
  Run r = run(fmt_opts("otlp"), {path});
  CHECK(r.stats.errors == 0);
  check_json_lines(r.events);
  // one event per log record in the file
  size_t records = 0;
  std::string text = slurp(path);
  for (size_t p = text.find("\"timeUnixNano\""); p != std::string::npos; p = text.find("\"timeUnixNano\"", p + 1)) {
    ++records;
  }
  CHECK(r.events.size() == records);
  REQUIRE(!r.events.empty());
  CHECK(r.events[0] ==
        R"({"signal":"log","ts":"2023-11-14T22:13:20Z","severity":"INFO","severity_number":9,)"
        R"("body":"Processing payment request","service":"payment-service",)"
        R"("trace_id":"5b8aa5a2d2c872e8321cf37308d69df2","span_id":"051581bf3cb55c13",)"
        R"("time_unix_nano":1700000000000000000,)"
        R"("resource":{"service.name":"payment-service","host.name":"prod-01"},)"
        R"("scope":{"name":"com.example.payment"}})");
}

TEST_CASE("otlp: enums by name, status, events, links, summary, concatenated documents") {
  std::string doc =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708",)"
      R"("name":"GET /x","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1000000000","endTimeUnixNano":"1002500000",)"
      R"("status":{"code":"STATUS_CODE_ERROR","message":"boom"},)"
      R"("events":[{"timeUnixNano":"1001000000","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}],)"
      R"("links":[{"traceId":"AAECAwQFBgcICQoLDA0ODw==","spanId":"AAECAwQFBgc="}]}]}]}]})"
      "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"rpc\",\"summary\":{\"dataPoints\":[{"
      "\"timeUnixNano\":\"1000000000\",\"count\":\"3\",\"sum\":1.5,"
      "\"quantileValues\":[{\"quantile\":0.5,\"value\":0.4},{\"quantile\":0.99,\"value\":0.9}]}]}}]}]}]}\n";
  Run r = run_text(fmt_opts("otlp"), doc);
  REQUIRE(r.events.size() == 2);
  check_json_lines(r.events);
  CHECK(r.events[0] ==
        R"({"signal":"span","ts":"1970-01-01T00:00:01Z","name":"GET /x","trace_id":"0102030405060708090a0b0c0d0e0f10",)"
        R"("span_id":"0102030405060708","kind":"CLIENT","status":"ERROR","status_message":"boom","duration_ms":2.5,)"
        R"("start_time_unix_nano":1000000000,"end_time_unix_nano":1002500000,)"
        R"("events":[{"ts":"1970-01-01T00:00:01.001Z","name":"exception","time_unix_nano":1001000000,)"
        R"("attributes":{"exception.type":"E"}}],)"
        R"("links":[{"trace_id":"000102030405060708090a0b0c0d0e0f","span_id":"0001020304050607"}]})");
  CHECK(r.events[1] ==
        R"({"signal":"metric","ts":"1970-01-01T00:00:01Z","name":"rpc","type":"summary","count":3,"sum":1.5,)"
        R"("quantiles":[{"quantile":0.5,"value":0.4},{"quantile":0.99,"value":0.9}],"time_unix_nano":1000000000})");
}

TEST_CASE("otlp: malformed documents go to errors with their first line") {
  std::string text =
      "{\"resourceLogs\":[]}\n"
      "not json\n"
      "{\"other\":1}\n"
      "{\"resourceLogs\":[\n"  // cut short: the next document starts in column 0
      "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"ok\"}}]}]}]}\n"
      "{\"resourceLogs\": [tru]}\n"
      "{\"resourceLogs\":[\n";
  Run r = run_text(fmt_opts("otlp"), text);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0] == R"({"signal":"log","body":"ok"})");
  CHECK(r.stats.errors == 5);
  REQUIRE(r.errors.size() == 5);
  CHECK(has(r.errors[0], R"("line":2,"reason":"not a JSON document")"));
  CHECK(has(r.errors[1], R"("line":3,"reason":"no resourceSpans, resourceLogs or resourceMetrics")"));
  CHECK(has(r.errors[2], R"("line":4,"reason":"unterminated JSON document")"));
  CHECK(has(r.errors[3], R"("line":6,"reason":"invalid JSON)"));
  CHECK(has(r.errors[4], R"("line":7,"reason":"unterminated JSON document at end of input")"));
}

// ---------------------------------------------------------- Prometheus --

TEST_CASE("prom: samples, metadata, escapes, special values, timestamps") {
  std::string text =
      "# HELP http_requests_total The total number of HTTP requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
      "\n"
      "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
      "# TYPE rpc histogram\n"
      "rpc_bucket{le=\"+Inf\"} 3\n"
      "rpc_sum 1.5\n"
      "x +Inf\n"
      "y NaN\n"
      "z -Inf -5\n";
  Run r = run_text(fmt_opts("prom"), text);
  CHECK(r.stats.errors == 0);
  REQUIRE(r.events.size() == 7);
  check_json_lines(r.events);
  CHECK(r.events[0] ==
        R"({"ts":"2014-03-17T14:26:03Z","name":"http_requests_total","type":"counter",)"
        R"("help":"The total number of HTTP requests.","labels":{"method":"post","code":"200"},)"
        R"("value":1027,"timestamp_ms":1395066363000})");
  CHECK(r.events[1] ==
        R"({"name":"msdos_file_access_time_seconds","type":"untyped",)"
        R"("labels":{"path":"C:\\DIR\\FILE.TXT","error":"Cannot find file:\n\"FILE.TXT\""},"value":1458255915})");
  CHECK(r.events[2] == R"({"name":"rpc_bucket","family":"rpc","type":"histogram","labels":{"le":"+Inf"},"value":3})");
  CHECK(r.events[3] == R"({"name":"rpc_sum","family":"rpc","type":"histogram","labels":{},"value":1.5})");
  CHECK(r.events[4] == R"({"name":"x","type":"untyped","labels":{},"value":"+Inf"})");
  CHECK(r.events[5] == R"({"name":"y","type":"untyped","labels":{},"value":"NaN"})");
  CHECK(r.events[6] ==
        R"({"ts":"1969-12-31T23:59:59.995Z","name":"z","type":"untyped","labels":{},"value":"-Inf","timestamp_ms":-5})");
}

TEST_CASE("prom: Prometheus' own parser test input is accepted whole") {
  std::string path = conformance("prometheus/promparse_test_input.txt");
  if (!have(path)) {
    MESSAGE("SKIP: conformance folder absent: " << path);
    return;
  }
  Run r = run(fmt_opts("prom"), {path});
  for (const auto& e : r.errors) MESSAGE(e);
  CHECK(r.stats.errors == 0);
  check_json_lines(r.events);
  // 26 sample lines (checked by hand: every line that is not a comment).
  CHECK(r.events.size() == 26);
  CHECK(r.events[0] ==
        R"({"name":"go_gc_duration_seconds","type":"summary","help":"A summary of the GC invocation durations.",)"
        R"("labels":{"quantile":"0"},"value":4.9351e-05})");
  bool saw_space_label = false, saw_ts = false, saw_escaped = false, saw_no_comma = false;
  for (const auto& e : r.events) {
    saw_space_label |= e == R"({"name":"go_gc_duration_seconds","type":"summary","help":"A summary of the GC invocation durations.","labels":{"quantile":"0.9","a":"b"},"value":8.3835e-05})";
    saw_ts |= has(e, R"("name":"go_goroutines")") && has(e, R"("timestamp_ms":123123)");
    saw_escaped |= has(e, R"("labels":{"label":"\"bar\""})");
    saw_no_comma |= has(e, R"("labels":{"quantile":"2.0","a":"b"})");
  }
  CHECK(saw_space_label);
  CHECK(saw_ts);
  CHECK(saw_escaped);
  CHECK(saw_no_comma);
  CHECK(has(r.events.back(), R"("name":"type_and_unit_test2","type":"untyped","help":"Type specified in label.")"));
}

TEST_CASE("prom: all 18 of Prometheus' error cases are rejected") {
  std::string path = conformance("prometheus/promparse_error_cases.json");
  if (!have(path)) {
    MESSAGE("SKIP: conformance folder absent: " << path);
    return;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(path);
  size_t n = 0;
  for (simdjson::dom::element c : root["cases"].get_array()) {
    std::string input;
    std::string_view s;
    if (c["input"].get_string().get(s) == simdjson::SUCCESS) {
      input.assign(s);
    } else {
      std::string_view hex = c["input_hex"].get_string();
      for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        input.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
      }
    }
    Run r = run_text(fmt_opts("prom"), input);
    INFO("case ", n, ": ", input);
    CHECK(r.stats.errors >= 1);
    CHECK(r.errors.size() == r.stats.errors);
    ++n;
  }
  CHECK(n == 18);
}

TEST_CASE("prom: real exposition files parse without errors") {
  for (const char* rel : {"prometheus/promtestdata.txt", "prometheus/promtestdata.nometa.txt",
                          "prometheus/alltypes.237mfs.prom.txt", "prometheus/metrics-test.prom",
                          "prometheus/alltypes.5mfs.om.txt", "prometheus/1histogram.om.txt"}) {
    std::string path = conformance(rel);
    if (!have(path)) {
      MESSAGE("SKIP: conformance folder absent: " << path);
      continue;
    }
    INFO(rel);
    Run r = run(fmt_opts("prom"), {path});
    for (size_t i = 0; i < r.errors.size() && i < 3; ++i) MESSAGE(r.errors[i]);
    CHECK(r.stats.errors == 0);
    check_json_lines(r.events);
    // one event per non-comment, non-blank line
    size_t samples = 0;
    for (const auto& l : split_lines(slurp(path))) {
      size_t k = l.find_first_not_of(" \t");
      if (k != std::string::npos && l[k] != '#') ++samples;
    }
    CHECK(r.events.size() == samples);
  }
  std::string path = conformance("prometheus/alltypes.5mfs.om.txt");
  if (have(path)) {
    Run r = run(fmt_opts("prom"), {path});
    bool exemplar = false;
    for (const auto& e : r.events) {
      exemplar |= has(e, R"("exemplar":{"labels":{"dummyID":"17783"},"value":-0.0003825067330956884,"timestamp":1726839814.2239082})");
    }
    CHECK(exemplar);
  }
}

// --------------------------------------------------------------- regex --

TEST_CASE("regex: named captures, optional groups, inferred types, no match") {
  ParseOptions o = fmt_opts("regex");
  o.pattern = R"(^(?P<level>\w+) (?P<code>\d+)(?: (?P<rest>.*))?$)";
  Run r = run_text(o, "INFO 200 all good\nWARN 007\nnope\n");
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0] == R"({"level":"INFO","code":"200","rest":"all good"})");
  CHECK(r.events[1] == R"({"level":"WARN","code":"007"})");
  REQUIRE(r.errors.size() == 1);
  CHECK(has(r.errors[0], R"("line":3,"reason":"does not match the pattern")"));
  o.infer_types = true;
  r = run_text(o, "INFO 200 true\nWARN 007 -1.5e3\n");
  CHECK(r.events[0] == R"({"level":"INFO","code":200,"rest":true})");
  CHECK(r.events[1] == R"({"level":"WARN","code":"007","rest":-1.5e3})");
}

TEST_CASE("regex: bad patterns are usage errors naming the problem") {
  ParseOptions o = fmt_opts("regex");
  o.pattern = "(unclosed";
  CHECK_THROWS_AS(build_format(o), UsageError);
  o.pattern = "(no)(names)";
  CHECK_THROWS_AS(build_format(o), UsageError);
  o.pattern = "(?P<a>x)";
  o.multiline_start = "(";
  CHECK_THROWS_AS(run_text(o, "x\n"), UsageError);
}

TEST_CASE("regex --multiline-start joins stack traces into the previous event") {
  ParseOptions o = fmt_opts("regex");
  o.pattern = R"((?s)^(?P<ts>\S+) (?P<level>[A-Z]+) (?P<msg>.*))";
  o.multiline_start = R"(^\d{4}-)";
  o.keep_raw = true;
  std::string text =
      "  orphan continuation\n"
      "2024-01-01T00:00:00Z ERROR boom\n"
      "java.lang.RuntimeException: x\n"
      "\tat A.b(A.java:1)\n"
      "2024-01-01T00:00:01Z INFO next\n";
  Run r = run_text(o, text);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0] ==
        R"x({"ts":"2024-01-01T00:00:00Z","level":"ERROR","msg":"boom\njava.lang.RuntimeException: x\n\tat A.b(A.java:1)",)x"
        R"x("_raw":"2024-01-01T00:00:00Z ERROR boom\njava.lang.RuntimeException: x\n\tat A.b(A.java:1)"})x");
  CHECK(r.events[1] == R"x({"ts":"2024-01-01T00:00:01Z","level":"INFO","msg":"next","_raw":"2024-01-01T00:00:01Z INFO next"})x");
  REQUIRE(r.errors.size() == 1);  // the orphan line fits nothing: reported, not dropped
  CHECK(has(r.errors[0], R"("line":1)"));
}

// ---------------------------------------------------------------- json --

TEST_CASE("json: valid lines re-emitted, invalid ones reported, --time-field normalised") {
  ParseOptions o = fmt_opts("json");
  Run r = run_text(o, "{\"a\":1}\n  {\"b\": [1, 2]}  \n{\"c\":\n[1]\n\"s\"\n");
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[0] == R"({"a":1})");
  CHECK(r.events[1] == R"({"b": [1, 2]})");
  CHECK(r.events[2] == R"([1])");  // an array passes as it is
  CHECK(r.stats.errors == 2);      // {"c": cut short by [1]; "s" is no document
  REQUIRE(r.errors.size() == 2);
  CHECK(has(r.errors[0], R"("line":3,"reason":"unterminated JSON document")"));
  CHECK(has(r.errors[1], R"("line":5,"reason":"not a JSON document")"));

  // Pretty-printed documents, indented or not, come out one per line.
  r = run_text(o, "{\n  \"a\": [\n    1,\n    \"x y\"\n  ]\n}\n[\n{\n\"b\": 2\n}\n]\n{\"c\":3}{\"d\":4}\n");
  REQUIRE(r.events.size() == 4);
  CHECK(r.events[0] == R"({"a": [1,"x y"]})");
  CHECK(r.events[1] == R"([{"b": 2}])");
  CHECK(r.events[2] == R"({"c":3})");
  CHECK(r.events[3] == R"({"d":4})");
  CHECK(r.stats.errors == 0);

  o.time_field = "time";
  o.keep_raw = true;
  r = run_text(o,
               "{\"time\":1700000000123,\"x\":{\"y\":1}}\n"
               "{\"time\":\"2024-02-03 04:05:06+01:00\",\"x\":\"a\"}\n"
               "{\"time\":\"10/Oct/2000:13:55:36 -0700\"}\n"
               "{\"time\":\"soon\"}\n"
               "{\"other\":1}\n");
  REQUIRE(r.events.size() == 5);
  CHECK(r.events[0] ==
        R"({"time":"2023-11-14T22:13:20.123Z","time_original":1700000000123,"x":{"y":1},"_raw":"{\"time\":1700000000123,\"x\":{\"y\":1}}"})");
  CHECK(has(r.events[1], R"({"time":"2024-02-03T03:05:06Z","time_original":"2024-02-03 04:05:06+01:00","x":"a",)"));
  CHECK(has(r.events[2], R"({"time":"2000-10-10T20:55:36Z","time_original":"10/Oct/2000:13:55:36 -0700",)"));
  CHECK(has(r.events[3], R"({"time":"soon",)"));
  CHECK(has(r.events[4], R"({"other":1,)"));
}

TEST_CASE("json: real JSON log samples (lnav) are all valid") {
  for (const char* rel : {"logs/lnav/logfile_json.json", "logs/lnav/logfile_bunyan.0", "logs/lnav/logfile_pino.0",
                          "logs/lnav/logfile_ecs_log.json", "logs/lnav/logfile_journald.json"}) {
    std::string path = conformance(rel);
    if (!have(path)) {
      MESSAGE("SKIP: conformance folder absent: " << path);
      continue;
    }
    INFO(rel);
    Run r = run(fmt_opts("json"), {path});
    CHECK(r.stats.errors == 0);
    CHECK(r.events.size() > 0);
  }
}

// -------------------------------------------------------------- detect --

TEST_CASE("detect: small samples of each format") {
  auto d = [](std::vector<std::string_view> lines) { return detect_format(lines); };
  CHECK(d({R"({"resourceSpans":[]})"}) == "otlp");
  CHECK(d({"{", R"(  "resourceLogs": [)"}) == "otlp");
  CHECK(d({R"({"a":1})", R"({"a":2})"}) == "json");
  CHECK(d({"# HELP x y", "# TYPE x counter", "x 1"}) == "prom");
  CHECK(d({"go_goroutines 33", R"(up{job="a"} 1)"}) == "prom");
  CHECK(d({"<34>Oct 11 22:14:15 mymachine su: 'su root' failed"}) == "syslog");
  CHECK(d({"Jan  1 00:00:01 host sshd[1]: hi"}) == "syslog");
  CHECK(d({R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "curl")"}) == "combined");
  CHECK(d({R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326)"}) == "common");
  CHECK(d({R"(level=info msg="hi there" a=1)", "level=warn msg=x"}) == "logfmt");
  CHECK(d({"a\tb\tc", "1\t2\t3"}) == "tsv");
  CHECK(d({"a,b,c", "1,2,3"}) == "csv");
  CHECK(d({"just some words", "and more"}) == "");
  CHECK(d({}) == "");
}

TEST_CASE("detect: a candidate must parse the lines") {
  auto d = [](std::vector<std::string_view> lines) { return detect_format(lines); };
  // JSON must parse: a line format may start with '[' (Apache's error log).
  CHECK(d({"[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok", "[Sun Dec 04 04:47:45 2005] [error] x"}) ==
        "apache_error");
  CHECK(d({"[Sun Dec 04 04:47:44 2005] [loud] not a level", "[1, 2"}) == "");
  CHECK(d({"2026-11-25T02:40:01.1Z stdout F {\"a\":1}", "2026-11-25T02:40:02Z stderr P part"}) == "cri");
  CHECK(d({"2026-11-25T02:40:01.1Z console F x", "2026-11-25T02:40:02Z stderr X part"}) == "");
  CHECK(d({"{", "  \"a\": 1,", "  \"b\": [2]", "}"}) == "json");
  CHECK(d({"{", "\"resourceSpans\": [", "{", "}", "]", "}"}) == "otlp");
  CHECK(d({"{", "  \"a\": ["}) == "json");  // a document larger than the sample
  // csv needs a header of names: not times, numbers or key=value.
  CHECK(d({"2012-07-02 10:22:40,672:DEBUG:foo", "2014-10-08 16:56:38,344:WARN:foo"}) == "");
  CHECK(d({"1,2,3", "4,5,6"}) == "");
  CHECK(d({"a=1,b=2", "a=3,b=4"}) == "");
  CHECK(d({"a,b", "1,2", "3,4,5,6", "7"}) == "");  // not every record that wide
  CHECK(d({"a,b", "1,\"two", "  lines\"", "3,4"}) == "csv");
  // Continuation lines do not vote.
  CHECK(d({"Aug 16 00:32:15 mac syslogd[314]: Notice:", "\tone", "\ttwo", "\tthree",
           "Aug 16 00:33:15 mac syslogd[314]: Done"}) == "syslog");
  // A "time word text" application log is no syslog.
  CHECK(d({"2026-11-25T02:40:01Z ERROR payment failed", "2026-11-25T02:40:02Z INFO retry"}) == "");
  // Comments alone are no prom.
  CHECK(d({"# a comment", "# another"}) == "");
}

TEST_CASE("detect: real samples") {
  struct Case {
    const char* rel;
    const char* format;
  };
  for (Case c : {Case{"otlp/trace.json", "otlp"}, Case{"logs/lnav/logfile_otel_collector.jsonl", "otlp"},
                 Case{"prometheus/promtestdata.txt", "prom"}, Case{"prometheus/promtestdata.nometa.txt", "prom"},
                 Case{"logs/lnav/logfile_access_log.0", "combined"}, Case{"logs/lnav/logfile_shop_access_log.0", "combined"},
                 Case{"logs/beats/nginx_access_test.log", "combined"}, Case{"logs/lnav/logfile_syslog.0", "syslog"},
                 Case{"logs/syslog5424/drill_test.syslog1", "syslog"}, Case{"logfmt/logfile_logfmt.0", "logfmt"},
                 Case{"logs/lnav/logfile_pino.0", "json"}, Case{"loghub/HDFS/HDFS_2k.log_structured_corrected.csv", "csv"}}) {
    std::string path = conformance(c.rel);
    if (!have(path)) {
      MESSAGE("SKIP: conformance folder absent: " << path);
      continue;
    }
    LineReader reader({path});
    INFO(c.rel);
    CHECK(detect_input(reader) == c.format);
  }
}

TEST_CASE("auto: parses with the detected format, peeked lines included") {
  ParseOptions o = fmt_opts("auto");
  std::string text = "# TYPE a counter\na 1\n";
  for (int i = 0; i < 40; ++i) text += fmt::format("b{{i=\"{}\"}} {}\n", i, i);
  Run r = run_text(o, text);
  CHECK(r.events.size() == 41);
  CHECK(r.events[0] == R"({"name":"a","type":"counter","labels":{},"value":1})");
  CHECK(r.events[40] == R"({"name":"b","type":"untyped","labels":{"i":"39"},"value":39})");
  CHECK_THROWS_AS(run_text(o, "what is\nthis\n"), InputError);
  CHECK(run_text(o, "").events.empty());
}

// ---------------------------------------------------------- hostility --

TEST_CASE("hostile input: NUL bytes, invalid UTF-8, CRLF, no final newline, deep nesting") {
  std::string text("x{a=\"\0\"} 1\r\ny{a=\"b\"} 2", 22);
  Run r = run_text(fmt_opts("prom"), text);
  CHECK(r.events.size() == 2);
  check_json_lines(r.events);

  ParseOptions o = fmt_opts("regex");
  o.pattern = "(?P<all>.*)";
  r = run_text(o, std::string("a\xff\xfe\0b\n", 6));
  REQUIRE(r.events.size() == 1);
  check_json_lines(r.events);

  std::string deep = "{\"resourceLogs\":";
  for (int i = 0; i < 5000; ++i) deep += "[";
  for (int i = 0; i < 5000; ++i) deep += "]";
  deep += "}\n";
  r = run_text(fmt_opts("otlp"), deep);
  CHECK(r.events.empty());
  CHECK(r.stats.errors == 1);

  r = run_text(fmt_opts("json"), "");
  CHECK(r.events.empty());
  CHECK(r.stats.errors == 0);
}
