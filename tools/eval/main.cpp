// olly-eval: add or replace fields computed by expressions.
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "eval.h"
#include "expr/timerange.h"

using namespace olly;

int main(int argc, char** argv) {
  EvalOptions opts;
  CLI::App app{"Add or replace fields computed by expressions.", "olly-eval"};
  app.add_option("-e,--set", opts.sets, "NAME=EXPR: set field NAME (a path) to EXPR; repeatable, in order")
      ->type_name("NAME=EXPR")
      ->allow_extra_args(false)
      ->required();
  app.add_option("-w,--where", opts.where, "Change only events matching EXPR; others pass through unchanged")
      ->type_name("EXPR");
  app.add_option("FILE", opts.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  RunnerOptions run;
  add_runner_options(app, run);
  add_common_options(app, opts.common);

  ToolDoc doc;
  doc.name = "olly-eval";
  doc.summary = "add or replace fields computed by expressions";
  doc.synopsis = "olly-eval [OPTIONS] --set NAME=EXPR... [FILE...]";
  doc.description =
      "olly-eval evaluates each --set expression over an event and stores the result in NAME: an "
      "existing field is replaced where it stands, a new one is added after the others (a nested "
      "NAME such as http.slow creates the objects it needs). Everything else is copied unchanged, "
      "byte for byte. Later --set expressions see the values earlier ones computed, and what is inside "
      "them: after --set 'client=extract(msg, \"from (?P<ip>\\\\S+)\")', client.ip is the captured "
      "address.\n\n"
      "With --where only the events matching that expression are changed; the rest pass through as "
      "they came. An expression whose value is missing stores null. Division always gives a "
      "number (latency_ms/1000); integer arithmetic that would overflow becomes floating point.\n\n"
      "Durations in expressions are seconds (250ms is 0.25), and ts(x) gives epoch seconds, so "
      "ts(ts) - ts(start) > 5s works on RFC 3339 strings.\n\n"
      "Lines that are not JSON are counted, reported at the end and sent to --errors FILE. In an "
      "event it changes, olly-eval checks each top-level member it copies and that nothing follows "
      "the object; the inside of objects and arrays copied whole, and events --where passes "
      "through, are not validated (olly-parse json validates whole lines).";
  doc.examples = {
      {"olly eval --set dur_s='latency_ms/1000' --set slow='latency_ms > 800' requests.ndjson",
       "Add a duration in seconds and a slow flag."},
      {"olly eval --where 'status >= 500' --set level='upper(level)' --set error.status=status requests.ndjson",
       "Change only server errors: upper-case their level and copy the status into the error object."},
      {"olly eval --set 'client=extract(msg, \"from (?P<ip>\\\\S+) port (?P<port>\\\\d+)\")' "
       "--set 'level=case(status >= 500, \"error\", status >= 400, \"warn\", trim(lower(level)))' "
       "strings/app.ndjson",
       "Pull the client address and port out of a message into an object (client.ip, client.port), "
       "and set a level from the status where there is one."},
  };
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-filter(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    RunContext ctx(opts.common);
    EvalStage stage(opts);
    run.files = opts.files;
    run.jobs = default_jobs(run.jobs);
    run_event_stage(run, ctx, stage);
    return ctx.finish(kExitOk);
  });
}
