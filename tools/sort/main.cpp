// olly-sort: sort NDJSON events by fields, in bounded memory.
#include <fmt/format.h>

#include "core/cli.h"
#include "core/diag.h"
#include "sort/run_sort.h"

using namespace olly;

int main(int argc, char** argv) {
  SortOptions opts;
  std::vector<std::string> keys;
  std::string memory = "512M";
  uint64_t head = UINT64_MAX;
  CommonOptions common;
  CLI::App app{"Sort NDJSON events by fields, in bounded memory.", "olly-sort"};
  app.add_option("-k,--key", keys,
                 "Sort by these fields (comma-separated paths, a leading - for descending; repeatable: "
                 "-k status -k -latency_ms is -k status,-latency_ms)")
      ->type_name("FIELDS")
      ->allow_extra_args(false)
      ->required();
  app.add_option("--head", head, "Write only the first N events, keeping N in a heap instead of sorting everything")
      ->type_name("N");
  app.add_option("--memory", memory,
                 "Hold at most this much (bytes, or with K, M, G; default 512M); past it, sorted runs go to "
                 "temporary files in $TMPDIR and are merged")
      ->type_name("SIZE");
  app.add_option("FILE", opts.files, "Input files (.gz and .zst read transparently); stdin when none or -");
  add_common_options(app, common);

  ToolDoc doc;
  doc.name = "olly-sort";
  doc.summary = "sort NDJSON events by fields, in bounded memory";
  doc.synopsis = "olly-sort [OPTIONS] -k FIELDS... [FILE...]";
  doc.description =
      "olly-sort writes its input's events ordered by the -k fields: by the first, then the next. A "
      "leading - sorts a field descending (+ says ascending). Numbers compare as numbers (integers "
      "exactly, and with doubles), strings bytewise (UTF-8 code point order), and then come booleans "
      "(false, true), arrays and objects (by their JSON text); null and missing fields come last in "
      "either direction. A string is a string: \"10\" is not the number 10 (convert it first with olly "
      "eval --set 'n=float(n)'). The sort is stable: events with equal keys keep their input order.\n\n"
      "Lines are written byte for byte as they came (a CRLF line's CR is dropped, as every olly verb "
      "does). Each line's keys are read once, with a forward pass over the line that stops at the last "
      "key; like olly-filter, olly-sort validates what it reads and that an object is closed, not the "
      "whole line. Lines that are not JSON are counted, reported at the end and sent to --errors FILE; a "
      "JSON value that is not an object is an event with no fields (it sorts as missing).\n\n"
      "Memory: olly-sort holds the lines and their keys up to --memory (default 512M). Past it, each "
      "full batch is sorted and written as a run to a temporary file in $TMPDIR (or /tmp), and at the "
      "end the runs are merged, 64 at a time (in passes when there are more), so any input sorts with "
      "--memory plus 256 KiB per merged run. The run files are unlinked as soon as they are created: "
      "nothing is left behind, whether the sort ends, fails or is killed; they need free space in "
      "$TMPDIR about the size of the input. --stats counts the runs written (\"runs\").\n\n"
      "--head N keeps only the first N events of the order in a heap as they are read (memory for N "
      "events, whatever --memory says), for the top N of a large input without sorting all of it.";
  doc.examples = {
      {"olly sort -k status,-latency_ms requests.ndjson", "By status, then slowest first within a status."},
      {"olly sort -k -latency_ms --head 3 requests.ndjson", "The three slowest requests."},
      {"olly sort -k ts --memory 4K requests.ndjson", "By time, through temporary runs merged at the end (as a file larger than --memory would be)."},
  };
  doc.exit_status = exit_status_text("");
  doc.see_also = {"olly(1)", "olly-agg(1)", "olly-filter(1)", "sort(1)"};

  return run_tool(app, doc, argc, argv, [&] {
    for (const auto& k : keys) {
      for (auto& f : parse_sort_fields(k, "--key")) opts.fields.push_back(std::move(f));
    }
    opts.sorter.memory = parse_memory_size(memory, "--memory");
    opts.sorter.head = head;
    RunContext ctx(common);
    return run_sort(opts, ctx);
  });
}
