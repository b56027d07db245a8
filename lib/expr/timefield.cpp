#include "expr/timefield.h"

#include <fmt/format.h>

#include "core/diag.h"
#include "expr/path.h"
#include "time/timeformat.h"

namespace olly {

TimeLayout resolve_time_layout(const CommonOptions& common) {
  TimeLayout layout;
  std::string error;
  if (!common.time_format.empty() && !check_time_format(common.time_format, &error)) {
    throw UsageError(fmt::format("--time-format: '{}': {}", common.time_format, error));
  }
  layout.format = common.time_format;
  if (!common.tz.empty()) {
    auto zone = TimeZone::load(common.tz, &error);
    if (!zone) throw UsageError(fmt::format("--tz: '{}': {}", common.tz, error));
    layout.tz = std::make_shared<const TimeZone>(std::move(*zone));
  }
  layout.year = common.year;
  return layout;
}

TimeFieldReader::TimeFieldReader(const std::string& field, FieldExtractor& extractor, const TimeLayout& layout)
    : layout_(layout) {
  if (field.empty()) {
    names_.assign(kDefaultTimeFields.begin(), kDefaultTimeFields.end());
  } else {
    names_ = {field};
  }
  for (const auto& name : names_) slots_.push_back(extractor.add(parse_path_or_throw(name, "--time-field")));
}

std::optional<TimeNs> TimeFieldReader::from_value(const Value& v, const TimeLayout& layout) {
  switch (v.kind) {
    case Kind::string: {
      if (layout.format.empty()) return parse_time_string(v.s, layout.tz.get());
      TimeFormatDefaults defaults;
      defaults.year = layout.year;
      defaults.tz = layout.tz.get();
      return parse_time_format(v.s, layout.format, defaults);
    }
    case Kind::integer: return time_from_epoch(v.i);
    case Kind::number: return time_from_epoch(v.d);
    default: return std::nullopt;
  }
}

std::optional<TimeNs> TimeFieldReader::read(std::span<const Value> slots) const {
  for (size_t slot : slots_) {
    const Value& v = slots[slot];
    if (v.kind == Kind::missing) continue;
    return from_value(v, layout_);  // the first present candidate decides
  }
  return std::nullopt;
}

std::optional<TimeNs> parse_time_bound(std::string_view text, TimeNs now) {
  if (auto t = parse_time_string(text)) return t;
  if (auto d = parse_duration(text)) return now - *d;
  return std::nullopt;
}

}  // namespace olly
