#include "parse/detect.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>

namespace olly::parse {

namespace {

struct Patterns {
  RE2 prom_sample{R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?[ \t]+[-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN)([ \t]+-?[0-9]+)?[ \t]*$)"};
  RE2 syslog{R"(^(<[0-9]{1,3}>|[A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} |[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[-+][0-9:]+) \S+ \S+))"};
  RE2 access{R"(^\S.* \[[0-9]{1,2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}\] ")"};
  RE2 combined{R"(\] "(?:[^"\\]|\\.)*" [0-9]{3} (?:[0-9]+|-) "(?:[^"\\]|\\.)*" ")"};
  RE2 logfmt_pair{R"((?:^|[ \t])[A-Za-z_][A-Za-z0-9_.\-/@]*=)"};
  RE2 logfmt_start{R"(^[A-Za-z_][A-Za-z0-9_.\-/@]*=)"};
};

const Patterns& patterns() {
  static const Patterns p;
  return p;
}

enum Candidate { kOtlp, kJson, kProm, kSyslog, kCombined, kCommon, kLogfmt, kTsv, kCsv, kCount };
constexpr const char* kNames[kCount] = {"otlp", "json", "prom", "syslog", "combined",
                                        "common", "logfmt", "tsv", "csv"};

size_t count_char(std::string_view s, char c) { return static_cast<size_t>(std::count(s.begin(), s.end(), c)); }

size_t count_logfmt_pairs(std::string_view line) {
  re2::StringPiece input(line.data(), line.size());
  size_t n = 0;
  while (n < 8 && RE2::FindAndConsume(&input, patterns().logfmt_pair)) ++n;
  return n;
}

}  // namespace

std::string detect_format(const std::vector<std::string_view>& lines) {
  const Patterns& p = patterns();
  std::vector<std::string_view> sample;
  for (std::string_view l : lines) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    if (!l.empty()) sample.push_back(l);
  }
  if (sample.empty()) return "";

  // JSON: one document per line or one spread over many; OTLP names its roots.
  std::string_view first = sample[0];
  size_t lead = first.find_first_not_of(" \t");
  if (lead != std::string_view::npos && (first[lead] == '{' || first[lead] == '[')) {
    for (std::string_view l : sample) {
      if (l.find("\"resourceSpans\"") != std::string_view::npos ||
          l.find("\"resourceLogs\"") != std::string_view::npos ||
          l.find("\"resourceMetrics\"") != std::string_view::npos) {
        return "otlp";
      }
    }
    return "json";
  }

  std::array<size_t, kCount> votes{};
  size_t first_tabs = count_char(first, '\t'), first_commas = count_char(first, ',');
  for (std::string_view l : sample) {
    re2::StringPiece sp(l.data(), l.size());
    if (l.rfind("# HELP ", 0) == 0 || l.rfind("# TYPE ", 0) == 0 || RE2::PartialMatch(sp, p.prom_sample)) {
      ++votes[kProm];
    }
    if (RE2::PartialMatch(sp, p.syslog)) ++votes[kSyslog];
    if (RE2::PartialMatch(sp, p.access)) {
      if (RE2::PartialMatch(sp, p.combined)) {
        ++votes[kCombined];
      } else {
        ++votes[kCommon];
      }
    }
    if (RE2::PartialMatch(sp, p.logfmt_start) && count_logfmt_pairs(l) >= 2) ++votes[kLogfmt];
    if (first_tabs > 0 && count_char(l, '\t') == first_tabs) ++votes[kTsv];
    if (first_commas > 0 && first_tabs == 0 && count_char(l, ',') >= first_commas) ++votes[kCsv];
  }
  // A combined file may hold some common lines (and the reverse): combined
  // parses both, so the access votes go to the majority's name.
  if (votes[kCombined] > 0 && votes[kCombined] >= votes[kCommon]) {
    votes[kCombined] += votes[kCommon];
    votes[kCommon] = 0;
  } else {
    votes[kCommon] += votes[kCombined];
    votes[kCombined] = 0;
  }
  size_t best = kCount;
  for (size_t c = 0; c < kCount; ++c) {
    if (votes[c] * 2 < sample.size() || votes[c] == 0) continue;
    if (best == kCount || votes[c] > votes[best]) best = c;
  }
  return best == kCount ? "" : kNames[best];
}

}  // namespace olly::parse
