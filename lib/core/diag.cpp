#include "core/diag.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/progress.h"

namespace olly {

namespace {
std::string& name_storage() {
  static std::string name = "olly";
  return name;
}

bool color_on = false;

// SGR codes; kReset ends any of them.
constexpr std::string_view kReset = "\033[0m";
std::string_view paint_code(Paint kind) {
  switch (kind) {
    case Paint::location: return "\033[36m";
    case Paint::error: return "\033[1;31m";
    case Paint::name: return "\033[1m";
  }
  return "";
}

// A caret line of an expression error: blanks, then one '^'.
bool is_caret_line(std::string_view line) {
  if (line.empty() || line.back() != '^') return false;
  line.remove_suffix(1);
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// message with its caret lines painted (only called with color on).
std::string paint_carets(std::string_view message) {
  std::string out;
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string_view::npos) end = message.size();
    std::string_view line = message.substr(start, end - start);
    if (start > 0 && is_caret_line(line)) {
      size_t caret = line.size() - 1;
      out.append(line.substr(0, caret));
      out += paint(Paint::error, "^");
    } else {
      out.append(line);
    }
    if (end < message.size()) out.push_back('\n');
    start = end + 1;
  }
  return out;
}
}  // namespace

void set_tool_name(std::string_view name) { name_storage() = std::string(name); }
const std::string& tool_name() { return name_storage(); }

void set_color(std::string_view when) {
  if (when == "always") {
    color_on = true;
  } else if (when == "never") {
    color_on = false;
  } else {
    const char* no_color = std::getenv("NO_COLOR");
    color_on = !(no_color && *no_color) && ::isatty(2) == 1;
  }
}

bool color_enabled() { return color_on; }

std::string paint(Paint kind, std::string_view text) {
  if (!color_on) return std::string(text);
  std::string out(paint_code(kind));
  out.append(text);
  out.append(kReset);
  return out;
}

std::string location(std::string_view file, uint64_t line) {
  return paint(Paint::location, fmt::format("{}:{}", file, line));
}

void print_error(std::string_view message) {
  std::string line = paint(Paint::name, name_storage() + ":");
  line += ' ';
  if (color_on && message.find('^') != std::string_view::npos) {
    line += paint_carets(message);
  } else {
    line += message;
  }
  if (line.back() != '\n') line.push_back('\n');
  ProgressMeter::Pause pause(progress_meter());  // the message replaces the progress line
  std::fwrite(line.data(), 1, line.size(), stderr);
}

size_t edit_distance(std::string_view a, std::string_view b) {
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

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // A typo changes a few characters; more than that is another word.
  if (best.empty() || best_distance > std::max<size_t>(2, word.size() / 3) || best_distance >= word.size()) {
    return {};
  }
  return best;
}

}  // namespace olly
