#include "view/table.h"

#include <algorithm>
#include <sys/mman.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "view/text.h"

namespace olly::view {

namespace od = simdjson::ondemand;

namespace {

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

int64_t Table::find_column(std::string_view name) const {
  auto it = column_index_.find(name);
  return it == column_index_.end() ? -1 : static_cast<int64_t>(it->second);
}

uint32_t Table::column_of(std::string_view name) {
  auto it = column_index_.find(name);
  if (it != column_index_.end()) return it->second;
  auto c = static_cast<uint32_t>(columns_.size());
  columns_.emplace_back(name);
  column_index_.emplace(std::string(name), c);
  return c;
}

double Cell::number() const {
  if (kind == CellKind::boolean) return length == 4 ? 1 : 0;  // "true" or "false"
  double v = 0;
  const char* end = data + length;
  const char* from = data;
  if (from != end && *from == '-') {
    auto r = std::from_chars(from + 1, end, v);
    return r.ec == std::errc::result_out_of_range ? -std::numeric_limits<double>::infinity() : -v;
  }
  auto r = std::from_chars(from, end, v);
  if (r.ec == std::errc::result_out_of_range) return std::numeric_limits<double>::infinity();
  return v;
}

void Table::BlockFree::operator()(std::byte* p) const { std::free(p); }

Table::Block Table::new_block(size_t bytes) {
  constexpr size_t kHugePage = 2u << 20;
  bytes = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (!p) throw std::bad_alloc();
  (void)::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without it, 4 KiB pages
  return Block(static_cast<std::byte*>(p));
}

char* Table::put(std::string_view text) {
  if (text.empty()) return nullptr;  // an event with no fields may come before any block
  if (text_used_ + text.size() > text_cap_) {
    text_cap_ = std::max<size_t>(text.size(), 4u << 20);
    text_blocks_.push_back(new_block(text_cap_));
    text_used_ = 0;
  }
  char* at = reinterpret_cast<char*>(text_blocks_.back().get()) + text_used_;
  if (!text.empty()) std::memcpy(at, text.data(), text.size());
  text_used_ += text.size();
  return at;
}

Cell* Table::cell_room(size_t n) {
  if (n == 0) return nullptr;
  if (cells_used_ + n > cells_cap_) {
    cells_cap_ = std::max<size_t>(n, 128u << 10);
    // Raw storage: each cell is constructed as its row is committed.
    cell_blocks_.push_back(new_block(cells_cap_ * sizeof(Cell)));
    cells_used_ = 0;
  }
  Cell* at = reinterpret_cast<Cell*>(cell_blocks_.back().get()) + cells_used_;
  cells_used_ += n;
  return at;
}

const Cell* Table::cell(size_t r, uint32_t c) const {
  for (const Cell* p = row_begin(r); p != row_end(r); ++p) {
    if (p->column == c) return p;
  }
  return nullptr;
}

void Table::commit_row() {
  const char* text = put(row_text_);
  Cell* cells = cell_room(row_.size());
  for (size_t i = 0; i < row_.size(); ++i) {
    Cell* c = new (cells + i) Cell(row_[i]);
    c->data = text ? text + reinterpret_cast<uintptr_t>(row_[i].data) : "";
  }
  rows_.push_back(Row{cells, static_cast<uint32_t>(row_.size())});
}

simdjson::error_code Table::add(od::document& doc) {
  // The event is read into row_ and row_text_ (cells hold offsets into
  // row_text_) and reaches the blocks only when whole: a bad line leaves
  // nothing but the columns it named, which are dropped again.
  row_.clear();
  row_text_.clear();
  const size_t columns_mark = columns_.size();
  auto fail = [&](simdjson::error_code e) {
    recent_.clear();  // it may name the columns dropped below
    while (columns_.size() > columns_mark) {
      column_index_.erase(columns_.back());
      columns_.pop_back();
    }
    return e;
  };
  auto text = [&](Cell& cell, std::string_view t) {
    cell.data = reinterpret_cast<const char*>(row_text_.size());
    cell.length = static_cast<uint32_t>(t.size());
    row_text_.append(t);
  };
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type != od::json_type::object) {
    // Not an object: an event with no fields, once the value is read whole.
    simdjson::error_code e = simdjson::SUCCESS;
    switch (type) {
      case od::json_type::array: {
        od::array a;
        std::string_view raw;
        e = doc.get_array().get(a);
        if (!e) e = a.raw_json().get(raw);
        break;
      }
      case od::json_type::number: e = doc.get_double().error(); break;
      case od::json_type::string: e = doc.get_string().error(); break;
      case od::json_type::boolean: e = doc.get_bool().error(); break;
      case od::json_type::null: {
        bool is_null = false;
        e = doc.is_null().get(is_null);
        if (!e && !is_null) e = simdjson::N_ATOM_ERROR;
        break;
      }
      default: e = simdjson::INCORRECT_TYPE; break;
    }
    if (e) return e;
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return simdjson::TRAILING_CONTENT;
    commit_row();
    return simdjson::SUCCESS;
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return e;
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return fail(e);
    od::value v = field.value();
    od::json_type vt;
    if (auto e = v.type().get(vt)) return fail(e);
    Cell cell;
    switch (vt) {
      case od::json_type::number: {
        double d;
        if (auto e = v.get_double().get(d)) return fail(e);
        cell.kind = CellKind::number;
        (void)d;  // read to check it; number() parses the text again when asked
        text(cell, trim_space(v.raw_json_token()));
        break;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(e);
        cell.kind = CellKind::string;
        text(cell, s);
        break;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return fail(e);
        cell.kind = CellKind::boolean;
        text(cell, b ? "true" : "false");
        break;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return fail(e);
        if (!is_null) return fail(simdjson::N_ATOM_ERROR);
        cell.kind = CellKind::null;
        text(cell, "null");
        break;
      }
      case od::json_type::array:
      case od::json_type::object: {
        std::string_view raw;
        if (vt == od::json_type::array) {
          od::array a;
          if (auto e = v.get_array().get(a)) return fail(e);
          if (auto e = a.raw_json().get(raw)) return fail(e);
        } else {
          od::object o;
          if (auto e = v.get_object().get(o)) return fail(e);
          if (auto e = o.raw_json().get(raw)) return fail(e);
        }
        cell.kind = CellKind::nested;
        text(cell, trim_space(raw));
        break;
      }
    }
    if (columns_.size() >= kMaxColumns && column_index_.find(key) == column_index_.end()) {
      return fail(simdjson::CAPACITY);
    }
    // Events of one stream mostly repeat their keys in the same order: the
    // column of the previous event's key at this position is checked first.
    const size_t position = row_.size();
    if (position < recent_.size() && columns_[recent_[position]] == key) {
      cell.column = recent_[position];
    } else {
      cell.column = column_of(key);
      if (position < recent_.size()) recent_[position] = cell.column;
      else if (position == recent_.size()) recent_.push_back(cell.column);
    }
    bool duplicate = false;  // the first of duplicate keys counts, as everywhere in olly
    for (const Cell& c : row_) duplicate = duplicate || c.column == cell.column;
    if (duplicate) {
      row_text_.resize(reinterpret_cast<uintptr_t>(cell.data));
    } else {
      row_.push_back(cell);
    }
  }
  // Nothing may follow the object.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return fail(simdjson::TRAILING_CONTENT);
  commit_row();
  return simdjson::SUCCESS;
}

void append_compact_json(std::string& out, std::string_view json) {
  // A small walk over text simdjson already read: containers nest on a
  // stack of their kinds so ',' and ':' become the right separators.
  std::string stack;  // 'o' object, 'a' array
  size_t i = 0;
  auto unescape_string = [&]() {
    ++i;  // opening quote
    while (i < json.size() && json[i] != '"') {
      if (json[i] == '\\' && i + 1 < json.size()) {
        char e = json[i + 1];
        switch (e) {
          case 'n': out.push_back('\n'); i += 2; break;
          case 't': out.push_back('\t'); i += 2; break;
          case 'r': out.push_back('\r'); i += 2; break;
          case 'b': out.push_back('\b'); i += 2; break;
          case 'f': out.push_back('\f'); i += 2; break;
          case 'u': {
            char32_t cp = 0;
            size_t k = i + 2;
            for (; k < i + 6 && k < json.size(); ++k) {
              char h = json[k];
              cp = cp * 16 + static_cast<char32_t>(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
            }
            i = k;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= json.size() && json[i] == '\\' && json[i + 1] == 'u') {
              char32_t lo = 0;
              for (size_t q = i + 2; q < i + 6; ++q) {
                char h = json[q];
                lo = lo * 16 + static_cast<char32_t>(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
              }
              if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
              }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            append_utf8(out, cp);
            break;
          }
          default: out.push_back(e); i += 2; break;
        }
        continue;
      }
      // A run without escapes, appended whole.
      size_t end = i + 1;
      while (end < json.size() && json[end] != '"' && json[end] != '\\') ++end;
      out.append(json.data() + i, end - i);
      i = end;
    }
    ++i;  // closing quote
  };
  auto plain = [](char c) {
    return c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '{' && c != '}' && c != '[' && c != ']' &&
           c != ',' && c != ':' && c != '"';
  };
  while (i < json.size()) {
    char c = json[i];
    switch (c) {
      case ' ': case '\n': case '\r': case '\t': ++i; break;
      case '{':
      case '[':
        if (!stack.empty() || c == '[') out.push_back(c);  // a top-level object needs no braces
        stack.push_back(c == '{' ? 'o' : 'a');
        ++i;
        break;
      case '}':
      case ']':
        if (!stack.empty()) stack.pop_back();
        if (!stack.empty() || c == ']') out.push_back(c);
        ++i;
        break;
      case ',':
        out.push_back(!stack.empty() && stack.back() == 'o' ? ' ' : ',');
        ++i;
        break;
      case ':': out.push_back('='); ++i; break;
      case '"': unescape_string(); break;
      default: {  // a number or a literal, appended whole
        size_t end = i + 1;
        while (end < json.size() && plain(json[end])) ++end;
        out.append(json.data() + i, end - i);
        i = end;
        break;
      }
    }
  }
}

}  // namespace olly::view
