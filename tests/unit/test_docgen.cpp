// The CLI frame and the renderers, on a small tool declared here.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/cli.h"
#include "core/diag.h"
#include "core/docgen.h"

namespace {

using olly::ToolDoc;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string without_comments(const std::string& script) {
  std::string out;
  size_t start = 0;
  while (start < script.size()) {
    size_t end = script.find('\n', start);
    if (end == std::string::npos) end = script.size();
    if (script[start] != '#') out += script.substr(start, end - start + 1);
    start = end + 1;
  }
  return out;
}

// A stand-in for a tool's main.cpp: flags plus the doc record.
struct DemoTool {
  CLI::App app{"keep events matching an expression", "olly-demo"};
  std::string expr;
  std::vector<std::string> files;
  std::vector<std::string> select;
  std::string mode = "fast";
  std::string secret;
  bool fail_empty = false;
  olly::CommonOptions common;
  ToolDoc doc;

  DemoTool() {
    app.add_option("expr", expr, "The expression an event must match.")->required()->type_name("EXPR");
    app.add_option("files", files, "Input files; - is stdin.")->type_name("FILE");
    app.add_option("-s,--select", select, "Keep only these fields.")->type_name("FIELD");
    olly::add_choice(app, "--mode", mode, {"fast", "exact"}, "How to match. Exact is slower.", "MODE");
    app.add_flag("--fail-empty", fail_empty, "Exit 1 when nothing matched.");
    app.add_option("--secret-knob", secret, "Not for users.")->group("");
    olly::add_common_options(app, common);
    doc.name = "olly-demo";
    doc.summary = "keep events matching an expression";
    doc.synopsis = "olly-demo [OPTIONS] EXPR [FILE...]";
    doc.description =
        "Reads NDJSON events and keeps those matching EXPR.\n"
        "Missing fields are null.\n"
        "\n"
        ".A line that starts with a dot, and a back\\slash.\n"
        "\n"
        "    olly-demo 'a == 1'\n"
        "\n"
        "- first: the first item\n"
        "- a plain bullet item";
    doc.examples = {
        {"olly demo 'status >= 500' access.ndjson", "Keep server errors."},
        {"olly-demo --mode exact 'path == \"/\"' access.ndjson", "Match the root path exactly."},
    };
    doc.exit_status = olly::exit_status_text("nothing matched under --fail-empty");
    doc.see_also = {"olly-filter(1)"};
    doc.sections = {{"Notes", "Some notes."}};
  }

  int run(std::vector<std::string> args, const std::function<int()>& body) {
    std::vector<char*> argv;
    args.insert(args.begin(), "olly-demo");
    for (auto& a : args) argv.push_back(a.data());
    return olly::run_tool(app, doc, static_cast<int>(argv.size()), argv.data(), body);
  }
};

}  // namespace

TEST_CASE("add_choice records its set and rejects other values") {
  DemoTool tool;
  auto* mode = tool.app.get_option("--mode");
  CHECK(olly::option_choices(*mode) == std::vector<std::string>{"fast", "exact"});
  CHECK(olly::option_placeholder(*mode) == "MODE");
  CHECK(olly::option_choices(*tool.app.get_option("--color")) ==
        std::vector<std::string>{"auto", "always", "never"});
  CHECK(olly::option_choices(*tool.app.get_option("--errors")).empty());
  CHECK(olly::option_placeholder(*tool.app.get_option("--errors")) == "FILE");
  CHECK(olly::option_placeholder(*tool.app.get_option("--strict")).empty());

  CHECK_NOTHROW(tool.app.parse("x --mode exact", false));
  CHECK(tool.mode == "exact");
  DemoTool other;
  CHECK_THROWS_AS(other.app.parse("x --mode slow", false), CLI::ValidationError);
}

