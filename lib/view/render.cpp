#include "view/render.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "core/writer.h"
#include "view/text.h"

namespace olly::view {

void Grid::close_cell(size_t from, Paint paint) {
  size_t n = arena.size() - from;
  // The first cell may be empty (a field named ""): a block is needed even
  // then, or back() below reads an empty vector (found by fuzz_view).
  if (blocks_.empty() || used_ + n > cap_) {
    cap_ = std::max<size_t>(n, 1u << 20);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(cap_));
    used_ = 0;
  }
  char* at = blocks_.back().get() + used_;
  if (n) std::memcpy(at, arena.data() + from, n);
  used_ += n;
  GridCell g;
  g.data = at;
  g.length = static_cast<uint32_t>(n);
  g.width = static_cast<uint32_t>(display_width({at, n}));
  g.paint = paint;
  cells.push_back(g);
  arena.resize(from);
}

void Grid::add_cell(std::string_view text, size_t width, Paint paint) {
  GridCell g;
  g.data = text.data();
  g.length = static_cast<uint32_t>(text.size());
  g.width = static_cast<uint32_t>(width);
  g.paint = paint;
  cells.push_back(g);
}

std::vector<int64_t> selected_columns(const Table& table, const ViewOptions& opts) {
  std::vector<int64_t> cols;
  if (!opts.columns.empty()) {
    for (const std::string& name : opts.columns) cols.push_back(table.find_column(name));
  } else {
    for (size_t c = 0; c < table.columns().size(); ++c) cols.push_back(static_cast<int64_t>(c));
  }
  return cols;
}

namespace {

constexpr size_t kFlushBytes = 1u << 20;

bool printable_ascii(std::string_view s) {
  // No early exit, so the loop vectorizes: most values are short and clean.
  bool bad = false;
  for (char c : s) bad |= static_cast<unsigned char>(c) - 0x20u >= 0x5Fu;  // below space, DEL or above
  return !bad;
}

// olly view FILE: most values are shown as written (printable ASCII text,
// integers without a unit): the table's own bytes serve, measured by length.
bool shown_as_written(const Cell& cell, Unit unit) {
  std::string_view text = Table::text(cell);
  switch (cell.kind) {
    case CellKind::string: return printable_ascii(text);
    case CellKind::number: return unit == Unit::none && text.find_first_of(".eE") == std::string_view::npos;
    case CellKind::boolean:
    case CellKind::null: return true;
    default: return false;
  }
}

std::string column_name(const Table& table, const ViewOptions& opts, size_t i, int64_t c) {
  std::string h;
  append_sanitized(h, c >= 0 ? std::string_view(table.columns()[c]) : std::string_view(opts.columns[i]));
  return h;
}

Paint paint_of(const Table& table, const Cell& cell) {
  const std::string& name = table.columns()[cell.column];
  if (cell.kind == CellKind::number) return paint_number(name, cell.number());
  if (cell.kind == CellKind::string) return paint_string(name, table.text(cell));
  if (cell.kind == CellKind::null) return Paint::dim;
  return Paint::none;
}

}  // namespace

void append_display(std::string& out, const Table& table, const Cell& cell) {
  switch (cell.kind) {
    case CellKind::absent: return;
    case CellKind::number:
      append_human_number(out, cell.number(), table.text(cell), unit_of(table.columns()[cell.column]));
      return;
    case CellKind::nested: {
      std::string compact;
      append_compact_json(compact, table.text(cell));
      append_sanitized(out, compact);
      return;
    }
    default: append_sanitized(out, table.text(cell)); return;
  }
}

