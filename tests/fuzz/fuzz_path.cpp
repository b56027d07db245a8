// Field paths (lib/expr/path.h) and FieldExtractor over a fixed document.
//
// Invariants: an error has a message and a column inside the text; a parsed
// path has at most kMaxPathSteps steps and reads back the same from its
// canonical spelling (["key"] / [N] steps, and the dotted form when every
// key is a plain name); parse_path_or_throw agrees with parse_path; the
// value FieldExtractor reads is the one a DOM walk of the same steps finds
// (first occurrence of a repeated key).
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/diag.h"
#include "expr/extract.h"
#include "expr/path.h"
#include "fuzz_common.h"

using namespace olly;

namespace {

const char* const kDoc =
    R"({"a":{"b":[1,{"c":"x"},null],"d.e":true,"":0},"n":-5,"big":18446744073709551615,"f":1.5,)"
    R"("s":"h\u00e9\"","e":{},"arr":[[0,1],[2]],"a":"dup","k-1":{"@x":{"$y":3}},"ü":{"0":[]},)"
    R"("q'\"":["x"],"t":false,"z":null})";

bool plain_name(const std::string& k) {
  if (k.empty()) return false;
  for (char c : k) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '@' || c == '$' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
    if (!ok) return false;
  }
  return true;
}

std::string canonical(const Path& p) {
  std::string out;
  for (const PathStep& s : p.steps) {
    if (s.is_index()) {
      out += "[" + std::to_string(s.index) + "]";
      continue;
    }
    out += "[\"";
    for (char c : s.key) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out += "\"]";
  }
  return out;
}

std::string dotted(const Path& p) {
  std::string out;
  for (const PathStep& s : p.steps) {
    if (s.is_index()) {
      out += "[" + std::to_string(s.index) + "]";
    } else {
      if (!plain_name(s.key)) return {};
      if (!out.empty()) out.push_back('.');
      out += s.key;
    }
  }
  return out;
}

// The element the steps reach, or false when absent.
bool walk(simdjson::dom::element e, const Path& p, simdjson::dom::element& out) {
  for (const PathStep& s : p.steps) {
    if (s.is_index()) {
      simdjson::dom::array a;
      if (e.get_array().get(a) || a.at(static_cast<size_t>(s.index)).get(e)) return false;
    } else {
      simdjson::dom::object o;
      if (e.get_object().get(o)) return false;
      bool found = false;
      for (auto field : o) {
        if (field.key == s.key) {
          e = field.value;
          found = true;
          break;  // the first occurrence
        }
      }
      if (!found) return false;
    }
  }
  out = e;
  return true;
}

void check_value(const Value& v, bool present, simdjson::dom::element e, std::string_view text) {
  using T = simdjson::dom::element_type;
  if (!present) {
    FUZZ_CHECK(v.kind == Kind::missing, "extractor found a value the DOM does not have", text);
    return;
  }
  switch (e.type()) {
    case T::NULL_VALUE: FUZZ_CHECK(v.kind == Kind::null, text); break;
    case T::BOOL: FUZZ_CHECK(v.kind == Kind::boolean && v.b == e.get_bool().value(), text); break;
    case T::INT64: FUZZ_CHECK(v.kind == Kind::integer && v.i == e.get_int64().value(), text); break;
    case T::UINT64: FUZZ_CHECK(v.kind == Kind::number && v.u64 && v.u() == e.get_uint64().value(), text); break;
    case T::DOUBLE: FUZZ_CHECK(v.kind == Kind::number && v.d == e.get_double().value(), text); break;
    case T::STRING: FUZZ_CHECK(v.kind == Kind::string && v.s == e.get_string().value(), text); break;
    case T::ARRAY: FUZZ_CHECK(v.kind == Kind::array && fuzz::is_json(v.s), text); break;
    case T::OBJECT: FUZZ_CHECK(v.kind == Kind::object && fuzz::is_json(v.s), text); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::padded_string doc_text{std::string(kDoc)};
  static simdjson::dom::parser dom;
  static simdjson::dom::element root = dom.parse(doc_text).value();
  static simdjson::ondemand::parser parser;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Path path;
  std::string error;
  size_t column = SIZE_MAX;
  const bool ok = parse_path(text, path, error, &column);
  bool threw = false;
  try {
    (void)parse_path_or_throw(text, "--field");
  } catch (const UsageError&) {
    threw = true;
  }
  FUZZ_CHECK(threw == !ok, "parse_path_or_throw disagrees with parse_path", text);
  if (!ok) {
    FUZZ_CHECK(!error.empty() && column <= text.size(), "error without message or column", text);
    return 0;
  }
  FUZZ_CHECK(!path.steps.empty() && path.steps.size() <= kMaxPathSteps, text);
  FUZZ_CHECK(path.text == text);
  for (const std::string& spelled : {canonical(path), dotted(path)}) {
    if (spelled.empty()) continue;
    Path again;
    FUZZ_CHECK(parse_path(spelled, again, error) && again == path, "path does not read back", spelled);
  }

  // The fuzzed path beside two fixed ones: slots stay apart.
  FieldExtractor extractor;
  Path fixed1, fixed2;
  parse_path("a.b[1].c", fixed1, error);
  parse_path("n", fixed2, error);
  const size_t s1 = extractor.add(fixed1);
  const size_t s = extractor.add(path);
  const size_t s2 = extractor.add(fixed2);
  FUZZ_CHECK(extractor.add(path) == s, "the same path got another slot");
  simdjson::ondemand::document doc;
  if (parser.iterate(doc_text).get(doc)) fuzz::fail("fixed document does not parse");
  std::vector<Value> slots;
  if (auto e = extractor.extract(doc, slots)) {
    FUZZ_CHECK(e == simdjson::DEPTH_ERROR, "extract failed on the fixed document", text);
    return 0;
  }
  FUZZ_CHECK(slots.size() == extractor.slot_count() && s < slots.size());
  simdjson::dom::element found;
  check_value(slots[s], walk(root, path, found), found, text);
  check_value(slots[s1], walk(root, fixed1, found), found, "a.b[1].c");
  check_value(slots[s2], walk(root, fixed2, found), found, "n");
  return 0;
}
