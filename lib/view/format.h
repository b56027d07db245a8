// How one value reads to a person: numbers with sensible precision and the
// unit the field's name gives (latency_ms -> "2.37s", body_bytes -> "1.5 KiB",
// error_rate 0.125 -> "12.5%"), and the meaning a color gives it (HTTP status
// class, log level, alert state and severity, explain's lift).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace olly::view {

// What a field's name says its numbers measure.
enum class Unit : uint8_t { none, seconds, millis, micros, nanos, bytes, fraction, percent, per_second };
Unit unit_of(std::string_view field);

// Appends v for a person. raw is the number as the event wrote it: an
// integer without a unit is shown as written.
void append_human_number(std::string& out, double v, std::string_view raw, Unit unit);

// Appends v with about four significant digits, trailing zeros dropped.
void append_short_number(std::string& out, double v);

// Meaningful colors; none when a value says nothing.
enum class Paint : uint8_t { none, good, info, notice, warn, bad, severe, dim, bold };
// The ANSI escape sequence that starts paint ("" for none); "\x1b[0m" resets.
std::string_view ansi(Paint p);
// A CSS class name for paint in the HTML report ("" for none).
std::string_view css_class(Paint p);

// The paint of a value of field (its last path segment decides): a status
// class, a log level, an alert state or severity, a lift.
Paint paint_string(std::string_view field, std::string_view value);
Paint paint_number(std::string_view field, double value);

// Whether values of field can have a color at all (paint_* may say none for
// every value otherwise): lets a table skip the question per value.
bool paints(std::string_view field);

// Whether a number of this field is better low (errors, latency): a trend
// upwards is then bad.
bool lower_is_better(std::string_view field);

}  // namespace olly::view
