// The events olly-view shows, as read: columns are the union of the
// events' fields in first-seen order, each row the values its event had.
// Text lives in one arena (no allocation per value); a row's cells are the
// fields it had, in its own order.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace olly::view {

enum class CellKind : uint8_t { absent, null, boolean, number, string, nested };

struct Cell {
  uint32_t column = 0;
  CellKind kind = CellKind::absent;
  uint32_t offset = 0;  // text in the table's arena: a number as written, a
  uint32_t length = 0;  // string unescaped, a container as compact JSON
  double number = 0;    // kind number
};

class Table {
 public:
  // Adds the event's fields as a row. A JSON value that is not an object is
  // an event with no fields (an empty row). On error nothing is added.
  [[nodiscard]] simdjson::error_code add(simdjson::ondemand::document& doc);

  size_t rows() const { return row_start_.size(); }
  const std::vector<std::string>& columns() const { return columns_; }
  // The column of name, or -1.
  int64_t find_column(std::string_view name) const;

  // Cells of row r.
  const Cell* row_begin(size_t r) const { return cells_.data() + row_start_[r]; }
  const Cell* row_end(size_t r) const {
    return cells_.data() + (r + 1 < row_start_.size() ? row_start_[r + 1] : cells_.size());
  }
  // The cell of column c in row r, or nullptr.
  const Cell* cell(size_t r, uint32_t c) const;
  std::string_view text(const Cell& cell) const { return {arena_.data() + cell.offset, cell.length}; }

  // Keeps only the rows for which keep(r) is true (olly view --watch).
  template <class Keep>
  void retain(Keep keep);

 private:
  uint32_t column_of(std::string_view name);
  void rollback(size_t arena, size_t cells, size_t columns);
  uint32_t put(std::string_view text);

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> columns_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> column_index_;
  std::vector<uint32_t> row_start_;
  std::vector<Cell> cells_;
  std::string arena_;
};

// Appends a compact rendering of JSON text for a person: an object's members
// as key=value separated by spaces (inner objects in braces), arrays in
// brackets, strings without quotes.
void append_compact_json(std::string& out, std::string_view json);

template <class Keep>
void Table::retain(Keep keep) {
  std::vector<uint32_t> starts;
  std::vector<Cell> cells;
  std::string arena;
  for (size_t r = 0; r < rows(); ++r) {
    if (!keep(r)) continue;
    starts.push_back(static_cast<uint32_t>(cells.size()));
    for (const Cell* c = row_begin(r); c != row_end(r); ++c) {
      Cell copy = *c;
      copy.offset = static_cast<uint32_t>(arena.size());
      arena.append(text(*c));
      cells.push_back(copy);
    }
  }
  row_start_ = std::move(starts);
  cells_ = std::move(cells);
  arena_ = std::move(arena);
}

}  // namespace olly::view