Grid plain_grid(const Table& table, const ViewOptions& opts, size_t first_row) {
  Grid grid;
  std::vector<int64_t> cols = selected_columns(table, opts);
  for (size_t i = 0; i < cols.size(); ++i) grid.headers.push_back(column_name(table, opts, i, cols[i]));
  // A column is right-aligned when its values are numbers.
  std::vector<uint32_t> numbers(table.columns().size(), 0), others(table.columns().size(), 0);
  std::vector<const Cell*> row(table.columns().size(), nullptr);
  for (size_t r = first_row; r < table.rows(); ++r) {
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) {
      if (c->kind == CellKind::number) ++numbers[c->column];
      else if (c->kind != CellKind::null) ++others[c->column];
    }
  }
  for (int64_t c : cols) {
    grid.align.push_back(c >= 0 && numbers[c] > 0 && others[c] == 0 ? Align::right : Align::left);
  }
  // What each column's name says, decided once: its unit, whether its values have colors.
  std::vector<Unit> units(table.columns().size());
  std::vector<bool> painted(table.columns().size());
  for (size_t c = 0; c < table.columns().size(); ++c) {
    units[c] = unit_of(table.columns()[c]);
    painted[c] = paints(table.columns()[c]);
  }
  grid.cells.reserve((table.rows() - first_row) * cols.size());
  for (size_t r = first_row; r < table.rows(); ++r) {
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = c;
    for (int64_t c : cols) {
      const Cell* cell = c >= 0 ? row[c] : nullptr;
      if (!cell) {
        grid.add_cell({}, 0, Paint::none);
        continue;
      }
      Paint paint = cell->kind == CellKind::null ? Paint::dim
                    : painted[c]                 ? paint_of(table, *cell)
                                                 : Paint::none;
      std::string_view text = table.text(*cell);
      if (shown_as_written(*cell, units[c])) {
        grid.add_cell(text, text.size(), paint);
        continue;
      }
      size_t from = grid.arena.size();
      append_display(grid.arena, table, *cell);
      grid.close_cell(from, paint);
    }
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = nullptr;
  }
  return grid;
}

Grid record_grid(const Table& table, const ViewOptions& opts) {
  Grid grid;
  grid.headers = {"field", "value"};
  grid.align = {Align::left, Align::left};
  std::vector<int64_t> cols = selected_columns(table, opts);
  for (size_t i = 0; i < cols.size(); ++i) {
    const Cell* cell = cols[i] >= 0 ? table.cell(0, static_cast<uint32_t>(cols[i])) : nullptr;
    if (!cell && opts.columns.empty()) continue;
    size_t from = grid.arena.size();
    grid.arena.append(column_name(table, opts, i, cols[i]));
    grid.close_cell(from, Paint::bold);
    from = grid.arena.size();
    if (cell) append_display(grid.arena, table, *cell);
    grid.close_cell(from, cell ? paint_of(table, *cell) : Paint::none);
  }
  return grid;
}

void append_sparkline(std::string& out, const double* values, size_t n) {
  static constexpr std::string_view kBars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                               "\u2585", "\u2586", "\u2587", "\u2588"};
  double lo = 0, hi = 0;
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(values[i])) continue;
    if (!any) lo = hi = values[i], any = true;
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  lo = std::min(lo, 0.0);  // counts and latencies read honestly from zero
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(values[i]) || !std::isfinite(values[i])) {
      out.push_back(' ');
      continue;
    }
    int level = hi > lo ? static_cast<int>(std::lround((values[i] - lo) / (hi - lo) * 7)) : 0;
    out.append(kBars[std::clamp(level, 0, 7)]);
  }
}

