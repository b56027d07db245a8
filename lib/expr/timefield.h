// The event time of a record: --time-field, or the first present of ts,
// timestamp, time, @timestamp. RFC 3339 strings and epoch numbers (unit by
// magnitude) are accepted.
#pragma once
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/run.h"
#include "expr/extract.h"
#include "time/timezone.h"
#include "time/timeutil.h"
#include "expr/value.h"

namespace olly {

// The fields tried, in order, when no --time-field is given.
inline constexpr std::array<std::string_view, 4> kDefaultTimeFields = {"ts", "timestamp", "time", "@timestamp"};

// How string times are read: --time-format, and what it lacks (--tz,
// --year). Empty: RFC 3339 strings (without an offset: UTC).
struct TimeLayout {
  std::string format;                  // strptime-style (time/timeformat.h); empty: RFC 3339
  std::shared_ptr<const TimeZone> tz;  // for times without an offset; null: UTC
  int year = 0;                        // for a format without a year; 0: the current one
};

// The layout common's --time-format, --tz and --year name. UsageError
// naming the flag when the format is not one time/timeformat.h reads or the
// zone is unknown.
TimeLayout resolve_time_layout(const CommonOptions& common);

class TimeFieldReader {
 public:
  // field empty: the default candidates. Registers the paths with extractor.
  // layout: how string times are written (resolve_time_layout).
  TimeFieldReader(const std::string& field, FieldExtractor& extractor, const TimeLayout& layout = {});

  // The time of the event whose values were extracted into slots; nullopt
  // when no candidate is present or none parses.
  std::optional<TimeNs> read(std::span<const Value> slots) const;

  // The time v names: a string in layout's format (when it has one) or RFC
  // 3339 (when not), a number as epoch seconds, ms, us or ns by magnitude.
  static std::optional<TimeNs> from_value(const Value& v, const TimeLayout& layout = {});
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<size_t> slots_;
  std::vector<std::string> names_;
  TimeLayout layout_;
};

// A --since/--until argument: RFC 3339, epoch, or a duration before now ("15m").
std::optional<TimeNs> parse_time_bound(std::string_view text, TimeNs now);

}  // namespace olly
