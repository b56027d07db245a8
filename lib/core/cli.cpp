#include "core/cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <new>
#include <string_view>

#include "core/diag.h"
#include "core/docgen.h"
#include "core/progress.h"

namespace olly {
namespace detail {
namespace {

// add_choice records its set in the name of its validator, so the set
// travels with the option (CLI11 2.1 has no accessor for a check's members).
constexpr std::string_view kChoicePrefix = "olly-choices:";
constexpr char kChoiceSeparator = '\n';

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// The members of an IsMember check from its description "{a,b,c}"
// (or "{a->1,b->2}" for a mapping).
std::vector<std::string> members_from_description(std::string_view desc) {
  if (desc.size() < 2 || desc.front() != '{' || desc.back() != '}') return {};
  std::vector<std::string> out;
  for (auto& item : split(desc.substr(1, desc.size() - 2), ',')) {
    auto arrow = item.find("->");
    if (arrow != std::string::npos) item.resize(arrow);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// What a thrown --generate asks for; run_tool renders after parsing stops.
struct GenerateRequest {
  std::string kind;
};

std::string render(const CLI::App& app, const ToolDoc& doc, const std::string& kind) {
  if (kind == "man") return render_man(app, doc);
  if (kind == "bash") return render_bash(app, doc);
  if (kind == "zsh") return render_zsh(app, doc);
  if (kind == "fish") return render_fish(app, doc);
  if (kind == "summary") return doc.summary + "\n";
  return render_examples(doc);
}

// Shows the tool's own synopsis in --help instead of CLI11's generated usage.
class HelpFormatter : public CLI::Formatter {
 public:
  explicit HelpFormatter(std::string synopsis) : synopsis_(std::move(synopsis)) {}
  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (synopsis_.empty()) return CLI::Formatter::make_usage(app, std::move(name));
    std::string out;
    auto lines = split(synopsis_, '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
      out += (i == 0 ? "Usage: " : "       ") + lines[i] + "\n";
    }
    return out;
  }

  // A positional's name already says what it is ("EXPR"); CLI11's default
  // type label "TEXT" after it is noise.
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string opts = CLI::Formatter::make_option_opts(opt);
    if (!opt->nonpositional() && opts.rfind(" TEXT", 0) == 0) opts.erase(0, 5);
    return opts;
  }

  // Wraps descriptions to fit 80 columns; CLI11 indents each new line.
  std::string make_option_desc(const CLI::Option* opt) const override {
    return wrap(CLI::Formatter::make_option_desc(opt), 80 - get_column_width());
  }

 private:
  static std::string wrap(const std::string& text, size_t width) {
    std::string out;
    size_t line_length = 0;
    for (const auto& word : split(text, ' ')) {
      if (line_length > 0 && line_length + 1 + word.size() > width) {
        out += '\n';
        line_length = 0;
      } else if (line_length > 0) {
        out += ' ';
        ++line_length;
      }
      out += word;
      size_t newline = word.rfind('\n');
      line_length = newline == std::string::npos ? line_length + word.size() : word.size() - newline - 1;
    }
    return out;
  }

  std::string synopsis_;
};

// The message for a command line CLI11 rejected. An unknown option is named
// first, with the closest known one when it looks like a typo of it.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr) return e.what();
  for (const auto& arg : app.remaining()) {
    // "-" is stdin and "-5" a number; neither is an option.
    if (arg.size() < 2 || arg[0] != '-' || std::isdigit(static_cast<unsigned char>(arg[1])) || arg[1] == '.') {
      continue;
    }
    std::string flag = arg.substr(0, arg.find('='));
    std::string bare = flag.substr(flag.find_first_not_of('-'));
    // "--sel" is most likely short for the one long name it starts; else the
    // closest name (a long one for "--x", either kind for "-x").
    std::vector<std::string> names, starting;
    for (const CLI::Option* opt : app.get_options()) {
      if (opt->get_group().empty()) continue;  // hidden (--generate)
      for (const auto& l : opt->get_lnames()) {
        names.push_back(l);
        if (l.rfind(bare, 0) == 0) starting.push_back(l);
      }
      if (flag[1] != '-') {
        for (const auto& s : opt->get_snames()) names.push_back(s);
      }
    }
    std::string hint = starting.size() == 1 ? starting[0] : closest_match(bare, names);
    if (hint.empty()) return fmt::format("{}: unknown option", flag);
    return fmt::format("{}: unknown option; did you mean {}{}?", flag, hint.size() == 1 ? "-" : "--", hint);
  }
  return e.what();
}

}  // namespace

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace detail

std::string exit_status_text(std::string_view findings_meaning) {
  std::string text = "- 0: success.\n";
  if (!findings_meaning.empty()) text += fmt::format("- 1: {}.\n", findings_meaning);
  text +=
      "- 2: usage or configuration error; the message names the flag.\n"
      "- 3: input or I/O error, or --strict stopped at a bad line.\n"
      "\n"
      "A closed standard output (as in a pipe into head) ends the run quietly with status 0.";
  return text;
}

void add_common_options(CLI::App& app, CommonOptions& opts, TimeFlags time) {
  app.add_option("--errors", opts.errors_path,
                 "Write each bad input line (not valid JSON, or not matching the format) to "
                 "FILE as NDJSON with its file, line number and reason, so nothing is lost.")
      ->type_name("FILE")
      ->group(kCommonGroup);
  app.add_flag("--strict", opts.strict,
               "Stop at the first bad input line with exit status 3 (default: skip it and "
               "report the count on stderr at the end).")
      ->group(kCommonGroup);
  app.add_flag("--stats", opts.stats,
               "Print one NDJSON line of the tool's own health to stderr at the end: records "
               "in (read, bad ones included) and out (written), errors (bad lines), bytes, "
               "seconds, records/s, peak memory.")
      ->group(kCommonGroup);
  if (time != TimeFlags::none) {
    app.add_option("--time-field", opts.time_field,
                   "Field holding the event time (default: the first of ts, timestamp, time, "
                   "@timestamp). RFC 3339 and epoch seconds, ms, us or ns (by magnitude) are "
                   "accepted.")
        ->type_name("FIELD")
        ->group(kCommonGroup);
  }
  if (time != TimeFlags::none) {
    app.add_option("--time-format", opts.time_format,
                   "How --time-field's strings are written, strptime-style (%y%m%d %H%M%S for HDFS, "
                   "%d/%b/%Y:%H:%M:%S %z for access logs; olly(7) lists the directives): such strings are "
                   "read with it alone; --year and --tz give what it lacks.")
        ->type_name("LAYOUT")
        ->group(kCommonGroup);
    app.add_option("--tz", opts.tz,
                   "Time zone of times written without an offset (RFC 3339 without Z or +hh:mm, a "
                   "--time-format without %z): UTC (the default), +05:30, local, Europe/Berlin.")
        ->type_name("ZONE")
        ->group(kCommonGroup);
    app.add_option("--year", opts.year,
                   "The year of times whose --time-format has none (default: the current year, or last "
                   "year for a time that would be more than a day ahead).")
        ->type_name("YEAR")
        ->check(CLI::Range(1, 9999))
        ->group(kCommonGroup);
  }
  if (time == TimeFlags::field_and_range) {
    app.add_option("--since", opts.since,
                   "Only events at or after TIME (by --time-field): RFC 3339, an epoch number, or a "
                   "duration before --now (15m, 2h). Events without a time are left out too; --stats "
                   "counts what was left out as out_of_range.")
        ->type_name("TIME")
        ->group(kCommonGroup);
    app.add_option("--until", opts.until, "Only events before TIME (the same forms as --since).")
        ->type_name("TIME")
        ->group(kCommonGroup);
    app.add_option("--now", opts.now,
                   "The time --since and --until durations count back from (default: the clock), "
                   "for logs read after the fact.")
        ->type_name("TIME")
        ->group(kCommonGroup);
  }
  add_choice(app, "--color", opts.color, {"auto", "always", "never"},
             "Color the diagnostics on stderr: auto (only when stderr is a terminal and "
             "NO_COLOR is unset), always or never.",
             "WHEN")
      ->group(kCommonGroup);
  app.add_flag("--progress", opts.progress,
               "Show a progress line on stderr while reading: bytes read of the inputs' total, "
               "MB/s and time left (bytes and MB/s when the size is unknown, as on a pipe); erased "
               "at the end. By default it shows when stderr is a terminal, stdout is not, and the "
               "inputs are files.")
      ->group(kCommonGroup);
  app.add_flag("--no-progress", opts.no_progress, "Never show the progress line.")->group(kCommonGroup);
  if (auto* help = app.get_help_ptr()) help->group(kCommonGroup);
}

CLI::Option* add_choice(CLI::App& app, const std::string& name, std::string& target,
                        std::vector<std::string> choices, const std::string& description,
                        const std::string& placeholder) {
  std::string shown = "{" + detail::join(choices, ",") + "}";
  std::string validator_name = choices_validator_name(choices);
  auto check = [choices](std::string& value) -> std::string {
    for (const auto& c : choices) {
      if (value == c) return {};
    }
    return fmt::format("'{}' is not one of {}", value, detail::join(choices, ", "));
  };
  // The validator's description stays empty so help does not print the set twice.
  auto* opt = app.add_option(name, target, description)
                  ->check(CLI::Validator(check, "", validator_name))
                  ->type_name(placeholder.empty() ? shown : placeholder);
  if (!target.empty()) opt->default_str(target);
  return opt;
}

std::string choices_validator_name(const std::vector<std::string>& choices) {
  return std::string(detail::kChoicePrefix) + detail::join(choices, std::string(1, detail::kChoiceSeparator));
}

std::vector<std::string> option_choices(const CLI::Option& opt) {
  // CLI11 2.1 only lists validators through the non-const get_validator(int);
  // we read, never modify.
  auto& mutable_opt = const_cast<CLI::Option&>(opt);
  for (int i = 0;; ++i) {
    CLI::Validator* v = nullptr;
    try {
      v = mutable_opt.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      break;
    }
    const std::string& name = v->get_name();
    if (name.rfind(detail::kChoicePrefix, 0) == 0) {
      return detail::split(std::string_view(name).substr(detail::kChoicePrefix.size()),
                           detail::kChoiceSeparator);
    }
    auto members = detail::members_from_description(v->get_description());
    if (!members.empty()) return members;
  }
  return {};
}

std::string option_placeholder(const CLI::Option& opt) {
  if (opt.nonpositional() && opt.get_items_expected_max() == 0) return {};  // a flag
  std::string type = opt.get_type_name();
  // get_type_name appends ":DESCRIPTION" of each check; keep the name itself
  // unless it is a brace-set such as "{auto,always,never}".
  if (!(type.size() > 0 && type.front() == '{')) {
    auto colon = type.find(':');
    if (colon != std::string::npos) type.resize(colon);
  } else {
    auto close = type.find('}');
    if (close != std::string::npos) type.resize(close + 1);
  }
  return type;
}

int run_tool(CLI::App& app, const ToolDoc& doc, int argc, char** argv,
             const std::function<int()>& body) {
  set_tool_name(doc.name);
  set_color("auto");  // for messages about the flags themselves; --color decides below
  if (app.get_name().empty()) app.name(doc.name);
  // --help and --version are declared last so the tool's own options come
  // first in --help, and they sit with the common options.
  app.set_help_flag();
  app.set_help_flag("-h,--help", "Print this help (flags, then examples) and exit.")->group(kCommonGroup);
  app.set_version_flag("--version", doc.name + " " OLLY_VERSION, "Print the version and exit.")
      ->group(kCommonGroup);
  app.add_option_function<std::string>(
         "--generate", [](const std::string& kind) { throw detail::GenerateRequest{kind}; },
         "Print the man page, a completion script, the examples or the summary")
      ->group("");  // hidden; checked below, as CLI11 names hidden options ""

  std::string footer = render_help_examples(doc);
  if (!footer.empty()) footer += "\n";
  footer += fmt::format("See {}(1) and olly(7).", doc.name);
  app.footer(footer);
  app.formatter(std::make_shared<detail::HelpFormatter>(doc.synopsis));

  try {
    app.parse(argc, argv);
  } catch (const detail::GenerateRequest& request) {
    static const std::vector<std::string> kinds = {"man", "bash", "zsh", "fish", "examples", "summary"};
    if (std::find(kinds.begin(), kinds.end(), request.kind) == kinds.end()) {
      print_error(fmt::format("--generate: '{}' is not one of {}", request.kind, detail::join(kinds, ", ")));
      return kExitUsage;
    }
    std::string text = detail::render(app, doc, request.kind);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitInput;
  } catch (const CLI::CallForHelp&) {
    std::string text = app.help();
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::fputs(e.what(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return kExitOk;
  } catch (const CLI::Success&) {
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    print_error(detail::parse_error_message(app, e));
    std::fprintf(stderr, "Try '%s --help' for more information.\n", doc.name.c_str());
    return kExitUsage;
  }
  if (const CLI::Option* color = app.get_option_no_throw("--color"); color && color->count() > 0) {
    set_color(color->results().back());
  }

  // --progress or --no-progress, whichever comes last.
  ProgressMode progress = ProgressMode::automatic;
  for (const CLI::Option* opt : app.parse_order()) {
    if (opt->check_lname("progress")) progress = ProgressMode::on;
    if (opt->check_lname("no-progress")) progress = ProgressMode::off;
  }
  progress_meter().set_mode(progress);

  try {
    // Stopped (the line erased) before any message below; a run that
    // ends normally stopped it in RunContext::finish.
    struct StopProgress {
      ~StopProgress() { progress_meter().stop(); }
    } stop_progress;
    return body();
  } catch (const UsageError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const InputError& e) {
    print_error(e.what());
    return kExitInput;
  } catch (const StrictStop& e) {
    if (!e.message.empty()) print_error(e.message);
    return kExitInput;
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return kExitInput;
  } catch (const std::exception& e) {
    // Not expected; a message and a failing status beat an abort.
    print_error(e.what());
    return kExitInput;
  }
}

}  // namespace olly
