// The aggregation engine: groups events by the `by` fields (lib/group) and
// by tumbling event-time window (lib/window), feeds each group's accumulators, and writes final
// values or mergeable partial states. One Aggregator per thread; threads'
// aggregators (and --merge's partial lines) combine with the same merge code.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "agg/accum.h"
#include "agg/spec.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "core/stage.h"
#include "group/group_table.h"
#include "expr/timefield.h"
#include "sort/sort_key.h"
#include "window/watermark.h"

namespace olly {

struct AggOptions {
  AggPlan plan;
  double accuracy = DDSketch::kDefaultAccuracy;  // --accuracy
  bool accuracy_given = false;                    // --merge: else the states' alpha decides
  size_t topk_capacity = SpaceSaving::kDefaultCapacity;
  int64_t lateness_ns = 0;                        // --lateness
  size_t max_groups = 1'000'000;                  // --max-groups (groups held at once)
  bool sort = true;                               // --sort key|none
  // --sort FIELDS: each window's output rows ordered by these output
  // fields (after key order, which breaks ties). Empty: key or none.
  std::vector<SortField> sort_fields;
  size_t limit = SIZE_MAX;                        // --limit: rows kept per window
  bool partial = false;                           // --partial
  std::string time_field;                         // --time-field
  TimeLayout time_format;                         // --time-format, --tz, --year
  // Only events matching this expression are aggregated (olly-alert's rule
  // `where`); the others still move event time on. Empty: every event.
  std::string where;
  // Events at or before this time were read by an earlier run (olly-alert
  // --state over a log read whole each time): skipped, outcome `seen`.
  int64_t skip_until = INT64_MIN;
  // --weighted: each event stands for this field's number of events
  // (olly-sample's sample_rate; missing or null: 1). Empty: unweighted.
  std::string weight_field;
};

// The partial-state format version written in every partial line.
inline constexpr int kPartialVersion = 1;

class Aggregator {
 public:
  // Compiles the plan (expressions, paths); UsageError on a bad one.
  explicit Aggregator(const AggOptions& opts);
  ~Aggregator();
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  enum class Outcome { ok, no_time, late, seen, bad_weight };
  // Adds one event. A simdjson error makes the line a bad record; no_time
  // and late are reported by the caller (reason()).
  // line is the document's text: a line that is not JSON at all, or an
  // object or array cut short, is an error even where no field is read.
  [[nodiscard]] simdjson::error_code add(simdjson::ondemand::document& doc, std::string_view line,
                                         Outcome& outcome);
  static std::string_view reason(Outcome o, const AggOptions& opts);

  // Streaming: writes the windows the watermark has closed (in window order).
  void emit_closed(Emitter& out);
  // End of input: writes every remaining group. Without groups, windows and
  // `by`, one result (count 0) unless no_input: an input could not be read,
  // and a made-up zero would pass for an answer.
  void emit_all(Emitter& out, bool no_input = false);

  // The results as numbers, for verbs that act on them (olly-alert): each
  // window's groups, oldest window first, groups in key order. values[i] is
  // plan aggregate i's value; nullopt where it is null or not a number.
  using ResultVisitor =
      std::function<void(int64_t start, std::string_view key, std::span<const std::optional<double>> values)>;
  // The windows the watermark has closed (streaming), then removed.
  void visit_closed(const ResultVisitor& fn);
  // Every remaining window (end of input), then removed.
  void visit_all(const ResultVisitor& fn);
  // The open windows' partial states (the --partial lines, each ending in a
  // newline), oldest window first; add_partial reads them back.
  void write_partials(std::string& out) const;
  // Whether any window is open.
  bool has_open_windows() const { return !windows_.empty(); }

  // Folds other (built from the same options) into this one.
  void merge_from(Aggregator& other);
  // --merge: folds one partial-state line, all of it or (on any error)
  // nothing. bad: the line is not a valid partial state (a bad line);
  // mismatch: it was written by a different configuration (aggregates,
  // by, every, accuracy or version), which stops the run.
  enum class PartialResult { ok, bad, mismatch };
  PartialResult add_partial(const simdjson::dom::element& line, std::string& error);

