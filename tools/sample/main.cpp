// olly-sample: keep a deterministic share of events, every error, and at
// most N per second per group; kept events say what they stand for.
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "sample/stage.h"
#include "expr/timerange.h"

using namespace olly;

int main(int argc, char** argv) {
  SampleOptions opts;
  CLI::App app{"Keep a deterministic sample of events, all the ones that matter, and at most N/s per group.",
               "olly-sample"};
  app.add_option("-r,--rate", opts.rate, "Keep this share of events, above 0 and at most 1 (0.1: one in ten)")
      ->type_name("R");
  app.add_option("-k,--key", opts.key,
                 "Decide by this field's value, so every event of a trace (or user) shares one decision; "
                 "a 32-hex-digit value is decided as OpenTelemetry's TraceIdRatioBased sampler does")
      ->type_name("FIELD");
  app.add_option("--seed", opts.seed, "Seed of the decisions of events without a key (default 0)")->type_name("N");
  app.add_option("--keep", opts.keep, "Always keep events matching EXPR (errors, slow requests), weight 1")
      ->type_name("EXPR");
  app.add_option("-l,--limit", opts.limit, "At most N events per period of event time per group: N/s, N/m, N/h, N/5m")
      ->type_name("N/s");
  app.add_option("--by", opts.by, "One --limit bucket per value of FIELD")->type_name("FIELD");
  app.add_option("--burst", opts.burst, "Events a --limit bucket holds (default: the N of --limit)")->type_name("B");
  app.add_option("FILE", opts.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  RunnerOptions run;
  add_runner_options(app, run);
  add_common_options(app, opts.common);

  ToolDoc doc;
  doc.name = "olly-sample";
  doc.summary = "keep a deterministic sample of events, every error, and at most N/s per group";
  doc.synopsis = "olly-sample [OPTIONS] (--rate R [--key FIELD] | --limit N/s [--by FIELD]) [FILE...]";
  doc.description =
      "olly-sample passes on a share of its events, chosen so that the choice can be repeated and "
      "undone in arithmetic. Each kept event gets a field sample_rate, the number of events it "
      "stands for, appended before its closing brace; every other byte of the line is kept. "
      "olly-agg --weighted reads it back to estimate what the unsampled stream held.\n\n"
      "--rate R keeps each event with probability R and gives it sample_rate 1/R. With --key FIELD "
      "the decision is a function of the field's value, so every service that samples the same "
      "traces at the same rate keeps the same ones. A value of 32 hex digits (a W3C trace id) is "
      "decided as OpenTelemetry Go's TraceIdRatioBased sampler does: the first 8 bytes of the id, "
      "read big-endian and shifted right by one bit, are kept when below uint64(R * 2^63) (SDKs "
      "differ: Java's reads the last 8 bytes). Any other value is hashed: the FNV-1a 64-bit hash of "
      "its bytes (a string's text, a number's shortest decimal form, true or false, an array's or "
      "object's JSON text) through splitmix64's finaliser, kept under the same rule; the same on "
      "every machine. Events without the key, and every event when no --key is given, are decided "
      "by --seed and the byte offset of the line in its file (splitmix64), so a run is repeatable "
      "and -j N decides as -j 1.\n\n"
      "--keep EXPR keeps the events it matches whatever the rate or the limit say, with sample_rate 1, "
      "and they use no --limit token.\n\n"
      "--limit N/s keeps at most N events per second of event time (the time field, see "
      "--time-field) in a token bucket holding --burst events (default N), full at the group's first "
      "event; time that goes backwards adds no tokens. With --by FIELD each value has its own bucket "
      "(a missing FIELD is the group null). An event without a readable time is a bad record. A "
      "limit is not a probability: an event --limit keeps carries its own weight (1, or 1/R after "
      "--rate) plus the weights of the events of its group that --limit dropped since the group's "
      "previous kept event, so weighted counts are exact but for drops after a group's last kept "
      "event (limit_weight_lost in --stats). --limit reads events in order and runs on one thread.\n\n"
      "An event that already has sample_rate (sampled upstream) gets the product of the two, which "
      "is right when the two samplings are independent; sampling twice by the same --key at "
      "different rates is not (keep the smaller rate's 1/R there). An array or scalar line has no "
      "field to add and is passed on unchanged when kept. A kept line is read whole first "
      "(a line that is not valid JSON is a bad line, never written with a field added); the lines "
      "a sampler drops are checked only as far as the fields it reads.\n\n"
      "--stats adds kept_by_keep, dropped_by_rate, dropped_by_limit, limit_weight_lost and, with "
      "--by, dropped_by_group (drops per group value).";
  doc.examples = {
      {"olly sample --rate 0.1 --key trace_id --keep 'status >= 500 || level == \"error\"' requests.ndjson",
       "Keep one trace in ten, the same traces OpenTelemetry keeps at 10%, and every error."},
      {"olly sample --limit 2/m --by service requests.ndjson",
       "At most two events per minute of event time per service; each kept event's sample_rate counts "
       "the ones dropped before it."},
      {"olly sample --rate 0.25 --seed 7 requests.ndjson | olly agg --weighted count avg:latency_ms by service",
       "Estimate each service's request count and mean latency from a quarter of the events."},
  };
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-agg(1)", "olly-filter(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    RunContext ctx(opts.common);
    SampleStage stage(opts);
    run.files = opts.files;
    run.jobs = default_jobs(run.jobs);
    run_event_stage(run, ctx, stage);
    stage.report(ctx);
    return ctx.finish(kExitOk);
  });
}
