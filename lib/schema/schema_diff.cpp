#include "schema/schema_diff.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <set>

#include "core/diag.h"
#include "schema/jsonschema.h"
#include "core/writer.h"

namespace olly {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::optional<element> member(element schema, std::string_view key) {
  if (schema.type() != element_type::OBJECT) return std::nullopt;
  element v;
  if (simdjson::dom::object(schema).at_key(key).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::string escape_token(std::string_view t) {
  std::string out;
  for (char c : t) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// Type sets as bits; "integer" is a subset of "number".
enum : unsigned { kNull = 1, kBool = 2, kObject = 4, kArray = 8, kNumber = 16, kString = 32, kInteger = 64, kAll = 127 };

unsigned type_bits_of(element schema) {
  auto t = member(schema, "type");
  if (!t) return kAll;
  auto one = [](std::string_view n) -> unsigned {
    if (n == "null") return kNull;
    if (n == "boolean") return kBool;
    if (n == "object") return kObject;
    if (n == "array") return kArray;
    if (n == "number") return kNumber | kInteger;
    if (n == "string") return kString;
    if (n == "integer") return kInteger;
    return 0;
  };
  if (t->type() == element_type::STRING) return one(std::string_view(*t));
  unsigned bits = 0;
  if (t->type() == element_type::ARRAY)
    for (auto x : simdjson::dom::array(*t))
      if (x.type() == element_type::STRING) bits |= one(std::string_view(x));
  return bits;
}

// A schema as the diff sees it: the schema itself, then the targets of its
// local $ref chain (a $ref applies beside its siblings, so each layer adds
// constraints). A keyword is read from the first layer that has it.
struct View {
  std::vector<element> layers;
  std::string refs;        // the resolved chain, "#/$defs/a#/$defs/b": identity for the cycle guard
  std::string unresolved;  // a $ref that cannot be followed (remote, anchor, dangling)
  std::string first_ref;   // the schema's own $ref, if any
};

std::optional<element> member(const View& v, std::string_view key) {
  for (auto& l : v.layers)
    if (auto m = member(l, key)) return m;
  return std::nullopt;
}

bool is_false(const View& v) {
  for (auto& l : v.layers)
    if (l.type() == element_type::BOOL && !bool(l)) return true;
  return false;
}

bool has_object(const View& v) {
  for (auto& l : v.layers)
    if (l.type() == element_type::OBJECT) return true;
  return false;
}

unsigned type_bits(const View& v) {
  unsigned bits = kAll;
  for (auto& l : v.layers) bits &= type_bits_of(l);
  return bits;
}

std::vector<std::string> required_of(const View& v) {
  std::vector<std::string> out;
  for (auto& l : v.layers)
    if (auto r = member(l, "required"); r && r->type() == element_type::ARRAY)
      for (auto x : simdjson::dom::array(*r))
        if (x.type() == element_type::STRING && std::find(out.begin(), out.end(), std::string_view(x)) == out.end())
          out.emplace_back(std::string_view(x));
  return out;
}

// Writes a field path in DESIGN's syntax: a.b, a["odd.key"], tags[].
bool is_path_ident(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '@' ||
              c == '$' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
    if (!ok) return false;
  }
  return true;
}

class Differ {
 public:
  Differ(element old_root, element new_root) : old_root_(old_root), new_root_(new_root) {}

  std::vector<SchemaChange> run() {
    compare(old_root_, new_root_, "", "");
    return std::move(changes_);
  }

 private:
  // Follows the local "#..." JSON Pointer $ref chain of schema (cycles end it).
  static View view_of(element root, element schema) {
    View v;
    v.layers.push_back(schema);
    element cur = schema;
    for (int i = 0; i < 32; ++i) {
      auto ref = member(cur, "$ref");
      if (!ref || ref->type() != element_type::STRING) break;
      std::string_view r = *ref;
      if (i == 0) v.first_ref = std::string(r);
      if (r.empty() || r[0] != '#' || (r.size() > 1 && r[1] != '/')) {
        v.unresolved = std::string(r);
        break;
      }
      std::string key = std::string(r) + "\x01";
      if (v.refs.find(key) != std::string::npos) break;  // a cycle of refs: every layer is in already
      v.refs += key;
      element target;
      std::string pointer(r.substr(1));
      if (pointer.empty()) {
        target = root;
      } else if (root.at_pointer(pointer).get(target) != simdjson::SUCCESS) {
        v.unresolved = std::string(r);
        break;
      }
      v.layers.push_back(target);
      cur = target;
    }
    return v;
  }

  void add(std::string change, const std::string& path, const std::string& loc, bool breaking,
           std::optional<element> o, std::optional<element> n, std::string message) {
    SchemaChange c;
    c.change = std::move(change);
    c.path = path;
    c.schema_location = "#" + loc;
    c.breaking = breaking;
    if (o) c.old_json = simdjson::minify(*o);
    if (n) c.new_json = simdjson::minify(*n);
    c.message = std::move(message);
    changes_.push_back(std::move(c));
  }

  static std::string join(const std::string& path, std::string_view key) {
    if (!is_path_ident(key)) {
      std::string quoted;
      append_json_string(quoted, key);
      return path + "[" + quoted + "]";
    }
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  void compare(element oe, element ne, const std::string& path, const std::string& loc) {
    View o = view_of(old_root_, oe), n = view_of(new_root_, ne);
    // recursive contracts: a pair of ref chains already being compared further up stops here
    // (the shape repeats); the same definition used at two places is compared at both
    std::string active_key;
    if (!o.refs.empty() || !n.refs.empty()) {
      active_key = o.refs + "\x02" + n.refs;
      if (!active_.insert(active_key).second) return;
    }
    struct Leave {
      std::set<std::string>& set;
      const std::string& key;
      ~Leave() {
        if (!key.empty()) set.erase(key);
      }
    } leave{active_, active_key};
    if (depth_ >= 64 || ++work_ > 200000) return;
    ++depth_;
    std::string where = path.empty() ? "the event" : "'" + path + "'";
    if ((!o.unresolved.empty() || !n.unresolved.empty()) && o.first_ref != n.first_ref) {
      // a target the diff cannot read: any change of it may widen
      add("ref_changed", path, loc + "/$ref", true, member(oe, "$ref"), member(ne, "$ref"),
          fmt::format("the $ref of {} changed from {} to {} and cannot be compared", where,
                      o.first_ref.empty() ? "none" : "'" + o.first_ref + "'",
                      n.first_ref.empty() ? "none" : "'" + n.first_ref + "'"));
    }
    // boolean schemas
    bool o_false = is_false(o), n_false = is_false(n);
    if (o_false != n_false) {
      add(n_false ? "schema_closed" : "schema_opened", path, loc, o_false, oe, ne,
          fmt::format("{} {}", where, n_false ? "is no longer allowed" : "is now allowed"));
    }
    if (!has_object(o) && !has_object(n)) {
      --depth_;
      return;
    }
    compare_types(o, n, path, loc, where);
    compare_enum(o, n, path, loc, where);
    compare_bound(o, n, "minimum", true, path, loc, where);
    compare_bound(o, n, "exclusiveMinimum", true, path, loc, where);
    compare_bound(o, n, "maximum", false, path, loc, where);
    compare_bound(o, n, "exclusiveMaximum", false, path, loc, where);
    compare_bound(o, n, "minLength", true, path, loc, where);
    compare_bound(o, n, "maxLength", false, path, loc, where);
    compare_bound(o, n, "minItems", true, path, loc, where);
    compare_bound(o, n, "maxItems", false, path, loc, where);
    compare_bound(o, n, "minProperties", true, path, loc, where);
    compare_bound(o, n, "maxProperties", false, path, loc, where);
    compare_text(o, n, "pattern", path, loc, where);
    compare_text(o, n, "format", path, loc, where);
    compare_required(o, n, path, loc);
    compare_properties(o, n, path, loc, where);
    compare_additional(o, n, path, loc, where);
    auto oi = member(o, "items"), ni = member(n, "items");
    if (oi && ni) {
      compare(*oi, *ni, path + "[]", loc + "/items");
    } else if (oi && !ni) {
      add("items_constraint_removed", path + "[]", loc + "/items", true, oi, std::nullopt,
          fmt::format("the items of {} are no longer constrained", where));
    } else if (!oi && ni) {
      add("items_constraint_added", path + "[]", loc + "/items", false, std::nullopt, ni,
          fmt::format("the items of {} are now constrained", where));
    }
    compare_others(o, n, path, loc, where);
    --depth_;
  }

  void compare_types(const View& o, const View& n, const std::string& path, const std::string& loc,
                     const std::string& where) {
    unsigned ot = type_bits(o), nt = type_bits(n);
    if (ot == nt) return;
    bool widened = (nt & ~ot) != 0;
    bool narrowed = (ot & ~nt) != 0;
    std::string change = widened && narrowed ? "type_changed" : widened ? "type_widened" : "type_narrowed";
    add(change, path, loc + "/type", widened, member(o, "type"), member(n, "type"),
        fmt::format("the type of {} {}", where,
                    widened && narrowed ? "changed" : widened ? "was widened" : "was narrowed"));
  }

  void compare_enum(const View& o, const View& n, const std::string& path, const std::string& loc,
                    const std::string& where) {
    auto values = [](const View& s) -> std::optional<std::vector<element>> {
      if (auto c = member(s, "const")) return std::vector<element>{*c};
      auto e = member(s, "enum");
      if (!e || e->type() != element_type::ARRAY) return std::nullopt;
      std::vector<element> v;
      for (auto x : simdjson::dom::array(*e)) v.push_back(x);
      return v;
    };
    auto ov = values(o), nv = values(n);
    if (!ov && !nv) return;
    std::string kw_loc = loc + (member(n, "const") || member(o, "const") ? "/const" : "/enum");
    if (ov && !nv) {
      add("enum_removed", path, kw_loc, true, std::nullopt, std::nullopt,
          fmt::format("{} is no longer limited to a set of values", where));
      return;
    }
    if (!ov && nv) {
      add("enum_added", path, kw_loc, false, std::nullopt, std::nullopt,
          fmt::format("{} is now limited to a set of values", where));
      return;
    }
    auto contains = [](const std::vector<element>& set, element x) {
      return std::any_of(set.begin(), set.end(), [&](element y) { return json_equal(x, y); });
    };
    for (auto x : *ov)
      if (!contains(*nv, x))
        add("enum_value_removed", path, kw_loc, false, x, std::nullopt,
            fmt::format("{} no longer takes the value {}", where, simdjson::minify(x)));
    for (auto x : *nv)
      if (!contains(*ov, x))
        add("enum_value_added", path, kw_loc, true, std::nullopt, x,
            fmt::format("{} may now take the value {}", where, simdjson::minify(x)));
  }

  static std::optional<long double> number_of(std::optional<element> e) {
    if (!e) return std::nullopt;
    switch (e->type()) {
      case element_type::INT64: return static_cast<long double>(int64_t(*e));
      case element_type::UINT64: return static_cast<long double>(uint64_t(*e));
      case element_type::DOUBLE: return static_cast<long double>(double(*e));
      default: return std::nullopt;
    }
  }

  // A lower bound (lower=true) widens when it drops or goes down; an upper bound when it drops or goes up.
  // minimum and exclusiveMinimum (maximum and exclusiveMaximum) are one bound: minimum 0 ->
  // exclusiveMinimum 0 narrows.
  void compare_bound(const View& o, const View& n, std::string_view kw, bool lower, const std::string& path,
                     const std::string& loc, const std::string& where) {
    auto oe = member(o, kw), ne = member(n, kw);
    auto ov = number_of(oe), nv = number_of(ne);
    if (!ov && !nv) return;
    if (ov && nv && *ov == *nv) return;
    bool widened = !nv || (ov && (lower ? *nv < *ov : *nv > *ov));
    if (widened && !nv && (kw == "minimum" || kw == "exclusiveMinimum" || kw == "maximum" || kw == "exclusiveMaximum")) {
      // the bound may have moved to its inclusive/exclusive twin
      bool exclusive = kw.substr(0, 9) == "exclusive";
      std::string_view twin = kw == "minimum"            ? "exclusiveMinimum"
                              : kw == "exclusiveMinimum" ? "minimum"
                              : kw == "maximum"          ? "exclusiveMaximum"
                                                         : "maximum";
      auto tn = number_of(member(n, twin));
      if (tn) {
        // NEW's twin bound accepts at most what OLD's bound did: not a widening
        bool at_most = lower ? (*tn > *ov || (*tn == *ov && !exclusive)) : (*tn < *ov || (*tn == *ov && !exclusive));
        if (at_most) widened = false;
      }
    }
    std::string change = widened ? "range_widened" : "range_narrowed";
    std::string what = !ov   ? fmt::format("gained {} {}", kw, simdjson::minify(*ne))
                       : !nv ? fmt::format("lost {} {}", kw, simdjson::minify(*oe))
                             : fmt::format("{} went from {} to {}", kw, simdjson::minify(*oe), simdjson::minify(*ne));
    add(change, path, loc + "/" + std::string(kw), widened, oe, ne, fmt::format("{}: {}", where, what));
  }

  void compare_text(const View& o, const View& n, std::string_view kw, const std::string& path, const std::string& loc,
                    const std::string& where) {
    auto oe = member(o, kw), ne = member(n, kw);
    if (!oe && !ne) return;
    if (oe && ne && json_equal(*oe, *ne)) return;
    std::string k(kw);
    if (oe && ne) {
      add(k + "_changed", path, loc + "/" + k, true, oe, ne,
          fmt::format("the {} of {} changed from {} to {}", k, where, simdjson::minify(*oe), simdjson::minify(*ne)));
    } else if (oe) {
      add(k + "_removed", path, loc + "/" + k, true, oe, std::nullopt,
          fmt::format("{} lost its {} {}", where, k, simdjson::minify(*oe)));
    } else {
      add(k + "_added", path, loc + "/" + k, false, std::nullopt, ne,
          fmt::format("{} gained the {} {}", where, k, simdjson::minify(*ne)));
    }
  }

  void compare_required(const View& o, const View& n, const std::string& path, const std::string& loc) {
    auto oreq = required_of(o), nreq = required_of(n);
    for (auto& r : nreq)
      if (std::find(oreq.begin(), oreq.end(), r) == oreq.end())
        add("newly_required", join(path, r), loc + "/required", false, std::nullopt, std::nullopt,
            fmt::format("'{}' is now required", join(path, r)));
    for (auto& r : oreq)
      if (std::find(nreq.begin(), nreq.end(), r) == nreq.end())
        add("no_longer_required", join(path, r), loc + "/required", true, std::nullopt, std::nullopt,
            fmt::format("'{}' is no longer required", join(path, r)));
  }

  static std::vector<std::pair<std::string_view, element>> properties_of(const View& v) {
    std::vector<std::pair<std::string_view, element>> out;
    for (auto& l : v.layers)
      if (auto e = member(l, "properties"); e && e->type() == element_type::OBJECT)
        for (auto f : simdjson::dom::object(*e))
          if (std::none_of(out.begin(), out.end(), [&](auto& p) { return p.first == f.key; }))
            out.emplace_back(f.key, f.value);
    return out;
  }

  // additionalProperties as a schema: absent is true.
  static bool is_true_schema(std::optional<element> a) {
    if (!a) return true;
    if (a->type() == element_type::BOOL) return bool(*a);
    return a->type() == element_type::OBJECT && simdjson::dom::object(*a).size() == 0;
  }
  static bool is_false_schema(std::optional<element> a) {
    return a && a->type() == element_type::BOOL && !bool(*a);
  }

  void compare_properties(const View& o, const View& n, const std::string& path, const std::string& loc,
                          const std::string& where) {
    auto olds = properties_of(o), news = properties_of(n);
    auto find = [](auto& list, std::string_view k) -> std::optional<element> {
      for (auto& [name, v] : list)
        if (name == k) return v;
      return std::nullopt;
    };
    auto old_ap = member(o, "additionalProperties");
    bool old_closed = is_false_schema(old_ap);
    for (auto& [name, ov] : olds) {
      std::string child_loc = loc + "/properties/" + escape_token(name);
      if (auto nv = find(news, name)) {
        compare(ov, *nv, join(path, name), child_loc);
      } else {
        add("field_removed", join(path, name), child_loc, true, std::nullopt, std::nullopt,
            fmt::format("'{}' was removed from the contract", join(path, name)));
      }
    }
    for (auto& [name, nv] : news) {
      if (find(olds, name)) continue;
      add("field_added", join(path, name), loc + "/properties/" + escape_token(name), old_closed,
          std::nullopt, std::nullopt,
          fmt::format("'{}' was added{}", join(path, name),
                      old_closed ? " (the old contract did not allow it)" : ""));
      // OLD held this field to its additionalProperties schema: NEW's schema for it must not accept more
      if (!old_closed && !is_true_schema(old_ap))
        compare(*old_ap, nv, join(path, name), loc + "/properties/" + escape_token(name));
    }
    (void)where;
  }

  void compare_additional(const View& o, const View& n, const std::string& path, const std::string& loc,
                          const std::string& where) {
    auto oa = member(o, "additionalProperties"), na = member(n, "additionalProperties");
    bool oc = is_false_schema(oa), nc = is_false_schema(na);
    bool ot = is_true_schema(oa), nt = is_true_schema(na);
    if (ot && nt) return;
    if (oc && nc) return;
    std::string aloc = loc + "/additionalProperties";
    if (oc) {
      add("additional_properties_allowed", path, aloc, true, oa, na,
          fmt::format("{} may now hold fields the contract does not list", where));
    } else if (nc) {
      add("additional_properties_forbidden", path, aloc, false, oa, na,
          fmt::format("{} may no longer hold fields the contract does not list", where));
    } else if (nt) {
      add("additional_properties_unconstrained", path, aloc, true, oa, na,
          fmt::format("fields of {} that the contract does not list are no longer constrained", where));
    } else if (ot) {
      add("additional_properties_constrained", path, aloc, false, oa, na,
          fmt::format("fields of {} that the contract does not list are now constrained", where));
    } else {
      compare(*oa, *na, path + ".*", aloc);
    }
  }

  // Keywords without a finer rule: any change is flagged as breaking (it may widen).
  void compare_others(const View& o, const View& n, const std::string& path, const std::string& loc,
                      const std::string& where) {
    static const std::set<std::string_view> kHandled = {
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
        "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "pattern", "format", "required",
        "properties", "additionalProperties", "items", "$ref", "$defs", "definitions", "$schema", "$id",
        "$comment", "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly"};
    std::set<std::string_view> keys;
    for (const View* v : {&o, &n})
      for (auto& e : v->layers)
        if (e.type() == element_type::OBJECT)
          for (auto f : simdjson::dom::object(e)) keys.insert(f.key);
    for (auto k : keys) {
      if (kHandled.count(k) || k.substr(0, 2) == "x-") continue;
      auto oe = member(o, k), ne = member(n, k);
      if (oe && ne && json_equal(*oe, *ne)) continue;
      std::string change = !oe ? "keyword_added" : !ne ? "keyword_removed" : "keyword_changed";
      add(change, path, loc + "/" + escape_token(k), true, oe, ne,
          fmt::format("'{}' of {} {}", k, where, !oe ? "was added" : !ne ? "was removed" : "changed"));
    }
  }

  element old_root_, new_root_;
  std::vector<SchemaChange> changes_;
  std::set<std::string> active_;
  uint64_t work_ = 0;
  int depth_ = 0;
};

}  // namespace

std::vector<SchemaChange> diff_schemas(std::string_view old_json, std::string_view new_json,
                                       std::string_view old_name, std::string_view new_name) {
  simdjson::dom::parser op, np;
  element o, n;
  simdjson::padded_string otext(old_json), ntext(new_json);
  if (auto err = op.parse(otext).get(o))
    throw UsageError(fmt::format("{}: not valid JSON: {}", old_name, simdjson::error_message(err)));
  if (auto err = np.parse(ntext).get(n))
    throw UsageError(fmt::format("{}: not valid JSON: {}", new_name, simdjson::error_message(err)));
  for (auto [e, name] : {std::pair{o, old_name}, std::pair{n, new_name}})
    if (e.type() != element_type::OBJECT && e.type() != element_type::BOOL)
      throw UsageError(fmt::format("{}: a contract must be a JSON object or boolean", name));
  return Differ(o, n).run();
}

}  // namespace olly
