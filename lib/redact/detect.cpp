#include "redact/detect.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/base64.h"
#include "core/diag.h"

namespace olly::redact {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool starts_with_ci(std::string_view text, size_t at, std::string_view lit) {
  if (text.size() - at < lit.size()) return false;
  for (size_t i = 0; i < lit.size(); ++i) {
    if (lower(text[at + i]) != lit[i]) return false;
  }
  return true;
}
bool contains_ci(std::string_view text, std::string_view lit) {
  if (text.size() < lit.size()) return false;
  for (size_t i = 0; i + lit.size() <= text.size(); ++i) {
    if (starts_with_ci(text, i, lit)) return true;
  }
  return false;
}

// ------------------------------------------------------------- prefilter

// What one pass over the text found: which detectors could match at all.
using Gate = uint32_t;
constexpr Gate bit(Builtin b) { return Gate{1} << static_cast<unsigned>(b); }

// One table lookup per byte says what the byte is; the loop ORs the bits
// into `seen` and keeps digit runs, with no branch per byte. Literals are
// looked for only when every letter they are made of was seen.
constexpr uint64_t letter(char c) { return uint64_t{1} << ((c | 0x20) - 'a'); }
constexpr uint64_t letters(std::string_view word) {
  uint64_t m = 0;
  for (char c : word) m |= letter(c);
  return m;
}
enum : uint64_t {
  kDigit = uint64_t{1} << 26,
  kKeepsCard = uint64_t{1} << 27,   // digits, space, dash: inside a card number
  kKeepsPhone = uint64_t{1} << 28,  // digits, space, dash, dot, parentheses, plus
  kAt = uint64_t{1} << 29,
  kColon = uint64_t{1} << 30,
  kDot = uint64_t{1} << 31,
  kPlus = uint64_t{1} << 32,
  kDash = uint64_t{1} << 33,
  kEquals = uint64_t{1} << 34,
  kUpperA = uint64_t{1} << 35,
  kUpperJ = uint64_t{1} << 36,
  kSlash = uint64_t{1} << 37,
};

constexpr std::array<uint64_t, 256> make_classes() {
  std::array<uint64_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = letter(static_cast<char>(c));
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = letter(static_cast<char>(c));
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigit | kKeepsCard | kKeepsPhone;
  t[' '] = kKeepsCard | kKeepsPhone;
  t['-'] = kKeepsCard | kKeepsPhone | kDash;
  t['.'] = kKeepsPhone | kDot;
  t['('] = kKeepsPhone;
  t[')'] = kKeepsPhone;
  t['+'] = kKeepsPhone | kPlus;
  t['@'] = kAt;
  t[':'] = kColon;
  t['='] = kEquals;
  t['/'] = kSlash;
  t['A'] |= kUpperA;
  t['J'] |= kUpperJ;
  return t;
}
constexpr std::array<uint64_t, 256> kClasses = make_classes();

bool has(std::string_view text, std::string_view lit) { return text.find(lit) != std::string_view::npos; }

Gate prefilter(std::string_view text, std::string_view key) {
  uint64_t seen = 0;
  size_t dots = 0, colons = 0;
  uint32_t card_run = 0, phone_run = 0, card_max = 0, phone_max = 0;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const uint64_t t = kClasses[p[i]];
    seen |= t;
    const uint32_t digit = static_cast<uint32_t>((t >> 26) & 1);
    card_run = (card_run + digit) & (0u - static_cast<uint32_t>((t >> 27) & 1));
    phone_run = (phone_run + digit) & (0u - static_cast<uint32_t>((t >> 28) & 1));
    card_max = std::max(card_max, card_run);
    phone_max = std::max(phone_max, phone_run);
    dots += (t >> 31) & 1;
    colons += (t >> 30) & 1;
  }
  Gate gate = 0;
  if (card_max >= 13) gate |= bit(Builtin::card);
  if (phone_max >= 10 || (phone_max >= 8 && (seen & kPlus))) gate |= bit(Builtin::phone);
  if ((seen & kAt) && dots) gate |= bit(Builtin::email);
  if ((seen & kAt) && colons && (seen & kSlash) && has(text, "://")) gate |= bit(Builtin::url_password);
  if (colons >= 7 || (colons >= 2 && has(text, "::"))) gate |= bit(Builtin::ipv6);
  if (dots >= 3 && (seen & kDigit)) gate |= bit(Builtin::ipv4);
  if ((seen & kDash) && (seen & letters("beginprivatky")) == letters("beginprivatky") && has(text, "-----BEGIN")) {
    gate |= bit(Builtin::private_key);
  }
  if ((seen & kUpperJ) && (seen & letters("ey")) == letters("ey") && has(text, "eyJ")) gate |= bit(Builtin::jwt);
  if (seen & kUpperA) {
    if (has(text, "AKIA") || has(text, "ASIA")) gate |= bit(Builtin::aws);
    if (has(text, "AIza")) gate |= bit(Builtin::gcp);
    if (has(text, "AccountKey=")) gate |= bit(Builtin::azure);
  }
  if ((seen & letters("bearer")) == letters("bearer") && contains_ci(text, "bearer")) gate |= bit(Builtin::bearer);
  if ((seen & letters("basic")) == letters("basic") && contains_ci(text, "basic")) gate |= bit(Builtin::basic);
  if (seen & kEquals) {
    if ((seen & letters("secret")) == letters("secret") && contains_ci(text, "secret")) gate |= bit(Builtin::aws);
    if (has(text, "sig=") || has(text, "SharedAccessKey=")) gate |= bit(Builtin::azure);
  }
  if ((seen & kColon) && (seen & letters("secret")) == letters("secret") && contains_ci(text, "secret")) {
    gate |= bit(Builtin::aws);  // "aws_secret_access_key": "..." in embedded JSON
  }
  if ((seen & letters("privatekyd")) == letters("privatekyd") && has(text, "private_key_id")) gate |= bit(Builtin::gcp);
  // A JSON member's name says what a bare value is (aws_secret_access_key: "...").
  if (!key.empty()) {
    if (contains_ci(key, "secret")) gate |= bit(Builtin::aws);
    if (key == "private_key_id") gate |= bit(Builtin::gcp);
  }
  return gate;
}

