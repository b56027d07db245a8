// olly-schema's two commands: infer (a stage over the event stream) and diff.
#pragma once
#include <string>
#include <vector>

#include "core/run.h"
#include "schema/schema_infer.h"
#include "core/stage.h"

namespace olly {

struct SchemaToolOptions {
  std::string command;             // "infer" or "diff"
  std::vector<std::string> args;   // infer: FILEs; diff: OLD NEW
  size_t max_enum = 10;
  bool no_formats = false;
  bool no_ranges = false;
  bool closed = false;
  std::string title;
  CommonOptions common;
};

int run_infer(const SchemaToolOptions& opts);
int run_diff(const SchemaToolOptions& opts);

}  // namespace olly
