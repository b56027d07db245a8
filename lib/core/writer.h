// Output: a buffered stdout sink and a JSON builder that appends to a string.
//
// Every tool writes NDJSON through these two, so escaping, number formatting
// and the quiet exit on a closed pipe are decided here once.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace olly {

// Buffered writer on a file descriptor. Tools append to buffer() and call
// maybe_flush() after each record; the input driver calls flush() before it
// blocks on a read, so pipes stream block by block.
class OutputSink {
 public:
  // fd < 0: a sink that only buffers (a worker thread's output, written
  // out later in input order); flush() and maybe_flush() keep everything.
  explicit OutputSink(int fd = 1);
  ~OutputSink();
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  std::string& buffer() { return buf_; }
  void write(std::string_view s) { buf_.append(s); }
  void put(char c) { buf_.push_back(c); }
  void maybe_flush() {
    if (buf_.size() >= kFlushAt) flush();
  }
  // Appends s, written straight from s when it is large (no copy into buffer()).
  void write_through(std::string_view s);
  // Writes everything buffered. A closed reader (EPIPE) ends the process
  // quietly with status 0, as `| head` expects; other errors exit 3.
  void flush();

  static constexpr size_t kFlushAt = 256 * 1024;

 private:
  void write_all(const char* p, size_t n);

  int fd_;
  std::string buf_;
};

// The process-wide stdout sink.
OutputSink& stdout_sink();

// Appends JSON text to a string. Commas are managed by a small nesting
// stack; keys and values must alternate inside objects.
class JsonBuilder {
 public:
  explicit JsonBuilder(std::string& out) : out_(&out) {}

  void begin_object() { sep(); out_->push_back('{'); push(); }
  void end_object() { pop(); out_->push_back('}'); }
  void begin_array() { sep(); out_->push_back('['); push(); }
  void end_array() { pop(); out_->push_back(']'); }

  void key(std::string_view k);
  void string(std::string_view s);
  void int64(int64_t v);
  void uint64(uint64_t v);
  void number(double v);  // shortest round-trip; NaN and infinities become null
  void boolean(bool v) { sep(); out_->append(v ? "true" : "false"); }
  void null() { sep(); out_->append("null"); }
  // Already-serialized JSON (copied from input): written as is.
  void raw(std::string_view json) { sep(); out_->append(json); }

  // Convenience for the common key/value pair.
  void field(std::string_view k, std::string_view v) { key(k); string(v); }
  void field_int(std::string_view k, int64_t v) { key(k); int64(v); }
  void field_number(std::string_view k, double v) { key(k); number(v); }
  void field_bool(std::string_view k, bool v) { key(k); boolean(v); }
  void field_raw(std::string_view k, std::string_view json) { key(k); raw(json); }

  // Forget nesting state (to reuse the builder for the next line).
  void reset() { depth_ = 0; first_ = 1; after_key_ = false; }
  std::string& out() { return *out_; }

 private:
  void sep() {
    if (after_key_) { after_key_ = false; return; }
    if (!(first_ & (uint64_t{1} << depth_))) out_->push_back(',');
    first_ &= ~(uint64_t{1} << depth_);
  }
  void push() { ++depth_; first_ |= (uint64_t{1} << depth_); }
  void pop() { --depth_; }

  std::string* out_;
  unsigned depth_ = 0;
  uint64_t first_ = 1;  // bit d set: nothing written yet at depth d (depth < 64)
  bool after_key_ = false;
};

// Appends s as a quoted JSON string. Control characters are escaped; invalid
// UTF-8 sequences are replaced by U+FFFD (documented in olly(7)).
void append_json_string(std::string& out, std::string_view s);
// v to 6 significant digits: what a sketch estimate or a ratio has to say
// (percentiles carry about 1% error).
double round_significant(double v);
// Appends the shortest text that reads back as exactly v (null for NaN/inf).
void append_json_number(std::string& out, double v);
// Appends code point cp encoded as UTF-8 (cp <= 0x10FFFF).
void append_utf8(std::string& out, uint32_t cp);
// True when s is valid UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace olly