// ------------------------------------------------------------- validators

struct Candidate {
  size_t begin, end;
};

// The word just before pos (skipping a few separators), lower-cased.
std::string_view word_before(std::string_view text, size_t pos, char* buf, size_t cap) {
  size_t i = pos, skipped = 0;
  while (i > 0 && skipped < 3 && (text[i - 1] == ' ' || text[i - 1] == '=' || text[i - 1] == ':' ||
                                  text[i - 1] == '"' || text[i - 1] == '\'' || text[i - 1] == '(')) {
    --i;
    ++skipped;
  }
  size_t end = i;
  while (i > 0 && is_alpha(text[i - 1]) && end - i < cap) --i;
  size_t len = end - i;
  for (size_t k = 0; k < len; ++k) buf[k] = lower(text[i + k]);
  return {buf, len};
}

bool version_word(std::string_view w) {
  static constexpr std::string_view kWords[] = {"v", "ver", "version", "release", "build", "rev", "revision",
                                                "firmware", "fw", "kernel", "sdk", "agent", "tag"};
  for (auto k : kWords) {
    if (w == k) return true;
  }
  return false;
}

bool version_key(std::string_view key) {
  return contains_ci(key, "version") || key == "ver" || key == "v" || contains_ci(key, "build") ||
         contains_ci(key, "release");
}

bool ipv4_ok(std::string_view text, Candidate& c, std::string_view key) {
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  unsigned octet = 0, digits = 0;
  bool leading_zero = false;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (digits == 0 || octet > 255 || (leading_zero && digits > 1)) return false;
      octet = digits = 0;
      leading_zero = false;
      continue;
    }
    if (digits == 0) leading_zero = (s[i] == '0');
    octet = octet * 10 + static_cast<unsigned>(s[i] - '0');
    ++digits;
  }
  if (c.begin > 0) {
    char b = text[c.begin - 1];
    if (is_word(b) || b == '.' || b == '-' || b == '+') return false;
    // Safari/17.1.2.3: a product's version, not an address (http://10.0.0.1 is).
    if (b == '/' && c.begin > 1 && is_alnum(text[c.begin - 2])) return false;
  }
  if (c.end < text.size()) {
    char a = text[c.end];
    if (is_word(a)) return false;
    if ((a == '.' || a == '-' || a == '+') && c.end + 1 < text.size() &&
        (is_alnum(text[c.end + 1]))) {
      return false;  // 1.2.3.4.5, 1.2.3.4-rc1, 1.2.3.4+build7
    }
  }
  char buf[16];
  if (version_word(word_before(text, c.begin, buf, sizeof buf))) return false;
  if (!key.empty() && version_key(key)) return false;
  return true;
}

