// Reshaping a whole event (olly-eval --rename, --drop, --select, --flatten,
// --nest): the event's object is read into a small tree of members whose
// values that are not objects stay their JSON text, byte for byte, changed,
// and written back. Only events that ask for it pay for the tree.
#pragma once
#include <simdjson.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "expr/path.h"

namespace olly {

struct ReshapeOptions {
  std::vector<std::pair<Path, Path>> renames;  // from, to
  std::vector<Path> drops;
  std::vector<Path> selects;
  bool flatten = false;
  bool nest = false;
  std::string separator = ".";
};

class Reshaper {
 public:
  // Throws UsageError (naming the flag) for an array index in a path, an
  // empty separator, or --flatten with --nest.
  explicit Reshaper(ReshapeOptions opts);
  bool active() const { return active_; }

  // Appends to out the object `event` (one JSON object's text) reshaped:
  // renames first, then drops, then the selection, then flatten or nest.
  // An error when event is not a JSON object.
  [[nodiscard]] simdjson::error_code apply(std::string_view event, std::string& out);

  struct Node {
    std::string key;
    bool is_object = false;
    std::string raw;             // a value that is not an object: its JSON text
    std::vector<Node> members;  // an object's members, in order
  };

 private:
  simdjson::error_code read(simdjson::ondemand::object obj, Node& into, int depth);
  static Node* find(Node& root, const Path& path, Node** parent, size_t* index);
  static void put(Node& root, const Path& path, Node value);
  void flatten(const Node& node, std::string& prefix, Node& out) const;
  void nest(Node& root) const;
  static void write(const Node& node, std::string& out);

  ReshapeOptions opts_;
  bool active_ = false;
  simdjson::ondemand::parser parser_;
  std::string padded_;
};

}  // namespace olly
