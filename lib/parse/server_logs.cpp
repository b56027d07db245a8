// Two line formats servers write around applications: the CRI container log
// format (Kubernetes pods) and Apache httpd's error log.
#include <fmt/format.h>

#include "parse/line_detail.h"
#include "parse/line_formats.h"

namespace olly::parse {

using namespace detail;

namespace {

// The next space-separated field of line from i (i moves past it and the
// one space after it).
std::string_view next_field(std::string_view line, size_t& i) {
  const size_t begin = i;
  while (i < line.size() && line[i] != ' ') ++i;
  std::string_view f = line.substr(begin, i - begin);
  if (i < line.size()) ++i;
  return f;
}

}  // namespace

bool split_cri(std::string_view line, CriLine& out, std::string& reason) {
  line = strip_cr(line);
  size_t i = 0;
  out.time = next_field(line, i);
  auto ts = parse_rfc3339(out.time);
  if (!ts) {
    reason = out.time.empty() ? "not a CRI line: no time at the start"
                              : fmt::format("not a CRI line: '{}' is no RFC 3339 time", out.time.substr(0, 64));
    return false;
  }
  out.ts = *ts;
  out.stream = next_field(line, i);
  if (out.stream != "stdout" && out.stream != "stderr") {
    reason = fmt::format("not a CRI line: the stream is '{}', not stdout or stderr", out.stream.substr(0, 64));
    return false;
  }
  const size_t tag_at = i;
  out.logtag = next_field(line, i);
  const std::string_view first_flag = out.logtag.substr(0, out.logtag.find(':'));
  if (first_flag != "F" && first_flag != "P") {
    reason = fmt::format("not a CRI line: the tag at column {} is '{}', not F or P", tag_at + 1,
                         out.logtag.substr(0, 64));
    return false;
  }
  out.partial = first_flag == "P";
  // "... stdout F" with nothing after the tag: an empty line was logged.
  out.msg = line.substr(std::min(i, line.size()));
  return true;
}

void write_cri(const CriLine& line, std::string_view msg, JsonBuilder& out) {
  out.begin_object();
  member_string(out, "time", line.time);
  write_ts(out, line.ts);
  member_string(out, "stream", line.stream);
  member_string(out, "logtag", line.logtag);
  member_string(out, "msg", msg);
  out.end_object();
}

bool parse_cri(std::string_view line, JsonBuilder& out, std::string& reason) {
  CriLine l;
  if (!split_cri(line, l, reason)) return false;
  write_cri(l, l.msg, out);
  return true;
}

namespace {

constexpr std::string_view kApacheLevels[] = {"emerg", "alert", "crit",   "error",  "warn",   "notice",
                                              "info",  "debug", "trace1", "trace2", "trace3", "trace4",
                                              "trace5", "trace6", "trace7", "trace8"};

bool is_apache_level(std::string_view s) {
  for (std::string_view l : kApacheLevels)
    if (s == l) return true;
  return false;
}

// "Wed Oct 11 14:32:52.123456 2000": the weekday, then RFC 3164's layout
// (with a fraction), then the year.
std::optional<TimeNs> apache_time(std::string_view s, const TimeZone* tz) {
  if (s.size() < 24 || s[3] != ' ') return std::nullopt;
  const size_t year_at = s.rfind(' ');
  if (year_at == std::string_view::npos || year_at <= 4) return std::nullopt;
  int64_t year = 0;
  if (!parse_int64(s.substr(year_at + 1), year) || year < 1 || year > 9999) return std::nullopt;
  return parse_bsd_syslog_time(s.substr(4, year_at - 4), static_cast<int>(year), tz);
}

// The bracket at i ("[...]" then a space or the end): its inside, with i
// moved past it; nullopt when there is none.
std::optional<std::string_view> bracket(std::string_view line, size_t& i) {
  if (i >= line.size() || line[i] != '[') return std::nullopt;
  const size_t close = line.find(']', i);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view inside = line.substr(i + 1, close - i - 1);
  i = close + 1;
  if (i < line.size() && line[i] == ' ') ++i;
  return inside;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool parse_apache_error(std::string_view line, JsonBuilder& out, std::string& reason,
                        const LineFormatOptions& opts) {
  line = strip_cr(line);
  size_t i = 0;
  auto time = bracket(line, i);
  std::optional<TimeNs> ts;
  if (time) ts = apache_time(*time, opts.tz);
  if (!ts) {
    reason = "not an Apache error log line: no [Www Mmm dd hh:mm:ss yyyy] time at the start";
    return false;
  }
  const size_t level_at = i;
  auto level_group = bracket(line, i);
  std::string_view module, level;
  if (level_group) {
    const size_t colon = level_group->rfind(':');
    level = colon == std::string_view::npos ? *level_group : level_group->substr(colon + 1);
    if (colon != std::string_view::npos) module = level_group->substr(0, colon);
  }
  if (!is_apache_level(level)) {
    reason = fmt::format("not an Apache error log line: no [module:level] or [level] at column {}", level_at + 1);
    return false;
  }
  out.begin_object();
  member_string(out, "time", *time);
  write_ts(out, *ts);
  if (!module.empty()) member_string(out, "module", module);
  member_string(out, "level", level);
  // [pid 35708:tid 4328636416] or [pid 35708]
  size_t pid_end = i;
  std::optional<std::string_view> pid_bracket;
  if (line.substr(i).starts_with("[pid ")) pid_bracket = bracket(line, pid_end);
  if (pid_bracket) {  // "[pid 12" with no ']' after it is message text
    const size_t j = pid_end;
    std::string_view pid = pid_bracket->substr(4), tid;
    if (const size_t colon = pid.find(":tid "); colon != std::string_view::npos) {
      tid = pid.substr(colon + 5);
      pid = pid.substr(0, colon);
    }
    int64_t v = 0;
    if (parse_int64(pid, v) && (tid.empty() || all_digits(tid))) {
      member_int(out, "pid", pid, v);
      // A thread id is often beyond int64 on 64-bit systems: its digits as a string.
      if (!tid.empty()) member_string(out, "tid", tid);
      i = j;
    }
  }
  // "(32)Broken pipe: " (2.4's %E): the OS error, when there is one.
  if (i < line.size() && line[i] == '(') {
    const size_t close = line.find(')', i);
    const size_t colon = line.find(": ", i);
    if (close != std::string_view::npos && colon != std::string_view::npos && close < colon &&
        (all_digits(line.substr(i + 1, close - i - 1)) || line.substr(i + 1, close - i - 1).starts_with("-"))) {
      member_string(out, "os_error", line.substr(i, colon - i));
      i = colon + 2;
    }
  }
  for (std::string_view peer : {std::string_view("client"), std::string_view("remote")}) {
    if (line.substr(i).starts_with(fmt::format("[{} ", peer))) {
      size_t j = i;
      if (auto inside = bracket(line, j)) {
        member_string(out, peer, inside->substr(peer.size() + 1));
        i = j;
      }
    }
  }
  std::string_view msg = line.substr(std::min(i, line.size()));
  // AH00128: Apache's message code.
  if (msg.size() > 9 && msg.starts_with("AH") && all_digits(msg.substr(2, 5)) && msg.substr(7, 2) == ": ") {
    member_string(out, "code", msg.substr(0, 7));
    msg.remove_prefix(9);
  }
  std::string_view referer;
  if (const size_t at = msg.rfind(", referer: "); at != std::string_view::npos) {
    referer = msg.substr(at + 11);
    msg = msg.substr(0, at);
  }
  member_string(out, "msg", msg);
  if (!referer.empty()) member_string(out, "referer", referer);
  out.end_object();
  return true;
}

}  // namespace olly::parse
