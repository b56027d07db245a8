#include "view/html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include <simdjson.h>

#include "core/writer.h"
#include "time/timeutil.h"
#include "view/format.h"
#include "view/series.h"
#include "view/text.h"

namespace olly::view {

void append_html_escaped(std::string& out, std::string_view s) {
  std::string clean;
  append_sanitized(clean, s);
  for (char c : clean) {
    switch (c) {
      case '&': out.append("&amp;"); break;
      case '<': out.append("&lt;"); break;
      case '>': out.append("&gt;"); break;
      case '"': out.append("&quot;"); break;
      case '\'': out.append("&#39;"); break;
      default: out.push_back(c);
    }
  }
}

namespace {

constexpr std::string_view kStyle = R"CSS(
:root{--fg:#1d232a;--muted:#5b6670;--line:#d9dee3;--bg:#fff;--head:#f3f5f7}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg);margin:24px auto;max-width:1180px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--head);position:sticky;top:0}
table.sortable th{cursor:pointer;user-select:none}
th[data-dir=asc]::after{content:" \25B2"}th[data-dir=desc]::after{content:" \25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.good{color:#1a7f37}.info{color:#0550ae}.notice{color:#1b7c83}.warn{color:#9a6700}.bad{color:#cf222e}.severe{color:#cf222e;font-weight:700}.dim{color:#8c959f}.strong{font-weight:700}
tr.firing td{background:#ffebe9}tr.pending td{background:#fff8c5}tr.resolved td{background:#dafbe1}tr.hot td{background:#fff1e5}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px 10px;break-inside:avoid}
figcaption{font-weight:600;margin-bottom:4px}
svg{display:block;width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#5b6670}
.legend{font-size:12px;color:var(--muted)}.legend span{margin-right:12px;white-space:nowrap}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px;vertical-align:-1px}
.bar{display:inline-block;height:9px;background:#cf222e;margin-right:6px;vertical-align:0}
.note{color:var(--muted);font-size:12px}
@media print{body{margin:0;max-width:none;font-size:11px}th{position:static}.charts{grid-template-columns:1fr 1fr}a{color:inherit}tr{break-inside:avoid}}
)CSS";

constexpr std::string_view kScript = R"JS(
document.querySelectorAll("table.sortable").forEach(function(t){
  t.querySelectorAll("th").forEach(function(th,i){th.addEventListener("click",function(){
    var d=th.dataset.dir==="asc"?-1:1,b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);
    t.querySelectorAll("th").forEach(function(h){delete h.dataset.dir});th.dataset.dir=d>0?"asc":"desc";
    rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i],p=a.dataset.v,q=c.dataset.v;
      if(p!==undefined&&q!==undefined)return(parseFloat(p)-parseFloat(q))*d;
      if(p!==undefined)return -d;if(q!==undefined)return d;
      return a.textContent.localeCompare(c.textContent)*d});
    rows.forEach(function(r){b.appendChild(r)})})})});
)JS";

constexpr const char* kPalette[] = {"#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700",
                                    "#1b7c83", "#e16f24", "#57606a"};

void append_number_text(std::string& out, double v, Unit unit) {
  bool integral = v == std::floor(v) && std::fabs(v) < 1e15;
  fmt::format_int digits(integral ? static_cast<long long>(v) : 0LL);
  std::string text;
  append_human_number(text, v, integral ? std::string_view(digits.data(), digits.size()) : std::string_view("."),
                      unit);
  append_html_escaped(out, text);
}

// A window_start as a short axis label: the time of day when it is RFC 3339.
std::string_view axis_label(std::string_view ts) {
  size_t t = ts.find('T');
  if (t != std::string_view::npos && ts.size() >= t + 6) return ts.substr(t + 1, 5);
  return ts.substr(0, std::min<size_t>(ts.size(), 16));
}

// A round step (1, 2, 2.5 or 5 times a power of ten) for about four ticks up to v.
double nice_step(double v) {
  if (!(v > 0) || !std::isfinite(v)) return 1;
  double raw = v / 4;
  double p = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10 * p;
}

