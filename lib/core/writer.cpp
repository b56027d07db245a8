#include "core/writer.h"

#include <cstdio>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "core/diag.h"

namespace olly {

OutputSink::OutputSink(int fd) : fd_(fd) {
  buf_.reserve(kFlushAt * 2);
  if (fd_ < 0) return;
  // A closed pipe must end us quietly (exit 0), not by signal.
  std::signal(SIGPIPE, SIG_IGN);
#ifdef F_SETPIPE_SZ
  // Writing into a 64 KiB pipe costs a context switch per 64 KiB; a bigger
  // buffer lets the next tool in the pipeline read in large blocks (best effort).
  ::fcntl(fd_, F_SETPIPE_SZ, 1 << 20);
#endif
}

OutputSink::~OutputSink() { flush(); }

void OutputSink::flush() {
  if (fd_ < 0) return;
  write_all(buf_.data(), buf_.size());
  buf_.clear();
}

void OutputSink::write_through(std::string_view s) {
  if (fd_ < 0 || s.size() < kFlushAt) {
    buf_.append(s);
    maybe_flush();
    return;
  }
  flush();
  write_all(s.data(), s.size());
}

void OutputSink::write_all(const char* p, size_t left) {
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) std::_Exit(0);
      print_error(std::string("write error: ") + std::strerror(errno));  // "olly-VERB: write error: ..."

      std::_Exit(3);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

OutputSink& stdout_sink() {
  static OutputSink sink(1);
  return sink;
}

void JsonBuilder::key(std::string_view k) {
  sep();
  append_json_string(*out_, k);
  out_->push_back(':');
  after_key_ = true;
}

void JsonBuilder::string(std::string_view s) {
  sep();
  append_json_string(*out_, s);
}

void JsonBuilder::int64(int64_t v) {
  sep();
  fmt::format_to(std::back_inserter(*out_), "{}", v);
}

void JsonBuilder::uint64(uint64_t v) {
  sep();
  fmt::format_to(std::back_inserter(*out_), "{}", v);
}

void JsonBuilder::number(double v) {
  sep();
  append_json_number(*out_, v);
}

void append_json_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  // {fmt} prints the shortest representation that reads back exactly.
  fmt::format_to(std::back_inserter(out), "{}", v);
}

namespace {

// Length of the valid UTF-8 sequence starting at p (0 when invalid).
size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
  else return 0;
  if (static_cast<size_t>(end - p) < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_valid_utf8(std::string_view s) {
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  auto* end = p + s.size();
  while (p < end) {
    if (*p < 0x80) { ++p; continue; }
    size_t n = utf8_sequence_length(p, end);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  auto* end = p + s.size();
  const unsigned char* run = p;  // start of bytes that need no escaping
  auto flush_run = [&](const unsigned char* upto) {
    out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(upto - run));
  };
  while (p < end) {
    // Eight plain ASCII bytes at a time (no control, quote, backslash or high bit).
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      constexpr uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
      uint64_t control = (w - ones * 0x20) & ~w;
      uint64_t quote = w ^ (ones * '"');
      uint64_t backslash = w ^ (ones * '\\');
      uint64_t special = control | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | w;
      if (special & highs) break;
      p += 8;
    }
    if (p >= end) break;
    unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { ++p; continue; }
    if (c >= 0x80) {
      size_t n = utf8_sequence_length(p, end);
      if (n > 0) { p += n; continue; }
      flush_run(p);
      out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      ++p;
      run = p;
      continue;
    }
    flush_run(p);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++p;
    run = p;
  }
  flush_run(p);
  out.push_back('"');
}

}  // namespace olly

namespace olly {

double round_significant(double v) {
  if (!std::isfinite(v) || v == 0) return v;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return std::strtod(buf, nullptr);
}

}  // namespace olly
