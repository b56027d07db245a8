// agg --merge's partial-state lines (lib/agg Aggregator::add_partial). The
// plan comes from the first line that carries one, as olly agg --merge
// takes it; then every line is merged into one aggregator (A).
//
// Invariants: a line is merged whole or not at all (A's result equals that
// of a fresh aggregator B fed only the accepted lines, each of which it must
// accept again); every accepted line merged twice (D) gives counts doubled;
// every result line is valid JSON.
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "agg/aggregator.h"
#include "agg/spec.h"
#include "core/diag.h"
#include "core/stage.h"
#include "core/writer.h"
#include "fuzz_common.h"
#include "time/timeutil.h"

using namespace olly;

namespace {

// run_agg.cpp's MergeStage::take_plan, without the throws.
bool take_plan(simdjson::dom::element doc, AggOptions& opts) {
  simdjson::dom::array aggs, by;
  if (doc["aggs"].get_array().get(aggs) || doc["by"].get_array().get(by)) return false;
  for (auto a : aggs) {
    std::string_view text;
    if (a.get_string().get(text)) return false;
    opts.plan.aggs.push_back(parse_agg_spec(text, "--merge"));
  }
  for (auto b : by) {
    std::string_view text;
    if (b.get_string().get(text)) return false;
    opts.plan.by.emplace_back(text);
  }
  std::string_view every;
  if (!doc["every"].get_string().get(every)) {
    opts.plan.every_ns = parse_duration(every);
    if (!opts.plan.every_ns) return false;
    opts.plan.every_text = std::string(every);
  }
  return true;
}

// The final result (emit_all hands the groups out: once per aggregator).
std::string result(Aggregator& agg) {
  OutputSink sink(-1);
  Stats stats;
  Emitter out(sink, stats);
  agg.emit_all(out);
  std::string text = sink.buffer();
  sink.buffer().clear();
  FUZZ_CHECK(stats.records_out == fuzz::count_lines(text));
  fuzz::check_json_lines(text, "agg result line is not JSON");
  return text;
}

std::unique_ptr<Aggregator> make(const AggOptions& opts) {
  auto agg = std::make_unique<Aggregator>(opts);
  agg->set_hold_windows(true);
  return agg;
}

std::vector<std::string_view> split(std::string_view text) {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::dom::parser parser;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> lines = split(text);
  std::vector<simdjson::padded_string> docs;
  for (std::string_view l : lines) docs.emplace_back(l);

  AggOptions opts;
  bool have_plan = false;
  try {
    for (const auto& d : docs) {
      simdjson::dom::element el;
      if (parser.parse(d).get(el)) continue;
      if (take_plan(el, opts)) {
        have_plan = true;
        break;
      }
      opts = AggOptions{};
    }
  } catch (const UsageError&) {
    return 0;  // an aggregate that does not parse: the tool stops with a usage error
  }
  if (!have_plan) return 0;
  std::unique_ptr<Aggregator> a, b, d;
  try {
    a = make(opts);
    b = make(opts);
    d = make(opts);
  } catch (const UsageError&) {
    return 0;
  }

  std::vector<size_t> accepted;
  std::string error;
  for (size_t i = 0; i < docs.size(); ++i) {
    simdjson::dom::element el;
    if (parser.parse(docs[i]).get(el)) continue;
    switch (a->add_partial(el, error)) {
      case Aggregator::PartialResult::ok: accepted.push_back(i); break;
      case Aggregator::PartialResult::bad:
      case Aggregator::PartialResult::mismatch:
        FUZZ_CHECK(!error.empty(), "a rejected line without a reason");
        break;
    }
  }
  if (accepted.empty()) return 0;
  for (int round = 0; round < 2; ++round) {
    for (size_t i : accepted) {
      simdjson::dom::element el;
      if (parser.parse(docs[i]).get(el)) fuzz::fail("an accepted line no longer parses");
      if (round == 0) {
        FUZZ_CHECK(b->add_partial(el, error) == Aggregator::PartialResult::ok, "accepted once, not twice",
                   lines[i]);
        el = parser.parse(docs[i]).value();
      }
      FUZZ_CHECK(d->add_partial(el, error) == Aggregator::PartialResult::ok, "accepted once, not twice",
                 lines[i]);
    }
  }
  const std::string ra = result(*a), rb = result(*b), rd = result(*d);
  FUZZ_CHECK(ra == rb, "rejected lines left a trace in the result", ra + "\n---\n" + rb);

  // Counts doubled, group by group (the groups and their order are the same).
  std::vector<std::string> counts;
  for (const AggSpec& s : opts.plan.aggs) {
    bool clash = false;
    for (const auto& f : opts.plan.by) clash |= f == s.name;
    if (s.kind == AggKind::count && !clash) counts.push_back(s.name);
  }
  if (counts.empty() || opts.plan.every_ns) return 0;
  const std::vector<std::string_view> lb = split(rb), ld = split(rd);
  FUZZ_CHECK(lb.size() == ld.size(), "merging twice changed the groups");
  simdjson::dom::parser p1, p2;
  for (size_t i = 0; i < lb.size(); ++i) {
    simdjson::dom::element eb = p1.parse(lb[i].data(), lb[i].size()).value();
    simdjson::dom::element ed = p2.parse(ld[i].data(), ld[i].size()).value();
    for (const std::string& name : counts) {
      int64_t cb, cd;
      if (eb[name].get_int64().get(cb) || ed[name].get_int64().get(cd)) continue;
      FUZZ_CHECK(cd == 2 * cb, "a count merged twice is not doubled", std::string(lb[i]) + " / " + std::string(ld[i]));
    }
  }
  return 0;
}
