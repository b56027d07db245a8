#include "diag.h"

#include <cstdio>

namespace olly {

namespace {
std::string& name_storage() {
  static std::string name = "olly";
  return name;
}
}  // namespace

void set_tool_name(std::string_view name) { name_storage() = std::string(name); }
const std::string& tool_name() { return name_storage(); }

void print_error(std::string_view message) {
  std::string line = name_storage();
  line += ": ";
  line += message;
  if (line.empty() || line.back() != '\n') line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace olly