struct ChartLine {
  std::string label;
  std::vector<double> values;
  std::vector<double> lo, hi;  // a percentile band under the line, when not empty
  bool dashed = false;
  int color = 0;
};

// An SVG line chart over the windows, y from zero.
void append_line_chart(std::string& out, std::string_view caption, const std::vector<std::string_view>& windows,
                       const std::vector<ChartLine>& lines, Unit unit, std::string_view note) {
  constexpr double W = 640, H = 220, L = 64, R = 12, T = 10, B = 26;
  const size_t n = windows.size();
  double top = 0;
  for (const ChartLine& l : lines) {
    for (double v : l.values) if (std::isfinite(v)) top = std::max(top, v);
    for (double v : l.hi) if (std::isfinite(v)) top = std::max(top, v);
  }
  const double step = nice_step(top);
  const int ticks = std::max(1, static_cast<int>(std::ceil(top / step - 1e-9)));
  top = step * ticks;
  auto x = [&](size_t i) { return n > 1 ? L + (W - L - R) * static_cast<double>(i) / static_cast<double>(n - 1) : L + (W - L - R) / 2; };
  auto y = [&](double v) { return T + (H - T - B) * (1 - v / top); };
  out.append("<figure class=\"chart\"><figcaption>");
  append_html_escaped(out, caption);
  out.append("</figcaption>");
  fmt::format_to(std::back_inserter(out), "<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"", W, H);
  append_html_escaped(out, caption);
  out.append("\">");
  for (int k = 0; k <= ticks; ++k) {
    double v = step * k;
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e6e9ec\"/>"
                   "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">",
                   L, W - R, y(v), y(v), L - 6, y(v) + 4);
    append_number_text(out, v, unit);
    out.append("</text>");
  }
  if (n > 0) {
    size_t picks[] = {0, n / 2, n - 1};
    size_t last_pick = SIZE_MAX;
    for (size_t p : picks) {
      if (p == last_pick) continue;
      last_pick = p;
      const char* anchor = p == 0 && n > 1 ? "start" : (p == n - 1 && n > 1 ? "end" : "middle");
      fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"{}\">", x(p), H - 8, anchor);
      append_html_escaped(out, axis_label(windows[p]));
      out.append("</text>");
    }
  }
  for (const ChartLine& l : lines) {
    const char* color = kPalette[l.color % 8];
    if (!l.lo.empty()) {
      // The band: along the high edge, back along the low one, per unbroken run.
      size_t i = 0;
      while (i < n) {
        while (i < n && (std::isnan(l.lo[i]) || std::isnan(l.hi[i]))) ++i;
        size_t j = i;
        while (j < n && !std::isnan(l.lo[j]) && !std::isnan(l.hi[j])) ++j;
        if (j > i) {
          fmt::format_to(std::back_inserter(out), "<polygon class=\"band\" fill=\"{}\" fill-opacity=\"0.15\" points=\"", color);
          for (size_t k = i; k < j; ++k) fmt::format_to(std::back_inserter(out), "{:.1f},{:.1f} ", x(k), y(l.hi[k]));
          for (size_t k = j; k-- > i;) fmt::format_to(std::back_inserter(out), "{:.1f},{:.1f} ", x(k), y(l.lo[k]));
          out.append("\"/>");
        }
        i = j;
      }
    }
    std::string d;
    bool pen = false;
    size_t points = 0;
    for (size_t i = 0; i < n; ++i) {
      double v = l.values[i];
      if (!std::isfinite(v)) {
        pen = false;
        continue;
      }
      fmt::format_to(std::back_inserter(d), "{}{:.1f} {:.1f} ", pen ? "L" : "M", x(i), y(v));
      pen = true;
      ++points;
    }
    if (points == 1 || n == 1) {
      for (size_t i = 0; i < n; ++i) {
        if (std::isfinite(l.values[i])) {
          fmt::format_to(std::back_inserter(out), "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>", x(i),
                         y(l.values[i]), color);
        }
      }
    }
    if (!d.empty()) {
      fmt::format_to(std::back_inserter(out), "<path class=\"series\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{} d=\"{}\"/>",
                     color, l.dashed ? " stroke-dasharray=\"4 3\"" : "", d);
    }
  }
  out.append("</svg><div class=\"legend\">");
  for (const ChartLine& l : lines) {
    fmt::format_to(std::back_inserter(out), "<span><i style=\"background:{}\"></i>", kPalette[l.color % 8]);
    append_html_escaped(out, l.label);
    out.append("</span>");
  }
  out.append("</div>");
  if (!note.empty()) {
    out.append("<div class=\"note\">");
    append_html_escaped(out, note);
    out.append("</div>");
  }
  out.append("</figure>\n");
}

