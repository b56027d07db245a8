// Line-oriented log formats for olly-parse. Each parser turns one input line
// into one JSON object appended through a JsonBuilder (begin_object ..
// end_object included), or returns false with a reason naming what did not
// fit (the caller sends the line to --errors with its number).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "timeutil.h"
#include "writer.h"

namespace olly::parse {

struct LineFormatOptions {
  const TimeZone* tz = nullptr;  // --tz for times without an offset (UTC when null)
  int default_year = 0;          // RFC 3164 lines carry no year (0: current year)
};

// logfmt: key=value pairs, "quoted values" with escapes, bare keys (true);
// duplicate keys: the last one wins.
bool parse_logfmt(std::string_view line, JsonBuilder& out, std::string& reason);

// nginx log_format / Apache access logs. "combined" and "common" are the
// predefined layouts; custom ones come from nginx $variable format strings.
class AccessLogFormat {
 public:
  static std::optional<AccessLogFormat> combined();
  static std::optional<AccessLogFormat> common();
  // e.g. "$remote_addr - $remote_user [$time_local] \"$request\" $status ..."
  static std::optional<AccessLogFormat> compile(std::string_view format_string, std::string& error);
  bool parse(std::string_view line, JsonBuilder& out, std::string& reason,
             const LineFormatOptions& opts) const;
  // (implementation-defined members)
};

// syslog: RFC 5424 and RFC 3164, detected per line.
bool parse_syslog(std::string_view line, JsonBuilder& out, std::string& reason,
                  const LineFormatOptions& opts);

}  // namespace olly::parse