Grid series_grid(const Table& table, const Series& s, const ViewOptions& opts) {
  Grid grid;
  const size_t nw = s.windows.size();
  auto wanted = [&](uint32_t column) {
    if (opts.columns.empty()) return true;
    return std::find(opts.columns.begin(), opts.columns.end(), table.columns()[column]) != opts.columns.end();
  };
  std::vector<uint32_t> keys, metrics;
  std::vector<size_t> metric_index;
  for (uint32_t k : s.keys) {
    if (wanted(k)) keys.push_back(k);
  }
  for (size_t m = 0; m < s.metrics.size(); ++m) {
    if (wanted(s.metrics[m])) metrics.push_back(s.metrics[m]), metric_index.push_back(m);
  }
  {
    std::string note;
    note.append(std::to_string(s.groups.size()));
    note.append(s.groups.size() == 1 ? " group, " : " groups, ");
    note.append(std::to_string(s.total_windows));
    note.append(s.total_windows == 1 ? " window " : " windows ");
    append_sanitized(note, s.windows.front());
    if (nw > 1) {
      note.append(" \u2026 ");
      append_sanitized(note, s.windows.back());
    }
    if (s.total_windows > nw) note.append(" (the last " + std::to_string(nw) + " shown)");
    grid.notes.push_back(std::move(note));
  }
  for (uint32_t k : keys) {
    std::string h;
    append_sanitized(h, table.columns()[k]);
    grid.headers.push_back(std::move(h));
    grid.align.push_back(Align::left);
  }
  // The latest value of each group and metric, and the one of the window
  // before it (NaN when the group had no line there).
  const size_t ng = s.groups.size();
  std::vector<double> last(ng * metrics.size()), prev(ng * metrics.size());
  for (size_t g = 0; g < ng; ++g) {
    for (size_t i = 0; i < metrics.size(); ++i) {
      double l = std::nan(""), p = std::nan("");
      for (size_t w = nw; w-- > 0;) {
        double v = s.value(s.groups[g], metric_index[i], w);
        if (std::isnan(v)) continue;
        l = v;
        if (w > 0) p = s.value(s.groups[g], metric_index[i], w - 1);
        break;
      }
      last[g * metrics.size() + i] = l;
      prev[g * metrics.size() + i] = p;
    }
  }
  // Each metric's last values are padded to one width so the arrows line up.
  std::vector<size_t> last_width(metrics.size(), 1);
  std::string scratch;
  auto format_value = [&](size_t i, double v) {
    scratch.clear();
    if (std::isnan(v)) return;
    bool integral = v == std::floor(v) && std::fabs(v) < 1e15;
    fmt::format_int digits(integral ? static_cast<long long>(v) : 0LL);
    append_human_number(scratch, v, integral ? std::string_view(digits.data(), digits.size()) : std::string_view("."),
                        unit_of(table.columns()[metrics[i]]));
  };
  for (size_t g = 0; g < ng; ++g) {
    for (size_t i = 0; i < metrics.size(); ++i) {
      format_value(i, last[g * metrics.size() + i]);
      last_width[i] = std::max(last_width[i], display_width(scratch));
    }
  }
  for (size_t i = 0; i < metrics.size(); ++i) {
    std::string h;
    append_sanitized(h, table.columns()[metrics[i]]);
    grid.headers.push_back(std::move(h));
    grid.align.push_back(Align::left);
  }
  // Percentile bands, scaled to the highest percentile of any group.
  std::vector<const Series::Band*> bands;
  std::vector<double> band_scale;
  for (const Series::Band& b : s.bands) {
    bool shown = false;
    for (auto& [q, m] : b.percentiles) shown = shown || wanted(s.metrics[m]);
    if (!shown) continue;
    double hi = 0;
    for (size_t g = 0; g < ng; ++g) {
      for (size_t w = nw; w-- > 0;) {
        double v = s.value(s.groups[g], b.percentiles.back().second, w);
        if (std::isnan(v)) continue;
        hi = std::max(hi, v);
        break;
      }
    }
    bands.push_back(&b);
    band_scale.push_back(hi);
    std::string h;
    append_sanitized(h, b.measure);
    h.append(" ");
    std::string qs;
    append_short_number(qs, b.percentiles.front().first);
    h.append("p" + qs);
    if (b.percentiles.size() > 1) {
      qs.clear();
      append_short_number(qs, b.percentiles.back().first);
      h.append("\u2013p" + qs);
    }
    grid.headers.push_back(std::move(h));
    grid.align.push_back(Align::left);
  }

  static constexpr size_t kBandWidth = 12;
  grid.cells.reserve(ng * grid.headers.size());
  for (size_t g = 0; g < ng; ++g) {
    const Series::Group& group = s.groups[g];
    for (uint32_t k : keys) {
      size_t from = grid.arena.size();
      const Cell* cell = table.cell(group.row, k);
      if (cell) append_display(grid.arena, table, *cell);
      grid.close_cell(from, cell ? paint_of(table, *cell) : Paint::none);
    }
    for (size_t i = 0; i < metrics.size(); ++i) {
      size_t from = grid.arena.size();
      append_sparkline(grid.arena, group.values.data() + metric_index[i] * nw, nw);
      double l = last[g * metrics.size() + i], p = prev[g * metrics.size() + i];
      format_value(i, l);
      grid.arena.push_back(' ');
      grid.arena.append(last_width[i] - display_width(scratch), ' ');
      grid.arena.append(scratch);
      Paint paint = Paint::none;
      if (!std::isnan(l) && !std::isnan(p)) {
        double eps = 0.01 * std::max(std::fabs(p), 1e-12);
        bool bad_up = lower_is_better(table.columns()[metrics[i]]);
        if (l > p + eps) {
          grid.arena.append(" \u2191");
          if (bad_up) paint = Paint::bad;
        } else if (l < p - eps) {
          grid.arena.append(" \u2193");
          if (bad_up) paint = Paint::good;
        } else {
          grid.arena.append(" \u2192");
        }
      } else {
        grid.arena.append("  ");
      }
      grid.close_cell(from, paint);
    }
    for (size_t b = 0; b < bands.size(); ++b) {
      size_t from = grid.arena.size();
      std::vector<double> q;
      for (auto& [pct, m] : bands[b]->percentiles) {
        double v = std::nan("");
        for (size_t w = nw; w-- > 0;) {
          v = s.value(group, m, w);
          if (!std::isnan(v)) break;
        }
        q.push_back(v);
      }
      double scale = band_scale[b];
      if (std::isnan(q.back()) || !(scale > 0)) {
        grid.close_cell(from, Paint::none);
        continue;
      }
      if (q.back() > 0 && q.back() < 0.5 / kBandWidth * scale) {
        grid.arena.append("\u258F");  // too small for a cell at this scale, but there
        grid.close_cell(from, Paint::none);
        continue;
      }
      for (size_t x = 0; x < kBandWidth; ++x) {
        double at = (static_cast<double>(x) + 0.5) / kBandWidth * scale;
        if (at <= q.front()) {
          grid.arena.append("\u2588");
        } else if (q.size() > 2 && at <= q[q.size() / 2]) {
          grid.arena.append("\u2593");
        } else if (at <= q.back()) {
          grid.arena.append("\u2591");
        } else {
          grid.arena.push_back(' ');
        }
      }
      grid.close_cell(from, Paint::none);
    }
  }
  return grid;
}

