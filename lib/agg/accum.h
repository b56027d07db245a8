// Per-group accumulators: the mergeable state behind the aggregates. One
// accumulator may serve several aggregates (sum, avg, min, max and stddev of
// a field share one NumericAcc; every pNN of a field shares one sketch).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "sketch/ddsketch.h"
#include "sketch/hyperloglog.h"
#include "sketch/loghist.h"
#include "sketch/topk.h"
#include "time/timeutil.h"
#include "expr/value.h"

namespace simdjson::dom { class element; }

namespace olly {

class JsonBuilder;

enum class AccKind { count, numeric, quantile, distinct, top, first, last, hist, time_span, wcount, wnumeric };

std::string_view acc_kind_name(AccKind k);

// A number read from a field: integers stay integers; a string counts when
// the whole string is a number ("250" or "2.5e3"). False for anything else.
struct Num {
  bool is_int = false;
  int64_t i = 0;
  double d = 0;
  double as_double() const { return is_int ? static_cast<double>(i) : d; }
};
bool numeric_of(const Value& v, Num& out);

class Accumulator {
 public:
  explicit Accumulator(AccKind kind) : kind_(kind) {}
  virtual ~Accumulator() = default;
  AccKind kind() const { return kind_; }

  // v: the field's value (missing for count); has_time/t: the event time.
  virtual void add(const Value& v, bool has_time, TimeNs t) = 0;
  // olly agg --weighted: the event stands for w events (its sample_rate).
  // Accumulators without a weighted form take it as one event.
  virtual void add_weighted(const Value& v, bool has_time, TimeNs t, double w) {
    (void)w;
    add(v, has_time, t);
  }
  // other has the same kind (the caller checks). False with error when incompatible.
  virtual bool merge(const Accumulator& other, std::string& error) = 0;
  virtual void write_state(JsonBuilder& out) const = 0;
  virtual bool read_state(const simdjson::dom::element& in, std::string& error) = 0;

 private:
  AccKind kind_;
};

struct CountAcc final : Accumulator {
  CountAcc() : Accumulator(AccKind::count) {}
  void add(const Value&, bool, TimeNs) override { ++n; }
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override;
  bool read_state(const simdjson::dom::element& in, std::string& error) override;
  uint64_t n = 0;
};

// count, sum (exact for integers; compensated for doubles), min, max, and
// Welford's mean and M2 for stddev.
struct NumericAcc final : Accumulator {
  NumericAcc() : Accumulator(AccKind::numeric) {}
  void add(const Value& v, bool, TimeNs) override;
  void add_num(const Num& x);
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override;
  bool read_state(const simdjson::dom::element& in, std::string& error) override;

  void write_sum(JsonBuilder& out) const;
  void write_min(JsonBuilder& out) const;
  void write_max(JsonBuilder& out) const;
  double sum_double() const { return all_int ? static_cast<double>(isum) : dsum + dcomp; }
  double stddev() const;  // sample standard deviation; NaN below 2 values

