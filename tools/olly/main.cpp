// olly: runs `olly-VERB` for `olly VERB ...`, as git does, so any olly-*
// executable on PATH is a plugin.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>

#include "cli.h"
#include "diag.h"

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

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

int list_verbs() {
  std::string own = own_directory();
  std::set<std::string> builtin = verbs_in(own);
  std::set<std::string> plugins;
  for (const auto& dir : path_dirs()) {
    if (dir == own) continue;
    for (const auto& v : verbs_in(dir)) {
      if (!builtin.count(v)) plugins.insert(v);
    }
  }
  std::string out;
  for (const auto& v : builtin) out += fmt::format("{}\tbuilt-in\n", v);
  for (const auto& v : plugins) out += fmt::format("{}\tplugin\t{}\n", v, find_verb(v));
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
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
    std::string hint;
    size_t best = SIZE_MAX;
    for (const auto& v : known_verbs()) {
      size_t d = edit_distance(verb, v);
      if (d < best) {
        best = d;
        hint = v;
      }
    }
    if (!hint.empty() && best <= std::max<size_t>(2, verb.size() / 3)) {
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

}  // namespace

int main(int argc, char** argv) {
  bool list = false;
  std::string verb;
  CLI::App app{"olly: small, fast Unix filters for logs, spans and metrics.", "olly"};
  app.prefix_command();
  app.add_flag("-l,--list", list, "List the built-in verbs and the plugins (olly-* on PATH)");
  app.add_option("VERB", verb, "The verb to run: olly VERB ARGS runs olly-VERB ARGS");

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
      {"olly --list", "Show the verbs this installation has."},
      {"olly filter 'status >= 500' requests.ndjson", "Run olly-filter through the dispatcher."},
  };
  doc.exit_status =
      "The exit status of the verb run; 2 when the verb is unknown or cannot be run. See olly(7) for "
      "the codes every verb keeps.";
  doc.see_also = {"olly(7)", "olly-filter(1)", "olly-eval(1)"};

  return run_tool(app, doc, argc, argv, [&]() -> int {
    if (list) return list_verbs();
    std::vector<std::string> rest = app.remaining();
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
