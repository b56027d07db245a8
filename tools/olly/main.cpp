// olly: runs `olly-VERB` for `olly VERB ...`, as git does, so any olly-*
// executable on PATH is a plugin.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/cli.h"
#include "core/diag.h"
#include "core/docgen.h"

using namespace olly;

namespace {

std::string own_directory() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::vector<std::string> path_dirs() {
  std::vector<std::string> dirs;
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    dirs.push_back(end > start ? path.substr(start, end - start) : ".");
    start = end + 1;
  }
  return dirs;
}

// Verbs found in dir: names of olly-* executables, without the prefix.
std::set<std::string> verbs_in(const std::string& dir) {
  std::set<std::string> verbs;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return verbs;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("olly-", 0) == 0 && name.size() > 5 && is_executable_file(dir + "/" + name)) {
      verbs.insert(name.substr(5));
    }
  }
  ::closedir(d);
  return verbs;
}

// The executable for a verb: next to olly first, then on PATH.
std::string find_verb(const std::string& verb) {
  std::string own = own_directory();
  if (!own.empty() && is_executable_file(own + "/olly-" + verb)) return own + "/olly-" + verb;
  for (const auto& dir : path_dirs()) {
    std::string candidate = dir + "/olly-" + verb;
    if (is_executable_file(candidate)) return candidate;
  }
  return {};
}

// Runs exe with args, stdin and stderr on /dev/null, and returns its stdout
// (empty when it cannot run or fails). No shell, so paths need no quoting.
std::string capture(const std::string& exe, std::vector<std::string> args) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {};
  }
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 2);
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    std::vector<char*> argv{const_cast<char*>(exe.c_str())};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return out;
}

// A verb's one-line summary, as the verb itself states it (its ToolDoc,
// through `--generate summary`), so the list never drifts from the tools.
std::string summary_of(const std::string& exe) {
  std::string text = capture(exe, {"--generate", "summary"});
  return text.substr(0, text.find('\n'));
}

struct VerbLine {
  std::string verb;
  std::string text;  // the summary of a built-in, the path of a plugin
};

// The built-in verbs with their summaries, then the plugins (olly-* next to
// olly or on PATH that are not built in) with their paths. Plugins are not
// run: what a foreign executable does with --generate is unknown.
std::pair<std::vector<VerbLine>, std::vector<VerbLine>> verb_lines() {
  const auto& builtin = builtin_verbs();
  std::vector<VerbLine> verbs, plugins;
  for (const auto& v : builtin) {
    std::string exe = find_verb(v);
    if (!exe.empty()) verbs.push_back({v, summary_of(exe)});
  }
  std::set<std::string> others = verbs_in(own_directory());
  for (const auto& dir : path_dirs()) {
    for (const auto& v : verbs_in(dir)) others.insert(v);
  }
  for (const auto& v : others) {
    if (std::find(builtin.begin(), builtin.end(), v) == builtin.end()) plugins.push_back({v, find_verb(v)});
  }
  return {verbs, plugins};
}

// "  VERB    text" lines, the texts aligned.
std::string format_lines(const std::vector<VerbLine>& lines, std::string_view indent, size_t width,
                         std::string_view text_prefix = "") {
  std::string out;
  for (const auto& l : lines) {
    out += fmt::format("{}{:<{}}", indent, l.verb, width);
    if (!l.text.empty()) out += fmt::format("  {}{}", text_prefix, l.text);
    out += '\n';
  }
  return out;
}

size_t widest(const std::vector<VerbLine>& a, const std::vector<VerbLine>& b) {
  size_t w = 0;
  for (const auto* list : {&a, &b}) {
    for (const auto& l : *list) w = std::max(w, l.verb.size());
  }
  return w;
}

