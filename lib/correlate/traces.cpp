#include "correlate/traces.h"

#include "core/diag.h"

namespace olly {

// Not built yet: olly-correlate traces says so (exit 2).
void add_traces_options(CLI::App&, TracesOptions&) {}
std::string traces_doc() { return "Not available yet."; }
std::vector<Example> traces_examples() { return {}; }
int run_traces(const TracesOptions&, CorrelateCommon&) { throw UsageError("traces: not available yet"); }

}  // namespace olly
