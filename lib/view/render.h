// olly-view's renderings: a Grid is what a person reads (formatted,
// sanitized cells with an alignment and a color), built from the table as
// it came, from a windowed series, or from a single event; the terminal
// table and markdown draw a Grid, csv, tsv and json write the table's values
// as they were, and html (html.h) writes a report.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "view/format.h"
#include "view/series.h"
#include "view/table.h"

namespace olly::view {

struct ViewOptions {
  std::vector<std::string> columns;  // --columns: which and in what order (empty: all)
  std::vector<std::string> by;       // --by: a series' group fields (empty: guessed)
  size_t windows = 20;               // --windows: the windows a series keeps
  bool flat = false;                 // --flat: rows as they came, even for a series
  bool color = false;                // ANSI colors (decided from --color, NO_COLOR and the terminal)
  size_t width = 0;                  // terminal columns; 0: no limit
  size_t height = 0;                 // --watch: terminal rows; 0: no limit
  std::string title = "olly view";   // --title (html)
};

enum class Align : uint8_t { left, right };

struct GridCell {
  const char* data = nullptr;  // in the grid's blocks, or the table's when shown as it is
  uint32_t length = 0;
  uint32_t width = 0;  // display columns
  Paint paint = Paint::none;
};

struct Grid {
  std::vector<std::string> headers;  // sanitized
  std::vector<Align> align;
  std::vector<std::string> notes;    // lines shown before the table
  std::string arena;                 // the cell being built (see close_cell)
  std::vector<GridCell> cells;       // row-major, headers.size() per row

  size_t rows() const { return headers.empty() ? 0 : cells.size() / headers.size(); }
  const GridCell& at(size_t r, size_t c) const { return cells[r * headers.size() + c]; }
  static std::string_view text(const GridCell& g) { return {g.data, g.length}; }
  // Appends the next cell: the text appended to arena since offset `from`
  // (moved to the grid's blocks; arena is cut back to from).
  void close_cell(size_t from, Paint paint);
  // Appends the next cell: text that outlives the grid (the table's), shown as it is.
  void add_cell(std::string_view text, size_t width, Paint paint);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0, cap_ = 0;
};

// The table's columns to show: --columns by name (-1 where no event had
// that field), else all of them.
std::vector<int64_t> selected_columns(const Table& table, const ViewOptions& opts);

// Appends the cell's value as a person reads it (sanitized).
void append_display(std::string& out, const Table& table, const Cell& cell);

// The grid of a view: a series (unless --flat), a single event as field and
// value lines, else one line per event. For --watch, first_row skips rows.
Grid build_grid(const Table& table, const ViewOptions& opts, size_t first_row = 0);
Grid plain_grid(const Table& table, const ViewOptions& opts, size_t first_row = 0);
Grid record_grid(const Table& table, const ViewOptions& opts);
Grid series_grid(const Table& table, const Series& series, const ViewOptions& opts);

// Appends an aligned table fitted to opts.width (cells cut with "…", columns
// that cannot fit left out and named in a last line), colored when opts.color.
// The renderings append to out; given flush, they hand it over (to be
// written and cleared) whenever it holds about a megabyte.
using Flush = std::function<void(std::string&)>;

void render_terminal(const Grid& grid, const ViewOptions& opts, std::string& out, const Flush& flush = {});
// The terminal table of a view (build_grid's choice), drawing one line per
// event straight from the table.
void render_table(const Table& table, const ViewOptions& opts, size_t first_row, std::string& out,
                  const Flush& flush = {});
void render_markdown(const Grid& grid, std::string& out, const Flush& flush = {});
// RFC 4180 CSV (sep ',') or TSV (sep '\t', with \t \n \r \\ escaped), header first.
void render_delimited(const Table& table, const ViewOptions& opts, char sep, std::string& out,
                      const Flush& flush = {});
// NDJSON: each event with the selected fields, values as they came.
void render_json(const Table& table, const ViewOptions& opts, std::string& out, const Flush& flush = {});

// Sparkline characters for values (NaN: a space) scaled from min(0, lowest) to the highest.
void append_sparkline(std::string& out, const double* values, size_t n);

}  // namespace olly::view