Grid build_grid(const Table& table, const ViewOptions& opts, size_t first_row) {
  if (!opts.flat) {
    Series s;
    if (find_series(table, opts.by, opts.windows, s)) return series_grid(table, s, opts);
  }
  if (table.rows() == 1 && first_row == 0) return record_grid(table, opts);
  return plain_grid(table, opts, first_row);
}

namespace {

// Column widths that fit `avail` columns of cells: each column is cut no
// further than needed, the widest first (a cap found by bisection); none
// below its floor. Returns how many leading columns fit at all.
size_t fit_widths(std::vector<size_t>& widths, size_t avail, size_t gap) {
  size_t n = widths.size();
  std::vector<size_t> floor(n);
  for (size_t i = 0; i < n; ++i) floor[i] = std::min<size_t>(widths[i], 6);
  size_t shown = n;
  auto need = [&](size_t k) {
    size_t t = 0;
    for (size_t i = 0; i < k; ++i) t += floor[i] + (i ? gap : 0);
    return t;
  };
  while (shown > 1 && need(shown) > avail) --shown;
  widths.resize(shown);
  auto total = [&](size_t cap) {
    size_t t = 0;
    for (size_t i = 0; i < shown; ++i) t += std::max(floor[i], std::min(widths[i], cap)) + (i ? gap : 0);
    return t;
  };
  size_t lo = 1, hi = 1;
  for (size_t w : widths) hi = std::max(hi, w);
  if (total(hi) <= avail) return shown;
  while (lo < hi) {  // the largest cap that fits
    size_t mid = (lo + hi + 1) / 2;
    if (total(mid) <= avail) lo = mid;
    else hi = mid - 1;
  }
  for (size_t i = 0; i < shown; ++i) widths[i] = std::max(floor[i], std::min(widths[i], lo));
  return shown;
}

void pad(std::string& out, size_t n) { out.append(n, ' '); }

}  // namespace

