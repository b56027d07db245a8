#include "sample/decide.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "core/diag.h"

namespace olly {

namespace {

bool parse_double(std::string_view text, double& out) {
  if (text.empty()) return false;
  std::string s(text);  // strtod needs a terminator; setup only
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// Hex digit values, 0x10 for anything else: a table, not branches, since the
// digits of random ids defeat branch prediction (olly sample --key trace_id).
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 0x10;
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<uint8_t>(c);
  for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<uint8_t>(10 + c);
  return t;
}();

}  // namespace

double parse_rate(std::string_view text, std::string_view flag) {
  double r = 0;
  if (!parse_double(text, r) || !std::isfinite(r) || r <= 0 || r > 1) {
    throw UsageError(fmt::format("{}: '{}' is not a rate: give a number above 0 and at most 1 (0.1 keeps one "
                                 "event in ten)", flag, text));
  }
  return r;
}

double parse_limit(std::string_view text, std::string_view flag, double& count_out) {
  auto slash = text.find('/');
  double n = 0;
  if (slash == std::string_view::npos || !parse_double(text.substr(0, slash), n) || !std::isfinite(n) || n <= 0) {
    throw UsageError(fmt::format("{}: '{}' is not a limit: give N/s, N/m, N/h or N/DURATION with N above 0 "
                                 "(100/s)", flag, text));
  }
  // "s" is "1s": a bare unit is one of it.
  std::string_view unit = text.substr(slash + 1);
  std::string per = !unit.empty() && std::isalpha(static_cast<unsigned char>(unit[0])) ? "1" : "";
  per.append(unit);
  auto ns = parse_duration(per);
  if (!ns || *ns <= 0) {
    throw UsageError(fmt::format("{}: '{}' has no period after the slash: give N/s, N/m, N/h or N/DURATION "
                                 "(100/s, 500/5m)", flag, text));
  }
  count_out = n;
  return n / static_cast<double>(*ns);
}

std::optional<bool> otel_trace_id_keep(std::string_view hex, uint64_t bound) {
  if (hex.size() != 32) return std::nullopt;
  uint64_t first = 0;
  uint8_t bad = 0;
  for (size_t i = 0; i < 32; ++i) {
    const uint8_t d = kHexValue[static_cast<unsigned char>(hex[i])];
    bad |= d;
    if (i < 16) first = (first << 4) | (d & 0xf);
  }
  if (bad & 0x10) return std::nullopt;
  return keep_draw(first, bound);
}

uint64_t key_hash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;  // FNV-1a 64 prime
  }
  return splitmix_finish(h);
}

}  // namespace olly
