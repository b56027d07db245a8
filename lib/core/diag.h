// Diagnostics and exit codes shared by every tool.
//
// Messages go to stderr prefixed with the tool's name ("olly-filter: ...").
// Setup failures are exceptions (UsageError -> exit 2, InputError -> exit 3);
// per-record problems are values handled by RunContext (run.h).
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// Writes "olly-VERB: MESSAGE\n" to stderr. With color on, the tool name is
// bold and a caret line (blanks then '^', under an expression error) is red.
void print_error(std::string_view message);

// --color: whether diagnostics on stderr are colored. run_tool decides once,
// after parsing the flags: "always" and "never" as said; "auto" colors when
// stderr is a terminal and NO_COLOR is unset or empty. Off until decided.
void set_color(std::string_view when);
bool color_enabled();

// What a painted piece of a diagnostic is.
enum class Paint {
  location,  // "file:line": cyan
  error,     // what went wrong, the caret, the bad-line summary: bold red
  name,      // the tool name prefix: bold
};
// text wrapped in the escape codes of kind when color is on; else text.
std::string paint(Paint kind, std::string_view text);
// "FILE:LINE" painted as a location.
std::string location(std::string_view file, uint64_t line);

// The candidate closest to word by edit distance when it is close enough to
// be a likely typo (for "did you mean ...?"); empty otherwise.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
size_t edit_distance(std::string_view a, std::string_view b);

template <typename... Args>
void report(fmt::format_string<Args...> f, Args&&... args) {
  print_error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace olly
