// olly-correlate: join streams, assemble traces, sessions and sequences.
#include "core/cli.h"
#include "core/diag.h"
#include "correlate/correlate.h"
#include "correlate/join.h"
#include "correlate/sequence.h"
#include "correlate/sessionize.h"
#include "correlate/traces.h"

using namespace olly;

int main(int argc, char** argv) {
  std::string command;
  CorrelateCommon common;
  CLI::App app{"Join streams, assemble traces, sessions and sequences, in event time.", "olly-correlate"};
  app.add_option("COMMAND", command,
                 "join: two inputs on a key within a window; traces: spans into traces with the critical "
                 "path; sessionize: sessions split by idle gaps; sequence: A then B within a time")
      ->required()
      ->check(CLI::IsMember({"join", "traces", "sessionize", "sequence"}));
  app.add_option("ARGS", common.args,
                 "Input files (stdin when none or -); sequence: the steps first (A then B [then not C])");
  app.add_option("-k,--key", common.key, "join, sessionize: the key field (a path)")->type_name("FIELD");
  app.add_option("--within", common.within, "join: how far apart in event time a pair may be; sequence: "
                                            "the time from the first step to the last (default 5m)")
      ->type_name("DURATION");
  app.add_option("-g,--by", common.by, "sequence: group fields (comma-separated; repeatable)")
      ->type_name("FIELDS")
      ->allow_extra_args(false);
  app.add_option("--lateness", common.lateness,
                 "How far event time may go back (out-of-order input) before state is final (default 1m)")
      ->type_name("DURATION");
  app.add_option("--max-pending", common.max_pending,
                 "Stop with an error (exit 3) past this much state held at once (default 1000000)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  JoinOptions join;
  TracesOptions traces;
  SessionizeOptions sessionize;
  SequenceOptions sequence;
  add_join_options(app, join);
  add_traces_options(app, traces);
  add_sessionize_options(app, sessionize);
  add_sequence_options(app, sequence);
  add_common_options(app, common.common);

  ToolDoc doc;
  doc.name = "olly-correlate";
  doc.summary = "join streams, assemble traces, sessions and sequences, in event time";
  doc.synopsis =
      "olly-correlate join --key K|--left-key F --right-key F [--within D] [--inner|--left|--anti] [--as NAME] A B\n"
      "olly-correlate traces [--idle D] [FILE...]\n"
      "olly-correlate sessionize --key K --gap D [--first F,...] [--last F,...] [FILE...]\n"
      "olly-correlate sequence A then B [then C|then not C] --within D [--by K] [FILE...]";
  doc.description =
      "olly-correlate relates events to one another in event time. Each sub-command keeps only the "
      "state that can still change (the window of a join, the traces not yet idle, the open "
      "sessions, the sequences not yet complete or expired), so memory is bounded by what is "
      "active, not by the input. Input that is out of order by up to --lateness is handled; an "
      "event without the key or a readable time is a bad record (counted, --errors with the "
      "reason); what is evicted unmatched is counted in --stats.";
  doc.sections = {{"JOIN", join_doc()},
                  {"TRACES", traces_doc()},
                  {"SESSIONIZE", sessionize_doc()},
                  {"SEQUENCE", sequence_doc()}};
  for (auto* examples : {&join_examples, &traces_examples, &sessionize_examples, &sequence_examples}) {
    for (auto& e : (*examples)()) doc.examples.push_back(std::move(e));
  }
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(7)", "olly-agg(1)", "olly-parse(1)"};

  return run_tool(app, doc, argc, argv, [&]() -> int {
    if (command == "join") return run_join(join, common);
    if (command == "traces") return run_traces(traces, common);
    if (command == "sessionize") return run_sessionize(sessionize, common);
    return run_sequence(sequence, common);
  });
}
