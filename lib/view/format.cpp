#include "view/format.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace olly::view {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view last_segment(std::string_view field) {
  size_t dot = field.rfind('.');
  return dot == std::string_view::npos ? field : field.substr(dot + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

template <size_t N>
bool is_one_of(std::string_view v, const std::string_view (&set)[N]) {
  for (std::string_view s : set) {
    if (iequals(v, s)) return true;
  }
  return false;
}

void append_duration(std::string& out, double seconds) {
  double a = std::fabs(seconds);
  if (a == 0) {
    out.append("0s");
  } else if (a < 1e-3) {
    append_short_number(out, seconds * 1e6);
    out.append("\u00B5s");
  } else if (a < 1) {
    append_short_number(out, seconds * 1e3);
    out.append("ms");
  } else if (a < 60) {
    append_short_number(out, seconds);
    out.push_back('s');
  } else if (a < 3600) {
    auto whole = static_cast<int64_t>(std::llround(a));
    fmt::format_to(std::back_inserter(out), "{}{}m{:02}s", seconds < 0 ? "-" : "", whole / 60, whole % 60);
  } else {
    auto minutes = static_cast<int64_t>(std::llround(a / 60));
    fmt::format_to(std::back_inserter(out), "{}{}h{:02}m", seconds < 0 ? "-" : "", minutes / 60, minutes % 60);
  }
}

}  // namespace

Unit unit_of(std::string_view field) {
  std::string_view f = last_segment(field);
  if (ends_with(f, "_ms") || ends_with(f, "_millis") || ends_with(f, "_milliseconds")) return Unit::millis;
  if (ends_with(f, "_us") || ends_with(f, "_micros") || ends_with(f, "_microseconds")) return Unit::micros;
  if (ends_with(f, "_ns") || ends_with(f, "_nanos") || ends_with(f, "_nanoseconds")) return Unit::nanos;
  if (ends_with(f, "_s") || ends_with(f, "_sec") || ends_with(f, "_secs") || ends_with(f, "_seconds") ||
      ends_with(f, "request_time") || ends_with(f, "response_time") || f == "duration") {
    return Unit::seconds;
  }
  if (ends_with(f, "bytes") || ends_with(f, "_size")) return Unit::bytes;
  if (ends_with(f, "_pct") || ends_with(f, "_percent") || f == "percent") return Unit::percent;
  if (f == "rate" || ends_with(f, "_per_s") || ends_with(f, "_per_sec") || ends_with(f, "_rps") || f == "rps") {
    return Unit::per_second;
  }
  if (ends_with(f, "_rate") || ends_with(f, "ratio") || f == "share") return Unit::fraction;
  return Unit::none;
}

void append_short_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out.append(std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf"));
    return;
  }
  double a = std::fabs(v);
  if (a == 0) {
    out.push_back('0');
    return;
  }
  if (a >= 1e15 || a < 1e-4) {
    fmt::format_to(std::back_inserter(out), "{:.3g}", v);
    return;
  }
  int magnitude = static_cast<int>(std::floor(std::log10(a)));
  int decimals = 3 - magnitude;
  if (decimals < 0) decimals = 0;
  size_t at = out.size();
  fmt::format_to(std::back_inserter(out), "{:.{}f}", v, decimals);
  if (decimals > 0) {
    while (out.size() > at && out.back() == '0') out.pop_back();
    if (out.size() > at && out.back() == '.') out.pop_back();
  }
  if (out.size() - at == 2 && out[at] == '-' && out[at + 1] == '0') out.erase(at, 1);  // -0.00001
}

void append_human_number(std::string& out, double v, std::string_view raw, Unit unit) {
  switch (unit) {
    case Unit::none: {
      bool integral = raw.find_first_of(".eE") == std::string_view::npos;
      if (integral && !raw.empty()) {
        out.append(raw);
      } else {
        append_short_number(out, v);
      }
      return;
    }
    case Unit::seconds: append_duration(out, v); return;
    case Unit::millis: append_duration(out, v / 1e3); return;
    case Unit::micros: append_duration(out, v / 1e6); return;
    case Unit::nanos: append_duration(out, v / 1e9); return;
    case Unit::bytes: {
      static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
      double a = std::fabs(v);
      int k = 0;
      while (a >= 1024 && k < 5) a /= 1024, ++k;
      if (k == 0) {
        append_human_number(out, v, raw, Unit::none);
        out.append(" B");
      } else {
        append_short_number(out, v < 0 ? -a : a);
        out.push_back(' ');
        out.append(kUnits[k]);
      }
      return;
    }
    case Unit::fraction:
      if (v >= 0 && v <= 1) {
        append_short_number(out, v * 100);
        out.push_back('%');
      } else {
        append_short_number(out, v);
      }
      return;
    case Unit::percent:
      append_short_number(out, v);
      out.push_back('%');
      return;
    case Unit::per_second:
      append_short_number(out, v);
      out.append("/s");
      return;
  }
}

