// olly-snapshot: the quick take on a stream, one screen.
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "snapshot/snapshot.h"

using namespace olly;
using namespace olly::snapshot;

namespace {

std::string list(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  SnapshotOptions opts;
  CommonOptions common;
  RunnerOptions run;
  std::vector<std::string> files;

  CLI::App app{"The quick take on a stream: volume, errors, latency, templates, suspects.", "olly-snapshot"};
  app.add_option("FILE", files, "Input files (.gz and .zst read transparently); stdin when none or -");
  app.add_option("-e,--error", opts.error,
                 "Error events: those matching EXPR (default: picked, status >= 500 or an error level)")
      ->type_name("EXPR");
  app.add_option("-l,--latency", opts.latency, "The latency field (default: picked, e.g. latency_ms)")->type_name("FIELD");
  app.add_option("-b,--by", opts.by, "The field whose groups are compared (default: picked, e.g. service)")->type_name("FIELD");
  app.add_option("-m,--message", opts.message, "The message field mined for templates (default: picked, e.g. msg)")
      ->type_name("FIELD");
  app.add_option("--every", opts.every, "Time bucket of the sparklines (default: about 48 buckets over the time range)")
      ->type_name("DURATION");
  app.add_option("-n,--top", opts.top, "Groups, templates and suspects shown at most (default 5)")->type_name("N");
  app.add_flag("--exact", opts.exact,
               "Count the values of every baseline event for the suspects; by default an input over 64 MiB has "
               "its baseline shares measured on an even sample of it, as olly-explain does");
  app.add_flag("--json", opts.json, "Write one NDJSON document (for machines and olly view --format html) instead of the screen");
  add_runner_options(app, run);
  app.add_option("--min-chunk", run.min_fold_range, "Smallest byte range a thread gets (testing)")->group("");
  app.add_option("--profile-sample", opts.profile_sample_bytes,
                 "Bytes the first pass samples past this input size, 0 for all (testing)")
      ->group("");
  app.add_option("--baseline-sample", opts.baseline_sample_bytes,
                 "Bytes of baseline the suspects count past this input size, 0 for all (testing)")
      ->group("");
  add_common_options(app, common);

  ToolDoc doc;
  doc.name = "olly-snapshot";
  doc.summary = "the quick take on a stream: volume, errors, latency, templates and suspects on one screen";
  doc.synopsis = "olly-snapshot [OPTIONS] [FILE...]";
  doc.description =
      "olly-snapshot reads a stream of events and shows on one screen what it looks like: the volume over "
      "time and the error rate as sparklines, latency bands (p50, p90, p99) overall and for the worst groups, "
      "the most common message templates and those new in the second half of the time range (as "
      "olly-patterns mines them), the top suspects of the errors (as olly-explain ranks them), and a few "
      "sentences on what stands out, ending with the next command to run: olly explain on the errors when "
      "they have a suspect, on the slow tail when one group is much slower than the others, olly patterns "
      "when a template is new, else an olly agg series for olly view.\n\n"
      "It picks the fields itself and says which it picked: errors are status >= 500 from the first of " +
      list(kStatusFields) +
      ", else an error, fatal or critical level in the first of " + list(kLevelFields) +
      "; latency is the first numeric field of " + list(kLatencyFields) +
      "; groups are the values of the first of " + list(kGroupFields) +
      " with at most 1000 values; templates are mined from the first string field of " + list(kMessageFields) +
      ". --error, --latency, --by and --message choose instead. The suspects are olly-explain's with --fields "
      "auto, leaving out the fields the error expression reads, the message, the time and, as effects of a "
      "failure rather than its causes, " + list(kEffectFields) + " (and what is nested in them). What it could not find it says, and shows "
      "nothing for: with no latency field there are no latency bands. With no error field, the suspects are "
      "those of the slowest tenth (latency above its p90), when there is a latency.\n\n"
      "Two passes over the input, as olly-explain makes (stdin is copied to an unlinked temporary file): "
      "the first profiles the fields, over a sample as olly-explain does (inputs over 8 MiB: 256 ranges "
      "of 32 KiB spread over them, the first and the last included), and finds the time range the buckets cover; the "
      "second counts everything and reads the exact first and last times. Should the sample miss an event's "
      "time (an input over 8 MiB out of time order), the event is counted in the first or last bucket, "
      "with a note saying how many. Past 64 MiB the suspects' baseline shares are measured on an even sample "
      "of the baseline events, as olly-explain's are (--exact counts them all); every other number counts every "
      "event. Groups are the first 1000 values seen (later ones count as other); the worst "
      "are those with the highest p99 (or error rate, without a latency), among groups with at least 1% of "
      "the events. A template is new when its first line comes after the middle of the time range.\n\n"
      "The screen uses color on a terminal (not with NO_COLOR or --color never) and COLUMNS for its "
      "width. --json writes the same content as one NDJSON document: {\"snapshot\":{\"events\", \"fields\", "
      "\"missing\", \"time\":{\"first\", \"last\", \"every\", \"volume\":[...], \"errors\":[...]}, \"errors\", "
      "\"latency\", \"groups\":[...], \"templates\":[...], \"new_templates\":[...], \"suspects\":{\"bad\", "
      "\"bad_events\", \"baseline_events\", \"baseline_counted\", \"top\":[olly-explain suspects]}, \"narrative\":[...], \"next\"}}.";
  doc.examples = {
      {"olly snapshot requests.ndjson", "The quick take on a file."},
      {"olly snapshot --json explain/planted.ndjson", "The same as one NDJSON document."},
      {"olly snapshot --error 'level == \"error\"' --by host --latency latency_ms requests.ndjson",
       "Choosing the fields instead of letting it pick."},
  };
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-explain(1)", "olly-patterns(1)", "olly-view(1)", "olly-agg(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    run.files = files;
    run.jobs = default_jobs(run.jobs);
    opts.run = run;
    opts.time_field = common.time_field;
    opts.time_format = resolve_time_layout(common);
    opts.color = common.color;
    validate(opts);
    RunContext ctx(common);
    return run_snapshot(opts, ctx);
  });
}
