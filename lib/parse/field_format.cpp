// olly-parse FORMAT --field F: logs inside logs. The input is NDJSON; each
// event's string field F is the record the format parses, and the event's
// other members are kept around what it gives (docker's json-file driver:
// {"log": "...\n", "stream": "stdout", "time": "..."}; Kubernetes' CRI
// messages; an application's JSON in a syslog message).
#include <fmt/format.h>
#include <simdjson.h>

#include "expr/json_value.h"
#include "parse/driver.h"

namespace olly::parse {

namespace {

class FieldFormat : public Format {
 public:
  FieldFormat(std::unique_ptr<Format> inner, std::string field)
      : inner_(std::move(inner)), field_(std::move(field)) {}

  // Each NDJSON line is one event; the inner format sees one value at a time.
  // JSON documents (json, otlp) hold no state between them, so one per line
  // can be read by threads too.
  bool reads_lines_alone() const override {
    return inner_->reads_lines_alone() || inner_->framing() == Framing::json_documents;
  }
  void start_file() override { inner_->start_file(); }
  void flush_file(EventWriter& out) override { inner_->flush_file(out); }
  bool finish_file(std::string& reason) override { return inner_->finish_file(reason); }

  bool parse(std::string_view record, EventWriter& out, std::string& reason) override {
    if (!split(record, reason)) return false;
    out.set_outer(&members_, count_, field_);
    const bool ok = inner_->parse(text_, out, reason);
    out.clear_outer();
    if (!ok) reason = fmt::format("field {}: {}", field_, reason);
    return ok;
  }

 private:
  // The record's members into members_ (the field left out) and the field's
  // text into text_.
  bool split(std::string_view record, std::string& reason) {
    padded_.assign(record);
    padded_.append(simdjson::SIMDJSON_PADDING, ' ');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (auto e = parser_.iterate(padded_.data(), record.size(), padded_.size()).get(doc)) {
      reason = fmt::format("not JSON: {}", simdjson::error_message(e));
      return false;
    }
    if (doc.get_object().get(obj)) {
      reason = "not a JSON object, so it has no field " + field_;
      return false;
    }
    count_ = 0;
    bool found = false;
    for (auto member : obj) {
      std::string_view key;
      simdjson::ondemand::value value;
      if (auto e = member.unescaped_key().get(key)) return invalid(e, reason);
      const bool is_field = !found && key == field_;
      if (!is_field) {
        if (count_ == members_.size()) members_.emplace_back();
        members_[count_].key.assign(key);  // the next read reuses the key's buffer
      }
      if (auto e = member.value().get(value)) return invalid(e, reason);
      if (is_field) {
        found = true;
        simdjson::ondemand::json_type type;
        if (auto e = value.type().get(type)) return invalid(e, reason);
        if (type != simdjson::ondemand::json_type::string) {
          reason = fmt::format("field {} is {}, not a string", field_, type_name(type));
          return false;
        }
        std::string_view text;
        if (auto e = value.get_string().get(text)) return invalid(e, reason);
        text_.assign(text);
        continue;
      }
      std::string& raw = members_[count_++].value;
      raw.clear();
      if (auto e = copy_raw_value(value, raw)) return invalid(e, reason);
    }
    if (auto e = doc.current_location().error(); e != simdjson::OUT_OF_BOUNDS) {
      reason = "not JSON: trailing content after the object";
      return false;
    }
    if (!found) {
      reason = "no field " + field_;
      return false;
    }
    // docker's json-file driver keeps each line's newline: it ends the line, it is no part of it.
    if (!text_.empty() && text_.back() == '\n') text_.pop_back();
    if (!text_.empty() && text_.back() == '\r') text_.pop_back();
    return true;
  }

  static std::string_view type_name(simdjson::ondemand::json_type t) {
    switch (t) {
      case simdjson::ondemand::json_type::object: return "an object";
      case simdjson::ondemand::json_type::array: return "an array";
      case simdjson::ondemand::json_type::number: return "a number";
      case simdjson::ondemand::json_type::boolean: return "a boolean";
      case simdjson::ondemand::json_type::null: return "null";
      default: return "not a string";
    }
  }

  static bool invalid(simdjson::error_code e, std::string& reason) {
    reason = fmt::format("not JSON: {}", simdjson::error_message(e));
    return false;
  }

  std::unique_ptr<Format> inner_;
  std::string field_;
  simdjson::ondemand::parser parser_;
  std::string padded_;
  std::vector<EventWriter::OuterMember> members_;  // reused: count_ of them are this record's
  size_t count_ = 0;
  std::string text_;
};

}  // namespace

std::unique_ptr<Format> wrap_field_format(std::unique_ptr<Format> inner, const std::string& field) {
  return std::make_unique<FieldFormat>(std::move(inner), field);
}

}  // namespace olly::parse
