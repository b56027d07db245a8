// Format sniffing for olly-parse auto and --detect, over the input's first
// lines.
//
// JSON first: when the first non-blank line opens a document ('{' or '['),
// the lines are framed into documents as json and otlp read them (one per
// line or pretty-printed over many); when most of them parse, the guess is
// otlp if one names resourceSpans, resourceLogs or resourceMetrics at its
// root, else json. A single document larger than the sample counts when
// what was read of it looks like JSON.
//
// Otherwise every line format is tried on each line that does not start
// with a blank (indented continuation lines do not vote): prom (lines its
// parser takes, comments only when there are samples too), cri (time,
// stdout or stderr, F or P), syslog (with a PRI or a tag), combined or
// common (the access-log parser must accept the line; combined when most
// lines carry a referer and user agent), apache_error, logfmt (two or more key=value pairs that parse),
// and tsv / csv (two or more columns whose header names look like names,
// not like data or prose — a letter or _ first, at most three blanks, no
// number, time, key=value or sentence punctuation — and every record after
// it with that many fields). The format that fits the most lines wins, in that order
// when tied; it must fit at least two lines in three, else nothing does.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace olly::parse {

// The format name, or "" when no format fits well enough.
std::string detect_format(const std::vector<std::string_view>& lines);

// Whether the first non-blank line opens a JSON document.
bool starts_json_document(const std::vector<std::string_view>& lines);

}  // namespace olly::parse
