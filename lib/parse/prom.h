// Prometheus text exposition format (0.0.4): one event per sample.
//
//   {"name":"http_requests_total","type":"counter","help":"...",
//    "labels":{"code":"200"},"value":1027,"timestamp_ms":1395066363000,
//    "ts":"2014-03-17T14:26:03Z"}
//
// `type` and `help` come from the family's # TYPE / # HELP lines (samples
// of histograms and summaries, name_bucket/_sum/_count, find their family,
// named in `family`); a sample without metadata is "untyped". Values are
// numbers; +Inf, -Inf and NaN, which JSON cannot hold, are the strings
// "+Inf", "-Inf" and "NaN". Label values are unescaped (\\ \" \n).
//
// Accepted like Prometheus' own parser: tabs and spaces as separators, a
// trailing comma and spaces inside braces, commas between labels omitted,
// `:` in names, HELP without text, HELP after TYPE, quoted UTF-8 names
// ({"my.metric", "label.x"="v"}). OpenMetrics text is accepted too:
// `# EOF` and `# UNIT` lines, and exemplars (` # {labels} value [ts]`,
// kept as `exemplar`). Rejected (the line goes to --errors): everything the
// Prometheus parser rejects, e.g. single quotes, hex or `_` in numbers, a
// missing value or name, invalid UTF-8 in a label value.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>

#include "parse/driver.h"

namespace olly::parse {

class PromFormat : public Format {
 public:
  void start_file() override { families_.clear(); }
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override;

 private:
  struct Family {
    std::string type;  // empty: not declared
    std::string help;
    bool has_help = false;
    std::string unit;
  };
  bool parse_comment(std::string_view line, std::string& reason);
  const Family* family_of(std::string_view name, std::string_view& family_name) const;

  std::unordered_map<std::string, Family> families_;
  std::string name_;     // the current sample's name (unescaped when quoted)
  std::string labels_;   // its labels as a JSON object
  std::string scratch_;
};

}  // namespace olly::parse
