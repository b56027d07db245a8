#include "parse/detect.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <array>

#include "parse/driver.h"
#include "parse/line_detail.h"
#include "parse/line_formats.h"
#include "parse/prom.h"
#include "core/stage.h"

namespace olly::parse {

namespace {

struct Patterns {
  RE2 combined{R"(\] "(?:[^"\\]|\\.)*" [0-9]{3} (?:[0-9]+|-) "(?:[^"\\]|\\.)*" ")"};
  RE2 logfmt_pair{R"((?:^|[ \t])[A-Za-z_][A-Za-z0-9_.\-/@]*=)"};
  RE2 logfmt_start{R"(^[A-Za-z_][A-Za-z0-9_.\-/@]*=)"};
};

const Patterns& patterns() {
  static const Patterns p;
  return p;
}

enum Candidate { kProm, kCri, kSyslog, kCombined, kCommon, kApacheError, kLogfmt, kTsv, kCsv, kCount };
constexpr const char* kNames[kCount] = {"prom",   "cri",          "syslog", "combined", "common",
                                        "apache_error", "logfmt", "tsv",    "csv"};

size_t count_logfmt_pairs(std::string_view line) {
  re2::StringPiece input(line.data(), line.size());
  size_t n = 0;
  while (n < 8 && RE2::FindAndConsume(&input, patterns().logfmt_pair)) ++n;
  return n;
}

std::string_view trim_end(std::string_view l) {
  while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
  return l;
}

bool has_digit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;  // UTF-8 too
}

// A header cell names a column: an identifier-like name ("LineId",
// "order_id", "Order ID", "http.status", "e-mail"), not data, prose or a
// line of some other format. So it starts with a letter or '_' (not a
// number: "1428634687123 Hello"), holds letters, digits and the few marks
// names use (no sentence punctuation: "World!", no key=value, call or list:
// "execve(", "[pid]"), has at most three blanks, and is no time or date
// ("Jun 14 15:16:01", "2012-07-02"). An empty cell passes (the caller
// counts those).
bool looks_like_name(std::string_view cell) {
  while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
  while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
  if (cell.empty()) return true;
  if (cell.size() > 64 || cell.back() == '.') return false;
  const auto first = static_cast<unsigned char>(cell[0]);
  if (!is_name_char(first) && first != '@' && first != '#' && first != '$') return false;
  size_t blanks = 0;
  for (char ch : cell) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_name_char(c) || (c >= '0' && c <= '9')) continue;
    if (c == ' ') {
      if (++blanks > 3) return false;  // prose, not a name
      continue;
    }
    if (std::string_view("-./:@#$%&+'").find(static_cast<char>(c)) == std::string_view::npos) return false;
  }
  return !(has_digit(cell) && cell.find_first_of(":/") != std::string_view::npos);
}

// csv / tsv: the first record is a plausible header of two or more columns
// and every record after it (quoted newlines allowed) has that many fields.
// Returns how many lines the table covers (0: it is no table).
size_t table_lines(const std::vector<std::string_view>& lines, bool tsv) {
  CsvReader::Options o;
  if (tsv) {
    o.delimiter = '\t';
    o.quoting = false;
  }
  CsvReader reader(o);
  std::string buf, reason;
  size_t records = 0;
  bool header = false;
  for (std::string_view l : lines) {
    buf.clear();
    JsonBuilder out(buf);
    switch (reader.feed(l, out, reason)) {
      case CsvReader::Result::header: {
        header = true;
        const auto& cols = reader.columns();
        if (cols.size() < 2) return 0;
        size_t empty = 0;
        for (const auto& c : cols) {
          if (!looks_like_name(c)) return 0;
          if (c.starts_with("_") && c.size() > 1 && detail::is_json_number(std::string_view(c).substr(1)))
            ++empty;  // an empty name became _N
        }
        if (empty * 2 >= cols.size()) return 0;
        break;
      }
      case CsvReader::Result::record: ++records; break;
      case CsvReader::Result::error: return 0;  // a record of another width
      case CsvReader::Result::need_more:
      case CsvReader::Result::skipped: break;
    }
  }
  if (!header || records == 0) return 0;
  return lines.size();
}

// The root keys that make a JSON document an OTLP export.
constexpr std::string_view kOtlpRoots[] = {"resourceSpans", "resourceLogs", "resourceMetrics"};

// JSON: the documents the sample frames into, and whether they parse.
struct JsonVerdict : detail::DocumentFramer::Handler {
  simdjson::dom::parser parser;
  size_t ok = 0, failed = 0;
  bool otlp = false;
  void document(std::string_view text, uint64_t) override {
    simdjson::padded_string padded(text);
    simdjson::dom::element root;
    if (parser.parse(padded).get(root)) {
      ++failed;
      return;
    }
    ++ok;
    simdjson::dom::object o;
    if (root.get_object().get(o) == simdjson::SUCCESS) {
      for (std::string_view key : kOtlpRoots) {
        if (o.at_key(key).error() == simdjson::SUCCESS) otlp = true;
      }
    }
  }
  void bad(uint64_t, std::string_view, std::string_view) override { ++failed; }
};

}  // namespace