  uint64_t n = 0;
  bool all_int = true;  // every value so far an integer: isum is the exact sum
  // Exact in any order: 2^64 int64 values cannot overflow it.
  __int128 isum = 0;
  double dsum = 0, dcomp = 0;  // Neumaier-compensated sum of all values
  Num min, max;
  double mean = 0, m2 = 0;
};

struct QuantileAcc final : Accumulator {
  explicit QuantileAcc(double accuracy) : Accumulator(AccKind::quantile), sketch(accuracy) {}
  void add(const Value& v, bool, TimeNs) override;
  // The sketch counts whole events: w is rounded (at least 1).
  void add_weighted(const Value& v, bool, TimeNs, double w) override;
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override { sketch.write_json(out); }
  bool read_state(const simdjson::dom::element& in, std::string& error) override {
    return DDSketch::read_json(in, sketch, error);
  }
  DDSketch sketch;
};

struct DistinctAcc final : Accumulator {
  DistinctAcc() : Accumulator(AccKind::distinct) {}
  void add(const Value& v, bool, TimeNs) override;
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override { hll.write_json(out); }
  bool read_state(const simdjson::dom::element& in, std::string& error) override {
    return HyperLogLog::read_json(in, hll, error);
  }
  HyperLogLog hll;
  std::string scratch;
};

struct TopAcc final : Accumulator {
  explicit TopAcc(size_t capacity) : Accumulator(AccKind::top), summary(capacity) {}
  void add(const Value& v, bool, TimeNs) override;
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override { summary.write_json(out); }
  bool read_state(const simdjson::dom::element& in, std::string& error) override;
  void write_final(JsonBuilder& out, size_t k) const;
  SpaceSaving summary;
  std::string scratch;
};

// first(F) / last(F): the value at the earliest / latest event time (input
// order breaks ties and decides when events carry no time).
struct PickAcc final : Accumulator {
  explicit PickAcc(bool want_last) : Accumulator(want_last ? AccKind::last : AccKind::first) {}
  void add(const Value& v, bool has_time, TimeNs t) override;
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override;
  bool read_state(const simdjson::dom::element& in, std::string& error) override;
  bool is_last() const { return kind() == AccKind::last; }
  bool takes(bool other_set, bool other_has_time, TimeNs other_t) const;

  bool set = false;
  bool has_time = false;
  TimeNs time = 0;
  std::string json;  // the value as JSON text
};

struct HistAcc final : Accumulator {
  HistAcc() : Accumulator(AccKind::hist) {}
  void add(const Value& v, bool, TimeNs) override;
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override { hist.write_json(out); }
  bool read_state(const simdjson::dom::element& in, std::string& error) override {
    return LogHistogram::read_json(in, hist, error);
  }
  LogHistogram hist;
};

// The earliest and latest event time of a group (rate without a window).
struct TimeSpanAcc final : Accumulator {
  TimeSpanAcc() : Accumulator(AccKind::time_span) {}
  void add(const Value&, bool has_time, TimeNs t) override;
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override;
  bool read_state(const simdjson::dom::element& in, std::string& error) override;
  bool any = false;
  TimeNs lo = 0, hi = 0;
};

// olly agg --weighted count, count_if and rate: the Horvitz-Thompson total
// sum(w) over the kept events, and its variance estimate sum(w * (w - 1)).
struct WeightedCountAcc final : Accumulator {
  WeightedCountAcc() : Accumulator(AccKind::wcount) {}
  void add(const Value& v, bool has_time, TimeNs t) override { add_weighted(v, has_time, t, 1); }
  void add_weighted(const Value&, bool, TimeNs, double w) override {
    ++n;
    total += w;
    variance += w * (w - 1);
  }
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override;
  bool read_state(const simdjson::dom::element& in, std::string& error) override;
  uint64_t n = 0;
  double total = 0, variance = 0;
};

// olly agg --weighted sum and avg: sum(w * x) and sum(w) over the kept
// events with a number (avg is their ratio); min, max and stddev stay those
// of the kept values (plain).
struct WeightedNumericAcc final : Accumulator {
  WeightedNumericAcc() : Accumulator(AccKind::wnumeric) {}
  void add(const Value& v, bool has_time, TimeNs t) override { add_weighted(v, has_time, t, 1); }
  void add_weighted(const Value& v, bool, TimeNs, double w) override;
  bool merge(const Accumulator& other, std::string& error) override;
  void write_state(JsonBuilder& out) const override;
  bool read_state(const simdjson::dom::element& in, std::string& error) override;
  NumericAcc plain;
  double wsum = 0, wcomp = 0;  // Neumaier-compensated sum of w * x
  double wn = 0;               // sum of w
  double variance = 0;         // sum of w * (w - 1) * x^2: the HT variance estimate of wsum
  double total() const { return wsum + wcomp; }
};

}  // namespace olly
