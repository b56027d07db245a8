#include "view/series.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace olly::view {
namespace {

bool identifies(std::string_view name) {
  size_t dot = name.rfind('.');
  std::string_view f = dot == std::string_view::npos ? name : name.substr(dot + 1);
  static constexpr std::string_view kNames[] = {"status", "status_code", "code", "http_status", "port",
                                               "pid", "le", "quantile", "id", "year", "bucket"};
  for (std::string_view k : kNames) {
    if (f == k) return true;
  }
  return f.size() > 3 && f.substr(f.size() - 3) == "_id";
}

}  // namespace

bool percentile_of(std::string_view name, double& q, std::string_view& measure) {
  if (name.size() < 4 || name[0] != 'p') return false;
  size_t us = name.find('_');
  if (us == std::string_view::npos || us < 2 || us + 1 >= name.size()) return false;
  std::string_view digits = name.substr(1, us - 1);
  if (digits.find_first_not_of("0123456789.") != std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), q);
  if (ec != std::errc() || end != digits.data() + digits.size() || q < 0 || q > 100) return false;
  measure = name.substr(us + 1);
  return true;
}

bool find_series(const Table& table, const std::vector<std::string>& by, size_t keep, Series& out) {
  out = Series{};
  int64_t start = table.find_column("window_start");
  if (start < 0 || table.rows() == 0) return false;
  int64_t end = table.find_column("window_end");
  const size_t ncols = table.columns().size();
  std::vector<uint32_t> numbers(ncols, 0), others(ncols, 0);
  for (size_t r = 0; r < table.rows(); ++r) {
    const Cell* s = table.cell(r, static_cast<uint32_t>(start));
    if (!s || s->kind != CellKind::string) return false;
    for (const Cell* c = table.row_begin(r); c != table.row_end(r); ++c) {
      if (c->kind == CellKind::number) {
        ++numbers[c->column];
      } else if (c->kind != CellKind::null) {
        ++others[c->column];
      }
    }
  }
  out.start_column = static_cast<uint32_t>(start);
  std::vector<bool> is_key(ncols, false);
  if (!by.empty()) {
    for (const std::string& name : by) {
      int64_t c = table.find_column(name);
      if (c >= 0) out.keys.push_back(static_cast<uint32_t>(c)), is_key[c] = true;
    }
  }
  for (uint32_t c = 0; c < ncols; ++c) {
    if (c == start || c == end || is_key[c]) continue;
    const std::string& name = table.columns()[c];
    bool numeric = numbers[c] > 0 && others[c] == 0;
    if (numeric && (!by.empty() || !identifies(name))) {
      out.metrics.push_back(c);
    } else if (by.empty() && others[c] + numbers[c] > 0) {
      out.keys.push_back(c);
    }
  }
  if (out.metrics.empty()) return false;

  // Windows: the distinct starts, in order; only the last `keep` are kept.
  std::vector<std::string_view> starts;
  starts.reserve(table.rows());
  for (size_t r = 0; r < table.rows(); ++r) starts.push_back(table.text(*table.cell(r, out.start_column)));
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  out.total_windows = starts.size();
  if (keep > 0 && starts.size() > keep) starts.erase(starts.begin(), starts.end() - static_cast<std::ptrdiff_t>(keep));
  out.windows = starts;

  std::unordered_map<std::string, size_t> group_of;
  std::string key;
  const size_t nw = out.windows.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t r = 0; r < table.rows(); ++r) {
    key.clear();
    for (uint32_t k : out.keys) {
      const Cell* c = table.cell(r, k);
      key.push_back(c ? static_cast<char>('0' + static_cast<int>(c->kind)) : '-');
      if (c) key.append(table.text(*c));
      key.push_back('\x1f');
    }
    auto [it, fresh] = group_of.try_emplace(key, out.groups.size());
    if (fresh) {
      out.groups.emplace_back();
      out.groups.back().values.assign(out.metrics.size() * nw, nan);
    }
    Series::Group& g = out.groups[it->second];
    g.row = r;
    std::string_view ws = table.text(*table.cell(r, out.start_column));
    auto w = std::lower_bound(out.windows.begin(), out.windows.end(), ws);
    if (w == out.windows.end() || *w != ws) continue;  // an older window than those kept
    size_t wi = static_cast<size_t>(w - out.windows.begin());
    for (size_t m = 0; m < out.metrics.size(); ++m) {
      const Cell* c = table.cell(r, out.metrics[m]);
      if (c && c->kind == CellKind::number) g.values[m * nw + wi] = c->number();
    }
  }

  for (size_t m = 0; m < out.metrics.size(); ++m) {
    double q;
    std::string_view measure;
    if (!percentile_of(table.columns()[out.metrics[m]], q, measure)) continue;
    auto band = std::find_if(out.bands.begin(), out.bands.end(),
                             [&](const Series::Band& b) { return b.measure == measure; });
    if (band == out.bands.end()) {
      out.bands.push_back(Series::Band{std::string(measure), {}});
      band = out.bands.end() - 1;
    }
    band->percentiles.emplace_back(q, m);
  }
  for (auto& b : out.bands) std::sort(b.percentiles.begin(), b.percentiles.end());
  return true;
}

}  // namespace olly::view
