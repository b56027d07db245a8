#include "agg/group_key.h"

#include <cmath>
#include <cstring>

#include "writer.h"

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

void write_key_fields(JsonBuilder& out, const std::vector<std::string>& names, std::string_view key) {
  auto values = decode_key(key);
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out.key(names[i]);
    const Value& v = values[i];
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
}

}  // namespace olly
