// olly-view --format html: one self-contained report (inline CSS, SVG and a
// few lines of JavaScript; nothing fetched): alerts and explain's suspects
// first, time-series charts with percentile bands for a windowed series, a
// bar chart of groups, and every event in a table whose columns sort.
#pragma once
#include <string>
#include <string_view>

#include "view/render.h"
#include "view/table.h"

namespace olly::view {

// Appends s as HTML text: markup characters escaped, controls and invalid
// UTF-8 replaced (a value "<script>" reads as text and never runs).
void append_html_escaped(std::string& out, std::string_view s);

// Most rows the report's event table holds (the rest are counted in a note).
inline constexpr size_t kHtmlMaxRows = 10000;

void render_html(const Table& table, const ViewOptions& opts, std::string& out);

}  // namespace olly::view
