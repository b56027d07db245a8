#include "core/stage.h"

#include <cstring>

#include "core/diag.h"

namespace olly {

simdjson::padded_string_view PaddedLine::set(std::string_view text) {
  size_t need = text.size() + simdjson::SIMDJSON_PADDING;
  if (buf_.size() < need) buf_.resize(need + need / 2);
  std::memcpy(buf_.data(), text.data(), text.size());
  std::memset(buf_.data() + text.size(), ' ', simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(buf_.data(), text.size(), buf_.size());
}


}  // namespace olly
