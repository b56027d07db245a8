// Time zones: fixed offsets, IANA names read from the system's TZif files,
// POSIX TZ rules, "local". See timezone.h.
#include "time/timezone.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "core/read_file.h"
#include "time/time_internal.h"
#include "time/timeutil.h"

namespace olly {

using detail::days_in_month;
using detail::is_digit;
using detail::is_leap;
using detail::kSecPerDay;
using detail::read_numeric_offset;

namespace {

// Last civil year whose every second fits TimeNs (2262-04-11 is the limit);
// zone rules are expanded up to here.
constexpr int64_t kLastRuleYear = 2262;
constexpr int64_t kFirstRuleYear = 1678;

// A POSIX TZ rule date: Jn (1..365, Feb 29 never counted), n (0..365), or
// Mm.w.d; plus the local time of day (seconds, may be negative or > 24h).
struct PosixDate {
  enum Kind { kJulian1, kJulian0, kMonthWeekDay } kind = kMonthWeekDay;
  int month = 0, week = 0, weekday = 0, day = 0;
  int32_t time = 7200;

  // Local seconds (as if UTC) of this date in year y.
  int64_t local_seconds(int64_t y) const {
    int64_t days;
    switch (kind) {
      case kJulian1:
        days = days_from_civil(y, 1, 1) + day - 1 + (is_leap(y) && day >= 60 ? 1 : 0);
        break;
      case kJulian0:
        days = days_from_civil(y, 1, 1) + day;
        break;
      default: {
        int64_t first = days_from_civil(y, static_cast<unsigned>(month), 1);
        int64_t wd_first = (first % 7 + 7 + 4) % 7;  // 1970-01-01 was a Thursday
        days = first + (weekday - wd_first + 7) % 7 + (week - 1) * 7;
        int64_t end = first + days_in_month(y, static_cast<unsigned>(month));
        while (days >= end) days -= 7;
      }
    }
    return days * kSecPerDay + time;
  }
};

struct PosixTz {
  int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int32_t dst_offset = 0;
  PosixDate start, end;
};

class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  bool parse(PosixTz& tz) {
    if (!name()) return false;
    int32_t off;
    if (!hms(off, 24)) return false;
    tz.std_offset = -off;  // POSIX counts west of UTC as positive
    if (done()) return true;
    if (!name()) return false;
    tz.has_dst = true;
    tz.dst_offset = tz.std_offset + 3600;
    if (!done() && peek() != ',') {
      if (!hms(off, 24)) return false;
      tz.dst_offset = -off;
    }
    if (done()) {  // no rules: the US rules, as glibc does
      tz.start = {PosixDate::kMonthWeekDay, 3, 2, 0, 0, 7200};
      tz.end = {PosixDate::kMonthWeekDay, 11, 1, 0, 0, 7200};
      return true;
    }
    return eat(',') && date(tz.start) && eat(',') && date(tz.end) && done();
  }