// olly --list: "VERB  summary" per built-in verb, then "NAME  plugin: PATH".
int list_verbs() {
  auto [verbs, plugins] = verb_lines();
  size_t width = widest(verbs, plugins);
  std::string out = format_lines(verbs, "", width) + format_lines(plugins, "", width, "plugin: ");
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

// The verbs section of olly --help.
std::string verbs_help() {
  auto [verbs, plugins] = verb_lines();
  size_t width = widest(verbs, plugins);
  std::string out = "Verbs:\n" + format_lines(verbs, "  ", width);
  if (!plugins.empty()) out += "\nPlugins (olly-* on PATH):\n" + format_lines(plugins, "  ", width);
  return out;
}

std::vector<std::string> known_verbs() {
  std::set<std::string> all = verbs_in(own_directory());
  for (const auto& dir : path_dirs()) {
    for (const auto& v : verbs_in(dir)) all.insert(v);
  }
  return {all.begin(), all.end()};
}

[[noreturn]] void exec_verb(const std::string& verb, const std::vector<std::string>& args) {
  std::string exe = find_verb(verb);
  if (exe.empty()) {
    std::string hint = closest_match(verb, known_verbs());
    if (!hint.empty()) {
      report("'{}' is not an olly verb. Did you mean '{}'? (olly --list shows them all)", verb, hint);
    } else {
      report("'{}' is not an olly verb (olly --list shows them all)", verb);
    }
    std::exit(kExitUsage);
  }
  std::vector<char*> argv;
  std::string argv0 = "olly-" + verb;
  argv.push_back(argv0.data());
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(exe.c_str(), argv.data());
  report("cannot run '{}': {}", exe, std::strerror(errno));
  std::exit(kExitUsage);
}

int help_for(const std::string& verb) {
  if (find_verb(verb).empty()) exec_verb(verb, {});  // reports the unknown verb
  // The man page when man can show it; else the tool's own --help.
  std::string page = "olly-" + verb;
  std::string command = fmt::format("man {} 2>/dev/null", page);
  if (::isatty(1) && std::system(command.c_str()) == 0) return kExitOk;
  exec_verb(verb, {"--help"});
}

// The dispatcher's completions: the verb (built-in, or an olly-* plugin on
// PATH) first, then, for bash and zsh, whatever olly-VERB completes. The
// renderers of docgen only know one tool's flags, so these are written here.
std::string dispatcher_completion(const std::string& kind) {
  std::string verbs;
  for (const auto& v : builtin_verbs()) verbs += (verbs.empty() ? "" : " ") + v;
  if (kind == "bash") {
    return fmt::format(R"SH(# bash completion for olly; generated by `olly --generate bash`; do not edit
_olly() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" i verb=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ ${{COMP_WORDS[i]}} != -* ]]; then verb=${{COMP_WORDS[i]}}; break; fi
  done
  if [[ -n $verb && $verb != help ]]; then
    # olly VERB ARGS: complete ARGS as olly-VERB's own completion does.
    complete -p "olly-$verb" >/dev/null 2>&1 || _completion_loader "olly-$verb" >/dev/null 2>&1
    local spec fn
    spec=$(complete -p "olly-$verb" 2>/dev/null)
    fn=${{spec##*-F }}; fn=${{fn%% *}}
    if [[ $spec == *"-F "* && -n $fn ]]; then
      COMP_WORDS=("olly-$verb" "${{COMP_WORDS[@]:i+1}}")
      COMP_CWORD=$((COMP_CWORD - i))
      "$fn" "olly-$verb" "$cur" "${{COMP_WORDS[COMP_CWORD-1]}}"
    else
      COMPREPLY=($(compgen -f -- "$cur"))
      compopt -o filenames 2>/dev/null
    fi
    return 0
  fi
  if [[ -z $verb && $cur == -* ]]; then
    COMPREPLY=($(compgen -W '-l --list -h --help --version' -- "$cur"))
    return 0
  fi
  # The verb (also after `olly help`): built-in ones and olly-* plugins on PATH.
  local verbs
  verbs=$({{ printf '%s\n' {0}; compgen -c olly- 2>/dev/null | sed 's/^olly-//'; }} | sort -u)
  [[ -z $verb ]] && verbs+=" help"
  COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
  return 0
}}
complete -F _olly olly
)SH",
                       verbs);
  }
  if (kind == "zsh") {
    return fmt::format(R"SH(#compdef olly
# zsh completion for olly; generated by `olly --generate zsh`; do not edit

local -a verbs
verbs=({0} ${{${{(M)${{(k)commands}}:#olly-*}}#olly-}})
verbs=(${{(u)verbs}})

if (( CURRENT > 2 )) && [[ ${{words[2]}} != -* ]]; then
  if [[ ${{words[2]}} == help ]]; then
    (( CURRENT == 3 )) && compadd -a verbs
    return
  fi
  # olly VERB ARGS: complete ARGS as olly-VERB's own completion does.
  words=("olly-${{words[2]}}" "${{(@)words[3,-1]}}")
  (( CURRENT-- ))
  _normal
  return
fi

_arguments -s -S \
  '1:VERB:{{compadd -a verbs; compadd help}}' \
  '(-l --list)'{{-l,--list}}'[List the verbs with their one-line summaries, then the plugins (olly-* on PATH)]' \
  '(-h --help)'{{-h,--help}}'[Print this help (flags, then examples) and exit]' \
  '--version[Print the version and exit]'
)SH",
                       verbs);
  }
  std::string out =
      "# fish completion for olly; generated by `olly --generate fish`; do not edit\n"
      "complete -c olly -s l -l list -d 'List the verbs with their one-line summaries, then the plugins (olly-* on PATH)'\n"
      "complete -c olly -s h -l help -d 'Print this help (flags, then examples) and exit'\n"
      "complete -c olly -l version -d 'Print the version and exit'\n";
  out += fmt::format("complete -c olly -f -n __fish_use_subcommand -a '{} help' -d 'olly verb'\n", verbs);
  out +=
      "complete -c olly -f -n __fish_use_subcommand -a '(string replace -r \"^olly-\" \"\" -- "
      "(complete -C olly- | string match -r \"^olly-[^\\t]+\"))' -d 'olly plugin'\n";
  out += fmt::format("complete -c olly -f -n '__fish_seen_subcommand_from help' -a '{}'\n", verbs);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--generate") == 0 &&
      (std::strcmp(argv[2], "bash") == 0 || std::strcmp(argv[2], "zsh") == 0 || std::strcmp(argv[2], "fish") == 0)) {
    std::string text = dispatcher_completion(argv[2]);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitInput;
  }
  // `olly VERB ARGS`: hand everything after VERB to olly-VERB untouched (so
  // `olly filter --help` is the filter's help).
  if (argc > 1 && argv[1][0] != '-' && std::strcmp(argv[1], "help") != 0) {
    set_tool_name("olly");
    exec_verb(argv[1], std::vector<std::string>(argv + 2, argv + argc));
  }
  bool list = false;
  std::string verb;
  CLI::App app{"olly: small, fast Unix filters for logs, spans and metrics.", "olly"};
  app.prefix_command();
  app.add_flag("-l,--list", list, "List the verbs with their one-line summaries, then the plugins (olly-* on PATH)");
  app.add_option("VERB", verb, "The verb to run: olly VERB ARGS runs olly-VERB ARGS");
  // Only computed when help is shown: it runs each verb once for its summary.
  app.footer(std::function<std::string()>(verbs_help));

  ToolDoc doc;
  doc.name = "olly";
  doc.summary = "small, fast Unix filters for developer observability";
  doc.synopsis = "olly VERB [ARGS...]\nolly --list\nolly help VERB";
  doc.description =
      "olly is a toolkit of small filters that read and write NDJSON, one event per line, and "
      "compose with pipes: olly-parse turns raw logs, spans and metrics into events, olly-filter "
      "keeps the ones that matter, olly-eval computes fields, olly-agg aggregates them, "
      "olly-validate checks them against a contract.\n\n"
      "olly VERB ARGS runs olly-VERB ARGS, found next to olly or on PATH, as git does: any "
      "executable named olly-something on PATH is a plugin, listed by olly --list. A plugin reads "
      "NDJSON on stdin or from files, writes NDJSON to stdout, diagnostics to stderr, and keeps the "
      "exit codes of olly(7).\n\n"
      "olly help VERB shows the verb's manual page, or its --help when man cannot.";
  doc.examples = {
      {"olly eval --set slow='latency_ms > 800' requests.ndjson", "Run olly-eval: the verb's arguments pass through unchanged."},
      {"olly filter 'status >= 500' requests.ndjson", "Run olly-filter through the dispatcher."},
  };
  doc.exit_status =
      "The exit status of the verb run; 2 when the verb is unknown or cannot be run. See olly(7) for "
      "the codes every verb keeps.";
  doc.see_also = {"olly(7)"};
  for (const auto& v : builtin_verbs()) doc.see_also.push_back("olly-" + v + "(1)");

  return run_tool(app, doc, argc, argv, [&]() -> int {
    if (list) return list_verbs();
    std::vector<std::string> rest = app.remaining();
    if (verb.empty() && !rest.empty() && rest[0].size() > 1 && rest[0][0] == '-') {
      // olly --bogus: name the flag, as every verb does.
      report("{}: unknown option (olly's own are --list, --help and --version; a verb's go after it)",
             rest[0]);
      std::fputs("Try 'olly --help' for more information.\n", stderr);
      return kExitUsage;
    }
    if (verb.empty()) {
      std::string help = app.help();
      std::fwrite(help.data(), 1, help.size(), stdout);
      return kExitUsage;
    }
    if (verb == "help") {
      if (rest.empty()) {
        std::string help = app.help();
        std::fwrite(help.data(), 1, help.size(), stdout);
        return kExitOk;
      }
      return help_for(rest[0]);
    }
    exec_verb(verb, rest);
  });
}