bool ipv6_ok(std::string_view text, Candidate& c) {
  // A trailing ':' (fe80::1: in a sentence) is punctuation.
  while (c.end > c.begin && text[c.end - 1] == ':' && !(c.end - c.begin >= 2 && text[c.end - 2] == ':')) --c.end;
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  if (s.size() < 3 || s.size() > 45) return false;
  if (c.begin > 0) {
    char b = text[c.begin - 1];
    if (is_word(b) || b == ':' || b == '.') return false;
  }
  if (c.end < text.size()) {
    char a = text[c.end];
    if (is_word(a) || a == ':') return false;
  }
  size_t groups = 0, longest = 0, len = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ':') {
      if (len) ++groups;
      longest = std::max(longest, len);
      len = 0;
    } else {
      ++len;
    }
  }
  // std::string's "::", "a::b": code, not an address; ::1 is the loopback.
  if (groups < 2) return false;
  if (groups < 8 && longest < 3) return false;
  char buf[64];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  unsigned char addr[16];
  return inet_pton(AF_INET6, buf, addr) == 1;
}

bool card_iin_ok(std::string_view d) {
  auto prefix = [&](size_t n) {
    unsigned v = 0;
    for (size_t i = 0; i < n && i < d.size(); ++i) v = v * 10 + static_cast<unsigned>(d[i] - '0');
    return v;
  };
  const size_t len = d.size();
  unsigned p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4);
  if (p1 == 4) return len == 13 || len == 16 || len == 19;                             // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return len == 16;         // Mastercard
  if (p2 == 34 || p2 == 37) return len == 15;                                          // Amex
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return len >= 16;           // Discover
  if (p4 >= 3528 && p4 <= 3589) return len >= 16;                                      // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) return len >= 14 && len <= 16;  // Diners
  if (p2 == 62) return len >= 16;                                                      // UnionPay
  return false;
}

bool card_ok(std::string_view text, Candidate& c) {
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  char digits[24];
  size_t nd = 0;
  char sep = 0;
  unsigned groups[6];
  size_t ng = 0;
  unsigned glen = 0;
  for (char ch : s) {
    if (is_digit(ch)) {
      if (nd >= sizeof digits) return false;
      digits[nd++] = ch;
      ++glen;
    } else {
      if (sep && ch != sep) return false;  // 4111 1111-1111 1111: not one number
      sep = ch;
      if (ng >= 5) return false;
      groups[ng++] = glen;
      glen = 0;
    }
  }
  groups[ng++] = glen;
  if (nd < 13 || nd > 19) return false;
  if (ng == 1) {
    if (nd > 16) return false;  // a bare 19-digit run is an id or a nanosecond time
  } else {
    bool layout = (ng == 4 && groups[0] == 4 && groups[1] == 4 && groups[2] == 4 && groups[3] == 4) ||
                  (ng == 3 && groups[0] == 4 && groups[1] == 6 && (groups[2] == 5 || groups[2] == 4));
    if (!layout) return false;
  }
  if (c.begin > 0) {
    char b = text[c.begin - 1];
    if (is_word(b) || b == '.' || b == '-' || b == '/' || b == '+' || b == ',') return false;
  }
  if (c.end < text.size()) {
    char a = text[c.end];
    if (is_word(a) || a == '-') return false;
    if ((a == '.' || a == ',') && c.end + 1 < text.size() && is_digit(text[c.end + 1])) return false;
  }
  std::string_view d(digits, nd);
  return card_iin_ok(d) && luhn_ok(d);
}

