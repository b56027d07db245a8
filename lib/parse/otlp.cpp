#include "parse/otlp.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <iterator>

#include "time/timeutil.h"

namespace olly::parse {

namespace dom = simdjson::dom;

namespace {

// ---- small readers over DOM values --------------------------------------

// OTLP/JSON writes 64-bit integers as decimal strings; numbers are accepted too.
bool read_u64(dom::element e, uint64_t& v) {
  if (e.is_string()) {
    std::string_view s = e.get_string().value_unsafe();
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  }
  if (e.is_uint64()) { v = e.get_uint64().value_unsafe(); return true; }
  if (e.is_int64()) {
    int64_t i = e.get_int64().value_unsafe();
    if (i < 0) return false;
    v = static_cast<uint64_t>(i);
    return true;
  }
  return false;
}

bool read_i64(dom::element e, int64_t& v) {
  if (e.is_string()) {
    std::string_view s = e.get_string().value_unsafe();
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  }
  if (e.is_int64()) { v = e.get_int64().value_unsafe(); return true; }
  return false;
}

bool member(dom::object o, std::string_view key, dom::element& out) {
  return o.at_key(key).get(out) == simdjson::SUCCESS;
}

bool member_object(dom::object o, std::string_view key, dom::object& out) {
  dom::element e;
  return member(o, key, e) && e.get_object().get(out) == simdjson::SUCCESS;
}

bool member_array(dom::object o, std::string_view key, dom::array& out) {
  dom::element e;
  return member(o, key, e) && e.get_array().get(out) == simdjson::SUCCESS;
}

bool member_string(dom::object o, std::string_view key, std::string_view& out) {
  dom::element e;
  return member(o, key, e) && e.get_string().get(out) == simdjson::SUCCESS;
}

bool member_u64(dom::object o, std::string_view key, uint64_t& out) {
  dom::element e;
  return member(o, key, e) && read_u64(e, out);
}

bool member_i64(dom::object o, std::string_view key, int64_t& out) {
  dom::element e;
  return member(o, key, e) && read_i64(e, out);
}

// An enum written as its number or as its proto name ("SPAN_KIND_SERVER").
// Returns the short upper-case name (prefix removed), or the number's name.
std::string_view enum_name(dom::object o, std::string_view key, std::string_view prefix,
                           const char* const* names, size_t count, bool& present) {
  present = false;
  dom::element e;
  if (!member(o, key, e)) return {};
  if (e.is_string()) {
    std::string_view s = e.get_string().value_unsafe();
    present = true;
    if (s.substr(0, prefix.size()) == prefix) s.remove_prefix(prefix.size());
    return s;
  }
  int64_t n = 0;
  if (read_i64(e, n) && n >= 0 && static_cast<uint64_t>(n) < count) {
    present = true;
    return names[n];
  }
  return {};
}

constexpr const char* kSpanKinds[] = {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER",
                                      "CONSUMER"};
constexpr const char* kStatusCodes[] = {"UNSET", "OK", "ERROR"};
constexpr const char* kTemporalities[] = {"UNSPECIFIED", "DELTA", "CUMULATIVE"};

// Severity number ranges from the OpenTelemetry log data model.
std::string_view severity_from_number(int64_t n) {
  if (n >= 1 && n <= 4) return "TRACE";
  if (n >= 5 && n <= 8) return "DEBUG";
  if (n >= 9 && n <= 12) return "INFO";
  if (n >= 13 && n <= 16) return "WARN";
  if (n >= 17 && n <= 20) return "ERROR";
  if (n >= 21 && n <= 24) return "FATAL";
  return {};
}

// SeverityNumber by its short name: TRACE 1, TRACE2 2, ... FATAL4 24,
// UNSPECIFIED 0; -1 for any other name.
int64_t severity_number_of_name(std::string_view name) {
  if (name == "UNSPECIFIED") return 0;
  static constexpr std::string_view kBases[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  for (size_t b = 0; b < std::size(kBases); ++b) {
    if (!name.starts_with(kBases[b])) continue;
    std::string_view rest = name.substr(kBases[b].size());
    int64_t base = static_cast<int64_t>(b) * 4 + 1;
    if (rest.empty()) return base;
    if (rest.size() == 1 && rest[0] >= '2' && rest[0] <= '4') return base + (rest[0] - '1');
  }
  return -1;
}

// ---- ids ----------------------------------------------------------------

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// ---- AnyValue -> JSON -----------------------------------------------------

void write_any_value(dom::element v, JsonBuilder& b, int depth);

void write_key_values(dom::array kvs, JsonBuilder& b, int depth) {
  b.begin_object();
  for (dom::element kv : kvs) {
    dom::object o;
    std::string_view key;
    if (kv.get_object().get(o) != simdjson::SUCCESS || !member_string(o, "key", key)) continue;
    b.key(key);
    dom::element value;
    if (member(o, "value", value)) {
      write_any_value(value, b, depth + 1);
    } else {
      b.null();
    }
  }
  b.end_object();
}

// AnyValue: exactly one of stringValue, boolValue, intValue (int64 as a
// string), doubleValue, arrayValue {values}, kvlistValue {values},
// bytesValue (base64, kept as the string); {} is null.
void write_any_value(dom::element v, JsonBuilder& b, int depth) {
  dom::object o;
  if (depth > 64 || v.get_object().get(o) != simdjson::SUCCESS) {
    b.null();
    return;
  }
  for (auto [key, value] : o) {
    if (key == "stringValue" || key == "bytesValue") {
      std::string_view s;
      if (value.get_string().get(s) == simdjson::SUCCESS) {
        b.string(s);
        return;
      }
    } else if (key == "boolValue") {
      bool x;
      if (value.get_bool().get(x) == simdjson::SUCCESS) {
        b.boolean(x);
        return;
      }
    } else if (key == "intValue") {
      int64_t i;
      if (read_i64(value, i)) {
        b.int64(i);
        return;
      }
    } else if (key == "doubleValue") {
      double d;
      if (value.is_number() && value.get_double().get(d) == simdjson::SUCCESS) {
        b.number(d);
        return;
      }
      std::string_view s;  // "NaN", "Infinity" in the protobuf JSON mapping
      if (value.get_string().get(s) == simdjson::SUCCESS) {
        b.string(s);
        return;
      }
    } else if (key == "arrayValue") {
      dom::object inner;
      dom::array values;
      b.begin_array();
      if (value.get_object().get(inner) == simdjson::SUCCESS && member_array(inner, "values", values)) {
        for (dom::element x : values) write_any_value(x, b, depth + 1);
      }
      b.end_array();
      return;
    } else if (key == "kvlistValue") {
      dom::object inner;
      dom::array values;
      if (value.get_object().get(inner) == simdjson::SUCCESS && member_array(inner, "values", values)) {
        write_key_values(values, b, depth + 1);
      } else {
        b.begin_object();
        b.end_object();
      }
      return;
    }
  }
  b.null();
}

void write_attributes_member(dom::object o, JsonBuilder& b, std::string_view out_key = "attributes") {
  dom::array attrs;
  if (!member_array(o, "attributes", attrs) || attrs.size() == 0) return;
  b.key(out_key);
  write_key_values(attrs, b, 0);
}

void write_id(dom::object o, std::string_view in_key, std::string_view out_key, JsonBuilder& b,
              std::string& hex) {
  std::string_view id;
  if (!member_string(o, in_key, id) || id.empty()) return;
  if (otlp_id_to_hex(id, hex)) {
    b.field(out_key, hex);
  } else {
    b.field(out_key, id);  // neither hex nor base64: kept as written
  }
}

void write_time(JsonBuilder& b, std::string_view key, uint64_t ns) {
  b.key(key);
  b.uint64(ns);
}

void write_ts(JsonBuilder& b, uint64_t ns, std::string& scratch) {
  if (ns == 0 || ns > static_cast<uint64_t>(INT64_MAX)) return;
  scratch.clear();
  format_rfc3339(scratch, static_cast<TimeNs>(ns));
  b.field("ts", scratch);
}

void write_dropped(dom::object o, std::string_view in_key, std::string_view out_key, JsonBuilder& b) {
  uint64_t n = 0;
  if (member_u64(o, in_key, n) && n > 0) {
    b.key(out_key);
    b.uint64(n);
  }
}

void write_flags(dom::object o, JsonBuilder& b) {
  uint64_t n = 0;
  if (member_u64(o, "flags", n) && n > 0) {
    b.key("flags");
    b.uint64(n);
  }
}

// An array of numbers written as int64 strings or numbers.
void write_u64_array(dom::array a, JsonBuilder& b) {
  b.begin_array();
  for (dom::element e : a) {
    uint64_t v = 0;
    if (read_u64(e, v)) {
      b.uint64(v);
    } else {
      b.null();
    }
  }
  b.end_array();
}

void write_double_member(dom::object o, std::string_view in_key, std::string_view out_key,
                         JsonBuilder& b) {
  dom::element e;
  double d;
  if (member(o, in_key, e) && e.is_number() && e.get_double().get(d) == simdjson::SUCCESS) {
    b.field_number(out_key, d);
  }
}

}  // namespace

bool otlp_id_to_hex(std::string_view id, std::string& hex) {
  hex.clear();
  bool all_hex = id.size() % 2 == 0;
  for (char c : id) {
    if (hex_digit(c) < 0) {
      all_hex = false;
      break;
    }
  }
  if (all_hex) {
    hex.reserve(id.size());
    for (char c : id) hex.push_back(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
    return true;
  }
  // base64 (protobuf's JSON mapping of bytes): 16-byte trace ids are 24
  // characters, 8-byte span ids 12, padded with '='.
  static constexpr char kHex[] = "0123456789abcdef";
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < id.size() && id[i] != '='; ++i) {
    int d = base64_digit(id[i]);
    if (d < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      uint8_t byte = static_cast<uint8_t>(acc >> bits);
      hex.push_back(kHex[byte >> 4]);
      hex.push_back(kHex[byte & 15]);
    }
  }
  for (; i < id.size(); ++i) {
    if (id[i] != '=') return false;
  }
  return !hex.empty() && (id.size() % 4 == 0 || id.find('=') == std::string_view::npos);
}

namespace {

struct Context {
  std::string_view resource_json;  // {...} or empty
  std::string_view scope_json;
  std::string_view service;
  std::string* scratch;
  std::string* hex;
};

void write_common_tail(const Context& c, JsonBuilder& b) {
  if (!c.resource_json.empty()) b.field_raw("resource", c.resource_json);
  if (!c.scope_json.empty()) b.field_raw("scope", c.scope_json);
}

void write_span(dom::object span, const Context& c, JsonBuilder& b) {
  uint64_t start = 0, end = 0;
  bool has_start = member_u64(span, "startTimeUnixNano", start);
  bool has_end = member_u64(span, "endTimeUnixNano", end);
  b.begin_object();
  b.field("signal", "span");
  if (has_start) write_ts(b, start, *c.scratch);
  std::string_view name;
  if (member_string(span, "name", name)) b.field("name", name);
  if (!c.service.empty()) b.field("service", c.service);
  write_id(span, "traceId", "trace_id", b, *c.hex);
  write_id(span, "spanId", "span_id", b, *c.hex);
  write_id(span, "parentSpanId", "parent_span_id", b, *c.hex);
  bool present = false;
  std::string_view kind = enum_name(span, "kind", "SPAN_KIND_", kSpanKinds, 6, present);
  if (present) b.field("kind", kind);
  std::string_view status = "UNSET";
  std::string_view status_message;
  dom::object st;
  if (member_object(span, "status", st)) {
    std::string_view code = enum_name(st, "code", "STATUS_CODE_", kStatusCodes, 3, present);
    if (present) status = code;
    member_string(st, "message", status_message);
  }
  b.field("status", status);
  if (!status_message.empty()) b.field("status_message", status_message);
  if (has_start && has_end && end >= start) {
    b.field_number("duration_ms", static_cast<double>(end - start) / 1e6);
  }
  if (has_start) write_time(b, "start_time_unix_nano", start);
  if (has_end) write_time(b, "end_time_unix_nano", end);
  std::string_view trace_state;
  if (member_string(span, "traceState", trace_state) && !trace_state.empty()) {
    b.field("trace_state", trace_state);
  }
  write_flags(span, b);
  write_attributes_member(span, b);
  dom::array events;
  if (member_array(span, "events", events) && events.size() > 0) {
    b.key("events");
    b.begin_array();
    for (dom::element e : events) {
      dom::object ev;
      if (e.get_object().get(ev) != simdjson::SUCCESS) continue;
      b.begin_object();
      uint64_t t = 0;
      if (member_u64(ev, "timeUnixNano", t)) write_ts(b, t, *c.scratch);
      std::string_view ev_name;
      if (member_string(ev, "name", ev_name)) b.field("name", ev_name);
      if (t) write_time(b, "time_unix_nano", t);
      write_attributes_member(ev, b);
      write_dropped(ev, "droppedAttributesCount", "dropped_attributes_count", b);
      b.end_object();
    }
    b.end_array();
  }
  dom::array links;
  if (member_array(span, "links", links) && links.size() > 0) {
    b.key("links");
    b.begin_array();
    for (dom::element e : links) {
      dom::object link;
      if (e.get_object().get(link) != simdjson::SUCCESS) continue;
      b.begin_object();
      write_id(link, "traceId", "trace_id", b, *c.hex);
      write_id(link, "spanId", "span_id", b, *c.hex);
      std::string_view ls;
      if (member_string(link, "traceState", ls) && !ls.empty()) b.field("trace_state", ls);
      write_flags(link, b);
      write_attributes_member(link, b);
      write_dropped(link, "droppedAttributesCount", "dropped_attributes_count", b);
      b.end_object();
    }
    b.end_array();
  }
  write_dropped(span, "droppedAttributesCount", "dropped_attributes_count", b);
  write_dropped(span, "droppedEventsCount", "dropped_events_count", b);
  write_dropped(span, "droppedLinksCount", "dropped_links_count", b);
  write_common_tail(c, b);
  b.end_object();
}

void write_log(dom::object rec, const Context& c, JsonBuilder& b) {
  uint64_t t = 0, observed = 0;
  bool has_t = member_u64(rec, "timeUnixNano", t) && t != 0;
  bool has_observed = member_u64(rec, "observedTimeUnixNano", observed) && observed != 0;
  b.begin_object();
  b.field("signal", "log");
  // The data model: when the event time is unknown, the observed time stands in.
  if (has_t) {
    write_ts(b, t, *c.scratch);
  } else if (has_observed) {
    write_ts(b, observed, *c.scratch);
  }
  int64_t severity_number = 0;
  bool has_number = member_i64(rec, "severityNumber", severity_number);
  std::string_view severity_text, severity_enum;
  if (!has_number) {
    bool present = false;
    severity_enum = enum_name(rec, "severityNumber", "SEVERITY_NUMBER_", nullptr, 0, present);
    // The enum's name (OTLP/JSON allows it): SEVERITY_NUMBER_WARN is 13.
    if (int64_t n = severity_number_of_name(severity_enum); n >= 0) {
      has_number = true;
      severity_number = n;
      if (n == 0) severity_enum = {};
    }
  }
  if (member_string(rec, "severityText", severity_text) && !severity_text.empty()) {
    b.field("severity", severity_text);
  } else if (!severity_enum.empty()) {
    b.field("severity", severity_enum);  // the enum's name, e.g. "INFO2"
  } else if (has_number && !severity_from_number(severity_number).empty()) {
    b.field("severity", severity_from_number(severity_number));
  }
  if (has_number) b.field_int("severity_number", severity_number);
  dom::element body;
  if (member(rec, "body", body)) {
    b.key("body");
    write_any_value(body, b, 0);
  }
  if (!c.service.empty()) b.field("service", c.service);
  std::string_view event_name;
  if (member_string(rec, "eventName", event_name) && !event_name.empty()) {
    b.field("event_name", event_name);
  }
  write_id(rec, "traceId", "trace_id", b, *c.hex);
  write_id(rec, "spanId", "span_id", b, *c.hex);
  if (has_t) write_time(b, "time_unix_nano", t);
  if (has_observed) write_time(b, "observed_time_unix_nano", observed);
  write_flags(rec, b);
  write_attributes_member(rec, b);
  write_dropped(rec, "droppedAttributesCount", "dropped_attributes_count", b);
  write_common_tail(c, b);
  b.end_object();
}

struct MetricInfo {
  std::string_view name, unit, description, type;
  std::string_view temporality;
  bool has_monotonic = false, monotonic = false;
};

void write_buckets(dom::object o, std::string_view in_key, std::string_view out_key, JsonBuilder& b) {
  dom::object buckets;
  if (!member_object(o, in_key, buckets)) return;
  b.key(out_key);
  b.begin_object();
  int64_t offset = 0;
  member_i64(buckets, "offset", offset);
  b.field_int("offset", offset);
  b.key("bucket_counts");
  dom::array counts;
  if (member_array(buckets, "bucketCounts", counts)) {
    write_u64_array(counts, b);
  } else {
    b.begin_array();
    b.end_array();
  }
  b.end_object();
}

void write_data_point(dom::object dp, const MetricInfo& m, const Context& c, JsonBuilder& b) {
  uint64_t t = 0, start = 0;
  bool has_t = member_u64(dp, "timeUnixNano", t) && t != 0;
  bool has_start = member_u64(dp, "startTimeUnixNano", start) && start != 0;
  b.begin_object();
  b.field("signal", "metric");
  if (has_t) write_ts(b, t, *c.scratch);
  b.field("name", m.name);
  b.field("type", m.type);
  if (!c.service.empty()) b.field("service", c.service);
  dom::element e;
  if (member(dp, "asDouble", e)) {
    double d;
    std::string_view s;
    if (e.is_number() && e.get_double().get(d) == simdjson::SUCCESS) {
      b.field_number("value", d);
    } else if (e.get_string().get(s) == simdjson::SUCCESS) {
      b.field("value", s);  // "NaN", "Infinity"
    }
  } else if (member(dp, "asInt", e)) {
    int64_t i;
    if (read_i64(e, i)) b.field_int("value", i);
  }
  if (!m.unit.empty()) b.field("unit", m.unit);
  if (!m.description.empty()) b.field("description", m.description);
  if (!m.temporality.empty()) b.field("temporality", m.temporality);
  if (m.has_monotonic) b.field_bool("monotonic", m.monotonic);
  uint64_t count = 0;
  if (member_u64(dp, "count", count)) {
    b.key("count");
    b.uint64(count);
  }
  write_double_member(dp, "sum", "sum", b);
  write_double_member(dp, "min", "min", b);
  write_double_member(dp, "max", "max", b);
  dom::array arr;
  if (m.type == "histogram") {
    if (member_array(dp, "bucketCounts", arr)) {
      b.key("bucket_counts");
      write_u64_array(arr, b);
    }
    if (member_array(dp, "explicitBounds", arr)) {
      b.key("explicit_bounds");
      b.begin_array();
      for (dom::element x : arr) {
        double d;
        if (x.get_double().get(d) == simdjson::SUCCESS) {
          b.number(d);
        } else {
          b.null();
        }
      }
      b.end_array();
    }
  } else if (m.type == "exponential_histogram") {
    int64_t scale = 0;
    if (member_i64(dp, "scale", scale)) b.field_int("scale", scale);
    uint64_t zero_count = 0;
    if (member_u64(dp, "zeroCount", zero_count)) {
      b.key("zero_count");
      b.uint64(zero_count);
    }
    write_double_member(dp, "zeroThreshold", "zero_threshold", b);
    write_buckets(dp, "positive", "positive", b);
    write_buckets(dp, "negative", "negative", b);
  } else if (m.type == "summary") {
    if (member_array(dp, "quantileValues", arr)) {
      b.key("quantiles");
      b.begin_array();
      for (dom::element x : arr) {
        dom::object q;
        if (x.get_object().get(q) != simdjson::SUCCESS) continue;
        b.begin_object();
        double d = 0;
        dom::element qe;
        b.field_number("quantile", member(q, "quantile", qe) && qe.get_double().get(d) == simdjson::SUCCESS ? d : 0.0);
        d = 0;
        b.field_number("value", member(q, "value", qe) && qe.get_double().get(d) == simdjson::SUCCESS ? d : 0.0);
        b.end_object();
      }
      b.end_array();
    }
  }
  if (has_start) write_time(b, "start_time_unix_nano", start);
  if (has_t) write_time(b, "time_unix_nano", t);
  write_flags(dp, b);
  write_attributes_member(dp, b);
  write_common_tail(c, b);
  b.end_object();
}

void write_metric(dom::object metric, const Context& c, EventWriter& out) {
  MetricInfo m;
  member_string(metric, "name", m.name);
  member_string(metric, "unit", m.unit);
  member_string(metric, "description", m.description);
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"sum", "sum"}, {"gauge", "gauge"}, {"histogram", "histogram"},
      {"exponentialHistogram", "exponential_histogram"}, {"summary", "summary"}};
  for (auto [json_key, type] : kTypes) {
    dom::object body;
    if (!member_object(metric, json_key, body)) continue;
    m.type = type;
    bool present = false;
    m.temporality = enum_name(body, "aggregationTemporality", "AGGREGATION_TEMPORALITY_",
                              kTemporalities, 3, present);
    dom::element mono;
    if (member(body, "isMonotonic", mono) && mono.is_bool()) {
      m.has_monotonic = true;
      m.monotonic = mono.get_bool().value_unsafe();
    }
    dom::array points;
    if (!member_array(body, "dataPoints", points)) return;
    size_t k = 0;
    for (dom::element p : points) {
      dom::object dp;
      if (p.get_object().get(dp) != simdjson::SUCCESS) {
        out.bad_part(fmt::format("metric \"{}\": dataPoints[{}] is not an object", m.name, k), simdjson::minify(p));
      } else {
        write_data_point(dp, m, c, out.begin());
        out.end();
      }
      ++k;
    }
    return;
  }
  out.bad_part(fmt::format("metric \"{}\" has no data (sum, gauge, histogram, exponentialHistogram or "
                           "summary)", m.name),
               simdjson::minify(metric));
}

// Serialises a resource's attributes as one JSON object, kept for every
// event of the resource; service.name is also remembered for `service`.
void serialise_resource(dom::object resource_holder, std::string& json, std::string& service) {
  json.clear();
  service.clear();
  dom::object resource;
  dom::array attrs;
  if (!member_object(resource_holder, "resource", resource) || !member_array(resource, "attributes", attrs) ||
      attrs.size() == 0) {
    return;
  }
  JsonBuilder b(json);
  write_key_values(attrs, b, 0);
  for (dom::element kv : attrs) {
    dom::object o, value;
    std::string_view key, s;
    if (kv.get_object().get(o) == simdjson::SUCCESS && member_string(o, "key", key) &&
        key == "service.name" && member_object(o, "value", value) && member_string(value, "stringValue", s)) {
      service.assign(s);
    }
  }
}

// The scope's name and version, then its attributes, in one object.
void serialise_scope(dom::object scope_holder, std::string& json) {
  json.clear();
  dom::object scope;
  if (!member_object(scope_holder, "scope", scope)) return;
  JsonBuilder b(json);
  b.begin_object();
  std::string_view s;
  if (member_string(scope, "name", s) && !s.empty()) b.field("name", s);
  if (member_string(scope, "version", s) && !s.empty()) b.field("version", s);
  dom::array attrs;
  if (member_array(scope, "attributes", attrs)) {
    for (dom::element kv : attrs) {
      dom::object o;
      std::string_view key;
      dom::element value;
      if (kv.get_object().get(o) != simdjson::SUCCESS || !member_string(o, "key", key)) continue;
      b.key(key);
      if (member(o, "value", value)) {
        write_any_value(value, b, 0);
      } else {
        b.null();
      }
    }
  }
  b.end_object();
  if (json == "{}") json.clear();
}

}  // namespace