// Horizontal SVG bars, largest first.
void append_bar_chart(std::string& out, std::string_view caption, std::vector<std::pair<std::string, double>> bars,
                      Unit unit, size_t total) {
  std::stable_sort(bars.begin(), bars.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (bars.size() > 25) bars.resize(25);
  double top = 0;
  for (auto& [label, v] : bars) top = std::max(top, v);
  if (!(top > 0)) top = 1;
  constexpr double W = 640, L = 220, R = 70, Row = 20;
  const double H = Row * static_cast<double>(bars.size()) + 6;
  out.append("<figure class=\"bars\"><figcaption>");
  append_html_escaped(out, caption);
  out.append("</figcaption>");
  fmt::format_to(std::back_inserter(out), "<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"", W, H);
  append_html_escaped(out, caption);
  out.append("\">");
  for (size_t i = 0; i < bars.size(); ++i) {
    double yy = 3 + Row * static_cast<double>(i);
    double w = std::max(0.0, (W - L - R) * bars[i].second / top);
    std::string label;
    append_fitted(label, bars[i].first, display_width(bars[i].first), 34);
    fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">", L - 6, yy + 13);
    append_html_escaped(out, label);
    fmt::format_to(std::back_inserter(out),
                   "</text><rect class=\"bar\" x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"#0969da\"/>"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\">",
                   L, yy + 2, w, Row - 6, L + w + 4, yy + 13);
    append_number_text(out, bars[i].second, unit);
    out.append("</text>");
  }
  out.append("</svg>");
  if (total > bars.size()) {
    fmt::format_to(std::back_inserter(out), "<div class=\"note\">the largest {} of {} groups</div>", bars.size(), total);
  }
  out.append("</figure>\n");
}

std::string row_label(const Table& table, size_t r, const std::vector<uint32_t>& keys) {
  std::string label;
  for (uint32_t k : keys) {
    const Cell* c = table.cell(r, k);
    if (!label.empty()) label.append(" \u00B7 ");
    if (c) append_display(label, table, *c);
    else label.append("-");
  }
  return label;
}

// An HTML table of rows (all of them when rows is empty) over columns.
void append_table(std::string& out, const Table& table, const ViewOptions& opts, const std::vector<int64_t>& cols,
                  const std::vector<size_t>& rows, std::string_view id, size_t limit) {
  int64_t state = table.find_column("state");
  int64_t lift = table.find_column("lift");
  fmt::format_to(std::back_inserter(out), "<table class=\"sortable\" id=\"{}\"><thead><tr>", id);
  for (size_t i = 0; i < cols.size(); ++i) {
    out.append("<th>");
    append_html_escaped(out, cols[i] >= 0 ? std::string_view(table.columns()[cols[i]]) : std::string_view(opts.columns[i]));
    out.append("</th>");
  }
  out.append("</tr></thead><tbody>\n");
  std::vector<const Cell*> row(table.columns().size(), nullptr);
  std::string text;
  size_t n = rows.empty() ? table.rows() : rows.size();
  size_t shown = std::min(n, limit);
  for (size_t k = 0; k < shown; ++k) {
    size_t r = rows.empty() ? k : rows[k];
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = c;
    out.append("<tr");
    if (state >= 0 && row[state] && row[state]->kind == CellKind::string) {
      std::string_view s = table.text(*row[state]);
      if (s == "firing" || s == "pending" || s == "resolved") fmt::format_to(std::back_inserter(out), " class=\"{}\"", s);
    } else if (lift >= 0 && row[lift] && row[lift]->kind == CellKind::number && row[lift]->number() >= 2) {
      out.append(" class=\"hot\"");
    }
    out.append(">");
    for (int64_t c : cols) {
      const Cell* cell = c >= 0 ? row[c] : nullptr;
      if (!cell) {
        out.append("<td></td>");
        continue;
      }
      const std::string& name = table.columns()[cell->column];
      Paint paint = cell->kind == CellKind::number   ? paint_number(name, cell->number())
                    : cell->kind == CellKind::string ? paint_string(name, table.text(*cell))
                    : cell->kind == CellKind::null   ? Paint::dim
                                                     : Paint::none;
      std::string_view cls = css_class(paint);
      if (cell->kind == CellKind::number) {
        fmt::format_to(std::back_inserter(out), "<td class=\"num{}{}\" data-v=\"", cls.empty() ? "" : " ", cls);
        append_html_escaped(out, table.text(*cell));
        out.append("\">");
        if (c == lift && cell->number() > 0) {
          fmt::format_to(std::back_inserter(out), "<span class=\"bar\" style=\"width:{}px\"></span>",
                         static_cast<int>(std::min(cell->number(), 10.0) * 8));
        }
      } else if (!cls.empty()) {
        fmt::format_to(std::back_inserter(out), "<td class=\"{}\">", cls);
      } else {
        out.append("<td>");
      }
      text.clear();
      append_display(text, table, *cell);
      append_html_escaped(out, text);
      out.append("</td>");
    }
    out.append("</tr>\n");
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) row[c->column] = nullptr;
  }
  out.append("</tbody></table>\n");
  if (shown < n) {
    fmt::format_to(std::back_inserter(out), "<p class=\"note\">{} of {} rows shown (olly view --format csv writes them all)</p>\n",
                   shown, n);
  }
}