bool email_ok(std::string_view text, Candidate& c) {
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  size_t at = s.find('@');
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.empty() || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  if (c.begin > 0) {
    char b = text[c.begin - 1];
    // ssh://git@github.com/...: a URL's user name, not an address.
    if (b == '.' || b == '-' || b == '+' || b == '%' || b == '/') return false;
  }
  if (c.end < text.size()) {
    char a = text[c.end];
    if (is_word(a) || a == '-' || a == '@') return false;
    if (a == '.' && c.end + 1 < text.size() && is_alnum(text[c.end + 1])) return false;
  }
  size_t dot = domain.rfind('.');
  std::string_view tld = domain.substr(dot + 1);
  // logo@2x.png, bundle@1.2.3.tgz: file names, not addresses.
  static constexpr std::string_view kFileExtensions[] = {
      "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "mjs", "map", "json", "html",
      "htm", "txt", "log", "zip", "gz", "tgz", "tar", "jar", "pdf", "xml", "yaml", "yml", "md", "py", "rb"};
  char buf[32];
  if (tld.size() >= sizeof buf) return false;
  for (size_t i = 0; i < tld.size(); ++i) buf[i] = lower(tld[i]);
  std::string_view t(buf, tld.size());
  for (auto ext : kFileExtensions) {
    if (t == ext) return false;
  }
  return true;
}

bool phone_ok(std::string_view text, Candidate& c) {
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  char digits[20];
  size_t nd = 0;
  for (char ch : s) {
    if (is_digit(ch)) {
      if (nd >= sizeof digits) return false;
      digits[nd++] = ch;
    }
  }
  if (c.begin > 0) {
    char b = text[c.begin - 1];
    if (is_word(b) || b == '.' || b == '-' || b == '+' || b == '/' || b == '#' || b == ':') return false;
  }
  if (c.end < text.size()) {
    char a = text[c.end];
    if (is_word(a)) return false;
    if ((a == '.' || a == '-' || a == '/' || a == ':') && c.end + 1 < text.size() && is_digit(text[c.end + 1])) {
      return false;
    }
  }
  if (s[0] == '+') return nd >= 8 && nd <= 15;
  // (415) 555-0132, 415-555-0132: the North American plan's shape.
  return nd == 10 && digits[0] >= '2' && digits[3] >= '2';
}

bool url_password_ok(std::string_view, Candidate&) { return true; }

bool token_ok(std::string_view text, Candidate& c) {
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  if (s.size() < 12) return false;
  bool digit = false, alpha = false;
  for (char ch : s) {
    digit |= is_digit(ch);
    alpha |= is_alpha(ch);
  }
  return digit && alpha;  // "Bearer authentication failed" is prose
}

bool basic_ok(std::string_view text, Candidate& c) {
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  if (c.end < text.size() && is_word(text[c.end])) return false;
  if (s.size() % 4 != 0 || s.size() > 1024) return false;
  std::string decoded;
  if (!decode_base64(s, decoded)) return false;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  for (unsigned char ch : decoded) {
    if (ch < 0x20 || ch == 0x7f) return false;
  }
  return true;
}

int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

bool jwt_match_ok(std::string_view text, Candidate& c) {
  if (c.begin > 0) {
    char b = text[c.begin - 1];
    if (is_word(b) || b == '-' || b == '.') return false;
  }
  if (c.end < text.size()) {
    char a = text[c.end];
    if (is_word(a) || a == '-') return false;
  }
  return jwt_ok(text.substr(c.begin, c.end - c.begin));
}

bool key_id_ok(std::string_view text, Candidate& c) {
  if (c.begin > 0 && is_alnum(text[c.begin - 1])) return false;
  if (c.end < text.size() && is_word(text[c.end])) return false;
  return true;
}

bool gcp_ok(std::string_view text, Candidate& c) {
  if (c.begin > 0 && is_word(text[c.begin - 1])) return false;
  if (c.end < text.size() && (is_word(text[c.end]) || text[c.end] == '-')) return false;
  return true;
}