TEST_CASE("man page: sections, options, escapes, examples") {
  DemoTool tool;
  std::string man = olly::render_man(tool.app, tool.doc);
  CHECK(contains(man, ".TH \"OLLY\\-DEMO\" 1 \"\""));
  for (const char* section : {".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH \"NOTES\"\n",
                              ".SH OPTIONS\n", ".SH EXAMPLES\n", ".SH \"EXIT STATUS\"\n",
                              ".SH \"SEE ALSO\"\n"}) {
    CHECK_MESSAGE(contains(man, section), section);
  }
  CHECK(contains(man, "olly\\-demo \\- keep events matching an expression\n"));
  // Options with escaped hyphens, placeholders, choices and defaults.
  CHECK(contains(man, "\\fB\\-s\\fR, \\fB\\-\\-select\\fR \\fIFIELD\\fR...\n"));
  CHECK(contains(man, "\\fB\\-\\-mode\\fR \\fIMODE\\fR\n"));
  CHECK(contains(man, "One of: \\fBfast\\fR, \\fBexact\\fR.\n"));
  CHECK(contains(man, "Default: \\fIfast\\fR.\n"));
  CHECK(contains(man, "\\fB\\-\\-fail\\-empty\\fR\n"));
  CHECK(contains(man, "\\fIEXPR\\fR\n"));
  CHECK(contains(man, "\\fIFILE\\fR...\n"));
  CHECK(contains(man, ".SS \"Common options\"\n"));
  for (const char* flag : {"\\-\\-errors", "\\-\\-strict", "\\-\\-stats", "\\-\\-time\\-field", "\\-\\-color",
                           "\\-\\-help"}) {
    CHECK_MESSAGE(contains(man, std::string("\\fB") + flag + "\\fR"), flag);
  }
  CHECK_FALSE(contains(man, "secret"));
  CHECK_FALSE(contains(man, "\\fB\\-\\-generate"));
  // Text markup: leading dot guarded, backslash escaped, verbatim block, list items.
  CHECK(contains(man, "\n\\&.A line that starts with a dot, and a back\\eslash.\n"));
  CHECK(contains(man, ".nf\nolly\\-demo \\(aqa == 1\\(aq\n.fi\n"));
  CHECK(contains(man, ".TP\n\\fBfirst\\fR\nthe first item\n"));
  CHECK(contains(man, ".IP \\(bu 2\na plain bullet item\n"));
  // Examples and exit status.
  CHECK(contains(man, "Keep server errors.\n.PP\n.RS 4\n.nf\nolly demo \\(aqstatus >= 500\\(aq access.ndjson\n"));
  CHECK(contains(man, ".TP\n\\fB1\\fR\nnothing matched under \\-\\-fail\\-empty.\n"));
  CHECK(contains(man, "\\fBolly\\-filter\\fR(1),\n\\fBolly\\fR(7)\n"));
  // No line may start with a quote; no blank lines (both change roff output).
  CHECK_FALSE(contains(man, "\n'"));
  CHECK_FALSE(contains(man, "\n\n"));
  // Deterministic.
  CHECK(man == olly::render_man(tool.app, tool.doc));
}

