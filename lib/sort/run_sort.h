// olly-sort's run: a serial stage that reads each event's sort key (one
// forward pass of the FieldExtractor), keeps the line's bytes and key in a
// Sorter, and writes the lines in order at the end of input.
#pragma once
#include <string>
#include <vector>

#include "core/run.h"
#include "sort/sort_key.h"
#include "sort/sorter.h"

namespace olly {

struct SortOptions {
  std::vector<SortField> fields;  // -k
  SorterOptions sorter;           // --memory, --head
  std::vector<std::string> files;
};

// Runs the sort; returns the exit status (after ctx.finish).
int run_sort(const SortOptions& opts, RunContext& ctx);

}  // namespace olly
