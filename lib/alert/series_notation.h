// promtool's series notation, for olly-alert --test: a series description
// (`failed_logins{host="web-1",app="sshd"}`) and its values in the expanding
// notation (`0+30x5 2x5 _ stale _x3 1-1x3`).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace olly {

// One sample of an expanded series: a value, or none (`_` is a missing
// sample, `stale` a staleness marker; both mean no event at that step).
using SeriesSample = std::optional<double>;

// Expands promtool's notation, items separated by blanks:
//   a        one sample (a finite number: 3, -2.5, 1e3)
//   a+bxn    n+1 samples a, a+b, ..., a+n*b;  a-bxn: a, a-b, ..., a-n*b
//   axn      a repeated n+1 times (a+0xn)
//   _        one missing sample;  _xn: n missing samples (not n+1: promtool's)
//   stale    a staleness marker (no sample here)
// Throws UsageError with a message naming the bad item (no location: the
// caller adds it).
std::vector<SeriesSample> expand_series_values(std::string_view text);

// A series description: a metric name with optional labels in braces,
// `name{label="value", ...}` (values double-quoted, \" \\ \n escapes), or
// `{__name__="name", ...}`. Throws UsageError.
struct SeriesDesc {
  std::string metric;
  std::vector<std::pair<std::string, std::string>> labels;  // in the order written
};
SeriesDesc parse_series_desc(std::string_view text);

}  // namespace olly
