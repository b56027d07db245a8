#include "core/read_file.h"

#include <cerrno>
#include <cstring>

namespace olly {

bool read_all(std::FILE* f, std::string& data, std::string& reason, size_t max_bytes) {
  data.clear();
  char buf[65536];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) {
    data.append(buf, got);
    if (data.size() > max_bytes) {
      reason = "file too large";
      return false;
    }
  }
  if (std::ferror(f)) {
    reason = std::strerror(errno);
    return false;
  }
  return true;
}

bool read_file(const std::string& path, std::string& data, std::string& reason, size_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    reason = std::strerror(errno);
    return false;
  }
  bool ok = read_all(f, data, reason, max_bytes);
  std::fclose(f);
  return ok;
}

}  // namespace olly
