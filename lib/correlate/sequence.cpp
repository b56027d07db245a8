#include "correlate/sequence.h"

#include "core/diag.h"

namespace olly {

// Not built yet: olly-correlate sequence says so (exit 2).
void add_sequence_options(CLI::App&, SequenceOptions&) {}
std::string sequence_doc() { return "Not available yet."; }
std::vector<Example> sequence_examples() { return {}; }
int run_sequence(const SequenceOptions&, CorrelateCommon&) { throw UsageError("sequence: not available yet"); }

}  // namespace olly
