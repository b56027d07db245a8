#include "core/docgen.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace olly {
namespace detail {
namespace {

// What the renderers need to know about one visible option or positional.
struct OptionInfo {
  const CLI::Option* opt = nullptr;
  std::vector<std::string> names;  // "-e", "--errors" (short forms first); empty for positionals
  std::vector<std::string> shorts;  // "e"
  std::vector<std::string> longs;   // "errors"
  std::string placeholder;          // "FILE", "WHEN"; empty for flags
  std::vector<std::string> choices;
  std::string description;
  std::string group;
  bool positional = false;
  bool takes_value = false;
  bool repeatable = false;  // may be given several times (vector option or positional)
  bool many = false;        // one occurrence takes several words ("FILE...")
  bool takes_file = false;
};

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool names_a_file(std::string_view upper_text) {
  return upper_text.find("FILE") != std::string_view::npos ||
         upper_text.find("PATH") != std::string_view::npos ||
         upper_text.find("DIR") != std::string_view::npos;
}

OptionInfo describe(const CLI::Option& opt) {
  OptionInfo info;
  info.opt = &opt;
  info.positional = !opt.nonpositional();
  info.shorts = opt.get_snames();
  info.longs = opt.get_lnames();
  for (const auto& s : info.shorts) info.names.push_back("-" + s);
  for (const auto& l : info.longs) info.names.push_back("--" + l);
  info.description = opt.get_description();
  info.group = opt.get_group();
  info.choices = option_choices(opt);
  info.placeholder = option_placeholder(opt);
  if (info.positional && (info.placeholder.empty() || info.placeholder == "TEXT")) {
    info.placeholder = upper(opt.get_name(true));
  }
  info.takes_value = info.positional || opt.get_items_expected_max() > 0;
  info.repeatable = info.takes_value && opt.get_expected_max() > 1;
  // --select a,b with allow_extra_args(false) takes one word per occurrence.
  info.many = info.repeatable && (info.positional || opt.get_allow_extra_args());
  info.takes_file = info.takes_value && info.choices.empty() &&
                    (names_a_file(upper(info.placeholder)) ||
                     (info.positional && names_a_file(upper(opt.get_name(true)))));
  return info;
}

bool is_help_or_version(const OptionInfo& info) {
  for (const auto& l : info.longs) {
    if (l == "help" || l == "version") return true;
  }
  return false;
}

// Visible options in the order every rendering uses: positionals, then each
// option group in order of first appearance (the default group "Options"
// first), --help and --version last within their group.
std::vector<OptionInfo> visible_options(const CLI::App& app) {
  std::vector<OptionInfo> positionals;
  std::vector<std::string> groups = {"Options"};
  std::vector<OptionInfo> options;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    OptionInfo info = describe(*opt);
    if (info.positional) {
      positionals.push_back(std::move(info));
      continue;
    }
    if (std::find(groups.begin(), groups.end(), info.group) == groups.end()) {
      groups.push_back(info.group);
    }
    options.push_back(std::move(info));
  }
  std::vector<OptionInfo> out = std::move(positionals);
  for (const auto& group : groups) {
    for (int late = 0; late < 2; ++late) {
      for (const auto& info : options) {
        if (info.group == group && is_help_or_version(info) == (late == 1)) out.push_back(info);
      }
    }
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string trim(std::string_view text) {
  size_t b = text.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = text.find_last_not_of(" \t");
  return std::string(text.substr(b, e - b + 1));
}

// Paragraphs: runs of non-blank lines.
std::vector<std::vector<std::string>> paragraphs(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> current;
  for (auto& line : split_lines(text)) {
    if (trim(line).empty()) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(std::move(line));
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

bool indented(std::string_view line) { return line.size() >= 2 && line[0] == ' ' && line[1] == ' '; }

// The first sentence of a description, without its final period: the
// one-line form completion menus show.
std::string short_description(std::string_view text) {
  std::string line = trim(text.substr(0, text.find('\n')));
  size_t stop = line.find(". ");
  if (stop != std::string::npos) line.resize(stop);
  if (!line.empty() && line.back() == '.') line.pop_back();
  return line;
}

// ---- roff -------------------------------------------------------------

// Escapes text for a roff text line: backslashes, ASCII hyphen-minus (so
// commands and flags copy and paste), quotes, and a leading control character.
std::string roff(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\e"; break;
      case '-': out += "\\-"; break;
      case '\'': out += "\\(aq"; break;
      case '`': out += "\\(ga"; break;
      default: out += c;
    }
  }
  if (!out.empty() && out[0] == '.') out.insert(0, "\\&");
  return out;
}

// A quoted macro argument.
std::string roff_arg(std::string_view text) {
  std::string out = "\"";
  for (char c : roff(text)) {
    if (c == '"') {
      out += "\\(dq";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string bold(std::string_view text) { return "\\fB" + roff(text) + "\\fR"; }
std::string italic(std::string_view text) { return "\\fI" + roff(text) + "\\fR"; }

// Renders the plain-text markup described in cli.h.
std::string roff_text(std::string_view text) {
  std::string out;
  for (const auto& para : paragraphs(text)) {
    if (std::all_of(para.begin(), para.end(), [](const std::string& l) { return indented(l); })) {
      size_t indent = std::string::npos;
      for (const auto& l : para) indent = std::min(indent, l.find_first_not_of(' '));
      out += ".PP\n.RS 4\n.nf\n";
      for (const auto& l : para) out += roff(std::string_view(l).substr(indent)) + "\n";
      out += ".fi\n.RE\n";
      continue;
    }
    bool in_list = false;
    bool started = false;
    for (const auto& raw : para) {
      std::string line = trim(raw);
      if (line.rfind("- ", 0) == 0) {
        std::string item = trim(std::string_view(line).substr(2));
        size_t colon = item.find(": ");
        if (colon != std::string::npos && colon > 0 && item.find(' ') > colon) {
          out += ".TP\n" + bold(item.substr(0, colon)) + "\n" + roff(trim(item.substr(colon + 2))) + "\n";
        } else {
          out += ".IP \\(bu 2\n" + roff(item) + "\n";
        }
        in_list = true;
        started = true;
      } else {
        if (!started) out += ".PP\n";
        started = true;
        (void)in_list;  // continuation lines join the current item or paragraph
        out += roff(line) + "\n";
      }
    }
  }
  return out;
}

std::string roff_option(const OptionInfo& info) {
  std::string out = ".TP\n";
  if (info.positional) {
    out += italic(info.placeholder);
    if (info.many) out += "...";
  } else {
    for (size_t i = 0; i < info.names.size(); ++i) {
      if (i > 0) out += ", ";
      out += bold(info.names[i]);
    }
    if (!info.placeholder.empty()) {
      out += " " + italic(info.placeholder);
      if (info.many) out += "...";
    }
  }
  out += "\n";
  std::vector<std::string> notes;
  if (!info.choices.empty()) {
    std::string list;
    for (size_t i = 0; i < info.choices.size(); ++i) {
      if (i > 0) list += ", ";
      list += bold(info.choices[i]);
    }
    notes.push_back("One of: " + list + ".");
  }
  std::string def = info.opt->get_default_str();
  if (info.takes_value && !def.empty() && def != "[]" && def != "{}") {
    notes.push_back("Default: " + italic(def) + ".");
  }
  if (info.opt->get_required() && !info.positional) notes.push_back("Required.");
  for (const auto& line : split_lines(info.description)) {
    std::string t = trim(line);
    if (!t.empty()) out += roff(t) + "\n";
  }
  for (const auto& n : notes) out += n + "\n";
  return out;
}

// Whether a SEE ALSO entry names a page that is installed: olly-VERB(1) only
// for a verb that is built (a page for a verb still to come is a dead link).
bool page_exists(std::string_view ref) {
  constexpr std::string_view kPrefix = "olly-", kSuffix = "(1)";
  if (ref.substr(0, kPrefix.size()) != kPrefix || ref.size() < kPrefix.size() + kSuffix.size() ||
      ref.substr(ref.size() - kSuffix.size()) != kSuffix) {
    return true;
  }
  std::string_view verb = ref.substr(kPrefix.size(), ref.size() - kPrefix.size() - kSuffix.size());
  const auto& verbs = builtin_verbs();
  return verbs.empty() || std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

std::string see_also_line(const ToolDoc& doc) {
  std::vector<std::string> refs;
  for (const auto& ref : doc.see_also) {
    if (page_exists(ref)) refs.push_back(ref);
  }
  if (std::find(refs.begin(), refs.end(), "olly(7)") == refs.end()) refs.push_back("olly(7)");
  std::string out;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i > 0) out += ",\n";
    const auto& ref = refs[i];
    size_t paren = ref.find('(');
    if (paren != std::string::npos && ref.back() == ')') {
      out += bold(ref.substr(0, paren)) + roff(ref.substr(paren));
    } else {
      out += roff(ref);
    }
  }
  return out + "\n";
}

// ---- shells -----------------------------------------------------------

// Single-quoted for POSIX shells.
std::string sh_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string function_name(std::string_view tool) {
  std::string out = "_";
  for (char c : tool) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// Escapes text inside a zsh _arguments "[description]" or ":message:".
std::string zsh_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// fish single quotes: only \\ and \' are escapes.
std::string fish_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string generated_note(const ToolDoc& doc, std::string_view kind) {
  return fmt::format("generated by `{} --generate {}`; do not edit", doc.name, kind);
}

}  // namespace
}  // namespace detail

// The built-in verbs, from the tools/ folders (set by CMake on this file).
#ifndef OLLY_BUILTIN_VERBS
#define OLLY_BUILTIN_VERBS ""
#endif

const std::vector<std::string>& builtin_verbs() {
  static const std::vector<std::string> verbs = [] {
    std::vector<std::string> out;
    std::string_view all = OLLY_BUILTIN_VERBS;
    while (!all.empty()) {
      size_t space = all.find(' ');
      if (space > 0) out.emplace_back(all.substr(0, space));
      if (space == std::string_view::npos) break;
      all.remove_prefix(space + 1);
    }
    return out;
  }();
  return verbs;
}

using namespace detail;

std::string render_man(const CLI::App& app, const ToolDoc& doc) {
  std::string out;
  out += ".\\\" " + generated_note(doc, "man") + "\n";
  out += ".TH " + roff_arg(upper(doc.name)) + " 1 \"\" " + roff_arg("olly " OLLY_VERSION) + " " +
         roff_arg("olly manual") + "\n";
  out += ".SH NAME\n" + roff(doc.name) + " \\- " + roff(doc.summary) + "\n";

  out += ".SH SYNOPSIS\n.nf\n";
  std::string synopsis = doc.synopsis.empty() ? doc.name + " [OPTIONS]" : doc.synopsis;
  for (const auto& line : split_lines(synopsis)) {
    std::string t = trim(line);
    size_t space = t.find(' ');
    std::string first = t.substr(0, space);
    out += bold(first);
    if (space != std::string::npos) out += roff(std::string_view(t).substr(space));
    out += "\n";
  }
  out += ".fi\n";

  if (!doc.description.empty()) out += ".SH DESCRIPTION\n" + roff_text(doc.description);
  for (const auto& [title, body] : doc.sections) {
    out += ".SH " + roff_arg(upper(title)) + "\n" + roff_text(body);
  }

  auto options = visible_options(app);
  if (!options.empty()) {
    out += ".SH OPTIONS\n";
    std::string group = "Options";
    for (const auto& info : options) {
      if (!info.positional && info.group != group) {
        group = info.group;
        out += ".SS " + roff_arg(group) + "\n";
      }
      out += roff_option(info);
    }
  }

  if (!doc.examples.empty()) {
    out += ".SH EXAMPLES\n";
    for (const auto& ex : doc.examples) {
      out += ".PP\n" + roff(ex.explanation) + "\n";
      out += ".PP\n.RS 4\n.nf\n" + roff(ex.command) + "\n.fi\n.RE\n";
    }
  }

  out += ".SH \"EXIT STATUS\"\n";
  out += roff_text(doc.exit_status.empty() ? exit_status_text("") : doc.exit_status);
  out += ".SH \"SEE ALSO\"\n" + see_also_line(doc);
  return out;
}

std::string render_bash(const CLI::App& app, const ToolDoc& doc) {
  auto options = visible_options(app);
  std::vector<std::string> flags;
  bool files_for_operands = false;
  bool has_operands = false;
  std::string cases;
  for (const auto& info : options) {
    if (info.positional) {
      has_operands = true;
      files_for_operands = files_for_operands || info.takes_file;
      continue;
    }
    for (const auto& name : info.names) flags.push_back(name);
    if (!info.takes_value) continue;
    cases += "    " + join(info.names, "|") + ")\n";
    if (!info.choices.empty()) {
      cases += "      COMPREPLY=($(compgen -W " + sh_quote(join(info.choices, " ")) +
               " -- \"$cur\"))\n";
    } else if (info.takes_file) {
      cases += "      COMPREPLY=($(compgen -f -- \"$cur\"))\n      compopt -o filenames 2>/dev/null\n";
    } else {
      cases += "      COMPREPLY=()\n";
    }
    cases += "      return 0\n      ;;\n";
  }
  std::string fn = function_name(doc.name);
  std::string out;
  out += "# bash completion for " + doc.name + "; " + generated_note(doc, "bash") + "\n";
  out += fn + "() {\n";
  out += "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\"\n";
  out += "  (( COMP_CWORD > 0 )) && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n";
  out += "  # --flag=value arrives as three words: --flag, =, value\n";
  out += "  if [[ $cur == \"=\" ]]; then\n    cur=\"\"\n";
  out += "  elif [[ $prev == \"=\" ]] && (( COMP_CWORD > 1 )); then\n";
  out += "    prev=\"${COMP_WORDS[COMP_CWORD-2]}\"\n  fi\n";
  if (!cases.empty()) out += "  case \"$prev\" in\n" + cases + "  esac\n";
  out += "  if [[ $cur == -* ]]; then\n";
  out += "    COMPREPLY=($(compgen -W " + sh_quote(join(flags, " ")) + " -- \"$cur\"))\n";
  out += "    return 0\n  fi\n";
  // A first operand with a fixed set (olly-parse FORMAT) completes from the set.
  for (const auto& info : options) {
    if (!info.positional) continue;
    if (!info.choices.empty()) {
      out += "  local i n=0\n  for ((i = 1; i < COMP_CWORD; i++)); do [[ ${COMP_WORDS[i]} != -* ]] && ((n++)); done\n";
      out += "  if (( n == 0 )); then\n    COMPREPLY=($(compgen -W " + sh_quote(join(info.choices, " ")) +
             " -- \"$cur\"))\n    return 0\n  fi\n";
    }
    break;
  }
  if (files_for_operands || has_operands) {
    out += "  COMPREPLY=($(compgen -f -- \"$cur\"))\n  compopt -o filenames 2>/dev/null\n";
  } else {
    out += "  COMPREPLY=()\n";
  }
  out += "  return 0\n}\n";
  out += "complete -F " + fn + " " + doc.name + "\n";
  return out;
}

std::string render_zsh(const CLI::App& app, const ToolDoc& doc) {
  std::string out = "#compdef " + doc.name + "\n";
  out += "# zsh completion for " + doc.name + "; " + generated_note(doc, "zsh") + "\n\n";
  out += "_arguments -s -S";
  int position = 0;
  for (const auto& info : visible_options(app)) {
    std::string action;
    if (!info.choices.empty()) {
      action = "(" + join(info.choices, " ") + ")";
    } else if (info.takes_file) {
      action = "_files";
    } else {
      action = " ";
    }
    std::string message = zsh_escape(info.placeholder.empty() ? "VALUE" : info.placeholder);
    std::string spec;
    if (info.positional) {
      spec = sh_quote((info.repeatable ? std::string("*") : std::to_string(++position)) + ":" + message + ":" + action);
    } else {
      std::vector<std::string> forms;
      for (const auto& s : info.shorts) forms.push_back("-" + s + (info.takes_value ? "+" : ""));
      for (const auto& l : info.longs) forms.push_back("--" + l + (info.takes_value ? "=" : ""));
      std::string tail = "[" + zsh_escape(short_description(info.description)) + "]";
      if (info.takes_value) tail += ":" + message + ":" + action;
      std::string prefix = info.repeatable ? "*" : "";
      if (forms.size() > 1) {
        prefix += "(" + join(info.names, " ") + ")";
        spec = (prefix.empty() ? "" : sh_quote(prefix)) + "{" + join(forms, ",") + "}" + sh_quote(tail);
      } else {
        spec = sh_quote(prefix + forms[0] + tail);
      }
    }
    out += " \\\n  " + spec;
  }
  out += "\n";
  return out;
}

std::string render_fish(const CLI::App& app, const ToolDoc& doc) {
  auto options = visible_options(app);
  std::string out = "# fish completion for " + doc.name + "; " + generated_note(doc, "fish") + "\n";
  bool files_for_operands = std::any_of(options.begin(), options.end(), [](const OptionInfo& i) {
    return i.positional;
  });
  if (!files_for_operands) out += "complete -c " + doc.name + " -f\n";
  for (const auto& info : options) {
    if (info.positional) {
      // A first operand with a fixed set (olly-parse FORMAT) completes from the set.
      if (&info == &options.front() && !info.choices.empty()) {
        out += "complete -c " + doc.name + " -n __fish_is_first_arg -f -a " +
               fish_quote(join(info.choices, " ")) + "\n";
      }
      continue;
    }
    std::string line = "complete -c " + doc.name;
    for (const auto& s : info.shorts) line += " -s " + s;
    for (const auto& l : info.longs) line += " -l " + l;
    if (!info.choices.empty()) {
      line += " -x -a " + fish_quote(join(info.choices, " "));
    } else if (info.takes_file) {
      line += " -r";
    } else if (info.takes_value) {
      line += " -x";
    }
    line += " -d " + fish_quote(short_description(info.description));
    out += line + "\n";
  }
  return out;
}

std::string render_help_examples(const ToolDoc& doc) {
  if (doc.examples.empty()) return {};
  std::string out = "Examples:\n";
  for (const auto& ex : doc.examples) {
    out += "  " + ex.explanation + "\n";
    out += "    " + ex.command + "\n";
  }
  return out;
}

std::string render_examples(const ToolDoc& doc) {
  std::string out;
  for (const auto& ex : doc.examples) out += ex.command + "\n";
  return out;
}

}  // namespace olly
