// olly-explain: which field values the bad events share (suspects), and
// change points in a windowed series with the marker events before them.
#include "agg/spec.h"
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "explain/changes.h"
#include "explain/explain.h"

using namespace olly;
using namespace olly::explain;

namespace {

const char* kSuspects =
    "Each NDJSON line is one suspect:\n\n"
    "  {\"rank\":1, \"kind\":\"over\", \"fields\":{\"region\":\"ap-southeast-2\",\"version\":\"2.8.0\"},\n"
    "   \"bad\":2000, \"baseline\":3000, \"share_bad\":0.678, \"share_baseline\":0.031, \"lift\":21.9,\n"
    "   \"p_value\":1e-300, \"score\":0.647, \"aliases\":{\"cluster\":\"syd1\"}}\n\n"
    "- kind: over (more common in bad events) or under (rarer in bad events: \"no errors from version 2.9.1, "
    "which serves 30% of traffic\").\n"
    "- fields: the value, or the pair or triple of values, of the suspect; a numeric field's value is its bin, a "
    "string such as \"[120, 250)\" (listed in \"binned\").\n"
    "- bad, baseline: events having the value(s) among the bad and the baseline events; share_bad and "
    "share_baseline are those counts over all bad and all baseline events; lift is share_bad / share_baseline "
    "(null when the baseline has none).\n"
    "- p_value: Fisher's exact test of the 2x2 table (value or not, bad or baseline), two-sided, multiplied "
    "by the number of comparisons made (every value, pair and triple counted: Bonferroni), capped at 1.\n"
    "- score: |share_bad - share_baseline|, the ranking key: how much of the bad events the suspect "
    "explains beyond what the baseline would predict.\n"
    "- aliases: values that occur in exactly the same events as the suspect (a host and the only "
    "region it runs in): one suspect, not several.\n\n"
    "Over-represented suspects come first, by score, then under-represented ones.";

const char* kMethod =
    "Two passes over the input. The first profiles every field (nested objects included, arrays left "
    "out) over a sample: inputs over 8 MiB in all (regular files, or stdin once copied) are sampled in 256 "
    "ranges of 32 KiB spread evenly over them, the first and the last included (so a value that occurs only "
    "in a stretch shorter than the gap between two ranges, 1/256 of the input, may be missed as a value of its "
    "own and counted with the values past the cap; --fields does not change that, --since and --over do), and one "
    "line in two of each range is profiled; an input read whole has the first 1024 lines of each range profiled and one "
    "line in four after them. --over and --since read every line, for the quantile and the latest time. "
    "The profile records how often it holds a string, boolean or number, its distinct values (HyperLogLog), its most "
    "frequent values (space-saving top-K) and, for numbers, a quantile sketch. From that, --fields auto "
    "(the default) picks the dimensions: strings, booleans and numbers with at most 12 distinct values are "
    "categorical; other numbers are cut into bins at their 10th, 25th, 50th, 75th, 90th and 99th "
    "percentiles; fields with at least one distinct value for every two events that have them (ids, "
    "timestamps, request texts), and integers from 1e9 up that are as unique (epoch times), are left out "
    "as unique. Fields the split reads (status in --bad 'status >= 500') and the time fields are left out "
    "too, as they would explain the split trivially. Each field keeps its --max-values most frequent "
    "values; events with other values count as past the cap (values_past_cap in --stats). At most "
    "--max-fields fields are used (the most present), at most 256 are profiled. --stats adds a line "
    "{\"explain\":{\"dimensions\":[...],\"binned\":[...],\"unique\":[...],\"excluded\":[...],\"dropped\":[...]}} "
    "naming them.\n\n"
    "The second pass counts, in bad and in baseline events, every value of every dimension and every pair "
    "of values of two dimensions. A value (or pair) is a suspect when its Bonferroni-adjusted p-value is "
    "below --alpha (0.05: over data with no cause, a false suspect in at most one run in twenty) and the "
    "effect is large enough: over-represented with share_bad at least --min-share (0.05) and at least "
    "--min-lift (1.5) times share_baseline; under-represented with share_baseline at least --min-share and "
    "share_bad at most share_baseline / --min-lift. A pair is shown only when it explains more than its "
    "best member alone (its score exceeds each member's by at least 0.01); its members are then not shown "
    "on their own.\n\n"
    "Triples of values are counted for a few candidate pairs only: before the second pass, the profile's "
    "sample (the whole input up to 8 MiB, and compressed input, which cannot be read in ranges, whole) is counted once, and the 4 pairs most over-represented there "
    "(passing the same test) are the candidates. The second pass counts each candidate with every value of "
    "every other dimension, and a triple is tested as pairs are (its comparisons in the Bonferroni factor). "
    "It is shown only when it explains more than each of its pairs and values alone (by 0.01 as above); "
    "those are then not shown on their own. --no-pairs tests neither pairs nor triples; --partial state "
    "carries no triples, since each shard would screen its own candidates.\n\n"
    "On an input over 64 MiB (regular files, or stdin once copied), the second pass counts the values of a "
    "sample of the baseline: each baseline event is drawn with probability 64 MiB / the input's size, by a "
    "hash of its position in its file (so -j N draws as -j 1). Bad events are all counted, and so is the "
    "number of baseline events. share_baseline, the lift and the test are then the sample's (some 140,000 "
    "events of 500 bytes: a share is measured to within a few tenths of a percent), and a suspect's "
    "\"baseline\" count is the sample's count scaled to all baseline events, an estimate; the summary says so. "
    "--stats gives baseline (all) and baseline_counted. --exact counts every baseline event; --partial "
    "always does, since shards' states are added up.\n\n"
    "Stdin (a pipe) is copied to an unlinked temporary file in $TMPDIR (else /tmp) for the passes, so "
    "it needs that much disk; nothing is left behind. Memory is bounded by the fields and values kept "
    "(--max-fields x --max-values, and pairs of them: pairs are counted over each field's most frequent "
    "values, as many as keep the pair tables within 256 MiB, e.g. 184 values a field with 32 fields), not by "
    "the input.";

const char* kChanges =
    "olly explain changes aggregates --series (one olly-agg aggregate: count, "
    "'count_if(status >= 500)/count', p99:latency_ms, ...) over tumbling --every windows of event time, "
    "and finds the windows where its mean level shifts: binary segmentation, splitting where the sum of "
    "squared deviations falls by more than a penalty of 4 sigma^2 ln(n) (n windows; sigma, the noise, "
    "from the median absolute difference between successive windows of the stretch being split, so the "
    "shifts themselves do not inflate it and a noisier stretch (a higher rate) is judged by its own noise; --penalty scales it), with at least --min-segment windows on each side. Windows where the "
    "series is null (no events, a division by zero) are left out. Each change is one line:\n\n"
    "  {\"time\":WINDOW_START, \"series\":TEXT, \"before\":MEAN, \"after\":MEAN, \"change\":AFTER-BEFORE,\n"
    "   \"windows_before\":N, \"windows_after\":M, \"markers\":[EVENT,...]}\n\n"
    "markers holds the events matching --markers (deploys, config changes) from --lookback (5 windows by "
    "default) before the window where the new level starts to that window's end, oldest first. Every "
    "window is held to the end of input; at most 10000 markers are kept (markers_dropped in --stats).";

}  // namespace

