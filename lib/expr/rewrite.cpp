#include "expr/rewrite.h"

#include <fmt/format.h>

#include <cstring>

#include "core/diag.h"
#include "expr/json_value.h"
#include "core/small_bitset.h"
#include "core/writer.h"

namespace olly {

namespace ondemand = simdjson::ondemand;

namespace {

enum class Action : uint8_t { none, keep, drop, set };

struct OpNode {
  std::string key;
  Action action = Action::none;
  size_t value_index = 0;
  bool has_set = false;  // this node or one below it is set (decided when built)
  std::vector<OpNode> children;
};

// The raw (escaped) key text between its quotes.
std::string_view raw_key(ondemand::raw_json_string key) {
  const char* raw = reinterpret_cast<const char*>(key.raw());
  size_t len = 0;
  while (raw[len] != '"') len += (raw[len] == '\\') ? 2 : 1;
  return {raw, len};
}

bool key_matches(std::string_view raw, const std::string& name, std::string& scratch) {
  if (raw.size() == name.size() && std::memcmp(raw.data(), name.data(), raw.size()) == 0) return true;
  if (raw.find('\\') == std::string_view::npos) return false;
  return unescape_json_string(raw, scratch) && scratch == name;
}

// After the whole document was read: nothing may follow it.
simdjson::error_code at_document_end(ondemand::document& doc) {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS ? simdjson::SUCCESS
                                                                     : simdjson::TRAILING_CONTENT;
}

}  // namespace

struct ObjectRewriter::Impl {
  Mode mode;
  OpNode root;
  std::string key_scratch;

  OpNode& node_for(const Path& path, std::string_view flag) {
    OpNode* node = &root;
    for (const auto& step : path.steps) {
      if (step.is_index()) {
        throw UsageError(fmt::format("{}: '{}': array elements cannot be selected, dropped or set; "
                                     "name an object member", flag, path.text));
      }
      OpNode* next = nullptr;
      for (auto& child : node->children) {
        if (child.key == step.key) next = &child;
      }
      if (!next) {
        node->children.push_back(OpNode{step.key, Action::none, 0, false, {}});
        next = &node->children.back();
      }
      node = next;
    }
    if (node == &root) throw UsageError(fmt::format("{}: empty field path", flag));
    return *node;
  }

  // Writes one value's raw JSON.
  static simdjson::error_code copy_raw(ondemand::value& v, std::string& out) { return copy_raw_value(v, out); }

  static void write_key(std::string& out, std::string_view raw, bool& first) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(raw);
    out.append("\":");
  }

  // Appends set targets under node that the input did not have.
  void append_missing(const OpNode& node, const SmallBitset& seen, const std::vector<Value>& values,
                      std::string& out, bool& first) {
    for (size_t i = 0; i < node.children.size(); ++i) {
      const OpNode& child = node.children[i];
      if (seen.test(i) || !child.has_set) continue;
      if (!first) out.push_back(',');
      first = false;
      append_json_string(out, child.key);
      out.push_back(':');
      write_created(child, values, out);
    }
  }



  void write_created(const OpNode& node, const std::vector<Value>& values, std::string& out) {
    if (node.action == Action::set) {
      append_value_json(out, values[node.value_index]);
      return;
    }
    out.push_back('{');
    bool first = true;
    SmallBitset seen(node.children.size());
    append_missing(node, seen, values, out, first);
    out.push_back('}');
  }

