#include "expr/reshape.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/diag.h"
#include "core/writer.h"
#include "expr/json_value.h"

namespace olly {

namespace ondemand = simdjson::ondemand;

namespace {

// Deeper objects are kept whole as text: a hostile line cannot recurse far.
constexpr int kMaxDepth = 64;

void check_keys_only(const Path& p, std::string_view flag) {
  for (const auto& step : p.steps) {
    if (step.is_index()) {
      throw UsageError(fmt::format("{}: '{}' names an array element; give object members only", flag, p.text));
    }
  }
}

}  // namespace

Reshaper::Reshaper(ReshapeOptions opts) : opts_(std::move(opts)) {
  for (const auto& [from, to] : opts_.renames) {
    check_keys_only(from, "--rename");
    check_keys_only(to, "--rename");
  }
  for (const auto& p : opts_.drops) check_keys_only(p, "--drop");
  for (const auto& p : opts_.selects) check_keys_only(p, "--select");
  if (opts_.flatten && opts_.nest) throw UsageError("--flatten and --nest undo each other: give one");
  if (opts_.separator.empty()) throw UsageError("--separator: give at least one character");
  active_ = !opts_.renames.empty() || !opts_.drops.empty() || !opts_.selects.empty() || opts_.flatten || opts_.nest;
}

simdjson::error_code Reshaper::read(ondemand::object obj, Node& into, int depth) {
  into.is_object = true;
  into.members.clear();
  for (auto field_result : obj) {
    ondemand::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    Node& member = into.members.emplace_back();
    member.key.assign(key);
    ondemand::value value = field.value();
    ondemand::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type == ondemand::json_type::object && depth < kMaxDepth) {
      ondemand::object child;
      if (auto e = value.get_object().get(child)) return e;
      if (auto e = read(child, member, depth + 1)) return e;
    } else if (auto e = copy_raw_value(value, member.raw)) {
      return e;
    }
  }
  return simdjson::SUCCESS;
}

Reshaper::Node* Reshaper::find(Node& root, const Path& path, Node** parent, size_t* index) {
  Node* node = &root;
  for (const auto& step : path.steps) {
    if (!node->is_object) return nullptr;
    Node* next = nullptr;
    for (size_t i = 0; i < node->members.size(); ++i) {
      if (node->members[i].key == step.key) {  // the first of duplicate keys, as olly reads them
        if (parent) *parent = node;
        if (index) *index = i;
        next = &node->members[i];
        break;
      }
    }
    if (!next) return nullptr;
    node = next;
  }
  return node == &root ? nullptr : node;
}

void Reshaper::put(Node& root, const Path& path, Node value) {
  Node* node = &root;
  for (size_t s = 0; s < path.steps.size(); ++s) {
    const std::string& key = path.steps[s].key;
    const bool last = s + 1 == path.steps.size();
    Node* next = nullptr;
    for (auto& m : node->members) {
      if (m.key == key) {
        next = &m;
        break;
      }
    }
    if (!next) {
      next = &node->members.emplace_back();
      next->key = key;
      next->is_object = true;
    }
    if (last) {
      value.key = key;
      *next = std::move(value);  // an existing member is replaced where it stands
      return;
    }
    if (!next->is_object) {
      // Putting a.b where a is no object replaces a (as --set does).
      next->is_object = true;
      next->raw.clear();
      next->members.clear();
    }
    node = next;
  }
}

namespace {

// --select: only the members on the listed paths, in the event's order.
void keep_selected(Reshaper::Node& node, const std::vector<const Path*>& paths, size_t depth) {
  std::vector<Reshaper::Node> kept;
  std::vector<bool> taken(paths.size(), false);
  for (auto& m : node.members) {
    bool whole = false;
    std::vector<const Path*> deeper;
    for (size_t p = 0; p < paths.size(); ++p) {
      if (paths[p]->steps[depth].key != m.key || taken[p]) continue;
      taken[p] = true;  // the first of duplicate keys only
      if (paths[p]->steps.size() == depth + 1) whole = true;
      else deeper.push_back(paths[p]);
    }
    if (whole) {
      kept.push_back(std::move(m));
    } else if (!deeper.empty() && m.is_object) {
      keep_selected(m, deeper, depth + 1);
      kept.push_back(std::move(m));
    }
  }
  node.members = std::move(kept);
}

}  // namespace