void append_series_charts(std::string& out, const Table& table, const Series& s) {
  const size_t nw = s.windows.size();
  const size_t ng = s.groups.size();
  constexpr size_t kLines = 8;
  auto top_groups = [&](size_t metric, size_t k) {
    std::vector<double> total(ng, 0);
    for (size_t g = 0; g < ng; ++g) {
      for (size_t w = 0; w < nw; ++w) {
        double v = s.value(s.groups[g], metric, w);
        if (std::isfinite(v)) total[g] += v;
      }
    }
    std::vector<size_t> order(ng);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return total[a] > total[b]; });
    if (order.size() > k) order.resize(k);
    return order;
  };
  auto label_of = [&](size_t g) {
    std::string l = row_label(table, s.groups[g].row, s.keys);
    return l.empty() ? std::string("all") : l;
  };
  auto slice = [&](size_t g, size_t m) {
    const double* p = s.groups[g].values.data() + m * nw;
    return std::vector<double>(p, p + nw);
  };
  auto more_note = [&](size_t shown) {
    return ng > shown ? fmt::format("the {} largest of {} groups", shown, ng) : std::string();
  };
  std::vector<bool> in_band(s.metrics.size(), false);
  out.append("<section id=\"series\"><h2>Over time</h2><div class=\"charts\">\n");
  for (const Series::Band& b : s.bands) {
    if (b.percentiles.size() < 2) continue;
    for (auto& [q, m] : b.percentiles) in_band[m] = true;
    size_t lo = b.percentiles.front().second, hi = b.percentiles.back().second;
    std::vector<size_t> groups = top_groups(hi, 4);
    std::vector<ChartLine> lines;
    std::string qlo, qhi;
    append_short_number(qlo, b.percentiles.front().first);
    append_short_number(qhi, b.percentiles.back().first);
    for (size_t i = 0; i < groups.size(); ++i) {
      ChartLine l;
      l.label = label_of(groups[i]) + " p" + qhi + " (band p" + qlo + "\u2013p" + qhi + ")";
      l.values = slice(groups[i], hi);
      l.hi = l.values;
      l.lo = slice(groups[i], lo);
      l.color = static_cast<int>(i);
      lines.push_back(std::move(l));
      ChartLine median;
      median.label = label_of(groups[i]) + " p" + qlo;
      median.values = slice(groups[i], lo);
      median.dashed = true;
      median.color = static_cast<int>(i);
      lines.push_back(std::move(median));
    }
    append_line_chart(out, b.measure + " p" + qlo + "\u2013p" + qhi, s.windows, lines, unit_of(b.measure),
                      more_note(groups.size()));
  }
  for (size_t m = 0; m < s.metrics.size(); ++m) {
    if (in_band[m]) continue;
    const std::string& name = table.columns()[s.metrics[m]];
    std::vector<size_t> groups = top_groups(m, kLines);
    std::vector<ChartLine> lines;
    for (size_t i = 0; i < groups.size(); ++i) {
      ChartLine l;
      l.label = label_of(groups[i]);
      l.values = slice(groups[i], m);
      l.color = static_cast<int>(i);
      lines.push_back(std::move(l));
    }
    append_line_chart(out, name, s.windows, lines, unit_of(name), more_note(groups.size()));
  }
  if (ng > 1) {
    // Totals per group of the first metric over the windows shown.
    size_t m = 0;
    const std::string& name = table.columns()[s.metrics[m]];
    std::vector<std::pair<std::string, double>> bars;
    bool additive = name == "count" || name.rfind("count", 0) == 0 || name.rfind("sum", 0) == 0;
    for (size_t g = 0; g < ng; ++g) {
      double v = 0, last = std::nan("");
      for (size_t w = 0; w < nw; ++w) {
        double x = s.value(s.groups[g], m, w);
        if (std::isfinite(x)) v += x, last = x;
      }
      bars.emplace_back(label_of(g), additive ? v : (std::isnan(last) ? 0 : last));
    }
    append_bar_chart(out, additive ? name + " by group, all windows shown" : name + " by group, latest window", std::move(bars),
                     unit_of(name), ng);
  }
  out.append("</div></section>\n");
}