bool secret40_ok(std::string_view text, Candidate& c) {
  std::string_view s = text.substr(c.begin, c.end - c.begin);
  if (c.end < text.size()) {
    char a = text[c.end];
    if (is_alnum(a) || a == '/' || a == '+' || a == '=') return false;
  }
  bool digit = false, up = false, low = false;
  for (char ch : s) {
    digit |= is_digit(ch);
    up |= (ch >= 'A' && ch <= 'Z');
    low |= (ch >= 'a' && ch <= 'z');
  }
  return digit && up && low;
}

bool any_ok(std::string_view, Candidate&) { return true; }

using Validator = bool (*)(std::string_view text, Candidate& c);

}  // namespace

bool luhn_ok(std::string_view digits) {
  unsigned sum = 0;
  bool dbl = false;
  for (size_t i = digits.size(); i-- > 0;) {
    unsigned d = static_cast<unsigned>(digits[i] - '0');
    if (d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return !digits.empty() && sum % 10 == 0;
}

bool jwt_ok(std::string_view token) {
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return false;
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return false;
  std::string_view segs[3] = {token.substr(0, dot1), token.substr(dot1 + 1, dot2 - dot1 - 1),
                              token.substr(dot2 + 1)};
  for (auto seg : segs) {
    for (char ch : seg) {
      if (b64url_value(ch) < 0) return false;
    }
    if (seg.size() % 4 == 1) return false;  // no base64url text has that length
  }
  if (segs[0].size() < 8 || segs[1].size() < 4) return false;
  // The header is a JSON object naming its algorithm.
  std::string header;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : segs[0].substr(0, std::min<size_t>(segs[0].size(), 400))) {
    acc = (acc << 6) | static_cast<uint32_t>(b64url_value(ch));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      header.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return !header.empty() && header[0] == '{' && header.find("\"alg\"") != std::string::npos;
}

// One RE2 of a detector, with the group that is the match (0: all of it)
// and the validator that must agree.
struct Sub {
  std::unique_ptr<RE2> re;
  int group = 0;
  Validator validate = any_ok;
  bool ipv4 = false;  // validated with the member name's context
};

struct DetectorSet::Rule {
  std::string name;
  Builtin builtin = Builtin::count;
  std::vector<Sub> subs;
};

struct DetectorSet::Impl {
  std::unique_ptr<RE2::Set> custom_set;  // more than one custom pattern: which to run
  size_t custom_count = 0;
  Gate enabled = 0;
};

const std::vector<std::string>& builtin_names() {
  static const std::vector<std::string> names = {"private_key", "jwt",  "url_password", "bearer", "basic",
                                                 "aws",         "gcp",  "azure",        "card",   "email",
                                                 "ipv6",        "ipv4", "phone"};
  return names;
}

namespace {

Sub sub(std::string_view pattern, int group, Validator v) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  Sub s;
  s.re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), o);
  if (!s.re->ok()) throw std::logic_error("built-in detector regex: " + s.re->error());
  s.group = group;
  s.validate = v;
  return s;
}

