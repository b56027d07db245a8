// The events olly-view shows, as read: columns are the union of the
// events' fields in first-seen order, each row the values its event had.
// Text lives in one arena (no allocation per value); a row's cells are the
// fields it had, in its own order.
#pragma once
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace olly::view {

enum class CellKind : uint8_t { absent, null, boolean, number, string, nested };

struct Cell {
  const char* data = nullptr;  // the value's text: a number as written, a string
  uint32_t length = 0;         // unescaped, a container as JSON; in the table's blocks
  uint32_t column : 24 = 0;
  CellKind kind : 8 = CellKind::absent;
  // A number's value (a boolean's 0 or 1), parsed from its text when asked:
  // few are, and a table of 100k events keeps its cells smaller without it.
  double number() const;
};

class Table {
 public:
  Table() = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  Table(Table&&) = default;
  Table& operator=(Table&&) = default;

  // Adds the event's fields as a row. A JSON value that is not an object is
  // an event with no fields (an empty row). On error nothing is added.
  [[nodiscard]] simdjson::error_code add(simdjson::ondemand::document& doc);

  size_t rows() const { return rows_.size(); }
  const std::vector<std::string>& columns() const { return columns_; }
  // The column of name, or -1.
  int64_t find_column(std::string_view name) const;

  // Cells of row r.
  const Cell* row_begin(size_t r) const { return rows_[r].begin; }
  const Cell* row_end(size_t r) const { return rows_[r].begin + rows_[r].count; }
  // The cell of column c in row r, or nullptr.
  const Cell* cell(size_t r, uint32_t c) const;
  static std::string_view text(const Cell& cell) { return {cell.data, cell.length}; }

  // Keeps only the rows for which keep(r) is true (olly view --watch).
  template <class Keep>
  void retain(Keep keep);

  // Most columns a table holds (a Cell has 24 bits for it).
  static constexpr size_t kMaxColumns = (1u << 24) - 1;

 private:
  uint32_t column_of(std::string_view name);
  void commit_row();

  // Text and cells live in blocks that never move, so a cell's pointer stays
  // valid and the table grows without copying what it holds.
  struct Row {
    const Cell* begin;
    uint32_t count;
  };
  char* put(std::string_view text);
  Cell* cell_room(size_t n);

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> columns_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> column_index_;
  std::vector<Row> rows_;
  // Blocks are allocated in 2 MiB pages where the kernel gives them: a
  // table of 100k events fills some 60 MB, and a page fault every 4 KiB was
  // a third of olly-view's time.
  struct BlockFree {
    void operator()(std::byte* p) const;
  };
  using Block = std::unique_ptr<std::byte[], BlockFree>;
  static Block new_block(size_t bytes);
  std::vector<Block> text_blocks_;
  size_t text_used_ = 0, text_cap_ = 0;
  std::vector<Block> cell_blocks_;
  size_t cells_used_ = 0, cells_cap_ = 0;
  std::vector<uint32_t> recent_;   // the columns of the last event's keys, by position
  std::vector<Cell> row_;          // the event being read
  std::string row_text_;           // its text, copied to a block once the event is whole
};

// Appends a compact rendering of JSON text for a person: an object's members
// as key=value separated by spaces (inner objects in braces), arrays in
// brackets, strings without quotes.
void append_compact_json(std::string& out, std::string_view json);

template <class Keep>
void Table::retain(Keep keep) {
  Table kept;
  kept.columns_ = columns_;
  kept.column_index_ = column_index_;
  for (size_t r = 0; r < rows(); ++r) {
    if (!keep(r)) continue;
    kept.row_.assign(row_begin(r), row_end(r));
    kept.row_text_.clear();
    for (Cell& c : kept.row_) {
      kept.row_text_.append(c.data, c.length);
    }
    size_t at = 0;
    for (Cell& c : kept.row_) {
      c.data = reinterpret_cast<const char*>(at);  // an offset into row_text_ until commit_row
      at += c.length;
    }
    kept.commit_row();
  }
  *this = std::move(kept);
}

}  // namespace olly::view