namespace {

struct CellView {
  std::string_view text;
  size_t width = 0;
  Paint paint = Paint::none;
};

// Draws a table whose cells get(r, c) gives (twice per cell: once to size
// the columns, once to draw; the text need only live until the next call).
template <class Get>
void draw_terminal(const std::vector<std::string>& headers, const std::vector<Align>& align,
                   const std::vector<std::string>& notes, size_t nrows, Get get, const ViewOptions& opts,
                   std::string& out, const Flush& flush) {
  const size_t ncols = headers.size();
  if (ncols == 0) return;
  constexpr size_t kGap = 2;
  std::vector<size_t> header_width(ncols), widths(ncols);
  for (size_t c = 0; c < ncols; ++c) widths[c] = header_width[c] = display_width(headers[c]);
  for (size_t r = 0; r < nrows; ++r) {
    for (size_t c = 0; c < ncols; ++c) widths[c] = std::max<size_t>(widths[c], get(r, c).width);
  }
  size_t shown = opts.width > 0 ? fit_widths(widths, opts.width, kGap) : ncols;
  auto paint = [&](Paint p) {
    if (opts.color && p != Paint::none) out.append(ansi(p));
  };
  auto reset = [&](Paint p) {
    if (opts.color && p != Paint::none) out.append("\x1b[0m");
  };
  auto put = [&](std::string_view text, size_t text_width, size_t width, Align a, Paint p, bool last) {
    size_t fill = text_width < width ? width - text_width : 0;
    if (a == Align::right) pad(out, fill);
    paint(p);
    append_fitted(out, text, text_width, width);
    reset(p);
    if (a == Align::left && !last) pad(out, fill);
  };
  for (const std::string& note : notes) {
    paint(Paint::dim);
    size_t w = display_width(note);
    append_fitted(out, note, w, opts.width > 0 ? opts.width : w);
    reset(Paint::dim);
    out.push_back('\n');
  }
  for (size_t c = 0; c < shown; ++c) {
    if (c) pad(out, kGap);
    put(headers[c], header_width[c], widths[c], align[c], Paint::bold, c + 1 == shown);
  }
  out.push_back('\n');
  for (size_t c = 0; c < shown; ++c) {
    if (c) pad(out, kGap);
    paint(Paint::dim);
    for (size_t i = 0; i < widths[c]; ++i) out.append("\u2500");
    reset(Paint::dim);
  }
  out.push_back('\n');
  for (size_t r = 0; r < nrows; ++r) {
    for (size_t c = 0; c < shown; ++c) {
      if (c) pad(out, kGap);
      CellView v = get(r, c);
      put(v.text, v.width, widths[c], align[c], v.paint, c + 1 == shown);
    }
    out.push_back('\n');
    if (flush && out.size() >= kFlushBytes) flush(out);
  }
  if (shown < ncols) {
    std::string note = std::to_string(ncols - shown) + " more column" + (ncols - shown == 1 ? "" : "s") +
                       " not shown (--columns picks):";
    for (size_t c = shown; c < ncols; ++c) note.append(" " + headers[c]);
    paint(Paint::dim);
    append_fitted(out, note, display_width(note), opts.width);
    reset(Paint::dim);
    out.push_back('\n');
  }
}

}  // namespace

void render_terminal(const Grid& grid, const ViewOptions& opts, std::string& out, const Flush& flush) {
  draw_terminal(grid.headers, grid.align, grid.notes, grid.rows(),
                [&](size_t r, size_t c) {
                  const GridCell& g = grid.at(r, c);
                  return CellView{grid.text(g), g.width, g.paint};
                },
                opts, out, flush);
}

void render_table(const Table& table, const ViewOptions& opts, size_t first_row, std::string& out,
                  const Flush& flush) {
  if (!opts.flat) {
    Series s;
    if (find_series(table, opts.by, opts.windows, s)) {
      render_terminal(series_grid(table, s, opts), opts, out, flush);
      return;
    }
  }
  if (table.rows() == 1 && first_row == 0) {
    render_terminal(record_grid(table, opts), opts, out, flush);
    return;
  }
  // One line per event, formatted as it is drawn rather than kept in a
  // Grid: 100k events would otherwise hold their text twice.
  std::vector<int64_t> cols = selected_columns(table, opts);
  std::vector<std::string> headers;
  std::vector<Align> align;
  for (size_t i = 0; i < cols.size(); ++i) headers.push_back(column_name(table, opts, i, cols[i]));
  std::vector<uint32_t> numbers(table.columns().size(), 0), others(table.columns().size(), 0);
  for (size_t r = first_row; r < table.rows(); ++r) {
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) {
      if (c->kind == CellKind::number) ++numbers[c->column];
      else if (c->kind != CellKind::null) ++others[c->column];
    }
  }
  for (int64_t c : cols) align.push_back(c >= 0 && numbers[c] > 0 && others[c] == 0 ? Align::right : Align::left);
  std::vector<Unit> units(table.columns().size());
  std::vector<bool> painted(table.columns().size());
  for (size_t c = 0; c < table.columns().size(); ++c) {
    units[c] = unit_of(table.columns()[c]);
    painted[c] = paints(table.columns()[c]);
  }
  // The cells of the row last asked for, by column.
  std::vector<const Cell*> row(table.columns().size(), nullptr);
  size_t row_at = SIZE_MAX;
  std::string scratch;
  auto get = [&](size_t r, size_t i) {
    r += first_row;
    if (r != row_at) {
      if (row_at != SIZE_MAX) {
        for (const Cell* c = table.row_begin(row_at); c != table.row_end(row_at); ++c) row[c->column] = nullptr;
      }
      for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = c;
      row_at = r;
    }
    int64_t c = cols[i];
    const Cell* cell = c >= 0 ? row[c] : nullptr;
    if (!cell) return CellView{};
    Paint paint = cell->kind == CellKind::null ? Paint::dim : painted[c] ? paint_of(table, *cell) : Paint::none;
    std::string_view text = table.text(*cell);
    if (shown_as_written(*cell, units[c])) return CellView{text, text.size(), paint};
    scratch.clear();
    append_display(scratch, table, *cell);
    return CellView{scratch, display_width(scratch), paint};
  };
  draw_terminal(headers, align, {}, table.rows() - std::min(first_row, table.rows()), get, opts, out, flush);
}

