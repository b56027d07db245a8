// Text as a terminal shows it: UTF-8 decoding, display columns (wide East
// Asian characters take two, combining marks none), and cutting to a width
// with an ellipsis. Values come from untrusted events, so everything shown on
// a terminal first goes through append_sanitized: an escape sequence or a
// bidi override in a log line must not repaint the user's screen.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace olly::view {

// Decodes one code point at s[i] and advances i; an invalid or truncated
// sequence yields U+FFFD and advances one byte.
char32_t decode_utf8(std::string_view s, size_t& i);
void append_utf8(std::string& out, char32_t c);

// Columns a code point takes on a terminal: 0 (combining, zero-width), 1 or 2.
int codepoint_width(char32_t c);

// Columns text takes (text already sanitized: no controls).
size_t display_width(std::string_view s);

// Appends s with C0/C1 controls, DEL and bidi controls replaced (a newline
// by "↵", a tab by a space, the others by U+FFFD) and invalid UTF-8 by U+FFFD.
void append_sanitized(std::string& out, std::string_view s);

// Appends the longest prefix of s (sanitized) that fits width columns; when
// s is wider, the prefix ends in "…" within width. Returns the columns written.
size_t append_fitted(std::string& out, std::string_view s, size_t s_width, size_t width);

}  // namespace olly::view
