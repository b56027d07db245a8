#include "expr/timefield.h"

#include <fmt/format.h>

#include "core/diag.h"
#include "expr/path.h"
#include "time/timeformat.h"

namespace olly {

void check_time_format_flag(const std::string& layout) {
  std::string error;
  if (!layout.empty() && !check_time_format(layout, &error)) {
    throw UsageError(fmt::format("--time-format: '{}': {}", layout, error));
  }
}

TimeFieldReader::TimeFieldReader(const std::string& field, FieldExtractor& extractor, const std::string& layout)
    : layout_(layout) {
  check_time_format_flag(layout);
  if (field.empty()) {
    names_.assign(kDefaultTimeFields.begin(), kDefaultTimeFields.end());
  } else {
    names_ = {field};
  }
  for (const auto& name : names_) slots_.push_back(extractor.add(parse_path_or_throw(name, "--time-field")));
}

std::optional<TimeNs> TimeFieldReader::from_value(const Value& v, std::string_view layout) {
  switch (v.kind) {
    case Kind::string: return layout.empty() ? parse_time_string(v.s) : parse_time_format(v.s, layout);
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