// A table made of NDJSON lines (the arrays of an olly-snapshot document).
void append_lines_table(std::string& out, const std::vector<std::string>& lines, const ViewOptions& opts, std::string_view id) {
  Table t;
  simdjson::ondemand::parser parser;
  for (const auto& line : lines) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) continue;
    (void)t.add(doc);
  }
  if (t.rows() == 0) return;
  std::vector<int64_t> all;
  for (size_t c = 0; c < t.columns().size(); ++c) all.push_back(static_cast<int64_t>(c));
  ViewOptions plain = opts;
  plain.columns.clear();
  append_table(out, t, plain, all, {}, id, kHtmlMaxRows);
}

// olly-snapshot --json: its document as a report (narrative, charts of
// volume and error rate, latency bands, groups, templates, suspects).
// False when the text is not such a document (then it is shown as an event).
bool append_snapshot(std::string& out, std::string_view raw, const ViewOptions& opts) {
  simdjson::dom::parser parser;
  simdjson::dom::object snap;
  if (parser.parse(raw.data(), raw.size(), true).get(snap)) return false;
  int64_t events = 0;
  if (snap["events"].get_int64().get(events)) return false;
  // Lookups that may fail (a document from elsewhere): empty text, empty arrays.
  const auto str = [](simdjson::simdjson_result<simdjson::dom::element> e) {
    std::string_view v;
    return e.get_string().get(v) ? std::string_view() : v;
  };
  const auto text_of = [](simdjson::dom::element e) {
    std::string_view v;
    return e.get_string().get(v) ? std::string_view() : v;
  };
  const auto element_lines = [](simdjson::simdjson_result<simdjson::dom::element> arr,
                                const std::function<std::string(simdjson::dom::element)>& f) {
    std::vector<std::string> lines;
    simdjson::dom::array a;
    if (arr.get_array().get(a)) return lines;
    for (auto e : a) lines.push_back(f ? f(e) : simdjson::minify(e));
    return lines;
  };
  out.append("<section id=\"snapshot\"><h2>Snapshot</h2>\n<p class=\"meta\">");
  fmt::format_to(std::back_inserter(out), "{} event{}", events, events == 1 ? "" : "s");
  simdjson::dom::object fields;
  if (!snap["fields"].get_object().get(fields)) {
    for (auto [k, v] : fields) {
      if (v.is_null()) continue;
      out.append("; ");
      append_html_escaped(out, k);
      out.append(": <code>");
      append_html_escaped(out, text_of(v));
      out.append("</code>");
    }
  }
  out.append("</p>\n");
  simdjson::dom::array arr;
  if (!snap["missing"].get_array().get(arr)) {
    for (auto m : arr) {
      out.append("<p class=\"note\">");
      append_html_escaped(out, text_of(m));
      out.append("</p>\n");
    }
  }
  if (!snap["narrative"].get_array().get(arr) && arr.size() > 0) {
    out.append("<ul class=\"narrative\">\n");
    for (auto n : arr) {
      out.append("<li>");
      append_html_escaped(out, text_of(n));
      out.append("</li>\n");
    }
    out.append("</ul>\n");
  }
  const std::string_view next = str(snap["next"]);
  if (!next.empty()) {
    out.append("<p>Next: <code>");
    append_html_escaped(out, next);
    out.append("</code></p>\n");
  }
  out.append("</section>\n");

  // Volume and error rate over time.
  simdjson::dom::object time;
  if (!snap["time"].get_object().get(time)) {
    const auto start = parse_rfc3339(str(time["start"]));
    const auto every = parse_duration(str(time["every"]));
    simdjson::dom::array volume, errors;
    if (start && every && *every > 0 && !time["volume"].get_array().get(volume) && volume.size() > 0) {
      std::vector<std::string> labels;
      std::vector<double> counts, rates;
      for (auto v : volume) {
        labels.push_back(format_rfc3339(*start + static_cast<int64_t>(labels.size()) * *every, 0));
        double d = 0;
        if (v.get_double().get(d)) d = 0;
        counts.push_back(d);
      }
      const bool has_errors = !time["errors"].get_array().get(errors) && errors.size() == volume.size();
      if (has_errors) {
        size_t i = 0;
        for (auto e : errors) {
          double d = 0;
          if (e.get_double().get(d)) d = 0;
          rates.push_back(counts[i] > 0 ? d / counts[i] : NAN);
          ++i;
        }
      }
      std::vector<std::string_view> windows(labels.begin(), labels.end());
      out.append("<section id=\"series\"><h2>Over time</h2><div class=\"charts\">\n");
      ChartLine vol;
      vol.label = "events";
      vol.values = counts;
      append_line_chart(out, fmt::format("events per {}", str(time["every"])), windows, {vol}, Unit::none, "");
      if (has_errors) {
        ChartLine rate;
        rate.label = "error rate";
        rate.values = rates;
        rate.color = 1;
        append_line_chart(out, "error rate", windows, {rate}, Unit::fraction, "");
      }
      out.append("</div></section>\n");
    }
  }
  // Latency bands and groups: percentile columns named after the latency
  // field, so they read in its unit.
  const std::string latency(str(snap["fields"]["latency"]));
  const auto with_unit = [&](simdjson::dom::element e) {
    simdjson::dom::object o;
    if (e.get_object().get(o)) return std::string("{}");
    std::string line;
    JsonBuilder jb(line);
    jb.begin_object();
    for (auto [k, v] : o) {
      const bool pct = !latency.empty() && (k == "p50" || k == "p90" || k == "p99" || k == "max");
      jb.field_raw(pct ? fmt::format("{}_{}", k, latency) : std::string(k), simdjson::minify(v));
    }
    jb.end_object();
    return line;
  };
  simdjson::dom::element lat;
  if (!snap["latency"].get(lat) && lat.is_object()) {
    out.append("<section id=\"latency\"><h2>Latency</h2>\n");
    append_lines_table(out, {with_unit(lat)}, opts, "latency-table");
    out.append("</section>\n");
  }
  const std::vector<std::string> groups = element_lines(snap["groups"], with_unit);
  if (!groups.empty()) {
    out.append("<section id=\"groups\"><h2>Worst groups</h2>\n");
    append_lines_table(out, groups, opts, "group-table");
    out.append("</section>\n");
  }
  for (const auto& [key, title] : {std::pair<const char*, const char*>{"templates", "Top templates"},
                                   {"new_templates", "New templates (first seen in the second half)"}}) {
    const std::vector<std::string> rows = element_lines(snap[key], {});
    if (rows.empty()) continue;
    fmt::format_to(std::back_inserter(out), "<section id=\"{}\"><h2>{}</h2>\n", key, title);
    append_lines_table(out, rows, opts, key);
    out.append("</section>\n");
  }
  simdjson::dom::object suspects;
  if (!snap["suspects"].get_object().get(suspects)) {
    const std::vector<std::string> rows = element_lines(suspects["top"], {});
    out.append("<section id=\"suspects\"><h2>Suspects of ");
    append_html_escaped(out, str(suspects["bad"]));
    out.append("</h2>\n");
    if (rows.empty()) out.append("<p>No significant suspect.</p>\n");
    append_lines_table(out, rows, opts, "suspect-table");
    out.append("</section>\n");
  }
  return true;
}

}  // namespace

