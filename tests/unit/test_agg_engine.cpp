// Aggregation internals: accumulator merges and state round
// trips, and an Aggregator's partial output merged back by another.
#include <doctest/doctest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "agg/accum.h"
#include "agg/aggregator.h"
#include "core/writer.h"

using namespace olly;

namespace {

template <typename Acc>
std::string state_json(const Acc& a) {
  std::string s;
  JsonBuilder b(s);
  a.write_state(b);
  return s;
}

// Runs lines through an Aggregator and returns what it emits at the end.
std::string aggregate(const AggOptions& opts, const std::vector<std::string>& lines) {
  Aggregator agg(opts);
  simdjson::ondemand::parser parser;
  for (const auto& l : lines) {
    simdjson::padded_string p(l);
    simdjson::ondemand::document doc;
    REQUIRE(parser.iterate(p).get(doc) == simdjson::SUCCESS);
    Aggregator::Outcome o;
    REQUIRE(agg.add(doc, l, o) == simdjson::SUCCESS);
  }
  std::FILE* f = std::tmpfile();
  {
    OutputSink sink(fileno(f));
    Stats stats;
    Emitter out(sink, stats);
    agg.emit_all(out);
    sink.flush();
  }
  std::rewind(f);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

}  // namespace

TEST_CASE("numbers are read from numbers and whole-number strings") {
  Num n;
  CHECK(numeric_of(Value::integer(7), n));
  CHECK(n.is_int);
  CHECK(numeric_of(Value::string("250"), n));
  CHECK(n.i == 250);
  CHECK(numeric_of(Value::string("2.5e3"), n));
  CHECK(n.d == 2500);
  CHECK_FALSE(numeric_of(Value::string("25ms"), n));
  CHECK_FALSE(numeric_of(Value::string(""), n));
  CHECK_FALSE(numeric_of(Value::null(), n));
  CHECK_FALSE(numeric_of(Value::boolean(true), n));
}

TEST_CASE("numeric accumulator merges exactly, integer sums past int64 too") {
  NumericAcc whole, a, b;
  std::string err;
  for (int i = 1; i <= 1000; ++i) {
    Value v = Value::integer(i * 7 - 3000);
    whole.add(v, false, 0);
    (i % 3 ? a : b).add(v, false, 0);
  }
  REQUIRE(a.merge(b, err));
  CHECK(a.n == whole.n);
  CHECK(a.isum == whole.isum);
  CHECK(a.all_int);
  CHECK(a.min.i == whole.min.i);
  CHECK(a.max.i == whole.max.i);
  CHECK(a.stddev() == doctest::Approx(whole.stddev()).epsilon(1e-12));
  // Integer sums are exact past int64 and in any order.
  NumericAcc big;
  big.add(Value::integer(INT64_MAX), false, 0);
  big.add(Value::integer(10), false, 0);
  CHECK(big.all_int);
  CHECK(big.sum_double() == doctest::Approx(9.223372036854775817e18));
  auto sum_text = [](const NumericAcc& acc) {
    std::string s;
    JsonBuilder b(s);
    acc.write_sum(b);
    return s;
  };
  CHECK(sum_text(big) == "9223372036854775817");
  NumericAcc o1, o2;
  for (int64_t v : {INT64_MAX, int64_t{1}, int64_t{-2}}) o1.add(Value::integer(v), false, 0);
  for (int64_t v : {INT64_MAX, int64_t{-2}, int64_t{1}}) o2.add(Value::integer(v), false, 0);
  CHECK(sum_text(o1) == "9223372036854775806");
  CHECK(sum_text(o2) == "9223372036854775806");
  NumericAcc huge;
  for (int i = 0; i < 4; ++i) huge.add(Value::integer(INT64_MAX), false, 0);
  CHECK(huge.all_int);
  {
    simdjson::dom::parser p2;
    simdjson::dom::element e2;
    const std::string text = state_json(huge);
    CHECK(text.find("\"isum\":\"36893488147419103228\"") != std::string::npos);
    REQUIRE(p2.parse(text).get(e2) == simdjson::SUCCESS);
    NumericAcc back;
    REQUIRE(back.read_state(e2, err));
    CHECK(back.isum == huge.isum);
  }

  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE(parser.parse(state_json(a)).get(e) == simdjson::SUCCESS);
  NumericAcc back;
  REQUIRE(back.read_state(e, err));
  CHECK(state_json(back) == state_json(a));
}

TEST_CASE("first and last follow event time, then input order") {
  PickAcc first(false), last(true);
  first.add(Value::string("b"), true, 20);
  first.add(Value::string("a"), true, 10);
  first.add(Value::string("c"), true, 10);
  last.add(Value::string("x"), true, 30);
  last.add(Value::string("y"), true, 5);
  last.add(Value::string("z"), true, 30);
  CHECK(first.json == "\"a\"");
  CHECK(last.json == "\"z\"");
  PickAcc later(false);
  later.add(Value::integer(1), true, 5);
  std::string err;
  REQUIRE(first.merge(later, err));
  CHECK(first.json == "1");
}

TEST_CASE("partial states written by one aggregator merge into the same final result") {
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) {
    lines.push_back(R"({"ts":)" + std::to_string(1795600000 + i) + R"(,"svc":")" + (i % 3 ? "a" : "b") +
                    R"(","lat":)" + std::to_string((i * 37) % 1000 + 1) + R"(,"user":"u)" + std::to_string(i % 700) +
                    R"(","status":)" + (i % 10 ? "200" : "500") + "}");
  }
  AggPlan plan;
  parse_agg_words({"count", "count_if(status >= 500)/count as err", "sum:lat", "min:lat", "max:lat", "p99:lat",
                   "distinct:user", "top(2, user)", "first:lat", "last:lat", "hist:lat", "rate", "by", "svc",
                   "every", "10m"},
                  plan);
  AggOptions opts;
  opts.plan = plan;
  const std::string single = aggregate(opts, lines);

  AggOptions popts = opts;
  popts.partial = true;
  std::vector<std::string> first_half(lines.begin(), lines.begin() + 1700);
  std::vector<std::string> second_half(lines.begin() + 1700, lines.end());
  std::string partials = aggregate(popts, first_half) + aggregate(popts, second_half);

  Aggregator merged(opts);
  merged.set_hold_windows(true);
  simdjson::dom::parser parser;
  size_t start = 0, nl;
  std::string error;
  while ((nl = partials.find('\n', start)) != std::string::npos) {
    simdjson::dom::element e;
    REQUIRE(parser.parse(partials.substr(start, nl - start)).get(e) == simdjson::SUCCESS);
    bool ok = merged.add_partial(e, error) == Aggregator::PartialResult::ok;
    INFO(error);
    REQUIRE(ok);
    start = nl + 1;
  }
  std::FILE* f = std::tmpfile();
  {
    OutputSink sink(fileno(f));
    Stats stats;
    Emitter out(sink, stats);
    merged.emit_all(out);
    sink.flush();
  }
  std::rewind(f);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  CHECK(text == single);
  CHECK(single.find("\"err\":0.1") != std::string::npos);

  // A partial of different aggregates is refused with a reason.
  AggPlan other;
  parse_agg_words({"count", "by", "svc"}, other);
  AggOptions oopts;
  oopts.plan = other;
  Aggregator wrong(oopts);
  simdjson::dom::element e;
  REQUIRE(parser.parse(partials.substr(0, partials.find('\n'))).get(e) == simdjson::SUCCESS);
  CHECK(wrong.add_partial(e, error) == Aggregator::PartialResult::mismatch);
  CHECK(error.find("different aggregates") != std::string::npos);
  CHECK(wrong.group_count() == 0);
}
