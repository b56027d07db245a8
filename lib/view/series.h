// Windowed series: olly-agg's output with `every D` (each line a group's
// aggregates for one window, window_start first) seen as one row per group
// with a value per window for each numeric field.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "view/table.h"

namespace olly::view {

struct Series {
  uint32_t start_column = 0;       // window_start
  std::vector<uint32_t> keys;      // the group's fields
  std::vector<uint32_t> metrics;   // the numeric fields, one series each
  std::vector<std::string_view> windows;  // window_start texts, ascending (the last `keep` of them)
  size_t total_windows = 0;        // before keeping the last ones
  struct Group {
    size_t row = 0;                // the group's last row (its key values are read there)
    std::vector<double> values;    // [metric * windows.size() + window]; NaN where the group had no line
  };
  std::vector<Group> groups;       // in first-seen order
  // Percentile fields of one measure (p50_latency_ms, p99_latency_ms): a band.
  struct Band {
    std::string measure;           // "latency_ms"
    std::vector<std::pair<double, size_t>> percentiles;  // (50, metric index), ascending
  };
  std::vector<Band> bands;

  double value(const Group& g, size_t metric, size_t window) const {
    return g.values[metric * windows.size() + window];
  }
};

// Recognises a windowed series in table: every row has a string
// window_start and at least one numeric field. by names the group fields
// (empty: every field that is not numeric, and numeric fields whose names
// say they identify rather than measure: status, code, port, *_id).
// Keeps the last `keep` windows. False when table is not a series.
bool find_series(const Table& table, const std::vector<std::string>& by, size_t keep, Series& out);

// The percentile a metric name carries (p99_latency_ms -> 99, measure
// latency_ms; p99.9_x -> 99.9); false when it carries none.
bool percentile_of(std::string_view name, double& q, std::string_view& measure);

}  // namespace olly::view
