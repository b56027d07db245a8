// The CLI frame shared by every tool: the documentation record, the common
// flags, --help with examples, --version, and the hidden
// `--generate man|bash|zsh|fish|examples|summary` that renders the man page and completions
// from the same flag declarations (see docgen.h).
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diag.h"
#include "core/run.h"

namespace olly {

struct Example {
  std::string command;      // a shell command line, e.g. "olly filter 'status >= 500' app.ndjson"
  std::string explanation;  // one sentence on what it does
};

// Everything a tool says about itself besides its flags.
struct ToolDoc {
  std::string name;         // "olly-filter" (the binary)
  std::string summary;      // one line: "keep events matching an expression"
  std::string synopsis;     // "olly-filter [OPTIONS] EXPR [FILE...]"
  std::string description;  // paragraphs separated by blank lines
  std::vector<Example> examples;
  std::string exit_status;  // paragraph(s); default text from exit_status_text() when empty
  std::vector<std::string> see_also;  // "olly(7)", "olly-eval(1)"
  // Extra man sections, e.g. {"AGGREGATES", "..."}; rendered after DESCRIPTION.
  std::vector<std::pair<std::string, std::string>> sections;
};

// Text fields (description, sections, exit_status) are plain text:
// paragraphs separated by blank lines; a paragraph whose lines are all
// indented by two or more spaces is shown verbatim (code); lines starting
// with "- " are list items, and an item "- TERM: text" whose TERM has no
// spaces becomes a tagged item (TERM in bold).

// The standard exit-status paragraph (0/1/2/3 as in olly(7)).
std::string exit_status_text(std::string_view findings_meaning);

// The option group that holds the shared flags (and --help, --version) so
// --help and the man page show them in their own section.
inline constexpr const char* kCommonGroup = "Common options";

// Which of the time flags a tool takes: none (it reads no event times),
// the field alone (it reads times but selects by them its own way:
// olly-explain's --since, olly-parse), or the field and the range
// (--since, --until, --now; expr/timerange.h applies them).
enum class TimeFlags { none, field, field_and_range };

// Adds --errors, --strict, --stats, the time flags, --color, --progress and
// --no-progress to app, bound to opts.
void add_common_options(CLI::App& app, CommonOptions& opts, TimeFlags time = TimeFlags::field_and_range);

// Adds an option whose value must be one of a fixed set (e.g. --color
// auto|always|never). The set is recorded on the option itself so the man
// page and the completions can list it (see option_choices). placeholder is
// the argument name shown in help and man ("WHEN"); empty shows the set.
CLI::Option* add_choice(CLI::App& app, const std::string& name, std::string& target,
                        std::vector<std::string> choices, const std::string& description,
                        const std::string& placeholder = "");

// The name to give a validator that checks a fixed set itself (olly-parse
// FORMAT), so that option_choices lists the set as it does add_choice's.
std::string choices_validator_name(const std::vector<std::string>& choices);

// The fixed value set of an option: the one given to add_choice, else the
// members of a CLI::IsMember check attached to it; empty when free-form.
std::vector<std::string> option_choices(const CLI::Option& opt);

// The argument placeholder of an option as written in help and man pages
// ("FILE", "EXPR"), without validator annotations; empty for flags.
std::string option_placeholder(const CLI::Option& opt);

// Runs a tool: parses argv into app (errors: message naming the flag, exit 2;
// an unknown flag gets "did you mean --X?" when it is close to a known one),
// applies --color (set_color) and --progress/--no-progress (progress.h),
// handles --help (flags then examples), --version and --generate, then calls
// body (the progress line is stopped when it returns or throws). UsageError -> 2, InputError -> 3,
// StrictStop -> 3; returns the exit status.
// The hidden `--generate KIND` prints a rendering (man, bash, zsh, fish,
// examples: one example command per line, or summary: the ToolDoc summary,
// which `olly --list` and `olly --help` show) and exits 0.
int run_tool(CLI::App& app, const ToolDoc& doc, int argc, char** argv,
             const std::function<int()>& body);

namespace detail {
// items joined by sep: join({"a", "b"}, ", ") is "a, b".
std::string join(const std::vector<std::string>& items, std::string_view sep);
}  // namespace detail

}  // namespace olly
