// olly-bench-floor: the fastest honest `status >= 500` over NDJSON on stdin.
//
//   olly-bench-floor < events.ndjson > errors.ndjson
//
// The floor olly-filter is measured against: no expression engine, no error
// recovery, no options. Reads stdin in 1 MiB chunks (pipe buffer grown to
// 1 MiB, best effort), parses each chunk's complete lines with simdjson
// On-Demand iterate_many, carries the partial last line into the next chunk,
// reads `status` as int64 and writes matching lines through a large buffer.
// Prints nothing else. Exits 3 on a read error or a malformed document.
#include <simdjson.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace {

constexpr size_t kChunk = 1 << 20;

void write_all(const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(1, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) std::_Exit(0);
      std::perror("olly-bench-floor: write");
      std::_Exit(3);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

class Output {
 public:
  Output() { buf_.reserve(kFlushAt + kChunk); }
  ~Output() { flush(); }
  void line(const char* p, size_t n) {
    buf_.append(p, n);
    buf_.push_back('\n');
    if (buf_.size() >= kFlushAt) flush();
  }
  void flush() {
    write_all(buf_.data(), buf_.size());
    buf_.clear();
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  std::string buf_;
};

}  // namespace

int main() {
#ifdef F_SETPIPE_SZ
  (void)::fcntl(0, F_SETPIPE_SZ, static_cast<int>(kChunk));  // best effort; fails on files
#endif
  size_t capacity = 2 * kChunk;
  std::unique_ptr<char[]> buf(new char[capacity + simdjson::SIMDJSON_PADDING]);
  size_t filled = 0;  // bytes in buf (carried partial line + new data)
  bool eof = false;
  simdjson::ondemand::parser parser;
  Output out;

  while (!eof) {
    // Top up to at least one chunk of new data.
    if (capacity - filled < kChunk) {
      capacity *= 2;  // a line longer than what we hold: grow
      std::unique_ptr<char[]> bigger(new char[capacity + simdjson::SIMDJSON_PADDING]);
      std::memcpy(bigger.get(), buf.get(), filled);
      buf = std::move(bigger);
    }
    const ssize_t n = ::read(0, buf.get() + filled, kChunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("olly-bench-floor: read");
      return 3;
    }
    if (n == 0) {
      eof = true;
      if (filled == 0) break;
      buf[filled++] = '\n';  // a last line without its newline
    } else {
      filled += static_cast<size_t>(n);
    }
    const char* last_nl = static_cast<const char*>(memrchr(buf.get(), '\n', filled));
    if (!last_nl) continue;
    const size_t complete = static_cast<size_t>(last_nl - buf.get()) + 1;

    simdjson::ondemand::document_stream stream;
    const size_t batch = complete < kChunk ? kChunk : complete;
    if (parser.iterate_many(buf.get(), complete, batch).get(stream)) {
      std::fputs("olly-bench-floor: cannot parse input\n", stderr);
      return 3;
    }
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      int64_t status = 0;
      auto doc = *it;
      if (doc["status"].get_int64().get(status)) {
        if (it.error()) {
          std::fputs("olly-bench-floor: malformed document\n", stderr);
          return 3;
        }
        continue;  // no integer status: not a match
      }
      // olly filter 'status >= 500'
      if (status >= 500) {
        const char* start = buf.get() + it.current_index();
        const char* end = static_cast<const char*>(std::memchr(start, '\n', complete - it.current_index()));
        out.line(start, static_cast<size_t>(end - start));
      }
    }
    if (stream.truncated_bytes() != 0) {
      std::fputs("olly-bench-floor: truncated document\n", stderr);
      return 3;
    }
    // Carry the partial last line to the front.
    std::memmove(buf.get(), buf.get() + complete, filled - complete);
    filled -= complete;
  }
  out.flush();
  return 0;
}
