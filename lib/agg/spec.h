// Aggregate specifications: the words of `olly-agg AGG... [by F,...] [every D]
// [FILE...]` (and the -a/-g/-w flags) parsed into a plan.
//
//   count                      events in the group
//   count_if(EXPR)             events where EXPR holds
//   sum(F) avg(F) min(F) max(F) stddev(F)
//   pNN(F)  (p50, p90, p99, p99.9, median = p50)
//   distinct(F)  top(K, F)  first(F)  last(F)  hist(F)
//   rate                       events per second over the window
//   ratio(A, B) or A/B         one aggregate divided by another
//   ... as NAME                the output field's name
//
// Every form with one field argument is also written `AGG:FIELD` (shell
// friendly: p99:latency_ms, top5:path, top:path for the top 10).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace olly {

enum class AggKind {
  count, count_if, sum, avg, min, max, stddev, quantile, distinct, top, rate, first, last, hist, ratio,
};

std::string_view agg_kind_name(AggKind k);

struct AggSpec {
  AggKind kind = AggKind::count;
  std::string name;        // output field name (given with `as`, else the default)
  bool named = false;      // name came from `as`
  std::string field;       // path text for field aggregates
  std::string expr;        // count_if's expression text
  double quantile = 0;     // 0.999 for p99.9
  std::string qlabel;      // "99.9"
  size_t k = 0;            // top K
  std::vector<AggSpec> args;  // ratio: numerator, denominator

  // The canonical text ("p99(latency_ms)", "ratio(count_if(status >= 500), count) as err"),
  // which parses back to the same spec; partial states record it.
  std::string canonical() const;
};

struct AggPlan {
  std::vector<AggSpec> aggs;
  std::vector<std::string> by;       // group field paths, as written
  std::optional<int64_t> every_ns;   // tumbling window length
  std::string every_text;            // as written
  std::vector<std::string> files;

  // Throws UsageError unless names are unique and there is at least one aggregate.
  void validate() const;
};

// Parses one aggregate ("p99(latency_ms) as p99"). Throws UsageError naming `what`.
AggSpec parse_agg_spec(std::string_view text, std::string_view what = "AGG");

// Parses the positional words: aggregates, then optional `by F,...` and
// `every D` (either order), then files. `as NAME` may follow an aggregate as
// two separate words. Adds to plan (flags may already have filled parts).
// With first_is_agg (no aggregate given yet as a flag), the first word must
// be an aggregate, so a typo is reported as one instead of a missing file.
// With files_win (olly agg --merge), a word that names an existing file
// starts the files even where it reads as an aggregate (a partial file
// named `count` or `p1`). `by` or `every` after the files is a usage error
// (unless a file of that name exists): they come before the files.
void parse_agg_words(const std::vector<std::string>& words, AggPlan& plan, bool first_is_agg = false,
                     bool files_win = false);

// Splits "a,b" / "a, b" into fields (commas inside brackets or quotes are kept).
std::vector<std::string> split_field_list(std::string_view text);

// The default output name of a field: path text with non-alphanumerics as '_'.
std::string name_part(std::string_view text);

}  // namespace olly
