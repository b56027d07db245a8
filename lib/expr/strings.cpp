#include "expr/strings.h"

#include <re2/re2.h>

#include <algorithm>

#include "core/writer.h"

namespace olly {

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Byte offset of code point k of s (s.size() when s has k or fewer).
size_t code_point_offset(std::string_view s, int64_t k) {
  if (k <= 0) return 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!is_continuation(s[i]) && k-- == 0) return i;
  }
  return s.size();
}

int64_t code_points(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += !is_continuation(c);
  return n;
}

// Bytes of the code point that starts at p: its lead byte and the
// continuation bytes after it (one byte for anything else).
size_t code_point_bytes(std::string_view s, size_t p) {
  size_t q = p + 1;
  while (q < s.size() && q - p < 4 && is_continuation(s[q])) ++q;
  return q - p;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Submatch views for one evaluation: grown once, reused (a pattern may have
// any number of groups).
re2::StringPiece* submatch_buffer(int n) {
  thread_local std::vector<re2::StringPiece> buf;
  if (buf.size() < static_cast<size_t>(n)) buf.resize(n);
  return buf.data();
}

}  // namespace

ExtractPlan plan_extract(const re2::RE2& re) {
  ExtractPlan plan;
  for (const auto& [name, index] : re.NamedCapturingGroups()) {
    std::string key;
    append_json_string(key, name);
    key.push_back(':');
    plan.named.emplace_back(index, std::move(key));
  }
  if (!plan.named.empty()) {
    std::sort(plan.named.begin(), plan.named.end());
    plan.submatches = plan.named.back().first + 1;
  } else {
    plan.group = re.NumberOfCapturingGroups() > 0 ? 1 : 0;
    plan.submatches = plan.group + 1;
  }
  return plan;
}

ExtractResult extract(const re2::RE2& re, const ExtractPlan& plan, std::string_view s, std::string_view* text,
                      std::string& out) {
  if (s.data() == nullptr) s = std::string_view("", 0);  // RE2 marks a group that took no part with a null data()
  re2::StringPiece subject(s.data(), s.size());
  re2::StringPiece* m = submatch_buffer(plan.submatches);
  if (!re.Match(subject, 0, subject.size(), re2::RE2::UNANCHORED, m, plan.submatches)) {
    return ExtractResult::no_match;
  }
  if (plan.named.empty()) {
    const re2::StringPiece& g = m[plan.group];
    if (g.data() == nullptr) return ExtractResult::no_match;  // (a)?b matched without its group
    *text = std::string_view(g.data(), g.size());
    return ExtractResult::string;
  }
  out.clear();
  out.push_back('{');
  for (size_t k = 0; k < plan.named.size(); ++k) {
    if (k > 0) out.push_back(',');
    out.append(plan.named[k].second);
    const re2::StringPiece& g = m[plan.named[k].first];
    if (g.data() == nullptr) {
      out.append("null");
    } else {
      append_json_string(out, std::string_view(g.data(), g.size()));
    }
  }
  out.push_back('}');
  return ExtractResult::object;
}

bool replace_all(const re2::RE2& re, std::string_view s, std::string_view rewrite, std::string& out) {
  // RE2::GlobalReplace's loop, appending to a reused buffer instead of
  // building a new string per call.
  re2::StringPiece rw(rewrite.data(), rewrite.size());
  const int nvec = 1 + re2::RE2::MaxSubmatch(rw);
  re2::StringPiece* vec = submatch_buffer(nvec);
  if (s.data() == nullptr) s = std::string_view("", 0);
  re2::StringPiece subject(s.data(), s.size());
  size_t p = 0;
  size_t last_end = std::string_view::npos;
  bool any = false;
  while (p <= s.size()) {
    if (!re.Match(subject, p, s.size(), re2::RE2::UNANCHORED, vec, nvec)) break;
    if (!any) {
      out.clear();
      any = true;
    }
    size_t at = static_cast<size_t>(vec[0].data() - s.data());
    out.append(s.substr(p, at - p));
    if (at == last_end && vec[0].empty()) {
      // An empty match where the last match ended: step over one code point
      // so that "x*" on "abc" does not replace at the same place twice.
      if (p == s.size()) break;
      size_t n = code_point_bytes(s, p);
      out.append(s.substr(p, n));
      p += n;
      continue;
    }
    re.Rewrite(&out, rw, vec, nvec);
    p = at + vec[0].size();
    last_end = p;
  }
  if (!any) return false;
  if (p < s.size()) out.append(s.substr(p));
  return true;
}

void split_json(std::string_view s, std::string_view sep, std::string& out) {
  out.clear();
  out.push_back('[');
  if (s.empty()) {
    out.push_back(']');
    return;
  }
  size_t from = 0;
  bool first = true;
  auto piece = [&](std::string_view part) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, part);
  };
  if (sep.empty()) {
    while (from < s.size()) {
      size_t n = code_point_bytes(s, from);
      piece(s.substr(from, n));
      from += n;
    }
  } else {
    for (;;) {
      size_t at = s.find(sep, from);
      if (at == std::string_view::npos) break;
      piece(s.substr(from, at - from));
      from = at + sep.size();
    }
    piece(s.substr(from));
  }
  out.push_back(']');
}

std::string_view substr_code_points(std::string_view s, int64_t start, int64_t len) {
  if (start < 0) start = std::max<int64_t>(0, code_points(s) + start);
  if (len <= 0) return s.substr(0, 0);
  size_t from = code_point_offset(s, start);
  std::string_view rest = s.substr(from);
  return rest.substr(0, code_point_offset(rest, len));
}

std::string_view trim_space(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool url_decode(std::string_view s, std::string& out) {
  if (s.find_first_of("%+") == std::string_view::npos) return false;
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return true;
}

}  // namespace olly
