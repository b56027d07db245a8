#include "expr/reshape.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "core/diag.h"
#include "core/writer.h"
#include "expr/json_value.h"

namespace olly {

namespace ondemand = simdjson::ondemand;

namespace {

void check_keys_only(const Path& p, std::string_view flag) {
  for (const auto& step : p.steps) {
    if (step.is_index()) {
      throw UsageError(fmt::format("{}: '{}' names an array element; give object members only", flag, p.text));
    }
  }
}

// The member of `node` named key: the first of duplicate keys, as olly reads them.
Reshaper::Node* member(Reshaper::Node& node, std::string_view key, size_t* index = nullptr) {
  for (size_t i = 0; i < node.members.size(); ++i) {
    if (node.members[i].key == key) {
      if (index) *index = i;
      return &node.members[i];
    }
  }
  return nullptr;
}

// The object holding the last step of path (nullptr when a step before it is
// missing or no object).
Reshaper::Node* parent_of(Reshaper::Node& root, const Path& path) {
  Reshaper::Node* node = &root;
  for (size_t s = 0; s + 1 < path.steps.size(); ++s) {
    node = member(*node, path.steps[s].key);
    if (!node || !node->is_object) return nullptr;
  }
  return node;
}

// Stores value at path: an existing member is replaced where it stands, a new
// one goes last at its level; missing objects on the way are created, and a
// value in the way is replaced by an object (as --set does).
void put(Reshaper::Node& root, const Path& path, Reshaper::Node value) {
  Reshaper::Node* node = &root;
  for (size_t s = 0; s < path.steps.size(); ++s) {
    const std::string& key = path.steps[s].key;
    Reshaper::Node* next = member(*node, key);
    if (!next) {
      next = &node->members.emplace_back();
      next->key = key;
      next->is_object = true;
    }
    if (s + 1 == path.steps.size()) {
      value.key = key;
      *next = std::move(value);
      return;
    }
    if (!next->is_object) {
      next->is_object = true;
      next->raw.clear();
    }
    node = next;
  }
}

bool same_parent(const Path& a, const Path& b) {
  if (a.steps.size() != b.steps.size()) return false;
  for (size_t s = 0; s + 1 < a.steps.size(); ++s) {
    if (a.steps[s].key != b.steps[s].key) return false;
  }
  return true;
}

}  // namespace

std::pair<Path, Path> parse_rename(std::string_view spec, std::string_view flag) {
  // The first '=' outside quotes: a["a=b"]=c renames the key a=b inside a.
  char quote = 0;
  size_t eq = std::string_view::npos;
  for (size_t i = 0; i < spec.size() && eq == std::string_view::npos; ++i) {
    const char c = spec[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '=') {
      eq = i;
    }
  }
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
    throw UsageError(fmt::format("{}: '{}' is not OLD=NEW", flag, spec));
  }
  return {parse_path_or_throw(spec.substr(0, eq), flag), parse_path_or_throw(spec.substr(eq + 1), flag)};
}

Reshaper::Reshaper(ReshapeOptions opts) : opts_(std::move(opts)) {
  if (!opts_.selects.empty() && !opts_.drops.empty()) {
    throw UsageError("--select and --drop cannot be combined; --select already keeps only what it names");
  }
  for (const auto& [from, to] : opts_.renames) {
    check_keys_only(from, "--rename");
    check_keys_only(to, "--rename");
    if (from.steps.empty() || to.steps.empty()) throw UsageError("--rename: empty field path");
  }
  if (opts_.flatten && opts_.nest) {
    throw UsageError("--flatten and --nest cannot be combined; they undo each other");
  }
  if (opts_.separator.empty()) throw UsageError("--separator: give at least one character");
  if (opts_.separator != "." && !opts_.flatten && !opts_.nest) {
    throw UsageError("--separator: only --flatten and --nest use it; give one of them");
  }
  if (!opts_.selects.empty()) {
    projection_.emplace(ObjectRewriter::Mode::keep_listed);
    for (const auto& p : opts_.selects) projection_->keep(p, "--select");
  } else if (!opts_.drops.empty()) {
    projection_.emplace(ObjectRewriter::Mode::keep_unlisted);
    for (const auto& p : opts_.drops) projection_->drop(p, "--drop");
  }
  tree_ = !opts_.renames.empty() || opts_.flatten || opts_.nest;
}

simdjson::error_code Reshaper::parse(std::string_view text, ondemand::document& doc) {
  padded_.assign(text);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  return parser_.iterate(padded_.data(), text.size(), padded_.size()).get(doc);
}