  simdjson::error_code walk(ondemand::object& obj, const OpNode& node, const std::vector<Value>& values,
                            std::string& out) {
    out.push_back('{');
    bool first = true;
    SmallBitset seen(node.children.size());
    // olly-filter --select: stop reading once every listed field is copied.
    size_t pending = mode == Mode::keep_listed ? node.children.size() : SIZE_MAX;
    for (auto field_result : obj) {
      if (pending == 0) break;
      ondemand::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key = raw_key(field.key());
      const OpNode* op = nullptr;
      size_t op_index = 0;
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (key_matches(key, node.children[i].key, key_scratch)) {
          op = &node.children[i];
          op_index = i;
          break;
        }
      }
      if (!op) {
        if (mode == Mode::keep_listed) continue;  // value skipped by the iterator
        write_key(out, key, first);
        if (auto e = copy_raw(field.value(), out)) return e;
        continue;
      }
      // A repeated key: olly keeps the first occurrence (and drops all when asked).
      if (seen.test(op_index)) continue;
      seen.set(op_index);
      --pending;
      switch (op->action) {
        case Action::drop: continue;
        case Action::set:
          write_key(out, key, first);
          append_value_json(out, values[op->value_index]);
          continue;
        case Action::keep:
          write_key(out, key, first);
          if (auto e = copy_raw(field.value(), out)) return e;
          continue;
        case Action::none: break;
      }
      // Members below this field are listed: rewrite it when it is an object.
      ondemand::json_type type;
      if (auto e = field.value().type().get(type)) return e;
      if (type == ondemand::json_type::object) {
        ondemand::object child_obj;
        if (auto e = field.value().get_object().get(child_obj)) return e;
        write_key(out, key, first);
        if (auto e = walk(child_obj, *op, values, out)) return e;
      } else if (op->has_set) {
        write_key(out, key, first);
        write_created(*op, values, out);  // setting a.b replaces a non-object a
      } else if (mode == Mode::keep_unlisted) {
        write_key(out, key, first);
        if (auto e = copy_raw(field.value(), out)) return e;
      }  // select a.b where a is not an object: nothing to keep
    }
    append_missing(node, seen, values, out, first);
    out.push_back('}');
    return simdjson::SUCCESS;
  }
};

ObjectRewriter::ObjectRewriter(Mode mode) : impl_(std::make_unique<Impl>()) { impl_->mode = mode; }
ObjectRewriter::~ObjectRewriter() = default;
ObjectRewriter::ObjectRewriter(ObjectRewriter&&) noexcept = default;
ObjectRewriter& ObjectRewriter::operator=(ObjectRewriter&&) noexcept = default;

void ObjectRewriter::keep(const Path& path, std::string_view flag) {
  impl_->node_for(path, flag).action = Action::keep;
}
void ObjectRewriter::drop(const Path& path, std::string_view flag) {
  OpNode& n = impl_->node_for(path, flag);
  n.action = Action::drop;
  n.children.clear();
}
void ObjectRewriter::set(const Path& path, size_t index, std::string_view flag) {
  impl_->node_for(path, flag);
  // Mark the path from the root down, so rewriting need not search for sets.
  OpNode* node = &impl_->root;
  for (const auto& step : path.steps) {
    for (auto& child : node->children) {
      if (child.key == step.key) node = &child;
    }
    node->has_set = true;
  }
  OpNode& n = *node;
  n.action = Action::set;
  n.value_index = index;
  n.children.clear();
}
bool ObjectRewriter::empty() const { return impl_->root.children.empty(); }

simdjson::error_code ObjectRewriter::rewrite(ondemand::document& doc, const std::vector<Value>& values,
                                             std::string& out) {
  ondemand::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type != ondemand::json_type::object) {
    // Not an object: an event with no fields (validated as a whole first).
    std::string_view raw;
    if (auto e = doc.raw_json().get(raw)) return e;
    out.push_back('{');
    bool first = true;
    SmallBitset seen(impl_->root.children.size());
    impl_->append_missing(impl_->root, seen, values, out, first);
    out.push_back('}');
    return at_document_end(doc);
  }
  ondemand::object obj;
  if (auto e = doc.get_object().get(obj)) return e;
  if (auto e = impl_->walk(obj, impl_->root, values, out)) return e;
  // Every member was read (only --select stops early): anything after the
  // object's closing brace ({"a":1}} or {"a":1}{"b":2}) is an error.
  return impl_->mode == Mode::keep_unlisted ? at_document_end(doc) : simdjson::SUCCESS;
}

}  // namespace olly
