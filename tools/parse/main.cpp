// olly-parse: text logs and telemetry exports to NDJSON events.

#include <algorithm>
#include <thread>

#include "core/cli.h"
#include "core/diag.h"
#include "core/input.h"
#include "parse/driver.h"
#include "time/timeformat.h"
#include "core/stage.h"

using namespace olly;

namespace {

ToolDoc parse_doc() {
  ToolDoc doc;
  doc.name = "olly-parse";
  doc.summary = "turn text logs and telemetry exports into NDJSON events";
  doc.synopsis = "olly-parse [OPTIONS] FORMAT [FILE...]\nolly-parse [OPTIONS] regex PATTERN [FILE...]\n"
                 "olly-parse --detect [FILE...]";
  doc.description =
      "olly-parse reads text in one FORMAT and writes one JSON object per event, one per line. "
      "Lines that do not fit the format are never dropped silently: they are counted, reported at "
      "the end with the first one's line number, and written with their reason to --errors FILE; "
      "--strict stops at the first one (exit 3). Blank lines carry no data and are skipped.\n\n"
      "Formats: logfmt; combined (also named nginx or apache) and common (nginx/Apache access "
      "logs, or any nginx log_format layout given with --format-string); syslog (RFC 5424 and "
      "RFC 3164, told apart per line); cri (Kubernetes container logs as containerd and CRI-O "
      "write them); apache_error (Apache httpd's error log); "
      "csv and tsv (header row, or --columns); regex (RE2 named captures); otlp (OpenTelemetry "
      "OTLP/JSON: spans, log records and metric data points); prom (Prometheus text exposition); "
      "json (validate and re-emit); auto (sniff the format from the first lines and name it on "
      "stderr).\n\n"
      "Times: formats that carry a time add `ts` in RFC 3339 UTC and keep the original text. "
      "--tz names the zone for times written without an offset (UTC by default). --time-field F "
      "rewrites the top-level field F of every event to RFC 3339 UTC (from RFC 3339, epoch "
      "seconds/ms/µs/ns by magnitude, or a common log format time) and keeps the original as "
      "F_original; an event whose F is missing or no time is left as it is. --time-format LAYOUT "
      "reads F's strings in the layout the log uses instead (strptime's directives: %Y %y %m %b "
      "%d %e %j %H %I %p %M %S %f %z %Z %s %a, and %T %F %D %R; a blank matches one or more): "
      "`olly-parse regex '^(?P<ts>\\d{6} \\d{6}) ...' --time-format '%y%m%d %H%M%S'` for HDFS; "
      "--year gives a layout without a year its year (default: the current one, or last year for a "
      "date more than a day ahead), --tz its zone; F defaults to ts.\n\n"
      "--keep-raw adds the record as `_raw` (for --multiline-start, the joined lines; for otlp, "
      "the whole export document). --multiline-start RE makes a line that matches RE start an "
      "event and joins each other line to the one before with a newline (stack traces, indented "
      "syslog continuations); it works with every line format.\n\n"
      "--field F reads logs inside logs: the input is NDJSON, and each event's string field F is "
      "parsed in FORMAT, the event's other fields kept before the fields it gives (docker's "
      "json-file driver writes {\"log\": \"...\\n\", \"stream\": ..., \"time\": ...}: `olly-parse json "
      "--field log`; a CRI message: `olly-parse cri | olly-parse json --field msg`). One trailing "
      "newline of the field is dropped. A field the parsed event has too keeps the outer value as "
      "NAME_outer (time and time_outer); a parsed value that is no object (a JSON array) takes "
      "F's name. An event that is not JSON, has no field F, has a non-string F, or whose F does "
      "not fit FORMAT is a bad record (the whole line in --errors).";
  doc.sections = {
      {"FORMATS",
       "logfmt: key=value pairs separated by blanks (whitespace or the bytes 0x1c-0x1f); a key "
       "is a printable token (ASCII letters, digits and punctuation such as _ . - / @ :, or "
       "printable UTF-8), and a control byte outside a quoted value, an unprintable key or a "
       "line of separators only makes the line a bad line; \"quoted values\" with escapes; a bare key is "
       "true; key= is the empty string. Duplicate keys: the last value wins, at the first "
       "position. Values are strings unless --infer-types. ts: when time, timestamp or t holds an "
       "RFC 3339 time and there is no ts key, ts (RFC 3339 UTC) is added; a ts key in another "
       "zone or layout of RFC 3339 is rewritten to UTC and its text kept as ts_original.\n\n"
       "combined, common: field names are nginx's variable names (remote_addr, remote_user, "
       "time_local, request, status, body_bytes_sent, http_referer, http_user_agent); the request "
       "is also split into method, path, query and protocol; status and bytes are integers, "
       "request_time a number; a field that is '-' is null. Trailing columns that common nginx "
       "variants append are named by their place, whatever their value: a quoted one is "
       "http_x_forwarded_for (for common: http_referer, http_user_agent, then "
       "http_x_forwarded_for), bare ones are request_time then upstream_response_time (nginx's "
       "timed_combined layout; a number when they read as one), and the rest of the line is the "
       "string extra. When the log has other columns (e.g. $upstream_addr), give its log_format "
       "with --format-string. "
       "--format-string takes an nginx log_format string ($variable or ${variable}).\n\n"
       "syslog: pri, facility, severity, version, time, ts, host, app, pid, msgid, sd (RFC 5424 "
       "structured data as {id: {param: value}}; NILVALUE is null), msg. A line whose header "
       "(after <PRI>, if any) starts with an RFC 3339 time followed by host, app, procid, msgid "
       "and '-' or '[' structured data (rsyslog's file format of RFC 5424) is RFC 5424 without "
       "version (and pri); an RFC 3339 time followed by \"host app[pid]: msg\" stays RFC 3164. "
       "RFC 3164 lines carry no year. With --year Y, Y is the year of each file's first line and "
       "the year goes up by one at each new year, read in file order: a month more than six "
       "months before the previous line's (Dec 31 then Jan 1) starts the next year, and a month "
       "more than six months after it is a late line of the year before; such a file is read by "
       "one thread (-j does not split it), so every -j gives the same years. Without --year, "
       "each line is dated on its own: the current year, or last year when that would put it "
       "more than a day in the future (a December log read in January).\n\n"
       "cri: the CRI container log format (/var/log/pods/*/*/N.log: \"2026-11-25T02:40:01.120394857Z "
       "stdout F message\"): time, ts (RFC 3339 UTC), stream (stdout or stderr), logtag (F for a "
       "whole line; P for a part of a line the runtime split, 16 KiB each), msg. The parts of a "
       "line are joined into one event, written when its final part comes, with the first part's "
       "time and the final part's tag (stdout and stderr are joined apart, as their parts "
       "interleave); parts whose final part never comes are written at the end of the file with "
       "logtag P. The message is often JSON itself: pipe it on to `olly-parse json --field msg`.\n\n"
       "apache_error: Apache httpd's error log, 2.4's default ErrorLogFormat and 2.2's layout "
       "(\"[Wed Nov 25 02:40:01.123456 2026] [core:error] [pid 35708:tid 1402435] [client "
       "203.0.113.7:51234] AH00128: File does not exist: ...\"): time, ts (read in --tz: the log has "
       "no offset), module (2.4), level, pid, tid (a string: thread ids outgrow JSON readers' "
       "integers), os_error (\"(32)Broken pipe\"), client or remote (the peer as written), code "
       "(AH00128), msg, and referer when the message ends with \", referer: URL\". The time and the "
       "level are required, the rest is taken when it is there.\n\n"
       "csv, tsv: RFC 4180 quoting with embedded newlines (csv); the first record names the "
       "columns unless --columns is given; --infer-types makes unquoted numbers numbers, true/false "
       "booleans and empty fields null. --infer-types writes a number only when JSON readers take "
       "it back (an integer within int64 or uint64, else a finite double): 1e999, "
       "18446744073709551616 and 007 stay strings, in every format.\n\n"
       "regex PATTERN: the RE2 pattern is searched in each record (anchor it with ^ and $); named "
       "groups (?P<name>...) become string fields (typed with --infer-types); a group that did not "
       "take part is omitted. With --multiline-start, write (?s) to let . match the joined "
       "newlines.\n\n"
       "otlp: OTLP/JSON export documents, one per line (collector file exporter) or pretty-printed "
       "over many lines, flattened to one event per span, log record or metric data point, with "
       "`signal` span, log or metric. Attribute lists become objects ({\"http.method\": \"GET\"}); "
       "resource attributes go under `resource`, the scope's name, version and attributes under "
       "`scope`, and resource service.name is repeated as `service`. Trace and span ids are "
       "lower-case hex (upper-case hex and base64 ids are converted). Times stay exact as "
       "integer *_unix_nano fields and `ts` gives the start (span), event or observed (log) or "
       "sample (metric) time in RFC 3339 with nanoseconds. Spans: name, kind (SERVER, CLIENT, "
       "PRODUCER, CONSUMER, INTERNAL), status (UNSET, OK, ERROR), status_message, duration_ms, "
       "events, links. Logs: severity (the text, else the name of severity_number), "
       "severity_number, body (any value, as JSON), trace_id, span_id, event_name. Metrics: "
       "name, type (sum, gauge, histogram, exponential_histogram, summary), unit, value, "
       "temporality (DELTA, CUMULATIVE), monotonic, count, sum, min, max; histograms keep "
       "bucket_counts and explicit_bounds as arrays (the last count is the +Inf bucket); "
       "exponential histograms scale, zero_count and positive/negative {offset, bucket_counts}; "
       "summaries quantiles [{quantile, value}]. Exemplars are not carried over. severityNumber "
       "may be written as the enum's name (SEVERITY_NUMBER_WARN is 13). Nothing is dropped "
       "silently: a resource, scope, span, log record or data point entry that is no object, and "
       "a metric without data, is a bad record of its own (at the document's first line, its raw "
       "the entry), while the document's other events are written.\n\n"
       "prom: one event per sample: name, family (when a histogram or summary sample's name "
       "differs from its family), type (from # TYPE; untyped without), help, labels {name: "
       "value}, value, and with a timestamp timestamp_ms and ts. +Inf, -Inf and NaN, which JSON "
       "cannot hold, are the strings \"+Inf\", \"-Inf\" and \"NaN\". What Prometheus' parser "
       "rejects goes to --errors, a repeated label name included. OpenMetrics text is accepted: # EOF is ignored, # UNIT gives "
       "unit, and an exemplar becomes `exemplar` {labels, value, timestamp}.\n\n"
       "json: JSON objects or arrays, one per line, several on a line, or pretty-printed over "
       "many lines (framed as for otlp); each is fully validated and written back on one line as "
       "it was, blanks around it and a multi-line document's line breaks and indentation "
       "dropped. A line that is no object or array, or that ends inside a string, is a bad "
       "record.\n\n"
       "otlp and json framing: a document is complete when its brackets close. One left open "
       "when a line starts with '{' or '[' in column 0 was cut short (a bad record; the new line "
       "starts the next document), unless the open document is laid out without indentation "
       "(json.dumps(indent=0)).\n\n"
       "auto: each input is judged on its own first 32 lines (more while a JSON document is "
       "open; fewer when a pipe or terminal goes quiet for 300 ms after a line, so that `tail -f "
       "x | olly-parse auto` streams). Input whose first line opens a JSON document is json, or "
       "otlp when a document names resourceSpans, resourceLogs or resourceMetrics, if most of "
       "its documents parse. Otherwise each line format is tried on the lines that do not start "
       "with a blank (indented continuation lines do not vote): prom, cri, syslog (with a PRI or "
       "a tag), combined or common, apache_error, logfmt (two or more pairs), tsv and csv (a header of two or "
       "more names, each starting with a letter or _, with at most three blanks and no number, "
       "time, key=value or sentence punctuation, and every record after it that wide). The "
       "format that parses the most lines wins, in that order when tied, if it parses at least "
       "two lines in three; olly-parse names it on stderr (`auto: FILE: parsing as FORMAT` with "
       "several inputs, each of which gets its own). When none does, olly-parse exits 3 rather "
       "than guess: name the format (regex covers the rest); with several inputs the others are "
       "still parsed. When the chosen format is logfmt, combined, common, syslog or apache_error "
       "and the sample has an indented line after an event's first line (a stack trace), a line "
       "that starts with a blank continues the event before it: the event is parsed from its "
       "first line, and the lines after it go into `continuation` as text (said on stderr; such an "
       "input is read by one thread). Give --multiline-start to decide otherwise.\n\n"
       "--detect [FILE...] (or auto --detect [FILE...]): prints only the name auto would "
       "choose. Each file is judged on its "
       "own first lines; with several files, one line `FILE: NAME` per file (a file nothing fits "
       "is named on stderr instead). Exit status: 0 when every input got a name, 1 when one fits "
       "no format, 3 when one cannot be read."},
  };
  doc.examples = {
      {"olly-parse logfmt parse/app.logfmt", "Key=value application logs to events."},
      {"olly-parse combined parse/access.log", "nginx or Apache combined access logs; status and bytes are integers."},
      {"olly-parse common parse/common.log", "Common log format (no referer or user agent); a '-' byte count is null."},
      {"olly-parse combined --format-string '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent $request_time' parse/timed.log",
       "A custom nginx log_format with the request time appended."},
      {"olly-parse syslog --year 2026 parse/syslog.log", "RFC 3164 and RFC 5424 lines, told apart per line."},
      {"olly-parse cri parse/pods.log", "Kubernetes container logs; a line split in parts (P) is joined into one event."},
      {"olly-parse apache_error parse/apache_error.log", "Apache httpd's error log: level, module, pid, client, AH code, message."},
      {"olly-parse csv --infer-types parse/orders.csv", "CSV with a header row; numbers and booleans typed, a quoted newline kept."},
      {"olly-parse tsv parse/events.tsv", "Tab-separated values with a header row; \\t escapes decoded."},
      {"olly-parse regex '^(?P<ts>\\S+) (?P<level>[A-Z]+) (?s)(?P<msg>.*)' --multiline-start '^\\d{4}-' parse/app.log",
       "Named captures as fields; stack trace lines joined into the event before them."},
      {"olly-parse otlp parse/trace.json", "An OTLP/JSON trace export: one event per span, ids in hex, duration_ms computed."},
      {"olly-parse prom parse/metrics.prom", "Prometheus text exposition: one event per sample."},
      {"olly-parse json --time-field time parse/app.ndjson", "Validate JSON lines and rewrite `time` to RFC 3339 UTC."},
      {"olly-parse auto --year 2026 parse/syslog.log", "Sniff the format from the first lines (named on stderr), then parse with it."},
      {"olly-parse json --field log parse/docker.ndjson",
       "Docker json-file logs: the application's JSON inside `log` parsed, stream and time kept."},
      {"olly-parse auto parse/trace.log", "logfmt with a stack trace: its indented lines go into `continuation`."},
      {"olly-parse -H logfmt parse/app.logfmt parse/trace.log", "Several files: each event names its file in _file."},
      {"olly-parse regex '^(?P<ts>\\d{6} \\d{6}) (?P<pid>\\d+) (?P<level>[A-Z]+) (?P<msg>.*)' --time-format '%y%m%d %H%M%S' parse/hdfs.log",
       "HDFS's own time layout read into ts (RFC 3339 UTC; the text kept as ts_original)."},
      {"olly-parse --detect parse/access.log", "Print the format auto would choose."},
  };
  doc.exit_status = exit_status_text("--detect found no format that fits");
  doc.see_also = {"olly(1)", "olly(7)", "olly-filter(1)", "olly-agg(1)"};
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  parse::ParseOptions opts;
  CommonOptions common;
  std::string format;
  std::vector<std::string> files;
  bool detect = false;
  unsigned jobs = 0;
  uint64_t block_size = 1 << 20;

  CLI::App app{"Turn text logs and telemetry exports into NDJSON events.", "olly-parse"};
  std::vector<std::string> names = parse::format_names();
  // A format name; with --detect (before or after it) the first positional
  // is a file instead, checked when it is opened. Named like add_choice's
  // validators so the man page and completions list the formats.
  // `olly-parse auto --detect FILE`: auto before --detect is the format
  // (the same as none), not a file.
  bool detect_given = false, auto_before_detect = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") break;
    if (std::string_view(argv[i]) == "--detect") detect_given = true;
    if (std::string_view(argv[i]) == "auto" && !detect_given) auto_before_detect = true;
  }
  // Every name the FORMAT takes (aliases too), and the list --help shows:
  // "combined (or nginx, apache)".
  std::vector<std::string> choices = names;
  std::vector<std::string> shown;
  for (const std::string& name : names) {
    std::vector<std::string> aliases;
    for (const auto& [alias, target] : parse::format_aliases()) {
      if (target == name) aliases.push_back(alias);
    }
    choices.insert(choices.end(), aliases.begin(), aliases.end());
    shown.push_back(aliases.empty() ? name : fmt::format("{} (or {})", name, fmt::join(aliases, ", ")));
  }
  auto format_check = [choices, names, detect_given](std::string& value) -> std::string {
    if (detect_given || std::find(choices.begin(), choices.end(), value) != choices.end()) return {};
    return fmt::format("'{}' is not one of {}", value, fmt::join(names, ", "));
  };
  app.add_option("FORMAT", format,
                 fmt::format("Input format: {} (see FORMATS)", fmt::join(shown, ", ")))
      ->check(CLI::Validator(format_check, "", choices_validator_name(choices)))
      ->type_name("FORMAT");
  app.add_option("FILE", files,
                 "Input files (.gz and .zst read transparently); stdin when none or -. For regex the "
                 "first is the PATTERN");
  app.add_flag("--keep-raw", opts.keep_raw, "Add the raw record as _raw");
  app.add_flag("--infer-types", opts.infer_types,
               "logfmt, csv, tsv, regex: numbers become numbers (only those JSON readers take back: integers within int64/uint64, other numbers finite), true/false booleans");
  app.add_option("--columns", opts.columns, "csv, tsv: column names (comma-separated); the input has no header row")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("NAMES");
  app.add_option("--multiline-start", opts.multiline_start,
                 "A line matching this RE2 pattern starts an event; other lines join the one before")
      ->type_name("RE");
  app.add_option("--format-string", opts.format_string,
                 "combined, common: an nginx log_format layout ($remote_addr [$time_local] ...)")
      ->type_name("LAYOUT");
  app.add_option("-j,--jobs", jobs,
                 "Threads for regular files (default: the number of cores); the output is in input "
                 "order either way. stdin, compressed input, csv, tsv, otlp, prom, json, syslog with "
                 "--year and --multiline-start are read by one thread")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_option("--block-size", block_size, "Bytes a thread parses at a time (testing)")
      ->check(CLI::PositiveNumber)
      ->group("");
  app.add_option("--field", opts.field,
                 "Read NDJSON events and parse their string field F in FORMAT, keeping the other fields "
                 "(docker json-file `log`, a CRI `msg`)")
      ->type_name("F");
  app.add_flag("-H,--with-filename", opts.with_filename,
               "Add the input file name as _file when reading several files (as olly-filter -H)");
  app.add_flag("--detect", detect, "Only print the format auto would choose for the input");
  add_common_options(app, common, TimeFlags::field);
  app.get_option("--time-format")->description(
      "The layout of --time-field's times, strptime-style (%y%m%d %H%M%S for HDFS, %m-%d %H:%M:%S.%f for "
      "Android); --year and --tz give what it lacks");
  app.get_option("--tz")->description("Time zone for times without an offset: UTC, +05:30, local, Europe/Berlin");
  app.get_option("--year")->description(
      "syslog: the year of each file's first RFC 3164 time; later lines roll over to the next year at Dec -> Jan "
      "(default: the current year, decided per line); --time-format: the year of a layout without one");