void Reshaper::flatten(const Node& node, std::string& prefix, Node& out) const {
  for (const auto& m : node.members) {
    const size_t at = prefix.size();
    if (!prefix.empty()) prefix.append(opts_.separator);
    prefix.append(m.key);
    if (m.is_object && !m.members.empty()) {
      flatten(m, prefix, out);
    } else {
      Node& leaf = out.members.emplace_back(m);
      leaf.key = prefix;
    }
    prefix.resize(at);
  }
}

void Reshaper::nest(Node& root) const {
  const std::string& sep = opts_.separator;
  // Keys without the separator keep their names: a dotted key whose first
  // part is one of them stays flat ({"a": 1, "a.b": 2} loses nothing).
  std::vector<std::string_view> plain;
  for (const auto& m : root.members) {
    if (m.key.find(sep) == std::string::npos) plain.push_back(m.key);
  }
  Node nested;
  nested.is_object = true;
  std::vector<std::string> parts;
  for (auto& m : root.members) {
    parts.clear();
    for (size_t start = 0;;) {
      const size_t cut = m.key.find(sep, start);
      parts.push_back(m.key.substr(start, cut == std::string::npos ? std::string::npos : cut - start));
      if (cut == std::string::npos) break;
      start = cut + sep.size();
    }
    bool flat = parts.size() == 1;
    for (const auto& part : parts) flat |= part.empty();  // "a..b", ".a": no path
    if (!flat) flat = std::find(plain.begin(), plain.end(), parts[0]) != plain.end();
    // Walk the parents; a value where an object is needed, or the leaf
    // already there (a.b then a.b.c, or a.b twice), keeps this key flat.
    Node* at = &nested;
    for (size_t k = 0; k < parts.size() && !flat; ++k) {
      Node* next = nullptr;
      for (auto& c : at->members) {
        if (c.key == parts[k]) next = &c;
      }
      if (!next) break;  // the rest is new
      if (k + 1 == parts.size() || !next->is_object) flat = true;
      at = next;
    }
    if (flat) {
      nested.members.push_back(std::move(m));
      continue;
    }
    Path path;
    for (auto& part : parts) path.steps.push_back(PathStep{std::move(part), -1});
    put(nested, path, std::move(m));
  }
  root = std::move(nested);
}

void Reshaper::write(const Node& node, std::string& out) {
  out.push_back('{');
  bool first = true;
  for (const auto& m : node.members) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, m.key);
    out.push_back(':');
    if (m.is_object) write(m, out);
    else out.append(m.raw);
  }
  out.push_back('}');
}

simdjson::error_code Reshaper::apply(std::string_view event, std::string& out) {
  padded_.assign(event);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  ondemand::document doc;
  if (auto e = parser_.iterate(padded_.data(), event.size(), padded_.size()).get(doc)) return e;
  ondemand::object obj;
  if (auto e = doc.get_object().get(obj)) return e;
  Node root;
  if (auto e = read(obj, root, 0)) return e;
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return simdjson::TRAILING_CONTENT;

  for (const auto& [from, to] : opts_.renames) {
    Node* parent = nullptr;
    size_t index = 0;
    Node* node = find(root, from, &parent, &index);
    if (!node) continue;  // nothing to rename
    Node moved = std::move(*node);
    parent->members.erase(parent->members.begin() + static_cast<std::ptrdiff_t>(index));
    put(root, to, std::move(moved));
  }
  for (const auto& p : opts_.drops) {
    // Every occurrence of a repeated key goes.
    Node* parent = nullptr;
    size_t index = 0;
    while (find(root, p, &parent, &index)) {
      parent->members.erase(parent->members.begin() + static_cast<std::ptrdiff_t>(index));
    }
  }
  if (!opts_.selects.empty()) {
    std::vector<const Path*> paths;
    for (const auto& p : opts_.selects) paths.push_back(&p);
    keep_selected(root, paths, 0);
  }
  if (opts_.flatten) {
    Node flat;
    flat.is_object = true;
    std::string prefix;
    flatten(root, prefix, flat);
    root = std::move(flat);
  } else if (opts_.nest) {
    nest(root);
  }
  write(root, out);
  return simdjson::SUCCESS;
}

}  // namespace olly