  // Keep every window until emit_all (input that ends, threads, --merge):
  // no event is then late.
  void set_hold_windows(bool hold) { watermark_.set_hold(hold); }
  uint64_t late_events() const { return watermark_.late_events(); }
  // The latest event time read (INT64_MIN before any).
  int64_t latest_time() const { return watermark_.started() ? watermark_.value() : INT64_MIN; }
  // Event time has reached t (olly-alert's --now at the end of input).
  void advance_watermark(int64_t t) { watermark_.observe(t); }
  // The --lateness that would have counted every late event (0: none late).
  int64_t lateness_needed() const { return watermark_.lateness_needed(); }
  size_t group_count() const { return total_groups_; }
  const AggOptions& options() const { return opts_; }

 private:
  struct Recipe {
    AccKind kind;
    size_t slot = SIZE_MAX;  // extractor slot of the field; SIZE_MAX for none
    size_t expr = SIZE_MAX;  // count_if expression; SIZE_MAX for none
    std::string id;          // dedupe key, e.g. "numeric:latency_ms"
  };
  struct Output {
    const AggSpec* spec;
    size_t recipe = SIZE_MAX;
    std::vector<Output> args;  // ratio operands
  };
  // A group's state: one accumulator per recipe.
  using Accs = std::vector<std::unique_ptr<Accumulator>>;
  // The groups of one window: one probe per event in the common case.
  using Table = GroupTable<Accs>;
  using Group = Table::Entry;  // key: the encoded by-values; value: the Accs

  Output compile_output(const AggSpec& spec);
  void check_sort_fields() const;
  size_t recipe_for(AccKind kind, const std::string& field, size_t expr, const std::string& id);
  std::unique_ptr<Accumulator> make_acc(const Recipe& r) const;
  Accs& find_or_add(Table& table, std::string_view key);
  void emit_window(Emitter& out, int64_t start, Table& table);
  void write_group(std::string& line, int64_t start, const Group& g) const {
    write_group(line, start, g, opts_.partial);
  }
  void write_group(std::string& line, int64_t start, const Group& g, bool partial) const;
  void visit_window(const ResultVisitor& fn, int64_t start, Table& table);
  std::vector<uint32_t> key_order(const Table& table) const;
  void write_output(JsonBuilder& out, const Output& o, const Group& g) const;
  std::optional<double> numeric_output(const Output& o, const Group& g) const;

  AggOptions opts_;
  std::vector<Recipe> recipes_;
  std::vector<Output> outputs_;
  std::vector<std::string> canonical_aggs_;
  FieldExtractor extractor_;
  std::vector<size_t> by_slots_;
  std::vector<std::vector<std::string>> nested_by_;  // output names of dotted by-fields; empty: flat
  std::vector<Expr> exprs_;
  std::vector<std::vector<size_t>> expr_slots_;  // expression path i -> extractor slot
  std::optional<Expr> where_;                    // AggOptions::where
  std::vector<size_t> where_slots_;
  // The event time: the first candidate (ts, or --time-field) is read with
  // the other fields, so the walk can stop early; the fallbacks (timestamp,
  // time, @timestamp) only when it is absent.
  bool needs_time_ = false;
  size_t time_slot_ = 0;
  FieldExtractor time_fallback_;
  std::vector<size_t> fallback_time_slots_;  // in time_fallback_'s slots
  std::vector<Path> main_paths_;              // extractor_'s paths, by slot
  size_t add_path(const Path& p);
  bool read_time(simdjson::ondemand::document& doc, TimeNs& t);
  bool windowed_ = false;
  bool weighted_ = false;
  size_t weight_slot_ = 0;

  OpenWindows<Table> windows_;  // by window start; INT64_MIN without a window
  size_t total_groups_ = 0;
  Watermark watermark_;
  std::optional<double> merge_alpha_;  // --merge: the states' accuracy

  // Per-event scratch.
  std::vector<Value> slots_;
  std::vector<Value> expr_values_;
  std::vector<char> expr_result_;
  EvalScratch scratch_;
  std::string key_;
  std::string line_;
  std::vector<std::optional<double>> values_;
  std::unique_ptr<LineSorter> row_sorter_;  // --sort FIELDS
};

}  // namespace olly