 private:
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool number(int& v, int max) {
    size_t start = i_;
    v = 0;
    while (!done() && is_digit(s_[i_]) && i_ - start < 4) v = v * 10 + (s_[i_++] - '0');
    return i_ > start && v <= max;
  }
  bool name() {
    if (eat('<')) {
      size_t start = i_;
      while (!done() && s_[i_] != '>') ++i_;
      return i_ - start >= 1 && eat('>');
    }
    size_t start = i_;
    while (!done() && ((s_[i_] | 0x20) >= 'a' && (s_[i_] | 0x20) <= 'z')) ++i_;
    return i_ - start >= 3;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool hms(int32_t& out, int max_hours) {
    int sign = 1;
    if (eat('-'))
      sign = -1;
    else
      eat('+');
    int h, m = 0, sec = 0;
    if (!number(h, max_hours)) return false;
    if (eat(':')) {
      if (!number(m, 59)) return false;
      if (eat(':') && !number(sec, 59)) return false;
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool date(PosixDate& d) {
    if (eat('J')) {
      d.kind = PosixDate::kJulian1;
      if (!number(d.day, 365) || d.day < 1) return false;
    } else if (eat('M')) {
      d.kind = PosixDate::kMonthWeekDay;
      if (!number(d.month, 12) || d.month < 1 || !eat('.') || !number(d.week, 5) || d.week < 1 ||
          !eat('.') || !number(d.weekday, 6))
        return false;
    } else {
      d.kind = PosixDate::kJulian0;
      if (!number(d.day, 365)) return false;
    }
    d.time = 7200;
    if (eat('/')) return hms(d.time, 167);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool parse_fixed_offset(std::string_view s, int32_t& offset) {
  size_t i = 0;
  return read_numeric_offset(s.data(), s.size(), i, offset) && i == s.size();
}

bool is_utc_name(std::string_view s) {
  return s == "UTC" || s == "utc" || s == "Z" || s == "z";
}

bool valid_zone_name(std::string_view s) {
  if (s.empty() || s.size() > 255 || s[0] == '/' || s[0] == '.') return false;
  if (s.find("..") != std::string_view::npos) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '/' ||
              c == '_' || c == '-' || c == '+' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void set_error(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
}

constexpr size_t kMaxTzifBytes = 1 << 20;  // real TZif files are a few KB

const char* zoneinfo_dir() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : "/usr/share/zoneinfo";
}

}  // namespace

struct TimeZoneLoader {
  using Transition = TimeZone::Transition;

  static TimeZone fixed(std::string name, int32_t offset) {
    TimeZone tz;
    tz.name_ = std::move(name);
    tz.fixed_offset_ = offset;
    return tz;
  }

  // Appends the transitions a POSIX rule implies after the table's end, up
  // to the last year TimeNs can represent.
  static void expand_rule(TimeZone& tz, const PosixTz& rule) {
    auto& tr = tz.transitions_;
    if (!rule.has_dst) {
      if (tr.empty())
        tz.fixed_offset_ = rule.std_offset;
      else if (tr.back().offset != rule.std_offset)
        tr.push_back({tr.back().at + 1, rule.std_offset});  // cannot happen in valid TZif
      return;
    }
    int64_t first_year = kFirstRuleYear;
    if (!tr.empty()) {
      int64_t y;
      unsigned m, d;
      civil_from_days(floor_div(tr.back().at, kSecPerDay), y, m, d);
      first_year = std::max<int64_t>(y, kFirstRuleYear);
    } else {
      tz.fixed_offset_ = rule.std_offset;
    }
    for (int64_t y = first_year; y <= kLastRuleYear; ++y) {
      int64_t start = rule.start.local_seconds(y) - rule.std_offset;
      int64_t end = rule.end.local_seconds(y) - rule.dst_offset;
      int64_t year_len = (is_leap(y) ? 366 : 365) * kSecPerDay;
      if (start < end && end - start >= year_len) {  // DST all year ("EST5EDT4,0/0,J365/25")
        append(tz, start, rule.dst_offset);
        return;
      }
      Transition ev[2] = {{start, rule.dst_offset}, {end, rule.std_offset}};
      if (end < start) std::swap(ev[0], ev[1]);
      append(tz, ev[0].at, ev[0].offset);
      append(tz, ev[1].at, ev[1].offset);
    }
  }

  static void append(TimeZone& tz, int64_t at, int32_t offset) {
    auto& tr = tz.transitions_;
    int32_t current = tr.empty() ? tz.fixed_offset_ : tr.back().offset;
    if (!tr.empty() && at <= tr.back().at) return;
    if (offset == current) return;
    tr.push_back({at, offset});
  }

  static bool parse_tzif(std::string_view data, TimeZone& tz, std::string& reason) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const size_t n = data.size();
    auto be32 = [&](size_t at) {
      return static_cast<uint32_t>(p[at]) << 24 | static_cast<uint32_t>(p[at + 1]) << 16 |
             static_cast<uint32_t>(p[at + 2]) << 8 | static_cast<uint32_t>(p[at + 3]);
    };
    auto be64 = [&](size_t at) { return static_cast<uint64_t>(be32(at)) << 32 | be32(at + 4); };

    struct Header {
      uint64_t isut, isstd, leap, time, type, chars;
    };
    auto read_header = [&](size_t at, Header& h) {
      if (n < at + 44 || std::memcmp(p + at, "TZif", 4) != 0) return false;
      h = {be32(at + 20), be32(at + 24), be32(at + 28), be32(at + 32), be32(at + 36), be32(at + 40)};
      return h.type >= 1 && h.type <= 256 && h.chars >= 1;
    };
    auto block_size = [](const Header& h, uint64_t time_size) {
      return h.time * time_size + h.time + h.type * 6 + h.chars + h.leap * (time_size + 4) +
             h.isstd + h.isut;
    };

    Header h;
    if (!read_header(0, h)) {
      reason = "not a TZif file";
      return false;
    }
    const char version = static_cast<char>(p[4]);
    size_t at = 44;
    uint64_t time_size = 4;
    if (version >= '2') {
      uint64_t skip = block_size(h, 4);
      if (skip > n - at || !read_header(at + skip, h)) {
        reason = "truncated TZif file";
        return false;
      }
      at += skip + 44;
      time_size = 8;
    }
    uint64_t size = block_size(h, time_size);
    if (size > n - at) {
      reason = "truncated TZif file";
      return false;
    }
    const size_t times_at = at;
    const size_t idx_at = times_at + h.time * time_size;
    const size_t types_at = idx_at + h.time;
    auto type_offset = [&](size_t t) { return static_cast<int32_t>(be32(types_at + t * 6)); };
    for (size_t t = 0; t < h.type; ++t) {
      int32_t off = type_offset(t);
      if (off < -26 * 3600 || off > 26 * 3600) {
        reason = "bad UTC offset in TZif file";
        return false;
      }
    }
    // Before the first transition, time type 0 applies (RFC 8536).
    tz.fixed_offset_ = type_offset(0);
    tz.transitions_.clear();
    tz.transitions_.reserve(h.time);
    for (size_t k = 0; k < h.time; ++k) {
      int64_t when = time_size == 8 ? static_cast<int64_t>(be64(times_at + k * 8))
                                    : static_cast<int64_t>(static_cast<int32_t>(be32(times_at + k * 4)));
      size_t type = p[idx_at + k];
      if (type >= h.type || (!tz.transitions_.empty() && when <= tz.transitions_.back().at)) {
        reason = "corrupt TZif transition table";
        return false;
      }
      tz.transitions_.push_back({when, type_offset(type)});
    }
    at += size;

    // Footer: "\n<POSIX TZ>\n" (v2+) governs times after the last transition.
    if (version >= '2' && at < n && p[at] == '\n') {
      size_t end = data.find('\n', at + 1);
      if (end != std::string_view::npos && end > at + 1) {
        PosixTz rule;
        if (!PosixParser(data.substr(at + 1, end - at - 1)).parse(rule)) {
          reason = "unsupported TZ rule in TZif footer";
          return false;
        }
        expand_rule(tz, rule);
      }
    }
    return true;
  }

  static std::optional<TimeZone> from_file(const std::string& path, std::string name,
                                           std::string* error) {
    std::string data, reason;
    if (!read_file(path, data, reason, kMaxTzifBytes)) {
      set_error(error, "cannot read time zone file " + path + ": " + reason);
      return std::nullopt;
    }
    TimeZone tz;
    tz.name_ = std::move(name);
    if (!parse_tzif(data, tz, reason)) {
      set_error(error, "time zone file " + path + ": " + reason);
      return std::nullopt;
    }
    return tz;
  }

  static std::optional<TimeZone> from_zone_name(std::string_view name, std::string* error) {
    if (!valid_zone_name(name)) {
      set_error(error, "invalid time zone name '" + std::string(name) +
                           "' (expected UTC, an offset like +05:30, local, or an IANA name like "
                           "Europe/Berlin)");
      return std::nullopt;
    }
    std::string dir = zoneinfo_dir();
    std::string path = dir + "/" + std::string(name);
    if (access(path.c_str(), F_OK) != 0) {
      if (access(dir.c_str(), F_OK) != 0) {
        set_error(error, "unknown time zone '" + std::string(name) + "': no time zone database at " +
                             dir + " (install the tzdata package)");
      } else {
        set_error(error, "unknown time zone '" + std::string(name) + "' (not found in " + dir + ")");
      }
      return std::nullopt;
    }
    return from_file(path, std::string(name), error);
  }

  static std::optional<TimeZone> from_posix_string(std::string_view s) {
    PosixTz rule;
    if (!PosixParser(s).parse(rule)) return std::nullopt;
    TimeZone tz;
    tz.name_ = std::string(s);
    expand_rule(tz, rule);
    return tz;
  }

  static std::optional<TimeZone> local(std::string* error) {
    if (const char* env = std::getenv("TZ")) {
      std::string_view v = env;
      if (!v.empty() && v[0] == ':') v.remove_prefix(1);
      if (v.empty()) return TimeZone::utc();  // glibc: empty TZ is UTC
      if (v[0] == '/') return from_file(std::string(v), std::string(v), error);
      if (is_utc_name(v)) return TimeZone::utc();
      if (valid_zone_name(v)) {
        std::string path = std::string(zoneinfo_dir()) + "/" + std::string(v);
        if (access(path.c_str(), F_OK) == 0) return from_file(path, std::string(v), error);
      }
      if (auto tz = from_posix_string(v)) return tz;
      set_error(error, "TZ=" + std::string(v) + ": unknown time zone");
      return std::nullopt;
    }
    const char* localtime = "/etc/localtime";
    if (access(localtime, F_OK) != 0) return TimeZone::utc();
    std::string name = "local";
    char target[512];
    ssize_t len = readlink(localtime, target, sizeof target - 1);
    if (len > 0) {
      std::string_view t(target, static_cast<size_t>(len));
      size_t pos = t.find("zoneinfo/");
      if (pos != std::string_view::npos) name = std::string(t.substr(pos + 9));
    }
    return from_file(localtime, name, error);
  }
};

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string* error) {
  if (is_utc_name(name)) return utc();
  int32_t offset;
  if (parse_fixed_offset(name, offset)) return TimeZoneLoader::fixed(std::string(name), offset);
  if (name == "local") return TimeZoneLoader::local(error);
  if (name.find('\0') != std::string_view::npos) {
    set_error(error, "invalid time zone name (contains a NUL byte)");
    return std::nullopt;
  }
  return TimeZoneLoader::from_zone_name(name, error);
}

const TimeZone& TimeZone::utc() {
  static const TimeZone zone = TimeZoneLoader::fixed("UTC", 0);
  return zone;
}

int32_t TimeZone::offset_at_utc(TimeNs t) const {
  if (transitions_.empty()) return fixed_offset_;
  const int64_t secs = floor_div(t, kNsPerSec);
  // Last transition at or before secs.
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), secs,
                             [](int64_t s, const Transition& tr) { return s < tr.at; });
  return it == transitions_.begin() ? fixed_offset_ : std::prev(it)->offset;
}

int32_t TimeZone::offset_for_local(int64_t local_seconds) const {
  if (transitions_.empty()) return fixed_offset_;
  // Transition k happens at wall-clock time at+before (in the old offset).
  // Find the last one whose wall-clock moment is at or before local_seconds.
  size_t lo = 0, hi = transitions_.size();
  auto before = [&](size_t k) { return k == 0 ? fixed_offset_ : transitions_[k - 1].offset; };
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (transitions_[mid].at + before(mid) <= local_seconds)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return fixed_offset_;
  const Transition& tr = transitions_[lo - 1];
  // Inside a gap (spring forward) the wall time does not exist: keep the old
  // offset, which lands after the gap. Ambiguous times (fall back) never get
  // here for the first occurrence: they are before at+before.
  if (local_seconds < tr.at + tr.offset) return before(lo - 1);
  return tr.offset;
}

}  // namespace olly