  ToolDoc doc = parse_doc();
  return run_tool(app, doc, argc, argv, [&]() -> int {
    if (detect) {
      // olly-parse --detect FILE...: the first positional is a file, not a
      // format. Each file is judged on its own first lines.
      if (format == "auto" && auto_before_detect) format.clear();
      if (!format.empty()) files.insert(files.begin(), format);
      if (files.empty()) files.push_back("-");
      int status = kExitOk;
      for (const std::string& file : files) {
        LineReader reader({file});
        std::string guess = parse::detect_input(reader);
        if (reader.open_failures() > 0) {
          status = kExitInput;  // LineReader said "cannot open"
          continue;
        }
        if (guess.empty()) {
          if (files.size() == 1) report("--detect: no format fits the input's first lines");
          else report("--detect: {}: no format fits its first lines", file);
          if (status == kExitOk) status = kExitFindings;
          continue;
        }
        if (files.size() > 1) {
          stdout_sink().write(file);
          stdout_sink().write(": ");
        }
        stdout_sink().write(guess);
        stdout_sink().put('\n');
      }
      stdout_sink().flush();
      return status;
    }
    if (format.empty()) {
      throw UsageError(fmt::format("FORMAT: missing; one of {}", fmt::join(names, ", ")));
    }
    format = parse::canonical_format_name(format);
    opts.format = format;
    if (format == "regex") {
      if (files.empty()) throw UsageError("regex: give the pattern: olly-parse regex 'PATTERN' [FILE...]");
      opts.pattern = files.front();
      files.erase(files.begin());
    }
    opts.time_field = common.time_field;
    opts.time_format = common.time_format;
    opts.tz_name = common.tz;
    opts.year = common.year;
    if (!opts.time_format.empty()) {
      std::string error;
      if (!check_time_format(opts.time_format, &error)) {
        throw UsageError(fmt::format("--time-format: '{}': {}", opts.time_format, error));
      }
      // A layout names how a time is written: ts, unless --time-field says which field.
      if (opts.time_field.empty()) opts.time_field = "ts";
    }
    opts.with_filename = opts.with_filename && files.size() > 1;
    RunContext ctx(common);
    Emitter out(stdout_sink(), ctx.stats());
    if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
    if (format == "auto") {
      if (!opts.field.empty()) {
        throw UsageError("--field: name the format of the field (olly-parse json --field log); auto judges "
                         "whole lines");
      }
      parse::run_parse_auto(files, jobs, block_size, ctx, out, opts);
      return ctx.finish(kExitOk);
    }
    if (!parse::run_parse_parallel(files, jobs, block_size, ctx, out, opts)) {
      auto parser = parse::build_format(opts);
      LineReader reader(files);
      parse::run_parse(reader, ctx, out, *parser, opts);
    }
    return ctx.finish(kExitOk);
  });
}
