// Shared by the libFuzzer targets of tests/fuzz: a broken invariant aborts
// with a message (libFuzzer saves the input as a crash), temporary files for
// the code that reads files, and the "every output line is JSON" check.
#pragma once
#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/writer.h"

namespace fuzz {

[[noreturn]] inline void fail(std::string_view what, std::string_view message = {},
                              std::string_view detail = {}) {
  std::fprintf(stderr, "\nINVARIANT BROKEN: %.*s\n", static_cast<int>(what.size()), what.data());
  for (std::string_view s : {message, detail}) {
    if (s.empty()) continue;
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(std::min<size_t>(s.size(), 2000)), s.data());
  }
  std::abort();
}

// FUZZ_CHECK(cond), FUZZ_CHECK(cond, message) or FUZZ_CHECK(cond, message, detail).
#define FUZZ_CHECK(cond, ...)                          \
  do {                                                 \
    if (!(cond)) ::fuzz::fail(#cond, ##__VA_ARGS__);   \
  } while (0)

// A file of our own for one run: under /dev/shm when it is there (no disk
// I/O), else $TMPDIR or /tmp; removed by the destructor.
class TempFile {
 public:
  explicit TempFile(const char* tag) {
    static unsigned counter = 0;
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    path_ = std::string(dir) + "/olly-fuzz-" + std::to_string(getpid()) + "-" + tag + "-" +
            std::to_string(counter++);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  void write(std::string_view bytes) const {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) fail("cannot create a temporary file", path_);
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      fail("cannot write a temporary file", path_);
    }
    std::fclose(f);
  }
  std::string read() const {
    std::string out;
    std::FILE* f = std::fopen(path_.c_str(), "rb");
    if (!f) return out;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return out;
  }

 private:
  std::string path_;
};

// True when text is one valid JSON document (simdjson DOM, the full parser).
inline bool is_json(std::string_view text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element e;
  return !parser.parse(text.data(), text.size(), true).get(e);
}

// Every line of text (each ending in '\n') is a valid JSON document;
// returns how many lines there are.
inline size_t check_json_lines(std::string_view text, std::string_view what) {
  size_t lines = 0;
  if (!text.empty() && text.back() != '\n') fail(what, "output does not end in a newline");
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl - start);
    if (!is_json(line)) fail(what, line);
    ++lines;
    start = nl + 1;
  }
  return lines;
}

// True when the output line is a JSON object (what olly parse writes).
inline bool is_json_object(std::string_view text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(text.data(), text.size(), true).get(e)) return false;
  return e.type() == simdjson::dom::element_type::OBJECT;
}

// stdout is a memory file for the whole process (what the runner and
// olly-parse's loops write to stdout_sink() lands there); take_stdout()
// returns what was written since the last call.
inline int capture_fd() {
  static int fd = [] {
    int m = memfd_create("olly-fuzz-stdout", 0);
    if (m < 0 || dup2(m, 1) < 0) fail("cannot capture stdout");
    return m;
  }();
  return fd;
}

inline std::string take_stdout() {
  olly::stdout_sink().flush();
  const int fd = capture_fd();
  off_t size = lseek(fd, 0, SEEK_END);
  std::string text(static_cast<size_t>(size), '\0');
  if (size > 0 && pread(fd, text.data(), text.size(), 0) != size) fail("cannot read stdout back");
  if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) fail("cannot reset stdout");
  return text;
}

inline size_t count_lines(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace fuzz
