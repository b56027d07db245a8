// olly-view: events as a person reads them: terminal tables, series with
// sparklines, markdown, csv, tsv, json and a self-contained HTML report.
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "view.h"
#include "expr/timerange.h"

using namespace olly;

int main(int argc, char** argv) {
  ViewCliOptions opts;
  CLI::App app{"Show events as a table, a series with sparklines, or an HTML report.", "olly-view"};
  add_choice(app, "-f,--format", opts.format, {"table", "markdown", "csv", "tsv", "html", "json"},
             "Output: table (aligned, for a terminal), markdown (for a ticket), csv, tsv, html (a "
             "self-contained report) or json (NDJSON of the chosen columns)",
             "FORMAT");
  app.add_option("-c,--columns", opts.columns,
                 "The fields to show, in this order (comma-separated top-level names; a nested object "
                 "is shown whole, compactly); default: every field, in first-seen order")
      ->type_name("LIST");
  app.add_option("--by", opts.by,
                 "The group fields of a windowed series (comma-separated); default: its text fields and "
                 "numeric ones named like identifiers (status, code, port, *_id)")
      ->type_name("LIST");
  app.add_option("--windows", opts.windows, "How many of a series' latest windows to show and keep (default 20)")
      ->type_name("N");
  app.add_flag("--flat", opts.flat, "One line per event even for a windowed series");
  app.add_flag("-w,--watch", opts.watch,
               "Redraw the table in place as events arrive (at most four times a second), keeping the "
               "last --windows windows of a series or the last screenful of events; ends at the end of "
               "input or on Ctrl-C");
  app.add_option("--interval", opts.interval, "Seconds between --watch redraws at the most")
      ->type_name("SECONDS")
      ->group("");
  app.add_option("--title", opts.title, "The HTML report's title (default \"olly view\")")->type_name("TEXT");
  app.add_option("FILE", opts.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  add_common_options(app, opts.common);

  ToolDoc doc;
  doc.name = "olly-view";
  doc.summary = "show events as tables, sparkline series, markdown, csv or an HTML report";
  doc.synopsis = "olly-view [OPTIONS] [FILE...]";
  doc.description =
      "olly-view reads NDJSON events and shows them to a person. It is the end of a pipe: its output "
      "is for eyes (or a ticket, a spreadsheet, a browser), not for another olly verb.\n\n"
      "--format table (the default) aligns the events in columns: the union of their fields in "
      "first-seen order (--columns picks and orders them), numbers right-aligned with about four "
      "significant digits and the unit the field's name gives (a name ending in _ms or _s is a "
      "duration, _bytes a size, _rate or _ratio a fraction shown as a percentage, rate or _per_s "
      "a rate), nested objects as key=value and arrays in brackets. The table is as wide as the "
      "terminal (COLUMNS, else the terminal's width; no limit when output is not a terminal): "
      "the widest columns are cut first, with an ellipsis, widths counted in display columns "
      "(a CJK character or an emoji takes two), and the columns that cannot fit at all are named "
      "in a last line. A single event is shown as field and value lines. Control characters and "
      "bidi controls in values are replaced, so an event cannot move the cursor or recolor the "
      "terminal.\n\n"
      "A windowed series (olly agg ... every D: every event has a window_start) is shown as one "
      "line per group: for each numeric field a sparkline of its last --windows windows "
      "(\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588, from zero), the latest value and an "
      "arrow against the window before (\u2191 \u2193 \u2192; on a field where lower is better, "
      "such as errors and latency, a rise is red). Percentile fields of one measure (p50_latency_ms, "
      "p99_latency_ms) add a band: a bar, to one scale for all groups, solid up to the lowest "
      "percentile and shaded up to the highest. The group fields are the text fields and numeric "
      "ones named like identifiers (status, code, port, *_id); --by names them, --flat shows the "
      "events as they came.\n\n"
      "Colors carry meaning: an HTTP status by class (2xx green, 3xx cyan, 4xx yellow, 5xx red), a "
      "log level, an alert's state (firing red, pending yellow, resolved green) and severity (page "
      "red, ticket and warning yellow), explain's lift (1.5 yellow, 2 red, 3 bold red). --color "
      "decides for the table as for the diagnostics: auto colors when standard output is a terminal "
      "and NO_COLOR is unset or empty.\n\n"
      "--watch redraws the table in place as a stream goes on (tail -f ... | olly agg ... every 10s | "
      "olly view --watch), at most four times a second, keeping the last --windows windows of a "
      "series or the last screenful of other events; it ends with the input (the last frame stays) "
      "or on Ctrl-C.\n\n"
      "--format markdown writes the same table as a GitHub-flavoured markdown table (for a ticket); "
      "csv (RFC 4180) and tsv (tab, newline, carriage return and backslash escaped as \\t \\n \\r "
      "\\\\) write the values as the events had them, one line per event, with a header line; json "
      "writes the events again as NDJSON with only the --columns fields.\n\n"
      "--format html writes one self-contained HTML file (inline CSS, SVG and a few lines of "
      "JavaScript; it loads nothing, and forbids loading anything): alerts first (olly alert's "
      "events, firing ones highlighted), explain's suspects by lift, for a series an SVG chart per "
      "numeric field (the largest 8 groups) and a percentile band chart per measure, a bar chart of "
      "the groups, and the events in a table whose columns sort when their header is clicked (at "
      "most 10000 rows). Every value is escaped: a value <script> shows as text. The report prints "
      "well.\n\n"
      "Lines that are not JSON are counted, reported at the end and sent to --errors FILE; a JSON "
      "value that is not an object is an event with no fields.";
  doc.examples = {
      {"olly agg count p99:latency_ms by service every 1m requests.ndjson | olly view",
       "Per service, a sparkline of the count and of the p99 latency per minute, with the latest value and its trend."},
      {"olly agg count p50:latency_ms p99:latency_ms by service every 1m requests.ndjson | olly view --format html --title 'checkout latency'",
       "A report for a browser (redirect it to a file): charts of the p50-p99 latency band and counts per service, and the table."},
      {"olly agg count by path requests.ndjson | olly view --format markdown",
       "A markdown table for a ticket."},
      {"olly view --columns ts,service,status,latency_ms --flat requests.ndjson",
       "Four fields of every event, in that order."},
      {"olly alert --rules alert/ssh.yaml alert/auth.ndjson | olly view --color always",
       "Alerts with their state and severity in color."},
  };
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly(7)", "olly-agg(1)", "olly-alert(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    RunContext ctx(opts.common);
    ViewStage stage(opts);
    RunnerOptions run;
    run.files = opts.files;
    run.jobs = 1;
    run_event_stage(run, ctx, stage);
    return ctx.finish(kExitOk);
  });
}