void render_html(const Table& table, const ViewOptions& opts, std::string& out) {
  out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
             "script-src 'unsafe-inline'; img-src data:\"><title>");
  append_html_escaped(out, opts.title);
  out.append("</title><style>");
  out.append(kStyle);
  out.append("</style></head><body>\n<header><h1>");
  append_html_escaped(out, opts.title);
  out.append("</h1><p class=\"meta\">");
  Series series;
  bool is_series = !opts.flat && find_series(table, opts.by, std::max<size_t>(opts.windows, 500), series);
  fmt::format_to(std::back_inserter(out), "{} event{}, {} field{}", table.rows(), table.rows() == 1 ? "" : "s",
                 table.columns().size(), table.columns().size() == 1 ? "" : "s");
  if (is_series) {
    fmt::format_to(std::back_inserter(out), "; {} group{} over {} window{}, ", series.groups.size(),
                   series.groups.size() == 1 ? "" : "s", series.total_windows, series.total_windows == 1 ? "" : "s");
    append_html_escaped(out, series.windows.front());
    out.append(" \u2026 ");
    append_html_escaped(out, series.windows.back());
  }
  out.append("</p></header>\n");
  if (table.rows() == 0) {
    out.append("<p>No events.</p></body></html>\n");
    return;
  }
  // olly snapshot --json: its own report instead of a one-row table.
  if (int64_t snap = table.find_column("snapshot"); snap >= 0 && table.rows() == 1 && table.columns().size() == 1) {
    const Cell* c = table.cell(0, static_cast<uint32_t>(snap));
    if (c && c->kind == CellKind::nested && append_snapshot(out, table.text(*c), opts)) {
      out.append("<script>");
      out.append(kScript);
      out.append("</script>\n</body></html>\n");
      return;
    }
  }
  std::vector<int64_t> cols = selected_columns(table, opts);

  // Alerts (olly alert): every alert event, firing first.
  int64_t state = table.find_column("state");
  if (state >= 0 && (table.find_column("severity") >= 0 || table.find_column("rule") >= 0)) {
    std::vector<size_t> rows;
    auto rank = [&](size_t r) {
      const Cell* c = table.cell(r, static_cast<uint32_t>(state));
      std::string_view s = c && c->kind == CellKind::string ? table.text(*c) : "";
      return s == "firing" ? 0 : s == "pending" ? 1 : s == "resolved" ? 2 : 3;
    };
    for (size_t r = 0; r < table.rows(); ++r) {
      if (rank(r) < 3) rows.push_back(r);
    }
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) { return rank(a) < rank(b); });
    if (!rows.empty()) {
      size_t firing = static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](size_t r) { return rank(r) == 0; }));
      fmt::format_to(std::back_inserter(out), "<section id=\"alerts\"><h2>Alerts: {} firing, {} in all</h2>\n", firing,
                     rows.size());
      std::vector<int64_t> alert_cols;
      for (std::string_view name : {"state", "severity", "rule", "at", "value", "threshold", "group", "annotations"}) {
        if (int64_t c = table.find_column(name); c >= 0) alert_cols.push_back(c);
      }
      ViewOptions plain = opts;
      plain.columns.clear();
      append_table(out, table, plain, alert_cols, rows, "alert-table", kHtmlMaxRows);
      out.append("</section>\n");
    }
  }
  // Suspects (olly explain): the events with a lift, highest first.
  int64_t lift = table.find_column("lift");
  if (lift >= 0) {
    std::vector<size_t> rows;
    for (size_t r = 0; r < table.rows(); ++r) {
      const Cell* c = table.cell(r, static_cast<uint32_t>(lift));
      if (c && c->kind == CellKind::number) rows.push_back(r);
    }
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
      return table.cell(a, static_cast<uint32_t>(lift))->number() > table.cell(b, static_cast<uint32_t>(lift))->number();
    });
    if (rows.size() > 25) rows.resize(25);
    if (!rows.empty()) {
      out.append("<section id=\"suspects\"><h2>Suspects, by lift</h2>\n");
      std::vector<int64_t> all;
      for (size_t c = 0; c < table.columns().size(); ++c) all.push_back(static_cast<int64_t>(c));
      ViewOptions plain = opts;
      plain.columns.clear();
      append_table(out, table, plain, all, rows, "suspect-table", kHtmlMaxRows);
      out.append("</section>\n");
    }
  }
  if (is_series) {
    append_series_charts(out, table, series);
  } else if (table.rows() > 1) {
    // Groups: the rows' text fields as the label, the first numeric field as the bar.
    std::vector<uint32_t> keys;
    int64_t measure = -1;
    for (int64_t c : cols) {
      if (c < 0) continue;
      bool numeric = true, any = false;
      for (size_t r = 0; r < table.rows() && numeric; ++r) {
        const Cell* cell = table.cell(r, static_cast<uint32_t>(c));
        if (!cell || cell->kind == CellKind::null) continue;
        any = true;
        numeric = cell->kind == CellKind::number;
      }
      if (!any) continue;
      if (numeric && measure < 0 && !(table.columns()[c] == "status" && keys.empty())) measure = c;
      else if (!numeric && keys.size() < 3) keys.push_back(static_cast<uint32_t>(c));
      else if (numeric && table.columns()[c] == "status" && keys.size() < 3) keys.push_back(static_cast<uint32_t>(c));
    }
    if (measure >= 0 && !keys.empty() && table.rows() <= 100000) {
      std::vector<std::pair<std::string, double>> bars;
      for (size_t r = 0; r < table.rows(); ++r) {
        const Cell* cell = table.cell(r, static_cast<uint32_t>(measure));
        bars.emplace_back(row_label(table, r, keys), cell && cell->kind == CellKind::number ? cell->number() : 0);
      }
      out.append("<section id=\"groups\"><h2>By group</h2><div class=\"charts\">\n");
      append_bar_chart(out, table.columns()[measure], std::move(bars), unit_of(table.columns()[measure]), table.rows());
      out.append("</div></section>\n");
    }
  }
  out.append("<section id=\"events\"><h2>Events</h2>\n");
  append_table(out, table, opts, cols, {}, "event-table", kHtmlMaxRows);
  out.append("</section>\n<script>");
  out.append(kScript);
  out.append("</script>\n</body></html>\n");
}

}  // namespace olly::view
