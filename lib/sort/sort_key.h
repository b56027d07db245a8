// Sort keys (lib/sort): the fields a sort orders by, read from each record
// once with lib/expr's FieldExtractor and encoded into one byte string whose
// memcmp order is the sort order, so comparing two records never re-reads
// them (olly sort, olly agg --sort FIELDS).
//
// Order of one field's values, ascending: numbers (numerically: integers and
// doubles on one line, exact for int64), then strings (bytewise, UTF-8 code
// point order), then booleans (false, true), arrays, objects (by their JSON
// text), and null or missing last. Descending (`-field`) reverses everything
// but the last place of null and missing: they come last in either
// direction. Ties keep input order (the sorts are stable).
#pragma once
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "expr/extract.h"
#include "expr/path.h"
#include "expr/value.h"

namespace olly {

struct SortField {
  Path path;
  bool descending = false;
};

// Parses "a,-b,+c" (comma-separated paths, `-` for descending, `+` for an
// explicit ascending). Throws UsageError naming flag on an empty list, an
// empty field or a bad path.
std::vector<SortField> parse_sort_fields(std::string_view text, std::string_view flag);

// Appends v's encoding to key: memcmp order of keys built from the same
// fields in the same order is the order described above.
void append_sort_key(std::string& key, const Value& v, bool descending);

// Reads the sort fields of records and encodes their keys.
class SortKeyReader {
 public:
  explicit SortKeyReader(const std::vector<SortField>& fields);
  // key = the encoded key of doc (cleared first). An error of the document
  // (not JSON, cut short) is returned as is.
  [[nodiscard]] simdjson::error_code read(simdjson::ondemand::document& doc, std::string& key);
  size_t field_count() const { return slot_of_.size(); }

 private:
  std::vector<bool> descending_;
  std::vector<size_t> slot_of_;  // field i -> extractor slot
  FieldExtractor extractor_;
  std::vector<Value> slots_;
};

// Sorts whole JSON lines by their fields (olly agg --sort FIELDS over a
// window's output rows): each line is parsed once, when added.
class LineSorter {
 public:
  explicit LineSorter(const std::vector<SortField>& fields);
  void clear();
  // Copies the line. A line that is not JSON sorts as if its fields were missing.
  void add(std::string_view line);
  size_t size() const { return rows_.size(); }
  // Sorts (stable: ties keep the order of add) and returns the row indices.
  const std::vector<uint32_t>& sorted();
  std::string_view line(uint32_t row) const {
    return std::string_view(text_).substr(rows_[row].line, rows_[row].line_len);
  }

 private:
  struct Row {
    size_t line, line_len, key, key_len;
  };
  SortKeyReader reader_;
  simdjson::ondemand::parser parser_;
  simdjson::padded_string padded_;
  std::string text_, keys_, key_;
  std::vector<Row> rows_;
  std::vector<uint32_t> order_;
};

// memcmp order of two encoded keys (<0, 0, >0).
inline int compare_sort_keys(std::string_view a, std::string_view b) { return a.compare(b); }

}  // namespace olly
