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

// olly-agg count and olly-sort read little or nothing of a line (see stage.h).
simdjson::error_code check_document_shape(simdjson::ondemand::document& doc, std::string_view line) {
  namespace od = simdjson::ondemand;
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  switch (type) {
    case od::json_type::object: return line.ends_with('}') ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
    case od::json_type::array: return line.ends_with(']') ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
    default: break;
  }
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  simdjson::error_code e = simdjson::SUCCESS;
  switch (type) {
    case od::json_type::number: {
      od::number n;
      e = doc.get_number().get(n);
      break;
    }
    case od::json_type::string: {
      std::string_view sv;
      e = doc.get_string().get(sv);
      if (!e && !line.ends_with('"')) e = simdjson::TRAILING_CONTENT;
      break;
    }
    case od::json_type::boolean: {
      bool b;
      e = doc.get_bool().get(b);
      if (!e && line != "true" && line != "false") e = simdjson::T_ATOM_ERROR;
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      e = doc.is_null().get(is_null);
      if (!e && (!is_null || line != "null")) e = simdjson::N_ATOM_ERROR;
      break;
    }
    default: break;
  }
  doc.rewind();
  return e;
}

}  // namespace olly
