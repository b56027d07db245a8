#include "group/group_key.h"

#include <cmath>
#include <cstring>

#include <algorithm>

#include "expr/path.h"
#include "core/writer.h"

namespace olly {

namespace {

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }

void put_bytes(std::string& out, char tag, std::string_view s) {
  out.push_back(tag);
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

int rank(Kind k) {
  switch (k) {
    case Kind::missing:
    case Kind::null: return 0;
    case Kind::boolean: return 1;
    case Kind::integer:
    case Kind::number: return 2;
    case Kind::string: return 3;
    case Kind::array: return 4;
    case Kind::object: return 5;
  }
  return 6;
}

int compare_values_for_sort(const Value& a, const Value& b) {
  int ra = rank(a.kind), rb = rank(b.kind);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.kind) {
    case Kind::boolean: return int{a.b} - int{b.b};
    case Kind::integer:
    case Kind::number:
      if (a.kind == Kind::integer && b.kind == Kind::integer) return a.i < b.i ? -1 : a.i > b.i;
      return a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double();
    case Kind::string:
    case Kind::array:
    case Kind::object: {
      int c = a.s.compare(b.s);
      return c < 0 ? -1 : c > 0;
    }
    default: return 0;
  }
}

}  // namespace

void append_key_part(std::string& key, const Value& v) {
  switch (v.kind) {
    case Kind::missing:
    case Kind::null: key.push_back('n'); break;
    case Kind::boolean: key.push_back(v.b ? 't' : 'f'); break;
    case Kind::integer:
      key.push_back('i');
      put_u64(key, static_cast<uint64_t>(v.i));
      break;
    case Kind::number:
      if (v.d == std::trunc(v.d) && std::fabs(v.d) < 9.2e18) {
        key.push_back('i');
        put_u64(key, static_cast<uint64_t>(static_cast<int64_t>(v.d)));
      } else {
        key.push_back('d');
        uint64_t bits;
        std::memcpy(&bits, &v.d, 8);
        put_u64(key, bits);
      }
      break;
    case Kind::string: put_bytes(key, 's', v.s); break;
    case Kind::array: put_bytes(key, 'a', v.s); break;
    case Kind::object: put_bytes(key, 'o', v.s); break;
  }
}

std::vector<Value> decode_key(std::string_view key) {
  std::vector<Value> out;
  size_t i = 0;
  while (i < key.size()) {
    char tag = key[i++];
    switch (tag) {
      case 'n': out.push_back(Value::null()); break;
      case 't': out.push_back(Value::boolean(true)); break;
      case 'f': out.push_back(Value::boolean(false)); break;
      case 'i': {
        int64_t v;
        std::memcpy(&v, key.data() + i, 8);
        i += 8;
        out.push_back(Value::integer(v));
        break;
      }
      case 'd': {
        double v;
        std::memcpy(&v, key.data() + i, 8);
        i += 8;
        out.push_back(Value::number(v));
        break;
      }
      default: {
        uint32_t len;
        std::memcpy(&len, key.data() + i, 4);
        i += 4;
        std::string_view s = key.substr(i, len);
        i += len;
        out.push_back(tag == 's' ? Value::string(s) : tag == 'a' ? Value::array_json(s) : Value::object_json(s));
        break;
      }
    }
  }
  return out;
}

int compare_keys(std::string_view a, std::string_view b) {
  auto va = decode_key(a), vb = decode_key(b);
  for (size_t i = 0; i < va.size() && i < vb.size(); ++i) {
    if (int c = compare_values_for_sort(va[i], vb[i])) return c;
  }
  return va.size() < vb.size() ? -1 : va.size() > vb.size();
}

namespace {

void write_key_value(JsonBuilder& out, const Value& v) {
    switch (v.kind) {
      case Kind::missing:
      case Kind::null: out.null(); break;
      case Kind::boolean: out.boolean(v.b); break;
      case Kind::integer: out.int64(v.i); break;
      case Kind::number: out.number(v.d); break;
      case Kind::string: out.string(v.s); break;
      case Kind::array:
      case Kind::object: out.raw(v.s); break;
    }
}

// Writes the members of fields `which` at depth `depth`, grouping those that
// share the name at that depth (in first-appearance order).
void write_nested(JsonBuilder& out, const std::vector<std::vector<std::string>>& names,
                  const std::vector<Value>& values, const std::vector<size_t>& which, size_t depth) {
  std::vector<bool> done(which.size(), false);
  for (size_t a = 0; a < which.size(); ++a) {
    if (done[a]) continue;
    const std::string& name = names[which[a]][depth];
    out.key(name);
    if (names[which[a]].size() == depth + 1) {
      if (which[a] < values.size()) {
        write_key_value(out, values[which[a]]);
      } else {
        out.null();
      }
      done[a] = true;
      continue;
    }
    std::vector<size_t> sub;
    for (size_t b = a; b < which.size(); ++b) {
      if (!done[b] && names[which[b]][depth] == name) {
        sub.push_back(which[b]);
        done[b] = true;
      }
    }
    out.begin_object();
    write_nested(out, names, values, sub, depth + 1);
    out.end_object();
  }
}

}  // namespace

void write_key_fields(JsonBuilder& out, const std::vector<std::string>& names, std::string_view key) {
  auto values = decode_key(key);
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out.key(names[i]);
    write_key_value(out, values[i]);
  }
}

std::vector<std::vector<std::string>> nested_key_names(const std::vector<std::string>& names) {
  std::vector<std::vector<std::string>> out;
  bool any_nested = false;
  for (const auto& n : names) {
    Path p;
    std::string error;
    if (!parse_path(n, p, error) || p.steps.empty()) return {};
    std::vector<std::string> segs;
    for (const auto& st : p.steps) {
      if (st.is_index()) return {};
      segs.push_back(st.key);
    }
    any_nested = any_nested || segs.size() > 1;
    out.push_back(std::move(segs));
  }
  if (!any_nested) return {};
  for (size_t a = 0; a < out.size(); ++a) {
    for (size_t b = 0; b < out.size(); ++b) {
      if (a == b || out[a].size() > out[b].size()) continue;
      if (std::equal(out[a].begin(), out[a].end(), out[b].begin())) return {};  // a prefix of (or equal to) b
    }
  }
  return out;
}

void write_key_fields_nested(JsonBuilder& out, const std::vector<std::vector<std::string>>& names,
                             std::string_view key) {
  auto values = decode_key(key);
  std::vector<size_t> all(names.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  write_nested(out, names, values, all, 0);
}

}  // namespace olly
