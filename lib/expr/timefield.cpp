#include "expr/timefield.h"

#include "expr/path.h"

namespace olly {

TimeFieldReader::TimeFieldReader(const std::string& field, FieldExtractor& extractor) {
  if (field.empty()) {
    names_.assign(kDefaultTimeFields.begin(), kDefaultTimeFields.end());
  } else {
    names_ = {field};
  }
  for (const auto& name : names_) slots_.push_back(extractor.add(parse_path_or_throw(name, "--time-field")));
}

std::optional<TimeNs> TimeFieldReader::from_value(const Value& v) {
  switch (v.kind) {
    case Kind::string: return parse_time_string(v.s);
    case Kind::integer: return time_from_epoch(v.i);
    case Kind::number: return time_from_epoch(v.d);
    default: return std::nullopt;
  }
}

std::optional<TimeNs> TimeFieldReader::read(std::span<const Value> slots) const {
  for (size_t slot : slots_) {
    const Value& v = slots[slot];
    if (v.kind == Kind::missing) continue;
    return from_value(v);  // the first present candidate decides
  }
  return std::nullopt;
}

std::optional<TimeNs> parse_time_bound(std::string_view text, TimeNs now) {
  if (auto t = parse_time_string(text)) return t;
  if (auto d = parse_duration(text)) return now - *d;
  return std::nullopt;
}

}  // namespace olly
