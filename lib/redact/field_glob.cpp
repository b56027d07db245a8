#include "redact/field_glob.h"

#include <fmt/format.h>

#include "core/diag.h"
#include "expr/path.h"

namespace olly::redact {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '@' ||
         c == '$' || c == '-' || c == '*' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

FieldGlob parse_field_glob(std::string_view text, std::string_view flag) {
  FieldGlob g;
  g.text = std::string(text);
  if (text.empty()) throw UsageError(fmt::format("{}: empty field path", flag));
  // Cut at the dots outside brackets and quotes; a segment with no `*` is an
  // ordinary path (brackets and all), parsed as every verb parses it.
  size_t i = 0;
  while (i <= text.size()) {
    size_t start = i;
    char quote = 0;
    while (i < text.size()) {
      char c = text[i];
      if (quote) {
        if (c == '\\') ++i;
        else if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '.') {
        break;
      }
      ++i;
    }
    std::string_view seg = text.substr(start, std::min(i, text.size()) - start);
    if (seg.empty()) throw UsageError(fmt::format("{}: '{}': empty step in field path", flag, text));
    if (seg == "*" || seg == "**") {
      g.steps.push_back({GlobStep::Kind::any_depth, "", -1});
    } else if (seg.find('*') != std::string_view::npos && seg.find('[') == std::string_view::npos) {
      for (char c : seg) {
        if (!is_name_char(c)) {
          throw UsageError(fmt::format("{}: '{}': unexpected character '{}' in a wildcard name", flag, text, c));
        }
      }
      g.steps.push_back({GlobStep::Kind::glob, std::string(seg), -1});
    } else {
      Path p = parse_path_or_throw(seg, flag);
      for (auto& s : p.steps) {
        if (s.is_index()) g.steps.push_back({GlobStep::Kind::index, "", s.index});
        else g.steps.push_back({GlobStep::Kind::key, std::move(s.key), -1});
      }
    }
    ++i;
  }
  if (g.steps.size() > kMaxPathSteps) throw UsageError(fmt::format("{}: field path too long", flag));
  bool only_any = true;
  for (auto& s : g.steps) only_any &= (s.kind == GlobStep::Kind::any_depth);
  if (only_any) throw UsageError(fmt::format("{}: '{}' selects everything; name a field", flag, text));
  return g;
}

bool glob_match(std::string_view pattern, std::string_view key) {
  // Iterative * matching with one backtrack point (linear enough for keys).
  size_t p = 0, k = 0, star = std::string_view::npos, mark = 0;
  while (k < key.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = k;
    } else if (p < pattern.size() && pattern[p] == key[k]) {
      ++p;
      ++k;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      k = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

void GlobMatcher::reset() {
  states_.clear();
  frames_.clear();
  frames_.push_back(0);
  int hit = -1;
  for (uint32_t g = 0; g < globs_->size(); ++g) add_closure(g, 0, hit);
}

void GlobMatcher::add_closure(uint32_t glob, uint32_t step, int& hit) {
  const auto& steps = (*globs_)[glob].steps;
  for (size_t i = frames_.back(); i < states_.size(); ++i) {
    if (states_[i].glob == glob && states_[i].step == step) return;
  }
  if (step == steps.size()) {
    if (hit < 0 || static_cast<int>(glob) < hit) hit = static_cast<int>(glob);
    return;
  }
  states_.push_back({glob, step});
  if (steps[step].kind == GlobStep::Kind::any_depth) add_closure(glob, step + 1, hit);
}

int GlobMatcher::enter(std::string_view key, int64_t index) {
  const size_t from = frames_.back();
  const size_t to = states_.size();
  frames_.push_back(to);
  int hit = -1;
  for (size_t i = from; i < to; ++i) {
    const State st = states_[i];
    const GlobStep& step = (*globs_)[st.glob].steps[st.step];
    switch (step.kind) {
      case GlobStep::Kind::any_depth: add_closure(st.glob, st.step, hit); break;
      case GlobStep::Kind::key:
        if (index < 0 && key == step.text) add_closure(st.glob, st.step + 1, hit);
        break;
      case GlobStep::Kind::glob:
        if (index < 0 && glob_match(step.text, key)) add_closure(st.glob, st.step + 1, hit);
        break;
      case GlobStep::Kind::index:
        if (index >= 0 && index == step.index) add_closure(st.glob, st.step + 1, hit);
        break;
    }
  }
  return hit;
}

void GlobMatcher::leave() {
  states_.resize(frames_.back());
  frames_.pop_back();
}

}  // namespace olly::redact