bool OtlpFormat::parse(std::string_view record, EventWriter& out, std::string& reason) {
  // A reusable padded copy: the DOM parser reads SIMDJSON_PADDING bytes past the end.
  if (padded_.size() < record.size()) padded_ = simdjson::padded_string(record.size() * 2 + 64);
  if (!record.empty()) std::memcpy(padded_.data(), record.data(), record.size());
  dom::element root;
  auto error = parser_.parse(padded_.data(), record.size(), false).get(root);
  if (error) {
    reason = std::string("invalid JSON: ") + simdjson::error_message(error);
    return false;
  }
  dom::object doc;
  if (root.get_object().get(doc) != simdjson::SUCCESS) {
    reason = "not an OTLP/JSON object";
    return false;
  }
  static constexpr std::string_view kSignals[3][3] = {
      {"resourceSpans", "scopeSpans", "spans"},
      {"resourceLogs", "scopeLogs", "logRecords"},
      {"resourceMetrics", "scopeMetrics", "metrics"}};
  std::string scratch, hex;
  bool found = false;
  for (int signal = 0; signal < 3; ++signal) {
    dom::array resources;
    if (!member_array(doc, kSignals[signal][0], resources)) continue;
    found = true;
    size_t ri = 0;
    for (dom::element r : resources) {
      dom::object res;
      const size_t res_index = ri++;
      if (r.get_object().get(res) != simdjson::SUCCESS) {
        out.bad_part(fmt::format("{}[{}] is not an object", kSignals[signal][0], res_index), simdjson::minify(r));
        continue;
      }
      serialise_resource(res, resource_json_, service_);
      dom::array scopes;
      if (!member_array(res, kSignals[signal][1], scopes)) {
        // Before OTLP 0.19 the scope level was called instrumentationLibrary*.
        static constexpr std::string_view kOld[3] = {"instrumentationLibrarySpans",
                                                     "instrumentationLibraryLogs",
                                                     "instrumentationLibraryMetrics"};
        if (!member_array(res, kOld[signal], scopes)) continue;
      }
      size_t si = 0;
      for (dom::element s : scopes) {
        dom::object scope;
        const size_t scope_index = si++;
        if (s.get_object().get(scope) != simdjson::SUCCESS) {
          out.bad_part(fmt::format("{}[{}]: {}[{}] is not an object", kSignals[signal][0], res_index,
                                   kSignals[signal][1], scope_index),
                       simdjson::minify(s));
          continue;
        }
        serialise_scope(scope, scope_json_);
        Context c{resource_json_, scope_json_, service_, &scratch, &hex};
        dom::array items;
        if (!member_array(scope, kSignals[signal][2], items)) continue;
        size_t ii = 0;
        for (dom::element item : items) {
          dom::object o;
          const size_t item_index = ii++;
          if (item.get_object().get(o) != simdjson::SUCCESS) {
            out.bad_part(fmt::format("{}[{}].{}[{}]: {}[{}] is not an object", kSignals[signal][0],
                                     res_index, kSignals[signal][1], scope_index, kSignals[signal][2],
                                     item_index),
                         simdjson::minify(item));
            continue;
          }
          if (signal == 0) {
            write_span(o, c, out.begin());
            out.end();
          } else if (signal == 1) {
            write_log(o, c, out.begin());
            out.end();
          } else {
            write_metric(o, c, out);
          }
        }
      }
    }
  }
  if (!found) {
    reason = "no resourceSpans, resourceLogs or resourceMetrics";
    return false;
  }
  return true;
}

}  // namespace olly::parse
