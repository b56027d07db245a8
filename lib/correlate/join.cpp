#include "correlate/join.h"

#include "core/diag.h"

namespace olly {

// Not built yet: olly-correlate join says so (exit 2).
void add_join_options(CLI::App&, JoinOptions&) {}
std::string join_doc() { return "Not available yet."; }
std::vector<Example> join_examples() { return {}; }
int run_join(const JoinOptions&, CorrelateCommon&) { throw UsageError("join: not available yet"); }

}  // namespace olly