void render_markdown(const Grid& grid, std::string& out, const Flush& flush) {
  const size_t ncols = grid.headers.size();
  if (ncols == 0) return;
  auto cell = [&](std::string_view text) {
    for (char ch : text) {
      if (ch == '|') out.append("\\|");
      else if (ch == '<') out.append("&lt;");  // a ticket's renderer must not take a value for HTML
      else if (ch == '>') out.append("&gt;");
      else if (ch == '&') out.append("&amp;");
      else if (ch == '*' || ch == '_' || ch == '`' || ch == '\\' || ch == '[' || ch == ']') out.push_back('\\'), out.push_back(ch);
      else out.push_back(ch);
    }
  };
  for (const std::string& note : grid.notes) {
    out.append("_");
    cell(note);
    out.append("_\n\n");
  }
  out.append("|");
  for (size_t c = 0; c < ncols; ++c) {
    out.push_back(' ');
    cell(grid.headers[c]);
    out.append(" |");
  }
  out.append("\n|");
  for (size_t c = 0; c < ncols; ++c) out.append(grid.align[c] == Align::right ? " ---: |" : " --- |");
  out.push_back('\n');
  for (size_t r = 0; r < grid.rows(); ++r) {
    out.append("|");
    for (size_t c = 0; c < ncols; ++c) {
      out.push_back(' ');
      cell(grid.text(grid.at(r, c)));
      out.append(" |");
    }
    out.push_back('\n');
    if (flush && out.size() >= kFlushBytes) flush(out);
  }
}

void render_delimited(const Table& table, const ViewOptions& opts, char sep, std::string& out,
                      const Flush& flush) {
  std::vector<int64_t> cols = selected_columns(table, opts);
  if (cols.empty()) return;
  auto field = [&](std::string_view v) {
    if (sep == '\t') {
      for (char ch : v) {
        switch (ch) {
          case '\t': out.append("\\t"); break;
          case '\n': out.append("\\n"); break;
          case '\r': out.append("\\r"); break;
          case '\\': out.append("\\\\"); break;
          default: out.push_back(ch);
        }
      }
      return;
    }
    bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos ||
                 (!v.empty() && (v.front() == ' ' || v.back() == ' '));
    if (!quote) {
      out.append(v);
      return;
    }
    out.push_back('"');
    for (char ch : v) {
      if (ch == '"') out.push_back('"');
      out.push_back(ch);
    }
    out.push_back('"');
  };
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) out.push_back(sep);
    field(cols[i] >= 0 ? std::string_view(table.columns()[cols[i]]) : std::string_view(opts.columns[i]));
  }
  out.push_back('\n');
  std::vector<const Cell*> row(table.columns().size(), nullptr);
  for (size_t r = 0; r < table.rows(); ++r) {
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = c;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) out.push_back(sep);
      const Cell* cell = cols[i] >= 0 ? row[cols[i]] : nullptr;
      if (cell && cell->kind != CellKind::null) field(table.text(*cell));
    }
    out.push_back('\n');
    if (flush && out.size() >= kFlushBytes) flush(out);
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = nullptr;
  }
}

void render_json(const Table& table, const ViewOptions& opts, std::string& out, const Flush& flush) {
  std::vector<int64_t> cols = selected_columns(table, opts);
  JsonBuilder j(out);
  auto value = [&](const Cell& cell) {
    if (cell.kind == CellKind::string) {
      j.string(table.text(cell));
    } else {
      j.raw(table.text(cell));
    }
  };
  std::vector<const Cell*> row(table.columns().size(), nullptr);
  for (size_t r = 0; r < table.rows(); ++r) {
    j.reset();
    j.begin_object();
    if (opts.columns.empty()) {
      for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) {
        j.key(table.columns()[c->column]);
        value(*c);
      }
    } else {
      for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = c;
      for (int64_t c : cols) {
        if (c < 0 || !row[c]) continue;
        j.key(table.columns()[c]);
        value(*row[c]);
      }
      for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = nullptr;
    }
    j.end_object();
    out.push_back('\n');
    if (flush && out.size() >= kFlushBytes) flush(out);
  }
}

}  // namespace olly::view
