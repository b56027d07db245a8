// olly-validate: check events against a JSON Schema (2020-12) data contract.
#include "core/cli.h"
#include "core/diag.h"
#include "core/runner.h"
#include "validate.h"
#include "expr/timerange.h"

using namespace olly;

int main(int argc, char** argv) {
  ValidateOptions opts;
  CLI::App app{"Check events against a JSON Schema (draft 2020-12) data contract.", "olly-validate"};
  app.add_option("CONTRACT", opts.contract, "The contract: a JSON Schema (draft 2020-12) file")->required();
  app.add_option("FILE", opts.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  app.add_option("-k,--key", opts.keys, "Copy these event fields (comma-separated paths) into each violation")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("FIELDS");
  app.add_flag("--summary", opts.summary,
               "Print counts per keyword and schema location (and totals) instead of each violation");
  app.add_option("-m,--max-errors", opts.max_errors, "Write at most N violations; checking goes on")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--pass", opts.pass_path, "Write the valid events, unchanged, to FILE")->type_name("FILE");
  app.add_option("--fail", opts.fail_path, "Write the invalid events and the lines that are not JSON, unchanged, to FILE")->type_name("FILE");
  app.add_flag("--formats", opts.formats,
               "Make 'format' assert (date-time, date, time, email, ipv4, ipv6, uuid, uri; other formats stay annotations)");
  app.add_flag("-q,--quiet", opts.quiet, "Write no violations; only the exit status (and --pass/--fail) tell");
  RunnerOptions run;
  add_runner_options(app, run, ", and --max-errors,");
  add_common_options(app, opts.common);

  ToolDoc doc;
  doc.name = "olly-validate";
  doc.summary = "check events against a JSON Schema data contract";
  doc.synopsis = "olly-validate [OPTIONS] CONTRACT [FILE...]";
  doc.description =
      "olly-validate compiles CONTRACT, a JSON Schema (draft 2020-12), once and checks every NDJSON "
      "event against it. Each violation is written as one NDJSON event: line (and file when reading "
      "several), instance_location (a JSON Pointer into the event), schema_location (a JSON Pointer "
      "into the contract), keyword, message, the offending value (compact JSON; longer than 200 "
      "bytes it becomes a string ending in ... with value_truncated), the --key fields and owner "
      "(the nearest x-owner annotation of the failing schema). The exit status is 1 when any event "
      "is invalid, so a CI job fails on contract drift.\n\n"
      "Supported keywords: type, enum, const, required, properties, patternProperties, "
      "additionalProperties, propertyNames, minProperties, maxProperties, items, prefixItems, "
      "contains, minContains, maxContains, minItems, maxItems, uniqueItems, minimum, maximum, "
      "exclusiveMinimum, exclusiveMaximum, multipleOf, minLength, maxLength (in code points), "
      "pattern, format, allOf, anyOf, oneOf, not, if/then/else, dependentRequired, dependentSchemas, "
      "$ref, $defs, $id, $anchor, $dynamicRef, $dynamicAnchor, unevaluatedProperties and "
      "unevaluatedItems; title, description, default, examples, deprecated, readOnly, writeOnly, "
      "$comment, $schema, content* and x-* keywords are annotations. Any other keyword is a "
      "configuration error (exit 2), as is a pattern RE2 cannot run (lookaround, backreferences) "
      "and a $ref outside the contract: nothing is fetched.\n\n"
      "pattern is ECMA-262 syntax run by RE2 (linear time); \\p{Letter}-style names, \\uXXXX "
      "and \\u{...} escapes are translated, \\s is ECMA-262's (U+00A0, U+2028, U+FEFF, ... "
      "included) and . matches anything but \\n, \\r, U+2028 and U+2029. Syntax that is not "
      "ECMA-262 ((?i), [[:alpha:]], \\z, an invalid escape, a lone surrogate) is a configuration "
      "error naming the pattern. format is an annotation unless --formats is given; even then a format olly does not know "
      "(hostname, duration, ...) is not asserted, as draft 2020-12 says of unknown formats. The "
      "whole contract is checked at load time, $defs nothing refers to included, and \"type\": [] "
      "is an error.\n\n"
      "Events are checked straight from simdjson On-Demand in one pass when the contract allows it "
      "(types, enums, ranges, lengths, patterns, formats, properties, required, "
      "additionalProperties, items); contracts with combinators or unevaluated* use a DOM of each "
      "event. Invalid events are always described from a DOM. Either way every value of a line is "
      "checked to be well-formed JSON, also those the contract does not constrain, and nothing may "
      "follow the value. A line that is not a JSON document does not honour the contract: it is "
      "counted as invalid (--summary, exit 1), written unchanged to --fail, and is also a bad "
      "record (--errors, --strict); a JSON line that is not an object is validated as it is. "
      "--pass and --fail receive each line's bytes unchanged (a CRLF line keeps its \\r) and must "
      "name different files. An event the contract cannot decide gets no verdict rather than a "
      "made-up one: nested deeper than the evaluator goes (4096 schema levels; fewer with a small "
      "stack), more than 10 million evaluation steps, or a $ref cycle that never looks into the "
      "value ({\"not\":{\"$ref\":\"#\"}}) make it a bad record with that reason, handled like a "
      "line that is not JSON.";
  doc.examples = {
      {"olly validate validate/requests.schema.json validate/events.ndjson",
       "Report every violation; exit 1 when any event is invalid."},
      {"olly validate --key trace_id,path --max-errors 3 validate/requests.schema.json validate/events.ndjson",
       "The first three violations, each with the event's trace id and path."},
      {"olly validate --summary validate/requests.schema.json validate/events.ndjson",
       "Counts per keyword and schema location, then totals."},
      {"olly validate -q --fail /dev/stdout validate/requests.schema.json validate/events.ndjson",
       "Only the invalid events, unchanged; --pass FILE --fail FILE splits the stream so nothing is lost."},
      {"olly validate --formats validate/requests.schema.json validate/events.ndjson",
       "Also check format (date-time, ipv4, ...)."},
  };
  doc.exit_status = exit_status_text("at least one event violates the contract");
  doc.see_also = {"olly(1)", "olly(7)", "olly-schema(1)", "olly-filter(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    RunContext ctx(opts.common);
    ValidateStage stage(opts, std::max<size_t>(1, opts.files.size()));
    run.files = opts.files;
    run.jobs = default_jobs(run.jobs);
    run_event_stage(run, ctx, stage);
    return ctx.finish(stage.invalid_events() > 0 ? kExitFindings : kExitOk);
  });
}