void add_builtin_subs(Builtin b, std::vector<Sub>& subs) {
  switch (b) {
    case Builtin::private_key:
      subs.push_back(sub(R"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)", 0, any_ok));
      break;
    case Builtin::jwt:
      subs.push_back(sub(R"(eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)", 0, jwt_match_ok));
      break;
    case Builtin::url_password:
      subs.push_back(sub(R"([A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:"'<>]*:([^\s/?#@"'<>]+)@)", 1, url_password_ok));
      break;
    case Builtin::bearer:
      subs.push_back(sub(R"((?i)\bbearer(?:\s+|%20)([A-Za-z0-9._~+/-]+=*))", 1, token_ok));
      break;
    case Builtin::basic:
      subs.push_back(sub(R"((?i)\bbasic(?:\s+|%20)([A-Za-z0-9+/]{6,}={0,2}))", 1, basic_ok));
      break;
    case Builtin::aws:
      subs.push_back(sub(R"((?:AKIA|ASIA)[A-Z0-9]{16})", 0, key_id_ok));
      subs.push_back(sub(R"((?i)secret[a-z_]*["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40}))", 1, secret40_ok));
      break;
    case Builtin::gcp:
      subs.push_back(sub(R"(AIza[0-9A-Za-z_-]{35})", 0, gcp_ok));
      subs.push_back(sub(R"("?private_key_id"?\s*[:=]\s*"?([0-9a-f]{40})\b)", 1, any_ok));
      break;
    case Builtin::azure:
      subs.push_back(sub(R"((?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,}={0,2}))", 1, any_ok));
      subs.push_back(sub(R"([?&]sig=([A-Za-z0-9%+/]{20,}))", 1, any_ok));
      break;
    case Builtin::card:
      subs.push_back(sub(R"(\b(?:\d{13,19}|\d{4}[ -]\d{4,6}[ -]\d{4,5}(?:[ -]\d{4})?)\b)", 0, card_ok));
      break;
    case Builtin::email:
      subs.push_back(sub(R"([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24})",
                         0, email_ok));
      break;
    case Builtin::ipv6:
      subs.push_back(sub(R"((?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3})", 0, ipv6_ok));
      break;
    case Builtin::ipv4: {
      Sub s = sub(R"((?:[0-9]{1,3}\.){3}[0-9]{1,3})", 0, any_ok);
      s.ipv4 = true;
      subs.push_back(std::move(s));
      break;
    }
    case Builtin::phone:
      subs.push_back(sub(R"(\+[1-9][0-9]{7,14}|\+[1-9][0-9]{0,3}(?:[ .-]\(?[0-9]{1,4}\)?){2,5}|\([0-9]{3}\) ?[0-9]{3}[ .-][0-9]{4}|[0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4})",
                         0, phone_ok));
      break;
    case Builtin::count: break;
  }
}

}  // namespace

DetectorSet::DetectorSet(const std::vector<std::string>& names, const std::vector<CustomPattern>& custom)
    : impl_(std::make_unique<Impl>()) {
  const auto& all = builtin_names();
  for (const auto& n : names) {
    if (n == "all") {
      for (size_t i = 0; i < all.size(); ++i) impl_->enabled |= Gate{1} << i;
      continue;
    }
    auto it = std::find(all.begin(), all.end(), n);
    if (it == all.end()) {
      throw UsageError(fmt::format("--detect: unknown detector '{}' (known: all, {})", n, fmt::join(all, ", ")));
    }
    impl_->enabled |= Gate{1} << (it - all.begin());
  }
  RE2::Options o;
  o.set_log_errors(false);
  if (custom.size() > 1) impl_->custom_set = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
  for (const auto& c : custom) {
    Rule r;
    r.name = c.name;
    Sub s;
    s.re = std::make_unique<RE2>(c.regex, o);
    if (!s.re->ok()) throw UsageError(fmt::format("--pattern {}: {}", c.name, s.re->error()));
    s.group = s.re->NumberOfCapturingGroups() > 0 ? 1 : 0;
    r.subs.push_back(std::move(s));
    if (impl_->custom_set) {
      std::string error;
      if (impl_->custom_set->Add(c.regex, &error) < 0) throw UsageError(fmt::format("--pattern {}: {}", c.name, error));
    }
    rules_.push_back(std::move(r));
  }
  if (impl_->custom_set && !impl_->custom_set->Compile()) {
    throw UsageError("--pattern: the patterns together are too large for RE2");
  }
  impl_->custom_count = custom.size();
  for (size_t i = 0; i < all.size(); ++i) {
    if (!(impl_->enabled & (Gate{1} << i))) continue;
    Rule r;
    r.name = all[i];
    r.builtin = static_cast<Builtin>(i);
    add_builtin_subs(r.builtin, r.subs);
    rules_.push_back(std::move(r));
  }
}

DetectorSet::~DetectorSet() = default;

size_t DetectorSet::rule_count() const { return rules_.size(); }
bool DetectorSet::empty() const { return rules_.empty(); }
std::string_view DetectorSet::rule_name(size_t rule) const { return rules_[rule].name; }
Builtin DetectorSet::rule_builtin(size_t rule) const { return rules_[rule].builtin; }
bool DetectorSet::has(Builtin b) const { return impl_->enabled & bit(b); }

size_t DetectorSet::open_private_key_block(std::string_view text) {
  size_t begin = text.rfind("-----BEGIN ");
  if (begin == std::string_view::npos) return begin;
  size_t head_end = text.find("PRIVATE KEY-----", begin);
  if (head_end == std::string_view::npos) return std::string_view::npos;
  if (text.find("-----END ", head_end) != std::string_view::npos) return std::string_view::npos;
  return begin;
}

