// olly-view's lib: display widths and cutting, number formatting with
// units, colors by meaning, the table model, series recognition, and the
// renderings (terminal widths, csv quoting, HTML escaping).
#include <doctest/doctest.h>
#include <simdjson.h>

#include <cmath>
#include <string>
#include <vector>

#include "view/format.h"
#include "view/html.h"
#include "view/render.h"
#include "view/series.h"
#include "view/table.h"
#include "view/text.h"

using namespace olly::view;

namespace {

Table table_of(const std::vector<std::string>& lines) {
  Table t;
  simdjson::ondemand::parser parser;
  for (const std::string& line : lines) {
    simdjson::padded_string p(line);
    auto doc = parser.iterate(p);
    REQUIRE(doc.error() == simdjson::SUCCESS);
    REQUIRE(t.add(doc.value_unsafe()) == simdjson::SUCCESS);
  }
  return t;
}

std::string human(double v, std::string_view raw, std::string_view field) {
  std::string s;
  append_human_number(s, v, raw, unit_of(field));
  return s;
}

}  // namespace

TEST_CASE("display width counts wide characters twice and combining marks not at all") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("\u65E5\u672C") == 4);           // 日本
  CHECK(display_width("e\u0301") == 1);                // e + combining acute
  CHECK(display_width("\U0001F600") == 2);             // an emoji
  std::string out;
  CHECK(append_fitted(out, "\u65E5\u672C\u8A9E", 6, 4) == 3);  // 日 + … : a wide char never split
  CHECK(out == "\u65E5\u2026");
  out.clear();
  CHECK(append_fitted(out, "abcdef", 6, 4) == 4);
  CHECK(out == "abc\u2026");
}

TEST_CASE("sanitizing removes what could drive a terminal") {
  std::string out;
  append_sanitized(out, "a\x1b[31mb\nc\td\xff\u202Ee");
  CHECK(out == "a\uFFFD[31mb\u21B5c d\uFFFD\uFFFDe");
  CHECK(out.find('\x1b') == std::string::npos);
}

TEST_CASE("numbers read with the unit their name gives") {
  CHECK(human(2368.97, "2368.97", "p99_latency_ms") == "2.369s");
  CHECK(human(56.2657, "56.2657", "latency_ms") == "56.27ms");
  CHECK(human(0.25, "0.25", "request_time") == "250ms");
  CHECK(human(125, "125", "duration_s") == "2m05s");
  CHECK(human(1536, "1536", "body_bytes") == "1.5 KiB");
  CHECK(human(900, "900", "bytes") == "900 B");
  CHECK(human(0.125, "0.125", "error_rate") == "12.5%");
  CHECK(human(12.5, "12.5", "rate") == "12.5/s");
  CHECK(human(42, "42", "count") == "42");
  CHECK(human(71.4286, "71.4286", "value") == "71.43");
  CHECK(human(0.7071067811865476, "0.7071067811865476", "stddev") == "0.7071");
  CHECK(human(1e20, "1e20", "x") == "1e+20");
  CHECK(human(0, "0.0", "x") == "0");
}

TEST_CASE("colors follow meaning") {
  CHECK(paint_number("status", 503) == Paint::bad);
  CHECK(paint_number("status", 404) == Paint::warn);
  CHECK(paint_number("http.status", 200) == Paint::good);
  CHECK(paint_number("count", 503) == Paint::none);
  CHECK(paint_string("level", "ERROR") == Paint::bad);
  CHECK(paint_string("level", "warn") == Paint::warn);
  CHECK(paint_string("state", "firing") == Paint::severe);
  CHECK(paint_string("state", "resolved") == Paint::good);
  CHECK(paint_string("severity", "page") == Paint::severe);
  CHECK(paint_string("severity", "ticket") == Paint::warn);
  CHECK(paint_number("lift", 3.5) == Paint::severe);
  CHECK(paint_number("lift", 1.1) == Paint::none);
  CHECK(lower_is_better("p99_latency_ms"));
  CHECK(lower_is_better("error_rate"));
  CHECK_FALSE(lower_is_better("count"));
}

TEST_CASE("the table keeps the union of fields in first-seen order") {
  Table t = table_of({R"({"a":1,"b":"x"})", R"({"c":{"k":"v","n":[1,2]},"a":2.5,"a":9})", "[1,2]", "7"});
  REQUIRE(t.rows() == 4);
  CHECK(t.columns() == std::vector<std::string>{"a", "b", "c"});
  const Cell* a = t.cell(1, 0);
  REQUIRE(a);
  CHECK(a->number() == 2.5);  // the first of duplicate keys
  CHECK(t.text(*a) == "2.5");
  const Cell* c = t.cell(1, 2);
  REQUIRE(c);
  std::string compact;
  append_compact_json(compact, t.text(*c));
  CHECK(compact == "k=v n=[1,2]");
  // Runs between escapes, numbers and literals are copied whole.
  compact.clear();
  append_compact_json(compact, R"({"s": "a\"b\\nc\u00e9 d", "t":true,"z":null,"n":-1.5e3,"o":{"p":[]},"e":""})");
  CHECK(compact == "s=a\"b\\nc\u00e9 d t=true z=null n=-1.5e3 o={p=[]} e=");
  CHECK(t.row_begin(2) == t.row_end(2));  // an array line: an event with no fields
}

