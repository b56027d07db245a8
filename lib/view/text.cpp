#include "view/text.h"

#include <cstdint>
#include <cstring>

namespace olly::view {

char32_t decode_utf8(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    unsigned char d = byte(i + k);
    if ((d & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += len;
  return cp;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

int codepoint_width(char32_t c) {
  if (c < 0x300) return 1;
  // Combining marks and zero-width characters (the common blocks).
  if ((c >= 0x300 && c <= 0x36F) || (c >= 0x483 && c <= 0x489) || (c >= 0x591 && c <= 0x5BD) ||
      (c >= 0x610 && c <= 0x61A) || (c >= 0x64B && c <= 0x65F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
      (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x200B && c <= 0x200F) || (c >= 0x20D0 && c <= 0x20FF) ||
      (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFE20 && c <= 0xFE2F) || c == 0xFEFF ||
      (c >= 0xE0100 && c <= 0xE01EF)) {
    return 0;
  }
  // East Asian Wide and Fullwidth, and the emoji blocks terminals draw wide.
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
      (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
      (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
      (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
      (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x1FA70 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x3FFFD) ||
      (c >= 0x1F680 && c <= 0x1F6FF) || c == 0x231A || c == 0x231B || (c >= 0x23E9 && c <= 0x23EC) ||
      c == 0x23F0 || c == 0x23F3 || c == 0x2614 || c == 0x2615 || (c >= 0x2648 && c <= 0x2653) || c == 0x267F ||
      c == 0x2693 || c == 0x26A1 || c == 0x26AA || c == 0x26AB || c == 0x26BD || c == 0x26BE || c == 0x26C4 ||
      c == 0x26C5 || c == 0x26CE || c == 0x26D4 || c == 0x26EA || c == 0x26F2 || c == 0x26F3 || c == 0x26F5 ||
      c == 0x26FA || c == 0x26FD || c == 0x2705 || c == 0x270A || c == 0x270B || c == 0x2728 || c == 0x274C ||
      c == 0x274E || (c >= 0x2753 && c <= 0x2755) || c == 0x2757 || (c >= 0x2795 && c <= 0x2797) ||
      c == 0x27B0 || c == 0x27BF || c == 0x2B1B || c == 0x2B1C || c == 0x2B50 || c == 0x2B55) {
    return 2;
  }
  return 1;
}

size_t display_width(std::string_view s) {
  size_t w = 0;
  size_t i = 0;
  while (i < s.size()) {
    // Eight ASCII bytes at a time, a column each: the common case.
    uint64_t eight;
    if (i + 8 <= s.size() && (std::memcpy(&eight, s.data() + i, 8), (eight & 0x8080808080808080ull) == 0)) {
      w += 8;
      i += 8;
      continue;
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++w, ++i;
      continue;
    }
    w += codepoint_width(decode_utf8(s, i));
  }
  return w;
}

void append_sanitized(std::string& out, std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      // The common case: a run of printable ASCII copied at once.
      size_t j = i + 1;
      while (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x20 && static_cast<unsigned char>(s[j]) < 0x7F) ++j;
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    char32_t cp = decode_utf8(s, i);
    if (cp == '\n') {
      out.append("\u21B5");
    } else if (cp == '\t') {
      out.push_back(' ');
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
               (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C) {
      out.append("\uFFFD");
    } else {
      append_utf8(out, cp);
    }
  }
}

size_t append_fitted(std::string& out, std::string_view s, size_t s_width, size_t width) {
  if (s_width <= width) {
    out.append(s);
    return s_width;
  }
  if (width == 0) return 0;
  size_t budget = width - 1;  // the ellipsis takes one column
  size_t w = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t at = i;
    int cw = static_cast<unsigned char>(s[i]) < 0x80 ? (++i, 1) : codepoint_width(decode_utf8(s, i));
    if (w + cw > budget) {
      i = at;
      break;
    }
    w += cw;
  }
  out.append(s.data(), i);
  out.append("\u2026");
  return w + 1;
}

}  // namespace olly::view