std::string_view ansi(Paint p) {
  switch (p) {
    case Paint::none: return "";
    case Paint::good: return "\x1b[32m";
    case Paint::info: return "\x1b[34m";
    case Paint::notice: return "\x1b[36m";
    case Paint::warn: return "\x1b[33m";
    case Paint::bad: return "\x1b[31m";
    case Paint::severe: return "\x1b[1;31m";
    case Paint::dim: return "\x1b[2m";
    case Paint::bold: return "\x1b[1m";
  }
  return "";
}

std::string_view css_class(Paint p) {
  switch (p) {
    case Paint::none: return "";
    case Paint::good: return "good";
    case Paint::info: return "info";
    case Paint::notice: return "notice";
    case Paint::warn: return "warn";
    case Paint::bad: return "bad";
    case Paint::severe: return "severe";
    case Paint::dim: return "dim";
    case Paint::bold: return "strong";
  }
  return "";
}

namespace {

constexpr std::string_view kStatusFields[] = {"status", "status_code", "http_status", "statuscode", "code"};
constexpr std::string_view kLevelFields[] = {"level", "lvl", "loglevel", "log_level", "severity_text"};

Paint paint_level(std::string_view v) {
  static constexpr std::string_view kSevere[] = {"fatal", "critical", "crit", "emerg", "emergency", "alert", "panic"};
  static constexpr std::string_view kBad[] = {"error", "err", "e"};
  static constexpr std::string_view kWarn[] = {"warn", "warning", "w"};
  static constexpr std::string_view kGood[] = {"info", "notice", "i", "information"};
  static constexpr std::string_view kDim[] = {"debug", "trace", "d", "verbose"};
  if (is_one_of(v, kSevere)) return Paint::severe;
  if (is_one_of(v, kBad)) return Paint::bad;
  if (is_one_of(v, kWarn)) return Paint::warn;
  if (is_one_of(v, kGood)) return Paint::good;
  if (is_one_of(v, kDim)) return Paint::dim;
  return Paint::none;
}

Paint paint_status(double code) {
  if (code >= 500 && code < 600) return Paint::bad;
  if (code >= 400 && code < 500) return Paint::warn;
  if (code >= 300 && code < 400) return Paint::notice;
  if (code >= 200 && code < 300) return Paint::good;
  if (code >= 100 && code < 200) return Paint::info;
  return Paint::none;
}

}  // namespace

Paint paint_string(std::string_view field, std::string_view value) {
  std::string_view f = last_segment(field);
  if (is_one_of(f, kLevelFields)) return paint_level(value);
  if (iequals(f, "state") || iequals(f, "status") || iequals(f, "alert_state")) {
    static constexpr std::string_view kFiring[] = {"firing", "alerting", "failing", "fail", "failed", "down"};
    static constexpr std::string_view kPending[] = {"pending", "warning", "degraded"};
    static constexpr std::string_view kOk[] = {"resolved", "ok", "pass", "passed", "up", "healthy"};
    if (is_one_of(value, kFiring)) return Paint::severe;
    if (is_one_of(value, kPending)) return Paint::warn;
    if (is_one_of(value, kOk)) return Paint::good;
    if (iequals(value, "inactive")) return Paint::dim;
    if (is_one_of(f, kStatusFields) && value.size() == 3 && value[0] >= '1' && value[0] <= '5') {
      return paint_status((value[0] - '0') * 100);
    }
    return Paint::none;
  }
  if (is_one_of(f, kStatusFields) && value.size() == 3 && value[0] >= '1' && value[0] <= '5') {
    return paint_status((value[0] - '0') * 100);
  }
  if (iequals(f, "severity")) {
    static constexpr std::string_view kSevere[] = {"page", "critical", "crit", "fatal", "emergency", "p1"};
    static constexpr std::string_view kWarn[] = {"ticket", "warning", "warn", "p2", "p3"};
    if (is_one_of(value, kSevere)) return Paint::severe;
    if (is_one_of(value, kWarn)) return Paint::warn;
    if (iequals(value, "error") || iequals(value, "high")) return Paint::bad;
    if (iequals(value, "info") || iequals(value, "low")) return Paint::info;
    return paint_level(value);
  }
  return Paint::none;
}

Paint paint_number(std::string_view field, double value) {
  std::string_view f = last_segment(field);
  if (is_one_of(f, kStatusFields)) return paint_status(value);
  if (iequals(f, "lift")) {
    if (value >= 3) return Paint::severe;
    if (value >= 2) return Paint::bad;
    if (value >= 1.5) return Paint::warn;
    return Paint::none;
  }
  return Paint::none;
}

bool paints(std::string_view field) {
  std::string_view f = last_segment(field);
  return is_one_of(f, kLevelFields) || is_one_of(f, kStatusFields) || iequals(f, "state") ||
         iequals(f, "alert_state") || iequals(f, "severity") || iequals(f, "lift");
}

bool lower_is_better(std::string_view field) {
  std::string_view f = last_segment(field);
  if (f.find("err") != std::string_view::npos || f.find("fail") != std::string_view::npos ||
      f.find("5xx") != std::string_view::npos || f.find("latency") != std::string_view::npos ||
      f.find("ge_500") != std::string_view::npos || f.find("duration") != std::string_view::npos) {
    return true;
  }
  Unit u = unit_of(f);
  return u == Unit::seconds || u == Unit::millis || u == Unit::micros || u == Unit::nanos;
}

}  // namespace olly::view
