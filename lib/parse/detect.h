// Format sniffing for olly-parse auto and --detect: the first lines of the
// input are classified one by one and the format most of them fit wins.
//
// Order of preference when several fit: otlp (JSON naming resourceSpans,
// resourceLogs or resourceMetrics), json, prom (# HELP/# TYPE or sample
// lines), syslog (<PRI>, "Mmm dd hh:mm:ss", RFC 3339 + host), combined,
// common, logfmt (two or more key=value pairs), tsv, csv (the same number of
// tabs or commas on every line).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace olly::parse {

// The format name, or "" when no format fits at least half the lines.
std::string detect_format(const std::vector<std::string_view>& lines);

}  // namespace olly::parse
