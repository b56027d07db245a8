// olly-schema: infer a contract from a sample; diff two contracts.
#include "core/cli.h"
#include "core/diag.h"
#include "schema.h"

using namespace olly;

int main(int argc, char** argv) {
  SchemaToolOptions opts;
  CLI::App app{"Infer a JSON Schema contract from sample events; diff two contracts.", "olly-schema"};
  app.add_option("COMMAND", opts.command, "infer: learn a contract from events; diff: compare OLD and NEW")
      ->required()
      ->check(CLI::IsMember({"infer", "diff"}));
  app.add_option("ARGS", opts.args, "infer: input files (stdin when none or -); diff: OLD NEW");
  app.add_option("--max-enum", opts.max_enum,
                 "infer: strings with at most N distinct values (each seen twice on average) become an enum")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--no-formats", opts.no_formats, "infer: do not detect formats (date-time, date, uuid, ipv4, ipv6, email)");
  app.add_flag("--no-ranges", opts.no_ranges, "infer: do not write the minimum and maximum seen");
  app.add_flag("--closed", opts.closed, "infer: forbid fields the sample did not have (additionalProperties: false)");
  app.add_option("--title", opts.title, "infer: the contract's title")->type_name("TEXT");
  add_common_options(app, opts.common, TimeFlags::none);

  ToolDoc doc;
  doc.name = "olly-schema";
  doc.summary = "infer a data contract from events; diff two contracts";
  doc.synopsis = "olly-schema infer [OPTIONS] [FILE...]\nolly-schema diff OLD NEW";
  doc.description =
      "olly-schema infer reads a sample of NDJSON events and writes a JSON Schema (draft 2020-12) "
      "contract for olly-validate(1): the types seen per field (null included; integer when every "
      "number was whole, else number), required (the fields present in every event, or in every "
      "instance of their parent object), an enum for strings with few distinct values (--max-enum, "
      "only when values repeat, and only on fields that held nothing but strings and null), the minimum and maximum seen, and a format when every string "
      "of a field had one (date-time, date, uuid, ipv4, ipv6, email). Nested objects and arrays "
      "are described the same way. Review the result before committing it: a sample only shows "
      "what it holds; it always accepts the sample it came from. When an input cannot be read "
      "(a missing or unreadable file, a corrupt compressed stream), nothing is written to standard "
      "output and the exit status is 3: a contract of part of the sample would pass for the real "
      "one. An empty sample (no events, or only blank lines) is not an error: its contract, which "
      "accepts any event, is written, with a warning on standard error.\n\n"
      "olly-schema diff OLD NEW compares two contracts field by field and writes each change as one "
      "NDJSON event: change, breaking, path (the field in events, in olly's path syntax: a.b, "
      "a[\"odd.key\"], tags[] for array items, a.* for additionalProperties), schema_location, old, "
      "new and message. A change is breaking when NEW accepts events OLD rejected, so a consumer written "
      "against OLD may receive something it does not expect: field_removed, type_widened, "
      "no_longer_required, enum_value_added, range_widened, pattern_changed, format_removed, "
      "additional_properties_allowed and additional_properties_unconstrained (additionalProperties "
      "false or a schema dropped), a field added where OLD's additionalProperties was false (or "
      "whose schema accepts more than OLD's additionalProperties schema did), ref_changed (a $ref "
      "that cannot be followed now points elsewhere), and any change to a keyword without a finer "
      "rule (anyOf, oneOf, ...). Narrowing is compatible: type_narrowed, newly_required, "
      "enum_value_removed, range_narrowed (minimum turned into an equal exclusiveMinimum included), "
      "field_added (unless OLD was closed). Local $refs (\"#/...\") are followed, also beside other "
      "keywords (both apply), and recursive contracts are compared once per pair of ref chains.";
  doc.examples = {
      {"olly schema infer requests.ndjson", "Learn a contract from a sample."},
      {"olly schema infer --max-enum 3 --closed --no-ranges requests.ndjson",
       "Tighter: few enums, no unknown fields, no ranges."},
      {"olly schema diff schema/old.schema.json schema/new.schema.json",
       "List the changes; exit 1 when any is breaking (for CI)."},
  };
  doc.exit_status = exit_status_text("diff found a breaking change");
  doc.see_also = {"olly(1)", "olly(7)", "olly-validate(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    if (opts.command == "diff") return run_diff(opts);
    return run_infer(opts);
  });
}