simdjson::error_code Reshaper::read(ondemand::object obj, Node& into, size_t depth) {
  // The nodes (and their strings' buffers) of the last event are reused:
  // events of one stream mostly have the same shape.
  into.is_object = true;
  size_t n = 0;
  for (auto field_result : obj) {
    ondemand::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    if (n == into.members.size()) into.members.emplace_back();
    Node& m = into.members[n++];
    m.key.assign(key);
    ondemand::value value = field.value();
    ondemand::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type == ondemand::json_type::object && depth + 1 < kMaxDepth) {
      ondemand::object child;
      if (auto e = value.get_object().get(child)) return e;
      if (auto e = read(child, m, depth + 1)) return e;
    } else {
      m.is_object = false;
      m.members.clear();
      m.raw.clear();
      if (auto e = copy_raw_value(value, m.raw)) return e;
    }
  }
  into.members.resize(n);
  return simdjson::SUCCESS;
}

void Reshaper::rename(Node& root, const Path& from, const Path& to) {
  if (from == to) return;
  Node* parent = parent_of(root, from);
  size_t index = 0;
  if (!parent || !member(*parent, from.steps.back().key, &index)) return;  // nothing to rename
  if (same_parent(from, to)) {
    // In place: the renamed member keeps its position, a member it lands on goes.
    const std::string& key = to.steps.back().key;
    Node renamed = std::move(parent->members[index]);
    renamed.key = key;
    parent->members[index] = std::move(renamed);
    for (size_t i = parent->members.size(); i-- > 0;) {
      if (i != index && parent->members[i].key == key) {
        parent->members.erase(parent->members.begin() + static_cast<std::ptrdiff_t>(i));
        if (i < index) --index;
      }
    }
    return;
  }
  Node moved = std::move(parent->members[index]);
  parent->members.erase(parent->members.begin() + static_cast<std::ptrdiff_t>(index));
  put(root, to, std::move(moved));
}

void Reshaper::flatten(const Node& node, std::string& prefix, size_t& n) {
  for (const auto& m : node.members) {
    const size_t at = prefix.size();
    if (at) prefix.append(opts_.separator);
    prefix.append(m.key);
    if (m.is_object && !m.members.empty()) {
      flatten(m, prefix, n);
    } else if (flat_seen_.insert(prefix).second) {
      // A key met again ({"a": {"b": 1}, "a.b": 2}): the first is kept, as olly reads duplicate keys.
      if (n == flat_.members.size()) flat_.members.emplace_back();
      Node& leaf = flat_.members[n++];
      leaf.key = prefix;
      leaf.is_object = m.is_object;  // only an empty object here
      leaf.raw = m.raw;
      leaf.members.clear();
    }
    prefix.resize(at);
  }
}

void Reshaper::nest(Node& root) const {
  const std::string& sep = opts_.separator;
  // A key whose first part is a top-level key of its own stays flat: nesting
  // it would replace or merge into that member ({"a": 1, "a.b": 2}).
  std::unordered_set<std::string> plain;  // copies: members are moved out below
  for (const auto& m : root.members) {
    if (m.key.find(sep) == std::string::npos) plain.insert(m.key);
  }
  Node nested;
  nested.is_object = true;
  nested.members.reserve(root.members.size());
  std::vector<std::string> parts;
  for (auto& m : root.members) {
    parts.clear();
    for (size_t start = 0;;) {
      const size_t cut = m.key.find(sep, start);
      if (cut == std::string::npos) {
        parts.push_back(m.key.substr(start));
        break;
      }
      parts.push_back(m.key.substr(start, cut - start));
      start = cut + sep.size();
    }
    bool flat = parts.size() == 1 || parts.size() > kMaxDepth || plain.count(parts[0]);
    for (const auto& part : parts) flat = flat || part.empty();  // "a..b", ".a", "a.": no path
    // An earlier key's value where this one needs an object, or already at
    // this key (a.b then a.b.c, a.b twice): this key stays flat.
    Node* at = &nested;
    for (size_t k = 0; k < parts.size() && !flat; ++k) {
      Node* next = member(*at, parts[k]);
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
  ondemand::document doc;
  if (auto e = parse(event, doc)) return e;
  ondemand::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type != ondemand::json_type::object) return simdjson::INCORRECT_TYPE;
  const size_t mark = out.size();
  if (projection_) {
    std::string& into = tree_ ? projected_ : out;
    if (tree_) projected_.clear();
    if (auto e = projection_->rewrite(doc, {}, into)) {
      out.resize(mark);
      return e;
    }
    if (!tree_) return simdjson::SUCCESS;
    if (auto e = parse(projected_, doc)) return e;
  }
  ondemand::object obj;
  if (auto e = doc.get_object().get(obj)) return e;
  Node& root = root_;
  if (auto e = read(obj, root, 0)) return e;
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return simdjson::TRAILING_CONTENT;

  for (const auto& [from, to] : opts_.renames) rename(root, from, to);
  if (opts_.flatten) {
    flat_.is_object = true;
    prefix_.clear();
    flat_seen_.clear();
    size_t n = 0;
    flatten(root, prefix_, n);
    flat_.members.resize(n);
    write(flat_, out);
    return simdjson::SUCCESS;
  }
  if (opts_.nest) nest(root);
  write(root, out);
  return simdjson::SUCCESS;
}

}  // namespace olly
