// The event time of a record: --time-field, or the first present of ts,
// timestamp, time, @timestamp. RFC 3339 strings and epoch numbers (unit by
// magnitude) are accepted.
#pragma once
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expr/extract.h"
#include "time/timeutil.h"
#include "expr/value.h"

namespace olly {

// The fields tried, in order, when no --time-field is given.
inline constexpr std::array<std::string_view, 4> kDefaultTimeFields = {"ts", "timestamp", "time", "@timestamp"};

class TimeFieldReader {
 public:
  // field empty: the default candidates. Registers the paths with extractor.
  // layout (--time-format): how string times are written; empty: RFC 3339
  // or an epoch number. UsageError naming --time-format when it is not a
  // layout time/timeformat.h reads.
  TimeFieldReader(const std::string& field, FieldExtractor& extractor, const std::string& layout = {});

  // The time of the event whose values were extracted into slots; nullopt
  // when no candidate is present or none parses.
  std::optional<TimeNs> read(std::span<const Value> slots) const;

  // The time v names: a string in layout (when given) or RFC 3339 (when
  // not), a number as epoch seconds, ms, us or ns by magnitude.
  static std::optional<TimeNs> from_value(const Value& v, std::string_view layout = {});
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<size_t> slots_;
  std::vector<std::string> names_;
  std::string layout_;
};

// UsageError naming --time-format when layout is neither empty nor a
// layout time/timeformat.h reads.
void check_time_format_flag(const std::string& layout);

// A --since/--until argument: RFC 3339, epoch, or a duration before now ("15m").
std::optional<TimeNs> parse_time_bound(std::string_view text, TimeNs now);

}  // namespace olly