int main(int argc, char** argv) {
  ExplainOptions opts;
  ChangesOptions ch;
  std::vector<std::string> words;
  std::string fields = "auto";
  CommonOptions common;
  RunnerOptions run;
  bool summary = false;
  bool fail = false;

  CLI::App app{"Likely causes: what bad events share, and when a series changed.", "olly-explain"};
  app.add_option("ARGS", words, "Optionally `changes`, then input files (stdin when none or -)")
      ->type_name("[changes] [FILE...]");
  app.add_option("-b,--bad", opts.bad, "Bad events: those matching EXPR (e.g. 'status >= 500')")->type_name("EXPR");
  app.add_option("--over", opts.over,
                 "Bad events: the slow tail, FIELD > pNN with the percentile computed from the data "
                 "('latency_ms > p99'), or FIELD > NUMBER")
      ->type_name("'FIELD > pNN'");
  app.add_option("--baseline", opts.baseline, "Baseline events: those matching EXPR (default: every event that is not bad)")
      ->type_name("EXPR");
  app.add_option("--since", opts.since,
                 "Bad events are those of the last DURATION before the latest event time (and matching --bad when "
                 "given); the baseline is the time before")
      ->type_name("DURATION");
  app.add_option("--baseline-since", opts.baseline_since,
                 "With --since: the baseline is the events from DURATION before the latest event time up to "
                 "--since (default: all before)")
      ->type_name("DURATION");
  app.add_option("-f,--fields", fields,
                 "Dimensions: comma-separated field paths, or auto (default): chosen from the data")
      ->type_name("FIELDS|auto");
  std::string exclude;
  app.add_option("-x,--exclude", exclude,
                 "With --fields auto: leave out these fields and what is nested in them (comma-separated paths), "
                 "such as effects of the failure itself (level, error) that would outrank its causes")
      ->type_name("FIELDS");
  app.add_option("--max-values", opts.max_values, "Most frequent values kept per field (default 50, at most 1000)")->type_name("N");
  app.add_option("--max-fields", opts.max_fields, "Dimensions used at most (default 32, at most 255)")->type_name("N");
  app.add_option("--alpha", opts.rank.alpha,
                 "Family-wise error rate of the significance test, Bonferroni-adjusted (default 0.05)")
      ->type_name("P");
  app.add_option("--min-lift", opts.rank.min_lift, "Smallest over- or under-representation reported (default 1.5)")
      ->type_name("X");
  app.add_option("--min-share", opts.rank.min_share,
                 "Smallest share of bad events (over) or baseline events (under) a suspect must have (default 0.05)")
      ->type_name("FRACTION");
  app.add_option("-n,--top", opts.rank.limit, "Suspects written at most (default 20)")->type_name("N");
  app.add_flag("--no-pairs", [&](int64_t) { opts.rank.pairs = false; }, "Test single values only, not pairs or triples");
  app.add_flag("--exact", opts.exact,
               "Count the values of every baseline event; by default an input over 64 MiB has its baseline "
               "shares measured on an even sample of it (see METHOD)");
  app.add_flag("--partial", opts.partial, "Write the counts as mergeable state instead of suspects (see PARTIAL STATE)");
  app.add_flag("--merge", opts.merge, "Read partial states (from --partial) and write the suspects of all of them");
  app.add_flag("--summary", summary,
               "Write a few sentences naming the top suspects (or changes) on stderr first; the default when "
               "stdout is a terminal");
  app.add_flag("--fail-on-suspect", fail, "Exit 1 when there is a suspect (explain changes: a change point), for CI");
  app.add_option("--series", ch.series,
                 "explain changes: the series, one olly-agg aggregate (default count)")
      ->type_name("AGG");
  app.add_option("--every", ch.every, "explain changes: window length (default 1m)")->type_name("DURATION");
  app.add_option("--markers", ch.markers, "explain changes: marker events, those matching EXPR ('type == \"deploy\"')")
      ->type_name("EXPR");
  app.add_option("--lookback", ch.lookback,
                 "explain changes: markers up to DURATION before a change (default 5 windows)")
      ->type_name("DURATION");
  app.add_option("--min-segment", ch.min_segment, "explain changes: windows on each side of a change at least (default 3)")
      ->type_name("N");
  app.add_option("--penalty", ch.penalty,
                 "explain changes: scales the penalty of a change (default 1; larger finds fewer)")
      ->type_name("X");
  add_runner_options(app, run);
  app.add_option("--min-chunk", run.min_fold_range, "Smallest byte range a thread gets (testing)")->group("");
  app.add_option("--profile-sample", opts.profile_sample_bytes,
                 "Bytes the first pass samples past this input size, 0 for all (testing)")
      ->group("");
  app.add_option("--baseline-sample", opts.baseline_sample_bytes,
                 "Bytes of baseline the second pass counts past this input size, 0 for all (testing)")
      ->group("");
  add_common_options(app, common, TimeFlags::field);

  ToolDoc doc;
  doc.name = "olly-explain";
  doc.summary = "likely causes: which values the bad events share, and when a series changed";
  doc.synopsis =
      "olly-explain [OPTIONS] (--bad EXPR | --over 'FIELD > pNN' | --since D) [FILE...]\n"
      "olly-explain --merge [OPTIONS] [FILE...]\n"
      "olly-explain changes --series AGG --every D [--markers EXPR] [FILE...]";
  doc.description =
      "olly-explain splits events into bad ones (--bad EXPR; --over 'FIELD > pNN', the slow tail, with the "
      "percentile computed from the data; or --since D, the last D before the latest event time) and a "
      "baseline (every other event; --baseline EXPR; with --since the time before, from --baseline-since "
      "on), and finds the field values, and pairs and triples of values, whose share differs most between the two: "
      "what the failures have in common that other requests do not. It writes them as NDJSON suspects "
      "ranked by how much of the bad events they explain, keeps only those that pass a significance test "
      "corrected for the number of comparisons (rare noise never ranks), folds values that always occur "
      "together into one suspect with aliases, and reports under-represented values too. With no "
      "significant suspect it writes nothing and says so on a terminal; the exit status is then 0 "
      "(--fail-on-suspect: 1 when there is a suspect).\n\n"
      "With --bad and --since together, the bad events are the matching events of the last D and the "
      "baseline the matching events before (--baseline sets its own): what is different about the "
      "failures now.\n\n"
      "On a terminal, or with --summary, a few sentences come first on stderr: \"68% of bad events "
      "(status >= 500) have region=ap-southeast-2 and version=2.8.0, against 3.1% of the baseline.\"\n\n"
      "--partial writes the counts as mergeable state and --merge combines any number of partial streams "
      "into the suspects one run would give, as olly-agg does. Each shard chooses its own dimensions, "
      "values and bins (and its own --over percentile and --since end): give --fields, --bad and "
      "numbers rather than percentiles for shards that agree. Regular files are read by -j threads, "
      "cut into ranges whose states are merged in input order, so the output of -j N is that of -j 1.\n\n"
      "olly explain changes finds change points in a windowed series instead (see CHANGES).";
  doc.sections = {{"SUSPECTS", kSuspects}, {"METHOD", kMethod}, {"CHANGES", kChanges},
                  {"PARTIAL STATE",
                   "--partial writes one line {\"olly_explain_partial\":1, \"bad\":N, \"baseline\":M} with the totals, "
                   "one line per value {\"olly_explain_partial\":1, \"fields\":[F], \"binned\":[B], \"values\":[V], "
                   "\"bad\":N, \"baseline\":M}, one per pair (two items in each array), and one per field with "
                   "values past the cap {\"olly_explain_partial\":1, \"overflow\":F, \"binned\":B, \"bad\":N, "
                   "\"baseline\":M}. --merge adds them up by field and value text. A line that is not such state "
                   "is a bad line; another version stops the run (exit 2)."}};
  doc.examples = {
      {"olly explain --bad 'status >= 500' requests.ndjson", "What the server errors share."},
      {"olly explain --over 'latency_ms > p90' --fields service,region,version explain/planted.ndjson",
       "What the slowest tenth of requests share, among three fields."},
      {"olly explain --since 5m --baseline-since 15m explain/deploys.ndjson",
       "What changed in the last 5 minutes, against the 10 minutes before."},
      {"olly explain --partial --bad 'status >= 500' requests.ndjson | olly explain --merge",
       "Partial state, then merged: the same suspects as one run."},
      {"olly explain changes --series 'count_if(status >= 500)/count' --every 1m --markers 'type == \"deploy\"' "
       "explain/deploys.ndjson",
       "When the error rate changed, with the deploys just before."},
  };
  doc.exit_status = exit_status_text("there is a suspect (or a change point) and --fail-on-suspect was given");
  doc.see_also = {"olly(1)", "olly(7)", "olly-agg(1)", "olly-filter(1)", "olly-alert(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    const bool changes = !words.empty() && words[0] == "changes";
    std::vector<std::string> files(words.begin() + (changes ? 1 : 0), words.end());
    run.files = files;
    run.jobs = default_jobs(run.jobs);
    if (changes) {
      for (const char* flag : {"--bad", "--over", "--baseline", "--since", "--baseline-since", "--fields", "--max-values",
                               "--max-fields", "--exclude", "--alpha", "--min-lift", "--min-share", "--top", "--no-pairs",
                               "--partial", "--merge", "--exact"}) {
        if (app.count(flag) > 0) throw UsageError(fmt::format("{} is not an option of explain changes", flag));
      }
      ch.summary = summary;
      ch.fail_on_change = fail;
      ch.time_field = common.time_field;
      ch.time_format = resolve_time_layout(common);
      ch.run = run;
      validate(ch);
      RunContext ctx(common);
      return run_changes(ch, ctx);
    }
    for (const char* flag : {"--series", "--every", "--markers", "--lookback", "--min-segment", "--penalty"}) {
      if (app.count(flag) > 0) throw UsageError(fmt::format("{} is an option of explain changes (olly explain changes {} ...)", flag, flag));
    }
    if (fields != "auto") {
      opts.fields = split_field_list(fields);
      if (opts.fields.empty()) throw UsageError("--fields: give field paths or auto");
    }
    if (!exclude.empty()) opts.exclude = split_field_list(exclude);
    opts.summary = summary;
    opts.fail_on_suspect = fail;
    opts.time_field = common.time_field;
    opts.time_format = resolve_time_layout(common);
    opts.run = run;
    validate(opts);
    RunContext ctx(common);
    return run_explain(opts, ctx);
  });
}