bool starts_json_document(const std::vector<std::string_view>& lines) {
  for (std::string_view l : lines) {
    size_t lead = l.find_first_not_of(" \t\r");
    if (lead == std::string_view::npos) continue;
    return l[lead] == '{' || l[lead] == '[';
  }
  return false;
}

std::string detect_format(const std::vector<std::string_view>& lines) {
  const Patterns& p = patterns();

  // JSON: documents one per line or spread over many; OTLP names its roots.
  // Line formats may start with '[' too (Apache error logs), so JSON must
  // parse to win.
  if (starts_json_document(lines)) {
    JsonVerdict v;
    detail::DocumentFramer framer;
    uint64_t n = 0;
    for (std::string_view l : lines) framer.line(l, ++n, v);
    if (v.ok > 0 && v.ok >= 2 * v.failed) return v.otlp ? "otlp" : "json";
    if (v.ok == 0 && v.failed == 0 && framer.open()) {
      // One document larger than the sample: its opening is all there is.
      std::string_view open = framer.pending();
      for (std::string_view key : kOtlpRoots) {
        if (open.find(fmt::format("\"{}\"", key)) != std::string_view::npos) return "otlp";
      }
      if (open.find("\":") != std::string_view::npos) return "json";
    }
  }

  // Line formats: each candidate parses the lines; lines that start with a
  // blank (continuations of the line before: stack traces, indented syslog
  // messages) do not vote.
  std::vector<std::string_view> sample;
  for (std::string_view l : lines) {
    l = trim_end(l);
    if (l.empty() || l[0] == ' ' || l[0] == '\t') continue;
    sample.push_back(l);
  }
  if (sample.empty()) return "";

  std::array<size_t, kCount> votes{};
  size_t combined_only = 0;  // lines with a referer and user agent
  auto combined = AccessLogFormat::combined();
  LineFormatOptions opts;
  opts.default_year = 2024;  // a leap year: Feb 29 parses
  std::string buf, reason;
  // prom: lines its parser takes; comments count only beside a sample.
  ParseOptions prom_opts;
  PromFormat prom;
  OutputSink prom_sink(-1);
  Stats prom_stats;
  Emitter prom_emitter(prom_sink, prom_stats);
  EventWriter prom_out(prom_emitter, prom_opts);
  size_t prom_samples = 0;
  prom.start_file();
  auto fits = [&](auto&& parse) {
    buf.clear();
    JsonBuilder out(buf);
    return parse(out);
  };
  for (std::string_view l : sample) {
    re2::StringPiece sp(l.data(), l.size());
    if (prom.parse(l, prom_out, reason)) {
      ++votes[kProm];
      if (l[0] != '#') ++prom_samples;
    } else {
      prom_out.abandon();
    }
    prom_sink.buffer().clear();
    // A syslog line names its sender (PRI or tag): a bare "time word text"
    // line (an application log) parses too, but it is no syslog.
    if (fits([&](JsonBuilder& o) { return parse_syslog(l, o, reason, opts); }) &&
        (l[0] == '<' || buf.find("\"app\":") != std::string::npos))
      ++votes[kSyslog];
    if (combined && fits([&](JsonBuilder& o) { return combined->parse(l, o, reason, opts); })) {
      // combined reads common lines too (and common combined lines): the
      // access votes go to the name most lines fit.
      if (RE2::PartialMatch(sp, p.combined)) ++combined_only;
      ++votes[kCombined];
    }
    if (fits([&](JsonBuilder& o) { return parse_cri(l, o, reason); })) ++votes[kCri];
    if (l[0] == '[' && fits([&](JsonBuilder& o) { return parse_apache_error(l, o, reason, opts); }))
      ++votes[kApacheError];
    if (RE2::PartialMatch(sp, p.logfmt_start) && count_logfmt_pairs(l) >= 2 &&
        fits([&](JsonBuilder& o) { return parse_logfmt(l, o, reason, opts); }))
      ++votes[kLogfmt];
  }
  if (prom_samples == 0) votes[kProm] = 0;
  if (combined_only * 2 < votes[kCombined]) std::swap(votes[kCombined], votes[kCommon]);
  // Tables read every line (a quoted field may hold a blank-led one).
  votes[kTsv] = std::min(sample.size(), table_lines(lines, true));
  if (votes[kTsv] == 0) votes[kCsv] = std::min(sample.size(), table_lines(lines, false));

  // The candidate most lines fit, in the order above when tied; it must fit
  // at least two lines in three.
  size_t best = kCount;
  for (size_t c = 0; c < kCount; ++c) {
    if (votes[c] == 0 || votes[c] * 3 < sample.size() * 2) continue;
    if (best == kCount || votes[c] > votes[best]) best = c;
  }
  return best == kCount ? "" : kNames[best];
}

}  // namespace olly::parse
