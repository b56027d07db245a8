// Diagnostics and exit codes shared by every tool.
//
// Messages go to stderr prefixed with the tool's name ("olly-filter: ...").
// Setup failures are exceptions (UsageError -> exit 2, InputError -> exit 3);
// per-record problems are values handled by RunContext (run.h).
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace olly {

enum ExitCode : int {
  kExitOk = 0,        // all well
  kExitFindings = 1,  // violations, alerts fired, filter --fail-empty without a match
  kExitUsage = 2,     // bad flags, expression or configuration
  kExitInput = 3,     // unreadable input, I/O error, --strict stop
};

// A usage or configuration error found during setup: exit 2. The message
// names the flag (and, for expressions, carries the caret display).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An input or I/O error that ends the run: exit 3.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The tool name used as message prefix ("olly-filter").
void set_tool_name(std::string_view name);
const std::string& tool_name();

// Writes "olly-VERB: MESSAGE\n" to stderr.
void print_error(std::string_view message);

template <typename... Args>
void report(fmt::format_string<Args...> f, Args&&... args) {
  print_error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace olly
