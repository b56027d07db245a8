// Reshaping a whole event (olly-eval --select, --drop, --rename, --flatten,
// --nest), in that order. --select and --drop are the projection olly-filter
// has (ObjectRewriter, streaming, byte for byte). --rename, --flatten and
// --nest move members between levels, so the event is read into a small tree
// of members whose values that are not objects stay their JSON text, byte for
// byte, and written back. Only events that ask for it pay for the tree.
#pragma once
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "expr/path.h"
#include "expr/rewrite.h"

namespace olly {

struct ReshapeOptions {
  std::vector<Path> selects;
  std::vector<Path> drops;
  std::vector<std::pair<Path, Path>> renames;  // from, to; applied in order
  bool flatten = false;
  bool nest = false;
  std::string separator = ".";
};

// Splits "OLD=NEW" at the first '=' outside a quoted key (a["x=y"]=z);
// throws UsageError naming `flag` when a side is missing.
std::pair<Path, Path> parse_rename(std::string_view spec, std::string_view flag);

class Reshaper {
 public:
  // Throws UsageError (naming the flag) for an array index in a path, an
  // empty separator, --select with --drop, or --flatten with --nest.
  explicit Reshaper(ReshapeOptions opts);
  bool active() const { return projection_.has_value() || tree_; }

  // Appends to out the object `event` (one JSON object's text) reshaped. An
  // error (out unchanged) when event is not JSON or not an object.
  [[nodiscard]] simdjson::error_code apply(std::string_view event, std::string& out);

  // Nested deeper than this, an object is kept whole as a value (--flatten
  // stops there), and a dotted key of more parts stays flat under --nest:
  // a hostile line cannot make the tree's walks recurse far.
  static constexpr size_t kMaxDepth = 64;

  struct Node {
    std::string key;             // unescaped
    bool is_object = false;
    std::string raw;             // a value that is not an object: its JSON text
    std::vector<Node> members;  // an object's members, in order
  };

 private:
  simdjson::error_code parse(std::string_view text, simdjson::ondemand::document& doc);
  simdjson::error_code read(simdjson::ondemand::object obj, Node& into, size_t depth);
  void rename(Node& root, const Path& from, const Path& to);
  void flatten(const Node& node, std::string& prefix, size_t& n);
  void nest(Node& root) const;
  static void write(const Node& node, std::string& out);

  ReshapeOptions opts_;
  std::optional<ObjectRewriter> projection_;  // --select or --drop
  bool tree_ = false;                          // --rename, --flatten or --nest
  simdjson::ondemand::parser parser_;
  std::string padded_;
  std::string projected_;  // the projection's output, when the tree reads it next
  Node root_;              // the event read, reused from one to the next
  Node flat_;              // --flatten's output, reused
  std::string prefix_;
  std::unordered_set<std::string> flat_seen_;  // --flatten: keys written so far (first wins)
};

}  // namespace olly
