#include "expr/extract.h"

#include <cstring>

#include "expr/json_value.h"
#include "core/small_bitset.h"

namespace olly {

namespace ondemand = simdjson::ondemand;

namespace {

// The needed paths as a trie: one walk over the document visits each needed
// member once, in document order.
struct TrieNode {
  std::string key;     // member name (when index < 0)
  int64_t index = -1;  // array element
  int slot = -1;       // >= 0 when this node's value itself is wanted
  std::vector<TrieNode> children;
  bool wants_members() const { return !children.empty(); }
};

}  // namespace

struct FieldExtractor::Impl {
  TrieNode root;
  std::vector<Path> paths;
  simdjson::dom::parser nested_parser;  // for a value wanted whole and by member
  std::vector<std::string> dom_text;    // per slot: a container read from nested_parser

  size_t add(const Path& path) {
    for (size_t i = 0; i < paths.size(); ++i) {
      if (paths[i] == path) return i;
    }
    paths.push_back(path);
    dom_text.emplace_back();
    int slot = static_cast<int>(paths.size() - 1);
    TrieNode* node = &root;
    for (const auto& step : path.steps) {
      TrieNode* next = nullptr;
      for (auto& child : node->children) {
        if (child.index == step.index && child.key == step.key) next = &child;
      }
      if (!next) {
        node->children.push_back(TrieNode{step.key, step.index, -1, {}});
        next = &node->children.back();
      }
      node = next;
    }
    node->slot = slot;
    return static_cast<size_t>(slot);
  }

  simdjson::error_code capture(ondemand::value& v, const TrieNode& node, std::vector<Value>& slots) {
    ondemand::json_type type;
    if (auto e = v.type().get(type)) return e;
    if (type == ondemand::json_type::object && node.wants_members()) {
      if (node.slot >= 0) return capture_whole_then_members(v, node, slots, type);
      ondemand::object obj;
      if (auto e = v.get_object().get(obj)) return e;
      return walk_object(obj, node, slots);
    }
    if (type == ondemand::json_type::array && node.wants_members()) {
      if (node.slot >= 0) return capture_whole_then_members(v, node, slots, type);
      ondemand::array arr;
      if (auto e = v.get_array().get(arr)) return e;
      return walk_array(arr, node, slots);
    }
    if (node.slot < 0) return simdjson::SUCCESS;  // wanted only inside; not a container
    return read_value(v, type, slots[static_cast<size_t>(node.slot)]);
  }

  // Rare: `a` and `a.b` both wanted. Keep a's raw text, then read members from it.
  simdjson::error_code capture_whole_then_members(ondemand::value& v, const TrieNode& node,
                                                   std::vector<Value>& slots, ondemand::json_type type) {
    std::string_view raw;
    if (type == ondemand::json_type::object) {
      ondemand::object obj;
      if (auto e = v.get_object().get(obj)) return e;
      if (auto e = obj.raw_json().get(raw)) return e;
      raw = trim_json_space(raw);
      slots[static_cast<size_t>(node.slot)] = Value::object_json(raw);
    } else {
      ondemand::array arr;
      if (auto e = v.get_array().get(arr)) return e;
      if (auto e = arr.raw_json().get(raw)) return e;
      raw = trim_json_space(raw);
      slots[static_cast<size_t>(node.slot)] = Value::array_json(raw);
    }
    simdjson::dom::element el;
    if (auto e = nested_parser.parse(raw.data(), raw.size()).get(el)) return e;
    fill_from_dom(el, node, slots);
    return simdjson::SUCCESS;
  }

  void fill_from_dom(simdjson::dom::element el, const TrieNode& node, std::vector<Value>& slots) {
    for (const auto& child : node.children) {
      simdjson::dom::element sub;
      bool found;
      if (child.index >= 0) {
        found = !el.at(static_cast<size_t>(child.index)).get(sub);
      } else {
        found = !el[child.key].get(sub);
      }
      if (!found) continue;
      if (child.slot >= 0) {
        Value& v = slots[static_cast<size_t>(child.slot)];
        v = value_from_dom(sub);
        if (v.kind == Kind::array || v.kind == Kind::object) {
          // value_from_dom's text lives until its next call: keep one per slot.
          std::string& text = dom_text[static_cast<size_t>(child.slot)];
          text.assign(v.s);
          v.s = text;
        }
      }
      if (child.wants_members()) fill_from_dom(sub, child, slots);
    }
  }

