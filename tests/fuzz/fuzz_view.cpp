// olly-view's renderings (lib/view) over arbitrary NDJSON. The first byte
// picks the options (width, --flat, --columns, color); the rest are lines,
// each added to the table when simdjson reads it.
//
// Invariants: a rejected line leaves the table as it was; the terminal
// table never draws a line wider than its width and, colorless, holds no
// control character but the newline (values cannot drive the terminal);
// json writes one JSON object per row that reads back as the same values; csv and tsv one record per row plus
// the header; markdown one line per grid row plus two; the HTML report
// holds exactly one <script> (its own) and no element made from a value.
#include <simdjson.h>

#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "view/html.h"
#include "view/render.h"
#include "view/table.h"
#include "view/text.h"

using namespace olly::view;

namespace {

size_t count(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// Records of RFC 4180 text: newlines outside quotes.
size_t csv_records(std::string_view s) {
  size_t n = 0;
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    else if (c == '\n' && !quoted) ++n;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t sel = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  ViewOptions opts;
  opts.width = (sel & 0x3) == 0 ? 0 : 8 + (sel & 0x3) * 17;
  opts.flat = sel & 0x4;
  opts.color = sel & 0x8;
  opts.windows = 1 + ((sel >> 4) & 0x7);
  if (sel & 0x80) opts.columns = {"status", "window_start", "msg", "nope"};

  Table table;
  simdjson::ondemand::parser parser;
  size_t at = 0;
  while (at <= text.size()) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (line.empty()) continue;
    simdjson::padded_string padded(line);
    size_t rows = table.rows(), columns = table.columns().size();
    auto doc = parser.iterate(padded);
    if (doc.error() || table.add(doc.value_unsafe()) != simdjson::SUCCESS) {
      FUZZ_CHECK(table.rows() == rows && table.columns().size() == columns, "a rejected line left a trace");
    }
  }

  Grid grid = build_grid(table, opts);
  std::string out;
  render_terminal(grid, opts, out);
  if (opts.width > 0) {
    size_t begin = 0;
    while (begin < out.size()) {
      size_t end = out.find('\n', begin);
      std::string_view line(out.data() + begin, end - begin);
      if (!opts.color) FUZZ_CHECK(display_width(line) <= opts.width, "a table line is wider than the terminal", line);
      begin = end + 1;
    }
  }
  if (!opts.color) {
    for (char c : out) {
      FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 || c == '\n', "a control character reached the terminal", out);
    }
  }

  std::string md;
  render_markdown(grid, md);
  if (!grid.headers.empty()) {
    FUZZ_CHECK(fuzz::count_lines(md) == grid.rows() + 2 + 2 * grid.notes.size(), "markdown lines", md);
  }

  std::string json;
  render_json(table, opts, json);
  FUZZ_CHECK(fuzz::count_lines(json) == table.rows(), "json lines");
  // Read back as olly view reads (simdjson's DOM, in fuzz_common, refuses
  // integers past 64 bits, which are JSON): the same events, value for value.
  Table again;
  for (size_t begin = 0; begin < json.size();) {
    size_t end = json.find('\n', begin);
    simdjson::padded_string padded(std::string_view(json.data() + begin, end - begin));
    auto doc = parser.iterate(padded);
    FUZZ_CHECK(!doc.error() && again.add(doc.value_unsafe()) == simdjson::SUCCESS, "json line does not read back",
               std::string_view(json.data() + begin, end - begin));
    begin = end + 1;
  }
  FUZZ_CHECK(again.rows() == table.rows(), "json rows read back");
  if (opts.columns.empty()) {
    for (size_t r = 0; r < table.rows(); ++r) {
      FUZZ_CHECK(table.row_end(r) - table.row_begin(r) == again.row_end(r) - again.row_begin(r), "json fields");
      for (const Cell *a = table.row_begin(r), *b = again.row_begin(r); a != table.row_end(r); ++a, ++b) {
        FUZZ_CHECK(a->kind == b->kind && (a->kind == CellKind::nested || Table::text(*a) == Table::text(*b)),
                   "json value read back differs", Table::text(*a));
      }
    }
  }

  std::string csv, tsv;
  render_delimited(table, opts, ',', csv);
  render_delimited(table, opts, '\t', tsv);
  size_t want = table.columns().empty() && opts.columns.empty() ? 0 : table.rows() + 1;
  FUZZ_CHECK(csv_records(csv) == want, "csv records", csv);
  FUZZ_CHECK(fuzz::count_lines(tsv) == want, "tsv lines", tsv);

  std::string html;
  render_html(table, opts, html);
  FUZZ_CHECK(count(html, "<script") == (table.rows() == 0 ? 0 : 1), "a <script> made from a value", html);
  FUZZ_CHECK(count(html, "<img") == 0 && count(html, "<iframe") == 0, "an element made from a value", html);
  return 0;
}
