#include "alert/rule_test.h"

#include "core/diag.h"

namespace olly {

int run_rule_tests(const std::string&, const std::string&) { throw UsageError("--test: not implemented yet"); }

const char* rule_test_doc() { return "(to be written)"; }

}  // namespace olly