TEST_CASE("completions list every visible flag and the choice values") {
  DemoTool tool;
  std::string bash = olly::render_bash(tool.app, tool.doc);
  std::string zsh = olly::render_zsh(tool.app, tool.doc);
  std::string fish = olly::render_fish(tool.app, tool.doc);
  for (const char* flag : {"select", "mode", "fail-empty", "errors", "strict", "stats", "time-field", "color",
                           "help"}) {
    std::string f = flag;
    CHECK_MESSAGE(contains(bash, "--" + f), flag);
    CHECK_MESSAGE(contains(zsh, "--" + f), flag);
    CHECK_MESSAGE(contains(fish, "-l " + f), flag);
  }
  for (const auto* text : {&bash, &zsh, &fish}) {
    CHECK_FALSE(contains(*text, "secret"));
    CHECK_FALSE(contains(without_comments(*text), "generate"));
  }
  CHECK(contains(bash, "complete -F _olly_demo olly-demo\n"));
  CHECK(contains(bash, "    --color)\n      COMPREPLY=($(compgen -W 'auto always never' -- \"$cur\"))\n"));
  CHECK(contains(bash, "    --errors)\n      COMPREPLY=($(compgen -f -- \"$cur\"))\n"));
  CHECK(contains(bash, "    -s|--select)\n      COMPREPLY=()\n"));
  CHECK(contains(zsh, "#compdef olly-demo\n"));
  CHECK(contains(zsh, "'--color=[Color the diagnostics on stderr\\: auto (only when stderr is a terminal and "
                      "NO_COLOR is unset), always or never]:WHEN:(auto always never)'"));
  CHECK(contains(zsh, "'*(-s --select)'{-s+,--select=}'[Keep only these fields]:FIELD: '"));
  CHECK(contains(zsh, "'--errors=[Write each bad input line (not valid JSON, or not matching the format) to FILE as "
                      "NDJSON with its file, line number and reason, so nothing is lost]:FILE:_files'"));
  CHECK(contains(zsh, "'1:EXPR: '"));
  CHECK(contains(zsh, "'*:FILE:_files'"));
  CHECK(contains(fish, "complete -c olly-demo -l mode -x -a 'fast exact' -d 'How to match'\n"));
  CHECK(contains(fish, "complete -c olly-demo -l errors -r -d "));
  CHECK(contains(fish, "complete -c olly-demo -l strict -d "));
  CHECK(contains(fish, "complete -c olly-demo -s s -l select -x -d 'Keep only these fields'\n"));
}

TEST_CASE("help examples and the examples list") {
  DemoTool tool;
  std::string help = olly::render_help_examples(tool.doc);
  CHECK(help ==
        "Examples:\n"
        "  Keep server errors.\n"
        "    olly demo 'status >= 500' access.ndjson\n"
        "  Match the root path exactly.\n"
        "    olly-demo --mode exact 'path == \"/\"' access.ndjson\n");
  CHECK(olly::render_examples(tool.doc) ==
        "olly demo 'status >= 500' access.ndjson\n"
        "olly-demo --mode exact 'path == \"/\"' access.ndjson\n");
  ToolDoc empty;
  CHECK(olly::render_help_examples(empty).empty());
}

TEST_CASE("run_tool maps errors to exit statuses") {
  auto ok = [] { return 0; };
  CHECK(DemoTool().run({"x"}, ok) == 0);
  CHECK(DemoTool().run({"x"}, [] { return 1; }) == 1);
  CHECK(DemoTool().run({}, ok) == 2);                              // missing EXPR
  CHECK(DemoTool().run({"x", "--no-such-flag"}, ok) == 2);         // unknown flag
  CHECK(DemoTool().run({"x", "--color", "sometimes"}, ok) == 2);   // not a choice
  CHECK(DemoTool().run({"x"}, []() -> int { throw olly::UsageError("--select: empty field"); }) == 2);
  CHECK(DemoTool().run({"x"}, []() -> int { throw olly::InputError("cannot open"); }) == 3);
  CHECK(DemoTool().run({"x"}, []() -> int { throw olly::StrictStop{"bad line"}; }) == 3);
  CHECK(DemoTool().run({"x"}, []() -> int { throw std::runtime_error("unexpected"); }) == 3);
  CHECK(DemoTool().run({"--generate", "nope"}, ok) == 2);
  bool ran = false;
  DemoTool tool;
  CHECK(tool.run({"--strict", "--color=never", "--time-field", "t", "x", "a", "b"}, [&] {
    ran = true;
    return 0;
  }) == 0);
  CHECK(ran);
  CHECK(tool.common.strict);
  CHECK(tool.common.color == "never");
  CHECK(tool.common.time_field == "t");
  CHECK(tool.files == std::vector<std::string>{"a", "b"});
}
