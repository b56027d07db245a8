// olly-parse regex 'PATTERN': RE2 named captures become fields.
//
// The pattern is searched in each record (unanchored: write ^ and $ to
// anchor). Named groups become string fields in pattern order; a group that
// did not take part in the match is omitted; unnamed groups are ignored.
// With --infer-types, a capture that is a JSON number readers take back
// (detail::append_inferred: finite, integers within int64/uint64) becomes a
// number and true/false a boolean. A record the pattern does not match goes to --errors.
// With --multiline-start RE (the driver's job), continuation lines are joined
// to the record with "\n" first, so (?s) lets `.` cross them.
#pragma once
#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parse/driver.h"

namespace olly::parse {

class RegexFormat : public Format {
 public:
  // Throws UsageError naming `flag` when the pattern does not compile or has
  // no named group.
  RegexFormat(std::string_view pattern, bool infer_types, std::string_view flag = "PATTERN");
  bool reads_lines_alone() const override { return true; }
  bool parse(std::string_view record, EventWriter& out, std::string& reason) override;

 private:
  std::unique_ptr<RE2> re_;
  bool infer_types_;
  std::vector<std::string> names_;  // by group index; empty for unnamed groups
  std::vector<re2::StringPiece> groups_;
};

}  // namespace olly::parse