  simdjson::error_code walk_object(ondemand::object& obj, const TrieNode& node, std::vector<Value>& slots) {
    size_t pending = 0;
    for (const auto& child : node.children) pending += child.index < 0;
    if (pending == 0) return simdjson::SUCCESS;
    SmallBitset seen(node.children.size());
    for (auto field_result : obj) {
      ondemand::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      const TrieNode* match = nullptr;
      // The key is measured once, then compared with each wanted name by
      // length first: with many names (olly-correlate traces reads ten), a
      // compare per name that measured the key each time was a third of the
      // walk.
      bool escaped;
      std::string_view key = raw_key(field.key(), &escaped);
      if (escaped) {
        if (!unescape_json_string(key, unescaped_key)) continue;  // matches no name
        key = unescaped_key;
      }
      for (size_t i = 0; i < node.children.size(); ++i) {
        const TrieNode& child = node.children[i];
        // The first byte before memcmp: names of one length often differ there.
        if (child.index < 0 && child.key.size() == key.size() && (key.empty() || child.key[0] == key[0]) &&
            std::memcmp(child.key.data(), key.data(), key.size()) == 0) {
          // olly keeps the first occurrence of a duplicate key.
          if (!seen.test(i)) match = &child;
          seen.set(i);
          break;
        }
      }
      if (!match) continue;  // value skipped by the iterator
      if (auto e = capture(field.value(), *match, slots)) return e;
      // Stop once every listed member is read.
      if (--pending == 0) break;
    }
    return simdjson::SUCCESS;
  }

  simdjson::error_code walk_array(ondemand::array& arr, const TrieNode& node, std::vector<Value>& slots) {
    int64_t max_index = -1;
    for (const auto& child : node.children) max_index = std::max(max_index, child.index);
    if (max_index < 0) return simdjson::SUCCESS;
    int64_t i = 0;
    for (auto element_result : arr) {
      ondemand::value element;
      if (auto e = std::move(element_result).get(element)) return e;
      for (const auto& child : node.children) {
        if (child.index == i) {
          if (auto e = capture(element, child, slots)) return e;
          break;
        }
      }
      if (++i > max_index) break;
    }
    return simdjson::SUCCESS;
  }

  // A member's key as it is in the document, between its quotes (escapes
  // not undone); *escaped when it holds a backslash.
  static std::string_view raw_key(ondemand::raw_json_string key, bool* escaped) {
    // The closing quote is in the document (stage 1 found it), and a
    // backslash always has a character after it.
    const char* p = reinterpret_cast<const char*>(key.raw());
    size_t len = 0;
    *escaped = false;
    while (p[len] != '"') {
      if (p[len] == '\\') {
        *escaped = true;
        ++len;
      }
      ++len;
    }
    return std::string_view(p, len);
  }
  std::string unescaped_key;  // an escaped key ("st\u0061tus", rare), unescaped
};

namespace {

simdjson::error_code validate_scalar_document(ondemand::document& doc, ondemand::json_type type) {
  simdjson::error_code e = simdjson::SUCCESS;
  switch (type) {
    case ondemand::json_type::string: e = doc.get_string().error(); break;
    case ondemand::json_type::number: e = doc.get_double().error(); break;
    case ondemand::json_type::boolean: e = doc.get_bool().error(); break;
    case ondemand::json_type::null: {
      bool is_null = false;
      e = doc.is_null().get(is_null);
      if (!e && !is_null) e = simdjson::N_ATOM_ERROR;
      break;
    }
    default: break;
  }
  // "x" 1: the scalar was read, so anything left after it is trailing content.
  if (!e && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) e = simdjson::TRAILING_CONTENT;
  return e;
}

}  // namespace

FieldExtractor::FieldExtractor() : impl_(std::make_unique<Impl>()) {}
FieldExtractor::~FieldExtractor() = default;
FieldExtractor::FieldExtractor(FieldExtractor&&) noexcept = default;
FieldExtractor& FieldExtractor::operator=(FieldExtractor&&) noexcept = default;

size_t FieldExtractor::add(const Path& path) { return impl_->add(path); }
size_t FieldExtractor::slot_count() const { return impl_->paths.size(); }
const std::vector<Path>& FieldExtractor::paths() const { return impl_->paths; }

simdjson::error_code FieldExtractor::extract(ondemand::document& doc, std::vector<Value>& slots) {
  slots.assign(impl_->paths.size(), Value::missing());
  ondemand::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type != ondemand::json_type::object && type != ondemand::json_type::array) {
    // A scalar document is an event with no fields, but it must be valid JSON.
    return validate_scalar_document(doc, type);
  }
  // Starting the root container checks that the line ends with its closing
  // bracket ({"a":1} xyz is an error), also when no field is wanted (filter 'true').
  if (type == ondemand::json_type::object) {
    ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) return e;
    if (impl_->paths.empty()) return simdjson::SUCCESS;
    return impl_->walk_object(obj, impl_->root, slots);
  }
  if (type == ondemand::json_type::array) {
    ondemand::array arr;
    if (auto e = doc.get_array().get(arr)) return e;
    if (impl_->paths.empty()) return simdjson::SUCCESS;
    return impl_->walk_array(arr, impl_->root, slots);
  }
  return simdjson::SUCCESS;
}

}  // namespace olly
