#include "view/table.h"

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

uint32_t Table::put(std::string_view text) {
  auto at = static_cast<uint32_t>(arena_.size());
  arena_.append(text);
  return at;
}

void Table::rollback(size_t arena, size_t cells, size_t columns) {
  arena_.resize(arena);
  cells_.resize(cells);
  while (columns_.size() > columns) {
    column_index_.erase(columns_.back());
    columns_.pop_back();
  }
}

const Cell* Table::cell(size_t r, uint32_t c) const {
  for (const Cell* p = row_begin(r); p != row_end(r); ++p) {
    if (p->column == c) return p;
  }
  return nullptr;
}

simdjson::error_code Table::add(od::document& doc) {
  const size_t arena_mark = arena_.size();
  const size_t cells_mark = cells_.size();
  const size_t columns_mark = columns_.size();
  auto fail = [&](simdjson::error_code e) {
    rollback(arena_mark, cells_mark, columns_mark);
    return e;
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
    row_start_.push_back(static_cast<uint32_t>(cells_.size()));
    return simdjson::SUCCESS;
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return e;
  std::string scratch;
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
        cell.number = d;
        std::string_view raw = trim_space(v.raw_json_token());
        cell.offset = put(raw);
        cell.length = static_cast<uint32_t>(raw.size());
        break;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(e);
        cell.kind = CellKind::string;
        cell.offset = put(s);
        cell.length = static_cast<uint32_t>(s.size());
        break;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return fail(e);
        cell.kind = CellKind::boolean;
        cell.number = b ? 1 : 0;
        std::string_view t = b ? "true" : "false";
        cell.offset = put(t);
        cell.length = static_cast<uint32_t>(t.size());
        break;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return fail(e);
        if (!is_null) return fail(simdjson::N_ATOM_ERROR);
        cell.kind = CellKind::null;
        cell.offset = put("null");
        cell.length = 4;
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
        raw = trim_space(raw);
        cell.kind = CellKind::nested;
        cell.offset = put(raw);
        cell.length = static_cast<uint32_t>(raw.size());
        break;
      }
    }
    cell.column = column_of(key);
    bool duplicate = false;  // the first of duplicate keys counts, as everywhere in olly
    for (size_t i = cells_mark; i < cells_.size(); ++i) {
      if (cells_[i].column == cell.column) duplicate = true;
    }
    if (duplicate) {
      arena_.resize(cell.offset);
    } else {
      cells_.push_back(cell);
    }
  }
  // Nothing may follow the object.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return fail(simdjson::TRAILING_CONTENT);
  row_start_.push_back(static_cast<uint32_t>(cells_mark));
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
      out.push_back(json[i++]);
    }
    ++i;  // closing quote
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
      default: out.push_back(c); ++i; break;
    }
  }
}

}  // namespace olly::view
