// olly-eval: add or replace fields computed by expressions.
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "eval.h"

using namespace olly;

int main(int argc, char** argv) {
  EvalOptions opts;
  CLI::App app{"Add or replace fields computed by expressions.", "olly-eval"};
  app.add_option("-e,--set", opts.sets, "NAME=EXPR: set field NAME (a path) to EXPR; repeatable, in order")
      ->type_name("NAME=EXPR")
      ->allow_extra_args(false);
  app.add_option("-w,--where", opts.where, "Change only events matching EXPR; others pass through unchanged")
      ->type_name("EXPR");
  app.add_option("--rename", opts.renames, "OLD=NEW: move field OLD (a path) to NEW; repeatable, in order")
      ->type_name("OLD=NEW")
      ->allow_extra_args(false);
  app.add_option("--drop", opts.drops, "Remove these fields (comma-separated paths)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("FIELDS");
  app.add_option("--select", opts.selects, "Keep only these fields (comma-separated paths), in the event's order")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("FIELDS");
  app.add_flag("--flatten", opts.flatten, "Nested objects become dotted keys: {\"http\":{\"status\":500}} to {\"http.status\":500}");
  app.add_flag("--nest", opts.nest, "Dotted keys become nested objects (what --flatten did, undone)");
  app.add_option("--separator", opts.separator, "The separator --flatten writes and --nest splits at (default .)")
      ->type_name("SEP");
  app.add_option("FILE", opts.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  RunnerOptions run;
  add_runner_options(app, run);
  add_common_options(app, opts.common);

  ToolDoc doc;
  doc.name = "olly-eval";
  doc.summary = "add or replace fields computed by expressions";
  doc.synopsis = "olly-eval [OPTIONS] --set NAME=EXPR... [FILE...]\n"
                 "olly-eval [OPTIONS] [--rename OLD=NEW] [--drop F,...] [--select F,...] [--flatten|--nest] [FILE...]";
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
      "through, are not validated (olly-parse json validates whole lines).\n\n"
      "Reshaping, after the --set expressions and in this order: --rename OLD=NEW moves a field (to "
      "a new path, created as --set creates one; an existing NEW is replaced where it stands; a "
      "missing OLD changes nothing), --drop removes fields, --select keeps only the fields it names "
      "(in the event's order), --flatten turns nested objects into dotted keys (arrays and empty "
      "objects stay values) and --nest turns dotted keys back into objects. --nest leaves a key flat "
      "when nesting it would lose or overwrite something: its first part is a field of its own "
      "({\"a\": 1, \"a.b\": 2}), a part is empty, or an earlier key already put a value there. "
      "--separator SEP changes the dot. Values are copied as their JSON text, byte for byte; the "
      "event is read whole for these flags only.";
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
      {"olly eval --rename http.status=status --drop http.user_agent --flatten reshape/nested.ndjson",
       "Move a nested field to the top, drop one, and flatten the rest into dotted keys."},
      {"olly eval --nest reshape/dotted.ndjson", "Dotted keys (from Elasticsearch or Miller) into nested objects."},
  };
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-filter(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    RunContext ctx(opts.common);
    EvalStage stage(opts);
    run.files = opts.files;
    run.jobs = default_jobs(run.jobs);
    run_stage(run, ctx, stage);
    return ctx.finish(kExitOk);
  });
}
