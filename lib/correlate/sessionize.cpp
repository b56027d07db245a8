#include "correlate/sessionize.h"

#include "core/diag.h"

namespace olly {

// Not built yet: olly-correlate sessionize says so (exit 2).
void add_sessionize_options(CLI::App&, SessionizeOptions&) {}
std::string sessionize_doc() { return "Not available yet."; }
std::vector<Example> sessionize_examples() { return {}; }
int run_sessionize(const SessionizeOptions&, CorrelateCommon&) { throw UsageError("sessionize: not available yet"); }

}  // namespace olly
