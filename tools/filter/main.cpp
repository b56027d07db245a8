// olly-filter: keep events matching an expression.
#include <charconv>

#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "filter.h"

using namespace olly;

int main(int argc, char** argv) {
  FilterOptions opts;
  CLI::App app{"Keep the events that match an expression.", "olly-filter"};
  app.add_option("EXPR", opts.expression, "Expression an event must satisfy (see olly(7))")->required();
  app.add_option("FILE", opts.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  app.add_option("-s,--select", opts.select, "Keep only these fields (comma-separated paths), in input order")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("FIELDS");
  app.add_option("-d,--drop", opts.drop, "Remove these fields (comma-separated paths)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("FIELDS");
  app.add_flag("-v,--invert", opts.invert, "Keep the events that do NOT match EXPR");
  app.add_flag("--fail-empty", opts.fail_empty, "Exit 1 when no event matched");
  app.add_option("-n,--limit", opts.limit, "Stop after N matching events")->type_name("N")->check(
      CLI::Validator(
          [](std::string& value) -> std::string {
            int64_t n = -1;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || p != value.data() + value.size() || n < 0) {
              return fmt::format("'{}' is not a count of events (0 or more)", value);
            }
            return {};
          },
          "", ""));
  app.add_flag("-H,--with-filename", opts.with_filename, "Add the input file name as _file when reading several files");
  RunnerOptions run;
  add_runner_options(app, run);
  add_common_options(app, opts.common);

  ToolDoc doc;
  doc.name = "olly-filter";
  doc.summary = "keep events matching an expression";
  doc.synopsis = "olly-filter [OPTIONS] EXPR [FILE...]";
  doc.description =
      "olly-filter reads NDJSON events and writes those for which EXPR is true. Without a projection "
      "the matching lines are written exactly as they were read, byte for byte; --select and --drop "
      "rewrite each event, copying the values they keep unchanged.\n\n"
      "EXPR is the olly expression language (olly(7)): comparisons, =~ with RE2 patterns, in, "
      "arithmetic, functions such as exists(), lower(), ts(), extract(), replace() and case(). A "
      "missing field is null, and every "
      "comparison with null is false except == null and != null, so a filter on a field an event "
      "lacks drops that event. A string compares with a number numerically when the whole string is "
      "a number.\n\n"
      "--since and --until select by event time, read from --time-field (default: the first of ts, "
      "timestamp, time, @timestamp), as RFC 3339 or epoch seconds, milliseconds, microseconds or "
      "nanoseconds (by magnitude). Events without a readable time are dropped when either is given.\n\n"
      "Lines that are not JSON are counted, reported at the end and sent to --errors FILE; blank "
      "lines are skipped. olly-filter parses only what it needs (simdjson On-Demand): every line is "
      "checked for valid UTF-8 and closed strings, and an object line must end with its closing "
      "brace, but values it does not read are skipped, not validated, and content after the closing "
      "brace of a line that also ends in a brace ({\"a\":1}}) is only caught with --drop; use "
      "olly-parse json to validate whole lines. With duplicate keys the first occurrence counts.";
  doc.examples = {
      {"olly filter 'status >= 500' requests.ndjson", "Keep server errors."},
      {"olly filter 'path =~ \"^/api/checkout\" && latency_ms > 800' --select ts,upstream,latency_ms requests.ndjson",
       "Slow checkout calls, projected to three fields."},
      {"olly filter --since 2026-11-25T02:44:00Z --until 2026-11-25T02:45:00Z 'level == \"error\"' requests.ndjson",
       "Errors within one minute of event time."},
      {"olly filter 'error.type in [\"Timeout\", \"ConnectionReset\"]' --drop error,trace_id --limit 2 requests.ndjson",
       "The first two network failures, without their error object and trace id."},
      {"olly filter --fail-empty 'status == 418' requests.ndjson", "Exit 1 because no event matches (for CI and cron)."},
      {"olly filter 'extract(msg, \"^(GET|POST) \") == \"GET\"' strings/app.ndjson",
       "Events whose message starts with GET: the first group of an RE2 pattern, compiled once."},
  };
  doc.exit_status = exit_status_text("no event matched and --fail-empty was given");
  doc.see_also = {"olly(1)", "olly(7)", "olly-eval(1)", "olly-agg(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    RunContext ctx(opts.common);
    FilterStage stage(opts, std::max<size_t>(1, opts.files.size()));
    run.files = opts.files;
    run.jobs = default_jobs(run.jobs);
    run_stage(run, ctx, stage);
    int status = (opts.fail_empty && stage.matched() == 0) ? kExitFindings : kExitOk;
    return ctx.finish(status);
  });
}
