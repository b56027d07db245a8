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
      ->allow_extra_args(false);
  app.add_option("-w,--where", opts.where, "Change only events matching EXPR; others pass through unchanged")
      ->type_name("EXPR");
  app.add_option("--select", opts.selects,
                 "Keep only these fields (comma-separated paths), in the event's order. Reshaping runs after "
                 "--set: --select or --drop, then --rename, then --flatten or --nest")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("FIELDS");
  app.add_option("--drop", opts.drops, "Remove these fields (comma-separated paths)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("FIELDS");
  app.add_option("--rename", opts.renames,
                 "OLD=NEW: move field OLD (a path) to NEW (renamed where it stands within one object); repeatable "
                 "or comma-separated, applied in order, after --select/--drop")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("OLD=NEW");
  app.add_flag("--flatten", opts.flatten,
               "Nested objects become dotted keys: {\"http\":{\"status\":500}} to {\"http.status\":500}; arrays "
               "and {} stay values");
  app.add_flag("--nest", opts.nest,
               "Top-level dotted keys become nested objects (--flatten undone); a key that would clash stays as it is");
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
                 "olly-eval [OPTIONS] [--select F,...|--drop F,...] [--rename OLD=NEW...] [--flatten|--nest] [FILE...]";
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
      "Reshaping, in this order after the --set expressions (so it sees the fields they made): "
      "--select keeps only the fields it names, in the event's order, or --drop removes fields (the "
      "two cannot be combined; the names are the event's, before any --rename); --rename OLD=NEW then "
      "moves a field: within one object it is renamed where it stands and a field already named NEW "
      "is removed; to another object (--rename http.status=status) an existing NEW is replaced where "
      "it stands, else NEW is added after the others, created as --set creates it; a missing OLD "
      "changes nothing. Last, --flatten turns nested objects into keys joined by the separator "
      "({\"a\":{\"b\":1}} gives {\"a.b\":1}); arrays stay values, an empty object stays {}, and a "
      "key met again ({\"a\":{\"b\":1},\"a.b\":2}) keeps the first value, as olly reads duplicate "
      "keys. Or --nest splits top-level keys at the separator into nested objects, merging common "
      "prefixes ({\"a.b\":1,\"a.c\":2} gives {\"a\":{\"b\":1,\"c\":2}}); it leaves a key as it "
      "is when nesting would overwrite or merge into something: its first part is a key of its own "
      "({\"a\":1,\"a.b\":2} is unchanged), a part is empty (a..b, .a), or an earlier key already "
      "put a value on its path. --separator SEP changes the dot for both. Objects nested more than "
      "64 levels deep are kept whole as values. Values are copied as their JSON text, byte for byte "
      "(numbers keep every digit); keys are written JSON-escaped. Reshaping reads the whole event, "
      "and a line that is not a JSON object is a bad line.";
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
      {"olly eval --set dur_s='latency_ms/1000' --select ts,path,dur_s --rename path=route requests.ndjson",
       "Compute a field, keep only three, and rename one: --select names the fields before --rename."},
      {"olly eval --drop http.user_agent --rename http.status=status --flatten reshape/nested.ndjson",
       "Drop a nested field, move another to the top, and flatten the rest into dotted keys."},
      {"olly eval --nest reshape/dotted.ndjson", "Dotted keys (from Elasticsearch or Miller) into nested objects."},
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
