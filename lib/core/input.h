// Input: files named as arguments, else stdin; "-" is stdin; gzip and zstd
// are recognised by their magic bytes and read transparently. Lines are
// framed here once for every tool: CRLF and LF endings, a last line without
// a newline, empty lines, and lines as long as memory allows (the cap is
// configurable; the default is 1 GiB).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_buffer.h"

namespace olly {

struct Line {
  std::string_view text;   // without the line ending; valid until the next call
  uint64_t number = 0;     // 1-based line number within its file
  std::string_view file;   // "-" for stdin
  size_t file_index = 0;   // position in the list of inputs
  bool cr = false;         // a \r was stripped from the end of text (CRLF ending)
  uint64_t offset = 0;     // byte offset of the line's start in its (decompressed) file
};

// A line of only spaces, tabs and a CR carries no record: every verb skips it.
inline bool is_blank_line(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// True when every input (stdin when paths is empty or names "-") is a
// regular file, compressed or not: input that ends, so a windowed verb may
// hold every window to the end rather than judge lateness as a stream must.
// A path that cannot be stat'ed counts as finite (it is reported when opened).
bool inputs_are_regular_files(const std::vector<std::string>& paths);

class ByteSource;  // one opened input, decompressing if needed

class LineReader {
 public:
  // paths empty means stdin. Files that cannot be opened are reported on
  // stderr, counted (open_failures()) and skipped; the tool exits 3 at the end.
  explicit LineReader(std::vector<std::string> paths);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line of the inputs, in order. False when all are read.
  // Throws InputError on a read or decompression error (exit 3).
  bool next(Line& out);

  // Called before each read that may block (e.g. on a pipe), so the tool
  // can flush its output and pipelines stream.
  void set_before_read(std::function<void()> hook) { before_read_ = std::move(hook); }
  void set_max_line(size_t bytes) { max_line_ = bytes; }
  // While ms > 0, a read from a pipe, terminal or socket that finds no byte
  // within ms ends next() with false and stalled() true, the input left
  // where it was: a later next() goes on from there. Lets a tool decide on
  // what has come so far (olly-parse auto over `tail -f`). 0: reads wait.
  void set_idle_timeout(int ms) { idle_timeout_ms_ = ms; }
  // The last next() returned false because the input went idle, not at its end.
  bool stalled() const { return stalled_; }

  uint64_t bytes_read() const { return bytes_read_; }
  size_t open_failures() const { return open_failures_; }
  size_t input_count() const { return paths_.size(); }
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  bool open_next();
  bool fill();  // read more bytes into buf_; false at end of the current source

  std::vector<std::string> paths_;
  size_t next_path_ = 0;
  size_t current_index_ = 0;
  std::unique_ptr<ByteSource> src_;
  std::string current_name_;
  ByteBuffer buf_;
  size_t begin_ = 0, end_ = 0;  // unconsumed bytes are buf_[begin_, end_)
  bool eof_ = true;
  uint64_t line_no_ = 0;
  uint64_t line_offset_ = 0;  // bytes of the current file before the next line
  uint64_t bytes_read_ = 0;
  size_t open_failures_ = 0;
  size_t max_line_ = size_t{1} << 30;
  int idle_timeout_ms_ = 0;
  bool stalled_ = false;
  std::function<void()> before_read_;
};

}  // namespace olly
