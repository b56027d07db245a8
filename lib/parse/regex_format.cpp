#include "parse/regex_format.h"

#include "core/diag.h"
#include "parse/line_detail.h"

namespace olly::parse {

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
    std::string& buf = detail::member(b, names_[i]);
    if (infer_types_) detail::append_inferred(buf, text);
    else detail::append_string(buf, text);
  }
  b.end_object();
  out.end();
  return true;
}

}  // namespace olly::parse
