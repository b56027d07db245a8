#include "parse/regex_format.h"

#include "diag.h"

namespace olly::parse {

namespace {

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// ("007" and "1." stay strings, so codes with leading zeros are kept).
bool is_json_number(std::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i == n;
}

}  // namespace

void write_inferred(JsonBuilder& b, std::string_view text) {
  if (is_json_number(text)) {
    b.raw(text);  // exact as written: no precision lost to a double
  } else if (text == "true" || text == "false") {
    b.boolean(text == "true");
  } else {
    b.string(text);
  }
}

RegexFormat::RegexFormat(std::string_view pattern, bool infer_types, std::string_view flag)
    : infer_types_(infer_types) {
  RE2::Options options;
  options.set_log_errors(false);
  re_ = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re_->ok()) {
    throw UsageError(fmt::format("{}: invalid regular expression: {}", flag, re_->error()));
  }
  int n = re_->NumberOfCapturingGroups();
  names_.assign(static_cast<size_t>(n) + 1, std::string());
  for (const auto& [name, index] : re_->NamedCapturingGroups()) names_[index] = name;
  if (re_->NamedCapturingGroups().empty()) {
    throw UsageError(fmt::format("{}: the pattern has no named group; write (?P<name>...)", flag));
  }
  groups_.resize(names_.size());
}

bool RegexFormat::parse(std::string_view record, EventWriter& out, std::string& reason) {
  if (!re_->Match(re2::StringPiece(record.data(), record.size()), 0, record.size(), RE2::UNANCHORED,
                  groups_.data(), static_cast<int>(groups_.size()))) {
    reason = "does not match the pattern";
    return false;
  }
  JsonBuilder& b = out.begin();
  b.begin_object();
  for (size_t i = 1; i < groups_.size(); ++i) {
    if (names_[i].empty() || groups_[i].data() == nullptr) continue;
    std::string_view text(groups_[i].data(), groups_[i].size());
    b.key(names_[i]);
    if (infer_types_) {
      write_inferred(b, text);
    } else {
      b.string(text);
    }
  }
  b.end_object();
  out.end();
  return true;
}

}  // namespace olly::parse
