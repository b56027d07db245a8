// olly-alert --test: unit tests for alert rules, in the style of promtool
// test rules (input series in the expanding notation, or input events;
// eval_time; expected alerts with labels and annotations).
#pragma once
#include <string>

namespace olly {

// Runs the tests of a test file; writes a readable report to stdout (a diff
// for each mismatch) and, when junit_path is given, JUnit XML there.
// Returns 0 when every test passed, 1 otherwise; a bad test file is a
// UsageError (exit 2) naming FILE:LINE:COL.
int run_rule_tests(const std::string& path, const std::string& junit_path);

// The TESTS section of olly-alert(1).
const char* rule_test_doc();

}  // namespace olly