namespace {

// A private key block from its BEGIN line to the end of its END line (or
// of the text, when the block was cut off: it is still a secret).
void extend_private_key(std::string_view text, Candidate& c) {
  size_t end = text.find("-----END ", c.end);
  if (end == std::string_view::npos) {
    c.end = text.size();
    return;
  }
  size_t tail = text.find("PRIVATE KEY-----", end);
  c.end = tail == std::string_view::npos ? text.size() : tail + std::strlen("PRIVATE KEY-----");
}

bool overlaps(const std::vector<Match>& out, size_t from, size_t b, size_t e) {
  for (size_t i = from; i < out.size(); ++i) {
    if (b < out[i].end && out[i].begin < e) return true;
  }
  return false;
}

// The whole value is the secret when the member's name says so.
bool whole_value_secret(std::string_view text, std::string_view key, Builtin b) {
  if (key.empty()) return false;
  if (b == Builtin::aws) {
    if (text.size() != 40 || !contains_ci(key, "secret")) return false;
    for (char ch : text) {
      if (!is_alnum(ch) && ch != '/' && ch != '+') return false;
    }
    Candidate c{0, text.size()};
    return secret40_ok(text, c);
  }
  if (b == Builtin::gcp) {
    if (key != "private_key_id" || text.size() != 40) return false;
    for (char ch : text) {
      if (!is_digit(ch) && !(ch >= 'a' && ch <= 'f')) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

void DetectorSet::scan(std::string_view text, std::string_view key, std::vector<Match>& out) const {
  if (text.empty() || text.size() > UINT32_MAX) return;
  const size_t from = out.size();
  Gate gate = impl_->enabled ? (prefilter(text, key) & impl_->enabled) : 0;
  std::vector<int>* which = nullptr;
  thread_local std::vector<int> custom_hits;
  if (impl_->custom_set) {
    custom_hits.clear();
    if (!impl_->custom_set->Match(re2::StringPiece(text.data(), text.size()), &custom_hits)) custom_hits.clear();
    which = &custom_hits;
  }
  if (gate == 0 && impl_->custom_count == 0) return;
  re2::StringPiece input(text.data(), text.size());
  re2::StringPiece groups[2];
  for (size_t r = 0; r < rules_.size(); ++r) {
    const Rule& rule = rules_[r];
    if (rule.builtin == Builtin::count) {
      if (which && std::find(which->begin(), which->end(), static_cast<int>(r)) == which->end()) continue;
    } else if (!(gate & bit(rule.builtin))) {
      continue;
    }
    if (whole_value_secret(text, key, rule.builtin)) {
      if (!overlaps(out, from, 0, text.size())) out.push_back(Match{0, static_cast<uint32_t>(text.size()), static_cast<uint16_t>(r)});
      continue;
    }
    for (const Sub& s : rule.subs) {
      size_t pos = 0;
      while (pos <= text.size()) {
        if (!s.re->Match(input, pos, text.size(), RE2::UNANCHORED, groups, s.group + 1)) break;
        const re2::StringPiece whole = groups[0];
        const re2::StringPiece span = groups[s.group];
        size_t whole_end = static_cast<size_t>(whole.data() - text.data()) + whole.size();
        pos = whole.empty() ? whole_end + 1 : whole_end;
        if (span.data() == nullptr || span.empty()) continue;
        Candidate c{static_cast<size_t>(span.data() - text.data()), 0};
        c.end = c.begin + span.size();
        bool ok = s.ipv4 ? ipv4_ok(text, c, key) : s.validate(text, c);
        if (!ok) continue;
        if (rule.builtin == Builtin::private_key) {
          extend_private_key(text, c);
          pos = c.end;
        }
        if (overlaps(out, from, c.begin, c.end)) continue;
        out.push_back(Match{static_cast<uint32_t>(c.begin), static_cast<uint32_t>(c.end), static_cast<uint16_t>(r)});
      }
    }
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(),
            [](const Match& a, const Match& b) { return a.begin < b.begin; });
}

}  // namespace olly::redact
