// Renders a tool's man page and shell completions from its CLI11 flag
// declarations and ToolDoc, so the three never drift (tests/check-docs
// regenerates them and fails on any difference).
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "core/cli.h"

namespace olly {

std::string render_man(const CLI::App& app, const ToolDoc& doc);   // roff, section 1
std::string render_bash(const CLI::App& app, const ToolDoc& doc);  // bash-completion script
std::string render_zsh(const CLI::App& app, const ToolDoc& doc);   // #compdef script
std::string render_fish(const CLI::App& app, const ToolDoc& doc);  // complete -c lines
// The examples block appended to --help ("Examples:" and each command with
// its explanation); empty when the tool has none.
std::string render_help_examples(const ToolDoc& doc);
// The built-in verbs ("agg", "eval", ...; sorted), one per tools/ folder,
// as the build knows them. SEE ALSO lists only pages of these (and of
// olly(1), olly(7)); the dispatcher lists and completes them.
const std::vector<std::string>& builtin_verbs();
// One example command per line (`--generate examples`), for tests/check-docs.
std::string render_examples(const ToolDoc& doc);

}  // namespace olly
