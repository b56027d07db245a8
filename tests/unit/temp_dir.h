// Temporary files for unit tests: all in one private directory per test
// process (mkdtemp under $TMPDIR, else /tmp), removed with everything in it
// when the process ends normally, so a failed REQUIRE or a thrown exception
// between creating a file and removing it leaves nothing behind.
#pragma once
#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace olly::test {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/olly-unit-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The process's directory (created on first use).
inline const std::string& temp_dir() {
  static TempDir dir;
  REQUIRE_MESSAGE(!dir.path().empty(), "cannot create a temporary directory");
  return dir.path();
}

// A fresh path in temp_dir(): DIR/N-name (the file is not created).
inline std::string temp_path(const std::string& name) {
  static int n = 0;
  return temp_dir() + "/" + std::to_string(n++) + "-" + name;
}

}  // namespace olly::test