TEST_CASE("an event with no fields first, before the table holds any text") {
  Table t = table_of({"\"x\"", "{}", R"({"a":""})", R"({"b":"y"})"});
  REQUIRE(t.rows() == 4);
  CHECK(t.row_begin(0) == t.row_end(0));
  CHECK(t.text(*t.cell(2, 0)).empty());
  CHECK(t.text(*t.cell(3, 1)) == "y");
  ViewOptions opts;
  std::string out;
  render_table(t, opts, 0, out);
  CHECK(out == "a  b\n\u2500  \u2500\n   \n   \n   \n   y\n");  // the last column is not padded
}

TEST_CASE("a bad event leaves no trace") {
  Table t = table_of({R"({"a":1})"});
  simdjson::ondemand::parser parser;
  simdjson::padded_string p(std::string(R"({"z":1,"y":tru})"));
  auto doc = parser.iterate(p);
  CHECK(t.add(doc.value_unsafe()) != simdjson::SUCCESS);
  CHECK(t.rows() == 1);
  CHECK(t.columns().size() == 1);
}

TEST_CASE("percentile names") {
  double q;
  std::string_view m;
  REQUIRE(percentile_of("p99_latency_ms", q, m));
  CHECK(q == 99);
  CHECK(m == "latency_ms");
  REQUIRE(percentile_of("p99.9_x", q, m));
  CHECK(q == 99.9);
  CHECK_FALSE(percentile_of("path", q, m));
  CHECK_FALSE(percentile_of("p_x", q, m));
}

TEST_CASE("a windowed series: one group per key, a value per window") {
  Table t = table_of({
      R"({"window_start":"T1","window_end":"T2","service":"a","status":500,"count":1,"p50_l_ms":5,"p99_l_ms":9})",
      R"({"window_start":"T1","window_end":"T2","service":"b","status":500,"count":2,"p50_l_ms":6,"p99_l_ms":8})",
      R"({"window_start":"T2","window_end":"T3","service":"a","status":500,"count":4,"p50_l_ms":7,"p99_l_ms":10})",
  });
  Series s;
  REQUIRE(find_series(t, {}, 20, s));
  CHECK(s.groups.size() == 2);
  CHECK(s.windows.size() == 2);
  CHECK(s.keys.size() == 2);     // service and status (a status identifies)
  CHECK(s.metrics.size() == 3);  // count and the percentiles
  CHECK(s.value(s.groups[0], 0, 1) == 4);
  CHECK(std::isnan(s.value(s.groups[1], 0, 1)));
  REQUIRE(s.bands.size() == 1);
  CHECK(s.bands[0].measure == "l_ms");
  CHECK(s.bands[0].percentiles.size() == 2);
  ViewOptions opts;
  Grid g = series_grid(t, s, opts);
  REQUIRE(g.rows() == 2);
  CHECK(g.text(g.at(0, 2)) == "\u2583\u2588 4 \u2191");  // sparkline from zero (1 of 4: level 2 of 0-7), latest value, up
  Series last;
  REQUIRE(find_series(t, {}, 1, last));
  CHECK(last.windows.size() == 1);
  CHECK(last.total_windows == 2);
  CHECK_FALSE(find_series(table_of({R"({"service":"a","count":1})"}), {}, 20, s));
}

TEST_CASE("the terminal table fits the width, cutting the widest column first") {
  Table t = table_of({R"({"name":"a-very-long-value-indeed","n":12345})", R"({"name":"short","n":1})"});
  ViewOptions opts;
  opts.width = 20;
  std::string out;
  render_terminal(plain_grid(t, opts), opts, out);
  CHECK(out ==
        "name               n\n"
        "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500  \u2500\u2500\u2500\u2500\u2500\n"
        "a-very-long-\u2026  12345\n"
        "short              1\n");
}

TEST_CASE("csv quotes, tsv escapes, json keeps values") {
  Table t = table_of({R"({"a":"x,y","b":"say \"hi\"","c":null,"d":{"k":1}})", R"({"a":"t\tab"})"});
  ViewOptions opts;
  std::string csv, tsv, json;
  render_delimited(t, opts, ',', csv);
  CHECK(csv == "a,b,c,d\n\"x,y\",\"say \"\"hi\"\"\",,\"{\"\"k\"\":1}\"\nt\tab,,,\n");
  render_delimited(t, opts, '\t', tsv);
  CHECK(tsv == "a\tb\tc\td\nx,y\tsay \"hi\"\t\t{\"k\":1}\nt\\tab\t\t\t\n");
  opts.columns = {"d", "a"};
  render_json(t, opts, json);
  CHECK(json == "{\"d\":{\"k\":1},\"a\":\"x,y\"}\n{\"a\":\"t\\tab\"}\n");
}

TEST_CASE("html escapes every value") {
  std::string out;
  append_html_escaped(out, "<script>alert('x')</script>&\"");
  CHECK(out == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
  Table t = table_of({R"({"msg":"<script>alert(1)</script>","<b>":"</td>"})", R"({"msg":"ok","<b>":"y"})"});
  std::string html;
  render_html(t, ViewOptions{}, html);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<th>&lt;b&gt;</th>") != std::string::npos);
}
