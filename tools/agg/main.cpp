// olly-agg: group-by and time-window aggregation with mergeable state.
#include <fmt/format.h>

#include <thread>

#include "agg/run_agg.h"
#include "core/cli.h"
#include "core/diag.h"
#include "sort/sort_key.h"
#include "time/timeutil.h"

using namespace olly;

namespace {

struct Flags {
  std::vector<std::string> words;  // AGG... [by F,...] [every D] [FILE...]
  std::vector<std::string> aggs;   // -a
  std::vector<std::string> by;     // -g
  std::string every;               // -w
  std::string lateness = "1m";
  double accuracy = DDSketch::kDefaultAccuracy;
  bool accuracy_given = false;
  size_t top_capacity = SpaceSaving::kDefaultCapacity;
  size_t max_groups = 1'000'000;
  std::string sort = "key";
  size_t limit = SIZE_MAX;
  bool partial = false;
  bool merge = false;
  bool weighted = false;
  std::string weight_field;
  unsigned jobs = 0;
  uint64_t min_chunk = 4u << 20;
  CommonOptions common;
};

AggOptions build_options(const Flags& f, AggRunOptions& run) {
  AggOptions o;
  for (const auto& a : f.aggs) o.plan.aggs.push_back(parse_agg_spec(a, "--agg"));
  for (const auto& b : f.by) {
    for (auto& field : split_field_list(b)) o.plan.by.push_back(field);
  }
  if (!f.every.empty()) {
    o.plan.every_ns = duration_or_throw(f.every, "--every", false);
    o.plan.every_text = f.every;
  }
  parse_agg_words(f.words, o.plan, !f.merge && f.aggs.empty(), f.merge);
  run.files = o.plan.files;
  run.merge = f.merge;
  run.jobs = f.jobs ? f.jobs : std::max(1u, std::thread::hardware_concurrency());
  run.min_chunk = f.min_chunk;
  if (f.partial && f.merge) throw UsageError("--partial and --merge cannot be combined");
  if (!f.merge) o.plan.validate();
  if (!(f.accuracy >= DDSketch::kMinAccuracy && f.accuracy < DDSketch::kMaxAccuracy)) {
    throw UsageError(fmt::format("--accuracy: {} is not in [{}, {}); 0.01 means 1% relative error", f.accuracy,
                                 DDSketch::kMinAccuracy, DDSketch::kMaxAccuracy));
  }
  o.accuracy = f.accuracy;
  o.accuracy_given = f.accuracy_given;
  o.topk_capacity = f.top_capacity;
  o.lateness_ns = duration_or_throw(f.lateness, "--lateness", true);
  o.max_groups = f.max_groups;
  // --sort key, none, or output fields (a field named key or none: +key).
  o.sort = f.sort != "none";
  if (f.sort != "key" && f.sort != "none") o.sort_fields = parse_sort_fields(f.sort, "--sort");
  o.limit = f.limit;
  o.partial = f.partial;
  o.time_field = f.common.time_field;
  o.time_format = resolve_time_layout(f.common);
  if (f.weighted || !f.weight_field.empty()) {
    if (f.merge) throw UsageError("--weighted: partial states are unweighted; weigh the events, not a --merge");
    o.weight_field = f.weight_field.empty() ? "sample_rate" : f.weight_field;
  }
  return o;
}

const char* kAggregates =
    "count: events in the group.\n\n"
    "count_if(EXPR): events for which EXPR (olly(7)) is true; named count_if_ plus the expression "
    "spelled out (count_if(status >= 500) is count_if_status_ge_500; inside string literals only letters "
    "and digits are kept: count_if(path == \"/a,b\") is count_if_path_eq_a_b).\n\n"
    "sum(F), avg(F), min(F), max(F): over the numeric values of field F (numbers, and strings that "
    "are whole numbers); other values are ignored. Integer sums are exact in any order (a 128-bit "
    "accumulator; printed exactly up to 2^64 - 1, as a double beyond); min and max keep the "
    "value as it was (integer or not). Integers above 2^63 - 1 are read as doubles (as everywhere in "
    "olly), so they are not exact in sums, min, max, first, last or group keys. null when F never held a number.\n\n"
    "stddev(F): sample standard deviation (n - 1); null below two values.\n\n"
    "pNN(F): the NN-th percentile, any NN from 0 to 100 (p50, p90, p99, p99.9; median is p50): the "
    "value at rank floor(q x (n - 1)) of the sorted values, estimated by a DDSketch within the "
    "relative error --accuracy (1% by default) and printed to 6 significant digits; p0 and p100 are "
    "the exact min and max. Named p99_F, p99_9_F. The error bound holds while the field's "
    "magnitudes span at most 21 decades (e.g. 1e-9 to 1e12, any 21); past that the buckets nearest "
    "zero are merged, so the lowest percentiles of such data lose accuracy first. A sketch takes 8 "
    "bytes per bucket over the range the data covers: about 0.9 KiB per decade at 0.01, 9 KiB at "
    "0.001, at most 19 KiB (0.01) or 189 KiB (0.001) per sign.\n\n"
    "distinct(F): the number of distinct values of F (null and missing not counted). Exact up to "
    "1024 distinct values; beyond, a HyperLogLog with 2^14 registers, standard error 0.81%.\n\n"
    "top(K, F) or topK:F: the K most frequent values of F, as [{\"value\":V,\"count\":N},...] by "
    "count then value. Counts are exact while a group has at most max(--top-capacity, 4K) distinct "
    "values; past that a space-saving summary keeps every value more frequent than n / capacity, "
    "and an entry may carry \"error\": its count is at most that much too high.\n\n"
    "rate: events per second: count divided by the window length; without `every`, by the time "
    "between the group's first and last event (null when that is zero).\n\n"
    "first(F), last(F): the value of F at the earliest / latest event time (input order breaks ties "
    "and decides when events carry no time).\n\n"
    "hist(F): a histogram with power-of-two buckets: [{\"lo\":L,\"hi\":H,\"count\":N},...], L < v <= H "
    "(negative buckets mirrored, zero on its own).\n\n"
    "ratio(A, B) or A/B: one numeric aggregate divided by another, null when B is 0 or null, e.g. "
    "'count_if(status >= 500)/count as error_rate'. Named A_per_B unless named with as.\n\n"
    "AGG as NAME (one word or separate words) names the output field; names must be unique.";

const char* kSort =
    "--sort FIELDS orders each window's rows by their output fields: group fields, aggregate names "
    "(p99_latency_ms, or the name given with as), window_start and window_end, or a path inside one "
    "(top_path[0].count). Several fields, comma-separated, sort by the first, then the next; a "
    "leading - sorts that field descending (+ says ascending, for an output field named key or none). "
    "Numbers compare as numbers, strings bytewise, and then come booleans, arrays and objects; null "
    "(an aggregate over no value) comes last in either direction. Ties keep key order. A field that "
    "is not in the output is a usage error (exit 2), before input is read (with --merge and no AGG "
    "words: at the first partial line, which brings the plan).\n\n"
    "--limit N keeps the first N rows of each window, after sorting: --sort -p99_latency_ms --limit 10 "
    "is the ten slowest groups per window. With `every`, windows stay in time order and each window is "
    "sorted and limited on its own. Both apply to final rows only: with --merge they order the merged "
    "result; with --partial, --sort FIELDS and --limit are usage errors (every partial state must "
    "reach the merge), while --sort key and none keep their meaning.";

const char* kWeighted =
    "--weighted (or --weight-field F) reads each event as standing for w events, w being the field "
    "sample_rate that olly-sample adds (or F); an event without it, or with null, stands for itself "
    "(w = 1), and a w that is not a number of at least 1 makes the event a bad line. The results "
    "then estimate what the unsampled stream held (the Horvitz-Thompson estimator, each kept event "
    "weighted by its inverse inclusion probability): count and count_if are the sum of w (a number, "
    "not always whole), sum(F) the sum of w x F, rate the weighted count over the time, avg(F) the "
    "weighted sum over the sum of the weights of the events with a number (a ratio estimator), and "
    "ratios divide those.\n\n"
    "Error: the estimates are unbiased when each event was kept independently with probability 1/w "
    "(olly-sample --rate without --key). The variance of the estimated count is estimated by the sum "
    "over kept events of w (w - 1), and that of sum(F) by the sum of w (w - 1) F^2; at a fixed rate R "
    "the count's standard error is about sqrt(N (1 - R) / R) for a true count N: 1000 events at "
    "R = 0.1 come out as 1000 +- 95 (one standard error; within two about 95% of the time). With "
    "--key the events of one key are kept or dropped together, so the error is that of the number "
    "of keys, larger when keys hold many events. --limit weights (olly-sample(1)) make counts exact "
    "but for the drops after each group's last kept event.\n\n"
    "pNN(F) is weighted with each weight rounded to a whole number (at least 1): exact for rates "
    "whose inverse is whole (0.1, 0.25), close for large weights. min, max, stddev, distinct, top, "
    "first, last and hist are those of the kept events, unweighted. --weighted cannot be combined "
    "with --partial or --merge (partial states hold no weights).";

const char* kPartialFormat =
    "--partial writes, per group and window, one line (version 1):\n\n"
    "{\"olly_agg_partial\":1, \"aggs\":[CANONICAL AGG TEXT,...], \"by\":[FIELD,...], \"every\":\"1m\" "
    "(only with a window), \"window_start\":RFC3339, \"window_end\":RFC3339 (only with a window), "
    "\"group\":{FIELD:VALUE,...}, \"state\":[{\"acc\":KIND, \"id\":ID, \"s\":STATE},...]}\n\n"
    "The state list holds one accumulator per distinct input (sum, avg, min, max and stddev of a "
    "field share one; every percentile of a field shares one sketch), in the order the aggregates "
    "first need them. STATE by KIND:\n\n"
    "count: {\"n\":N}.\n\n"
    "numeric: {\"n\":N, \"all_int\":B, \"isum\":exact integer sum (valid while all_int; a decimal string beyond int64), \"dsum\":S, "
    "\"dcomp\":C (compensated double sum S + C), \"min\":X, \"max\":Y, \"mean\":M, \"m2\":M2 (Welford)}.\n\n"
    "quantile: {\"alpha\":A, \"max_buckets\":B, \"count\":N, \"min\":X, \"max\":Y, \"zero\":Z, "
    "\"pos\":[OFFSET,[C,...]], \"neg\":[OFFSET,[C,...]]}: bucket k = OFFSET+i counts values v with "
    "gamma^(k-1) < v <= gamma^k, gamma = (1+A)/(1-A); neg counts magnitudes of negative values; "
    "zero counts |v| < 1e-300.\n\n"
    "distinct: {\"p\":14, \"exact\":BASE64} (sorted distinct 64-bit value hashes, little-endian) or "
    "{\"p\":14, \"registers\":BASE64} (2^p one-byte HyperLogLog registers).\n\n"
    "top: {\"capacity\":C, \"exact\":B, \"total\":N, \"items\":[[VALUE_JSON_TEXT, COUNT, ERROR],...]}.\n\n"
    "first, last: {\"t\":NANOSECONDS or null, \"v\":VALUE} ({} when unset).\n\n"
    "hist: {\"zero\":Z, \"pos\":[[K,N],...], \"neg\":[[K,N],...]} (bucket K: 2^(K-1) < |v| <= 2^K).\n\n"
    "time_span (rate without every): {\"lo\":NS, \"hi\":NS} ({} when no event had a time).\n\n"
    "--merge reads such lines from any number of files or stdin and merges states group by group: "
    "counts, sums, min and max exactly as one run over all the input would give them, percentiles "
    "and distinct within the sketches' error. Each line is checked whole before any of it is "
    "merged: a line that is not valid partial state (bad JSON, a malformed state) is a bad line "
    "(--errors, --strict) and counts for nothing. Partial states written by a different "
    "configuration (other aggs, by or every, another --accuracy, or an unknown version) stop the "
    "run with exit status 2 and no output. The percentiles' accuracy is the one stored in the "
    "states; --accuracy with --merge requires the states to have it.";

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"Group-by and time-window aggregation with mergeable state.", "olly-agg"};
  app.add_option("ARGS", f.words,
                 "Aggregates, then optionally `by FIELD,...` and `every DURATION`, then input files "
                 "(stdin when none or -)")
      ->type_name("AGG... [by F,...] [every D] [FILE...]");
  app.add_option("-a,--agg", f.aggs, "An aggregate (repeatable), as in -a 'p99(latency_ms) as p99'")
      ->type_name("AGG")
      ->allow_extra_args(false);
  app.add_option("-g,--by", f.by, "Group by these fields (comma-separated paths; repeatable)")
      ->type_name("FIELDS")
      ->allow_extra_args(false);
  app.add_option("-w,--every", f.every, "Tumbling event-time windows of this length (10s, 1m, 1h)")
      ->type_name("DURATION");
  app.add_option("--lateness", f.lateness,
                 "On a stream, write a window once event time passes its end plus this (default 1m); "
                 "later events for it are late: reported, counted in --stats, sent to --errors, exit 3")
      ->type_name("DURATION");
  app.add_option("--accuracy", f.accuracy,
                 "Relative error of percentiles, from 0.001 to below 0.5 (default 0.01 = 1%); with --merge "
                 "the partial states' own accuracy is used unless this is given")
      ->type_name("FRACTION");
  app.add_option("--top-capacity", f.top_capacity,
                 "Counters per top(K, F) summary (at least 4K; default 1024); counts are exact below it")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-groups", f.max_groups,
                 "Stop with an error (exit 3) when more groups than this are held at once (default 1000000)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_option("--sort", f.sort,
                 "Output order within a window: key (by group values; the default), none (first seen), or "
                 "output fields, comma-separated, a leading - for descending: -p99_latency_ms,path (see SORT)")
      ->type_name("key|none|FIELDS");
  app.add_option("--limit", f.limit, "Keep the first N rows of each window's output (after --sort)")
      ->type_name("N");
  app.add_flag("--partial", f.partial, "Write mergeable state instead of final values (see PARTIAL STATE)");
  app.add_flag("--merge", f.merge,
               "Read partial states (from --partial) and write final values; AGG words may be left out, "
               "and a word that names an existing file is an input (a partial file named count or p1)");
  app.add_flag("--weighted", f.weighted,
               "Weigh each event by its sample_rate (from olly-sample) to estimate the unsampled totals "
               "(see WEIGHTED)");
  app.add_option("--weight-field", f.weight_field, "The weight field of --weighted (default sample_rate); implies --weighted")
      ->type_name("FIELD");
  app.add_option("-j,--jobs", f.jobs,
                 "Threads for regular files, split at line boundaries (default: the number of cores); "
                 "stdin and compressed input are read by one thread")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_option("--min-chunk", f.min_chunk, "Smallest byte range a thread gets (testing)")->group("");
  add_common_options(app, f.common);

  ToolDoc doc;
  doc.name = "olly-agg";
  doc.summary = "group-by and time-window aggregation with mergeable state";
  doc.synopsis =
      "olly-agg [OPTIONS] AGG... [by FIELD,...] [every DURATION] [FILE...]\n"
      "olly-agg --merge [OPTIONS] [FILE...]";
  doc.description =
      "olly-agg groups NDJSON events by the values of the `by` fields and, with `every`, by tumbling "
      "event-time windows, and writes one event per group and window holding the group fields and the "
      "aggregates (see AGGREGATES). An aggregate is written p99(latency_ms) (quoted in the shell) or "
      "p99:latency_ms; -a, -g and -w say the same as flags.\n\n"
      "Without `every` there is one result per group at the end of input. With `every D`, events "
      "fall in windows [k D, (k+1) D) of their event time (--time-field; default the first of ts, "
      "timestamp, time, @timestamp; RFC 3339 or epoch numbers), output events carry window_start and "
      "window_end (RFC 3339). Input that ends (regular files, compressed or not, and stdin "
      "redirected from one) holds every window to the end, so the counts are those of the sorted "
      "input whatever the order of its lines (several workers writing one log). On a stream (a pipe "
      "or a terminal) a window is written as soon as event time passes its end plus --lateness "
      "(default 1m), so `tail -f app.ndjson | olly-agg count by status every 1m` streams. An event "
      "for a window already written is late: it is not counted, it is kept in --errors (it is not a "
      "bad line), \"late\" in --stats counts it, the end of the run says how many and the --lateness "
      "that would have counted them, and the exit status is 3 (data left out). Events without a time "
      "are bad lines when `every` is given.\n\n"
      "Output is sorted by window, then by group values (null, booleans, numbers, strings); --sort "
      "none keeps first-seen order. A missing group field groups as null. A dotted `by` path is "
      "written back nested (by http.method gives {\"http\":{\"method\":\"GET\"},...}), so olly filter "
      "'http.method == \"GET\"' matches the output; paths with an array index, or one `by` path inside "
      "another (http and http.method), are written flat under their text.\n\n"
      "Memory is bounded by groups held x aggregates (sketches take a few KiB each, see pNN), never by input "
      "size; a file held to its end holds groups x windows; "
      "--max-groups stops a run that would hold too many groups. Regular files are read by -j "
      "threads: the files are cut into about 32 byte ranges at line boundaries (their size depends "
      "only on the input's size), each range is aggregated on its own, and the ranges' states are "
      "merged in input order exactly as --merge merges partial states, so the output of -j N is "
      "byte for byte that of -j 1 (first and last break time ties by input order; stddev and "
      "float sums may differ from a serial read of stdin in the last digits).\n\n"
      "--partial writes mergeable state instead of final values, and --merge combines any number of "
      "partial streams into the result one run over all the input would give: shard the input, run "
      "olly-agg --partial where the data is (xargs -P, GNU parallel, Hadoop Streaming or Spark pipe "
      "mappers), and merge in one reducer.";
  doc.sections = {{"AGGREGATES", kAggregates}, {"SORT", kSort}, {"WEIGHTED", kWeighted}, {"PARTIAL STATE", kPartialFormat}};
  doc.examples = {
      {"olly agg count p99:latency_ms by service requests.ndjson", "Requests and p99 latency per service."},
      {"olly agg count 'count_if(status >= 500)/count as error_rate' by path every 1m requests.ndjson",
       "Per-minute request count and error rate per path."},
      {"olly agg 'top(3, path)' distinct:user_id requests.ndjson", "The three most requested paths and the number of distinct users."},
      {"olly agg --partial count sum:bytes by service requests.ndjson | olly agg --merge",
       "Partial state, then merged: the same result as one run."},
      {"olly agg count p99:latency_ms by path --sort -p99_latency_ms --limit 3 requests.ndjson",
       "The three slowest paths by p99 latency."},
      {"olly agg count by path every 1m --sort -count,path --limit 2 requests.ndjson",
       "The two busiest paths of each minute."},
      {"olly agg -a count -a 'p50(latency_ms) as median' -g service,status requests.ndjson",
       "The same aggregates written as flags."},
      {"olly sample --rate 0.5 --seed 3 requests.ndjson | olly agg --weighted count sum:bytes by service",
       "Estimate the requests and bytes per service from a half sample."},
  };
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-filter(1)", "olly-alert(1)", "olly-view(1)", "olly-sample(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    AggRunOptions run;
    f.accuracy_given = app.count("--accuracy") > 0;
    AggOptions opts = build_options(f, run);
    RunContext ctx(f.common);
    return run_agg(opts, run, ctx);
  });
}
