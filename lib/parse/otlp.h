// OpenTelemetry OTLP/JSON (resourceSpans, resourceLogs, resourceMetrics:
// collector file-exporter lines or one pretty-printed request body) flattened
// into one event per span, log record or metric data point.
//
// Event shapes (documented in olly-parse(1)):
//   common   signal ("span"|"log"|"metric"), ts (RFC 3339 UTC, nanoseconds
//            kept), service (resource service.name, when set), attributes
//            {key: value}, resource {key: value}, scope {name, version,
//            attributes...}; times as exact integer *_unix_nano fields.
//   span     trace_id, span_id, parent_span_id (lower-case hex), name, kind
//            (SERVER, CLIENT, ...), status (UNSET|OK|ERROR), status_message,
//            duration_ms, start/end_time_unix_nano, events[], links[].
//   log      time_unix_nano, observed_time_unix_nano, severity (text, or the
//            name of severity_number), severity_number, body (AnyValue as
//            JSON), trace_id, span_id, event_name.
//   metric   name, type (sum|gauge|histogram|exponential_histogram|summary),
//            unit, description, value (sum/gauge), temporality, monotonic,
//            count/sum/min/max, bucket_counts + explicit_bounds (histogram,
//            as arrays), scale/zero_count/positive/negative (exponential),
//            quantiles [{quantile, value}] (summary).
// An entry that is no object (resource, scope, span, log record, data point)
// and a metric without data go to EventWriter::bad_part; the document's other
// events are written. severityNumber may be the enum's name.
// Ids: the OTLP/JSON encoding writes them as hex (any case; output is
// lower-case); base64 ids (protobuf JSON mapping) are converted to hex too.
#pragma once
#include <simdjson.h>

#include <string>
#include <string_view>

#include "parse/driver.h"

namespace olly::parse {

class OtlpFormat : public Format {
 public:
  Framing framing() const override { return Framing::json_documents; }
  bool parse(std::string_view record, EventWriter& out, std::string& reason) override;

 private:
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
  std::string resource_json_;  // the current resource's attributes, serialised once
  std::string scope_json_;
  std::string service_;
};

// Lower-case hex of an OTLP id written as hex (any case) or base64. False
// when it is neither.
bool otlp_id_to_hex(std::string_view id, std::string& hex);

}  // namespace olly::parse
