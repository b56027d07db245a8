// Shared by the olly-correlate targets (fuzz_join, fuzz_traces,
// fuzz_sessionize, fuzz_sequence): the fuzz input becomes the NDJSON the
// sub-command reads, and the sub-command runs whole (run_join, run_traces,
// ...: the same code as the CLI) over it.
//
// Input layout: byte 0 picks the flags (Options below); the rest is lines.
// A line whose first byte is 0x01 or 0x02 is an event made from the bytes
// after it (Gen: random keys, times moving forward and back within and
// beyond --lateness, huge and negative times, missing and odd fields); 0x01
// and 0x02 are the left and right input of join, the same input elsewhere.
// A line of the single byte 0x03 sends the raw lines after it to join's
// right input. Any other line is passed as it is (so the tests/data NDJSON
// seeds and the dictionary's JSON fragments reach the parsers).
// Generated events carry kNumberKey: their index in Gen::events, where what
// they are (key, time) is kept for the targets' invariants (a name raw lines
// are unlikely to have).
#pragma once
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <simdjson.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diag.h"
#include "core/input.h"
#include "core/writer.h"
#include "correlate/correlate.h"
#include "fuzz_common.h"

namespace fuzz {

inline constexpr std::string_view kNumberKey = "fz_n_7f3a";

// The knobs byte 0 sets (each target maps them to its flags).
struct Options {
  uint8_t lateness;   // 0..3: 0s, 1s, 1m, 1h
  uint8_t window;     // 0..3: the target's --within / --idle / --gap choice
  bool small_pending; // --max-pending 4: the exit-3 path
  uint8_t mode;       // 0..3: the target's variant (join --inner/--left/--anti, ...)
  bool time_field;    // --time-field ts given (else the default candidates)
  static Options from(uint8_t b) {
    return Options{static_cast<uint8_t>(b & 3), static_cast<uint8_t>((b >> 2) & 3), (b & 16) != 0,
                   static_cast<uint8_t>((b >> 5) & 3), (b & 128) != 0};
  }
  const char* lateness_text() const {
    static const char* kLateness[] = {"0s", "1s", "1m", "1h"};
    return kLateness[lateness];
  }
};

// What a generated event was: its input, key (JSON text; empty when the
// key member is absent) and time (set only when known exactly).
struct GenEvent {
  int side = 0;
  std::string key;
  std::optional<int64_t> t;
};

class Gen {
 public:
  static constexpr int64_t kBase = 1767225600LL * 1000000000LL;  // 2026-01-01T00:00:00Z

  // Reads byte i of the current op (0 past its end).
  void start(std::string_view op) { op_ = op; }
  uint8_t byte(size_t i) const { return i < op_.size() ? static_cast<uint8_t>(op_[i]) : 0; }

  // The next event time's JSON text (empty: no member), moving the clock:
  // mostly small steps forward, some back (within and beyond --lateness),
  // some huge, negative, fractional or unreadable values.
  std::string time_json(uint8_t b, std::optional<int64_t>* value) {
    static const int64_t kMs = 1000000, kS = 1000 * kMs;
    static const int64_t kDelta[14] = {0,        kMs,       250 * kMs,  kS,          5 * kS,   45 * kS, 600 * kS,
                                       3 * 3600 * kS, -kMs, -500 * kMs, -5 * kS, -45 * kS, -600 * kS, -3 * 3600 * kS};
    const uint8_t pick = b & 15, sub = b >> 4;
    if (pick < 14) {
      now_ = sat(static_cast<__int128>(now_) + kDelta[pick]);
      return ns(now_, value);
    }
    if (pick == 14) {
      // An odd value that leaves the clock where it was.
      switch (sub) {
        case 0: return ns(INT64_MAX, value);
        case 1: return ns(INT64_MIN, value);
        case 2: *value = 0; return "0";  // epoch seconds 0
        case 3: *value = -5LL * kS; return "-5";
        case 4: return "1e300";
        case 5: *value = INT64_MAX; return "\"2262-04-11T23:47:16.854775807Z\"";
        case 6: *value = INT64_MIN; return "\"1677-09-21T00:12:43.145224192Z\"";
        case 7: return "\"not a time\"";
        case 8: return "";  // absent
        case 9: return "null";
        case 10: return "true";
        case 11: *value = 1500000000; return "1.5";  // epoch seconds
        case 12: return "9.3e18";
        case 13: return "-9.3e18";
        case 14: return "{\"s\":1}";
        default: *value = 0; return "\"1970-01-01T00:00:00Z\"";
      }
    }
    // The clock jumps: to the edges of int64, to 0, or back to the base.
    static const int64_t kJump[4] = {INT64_MAX - 1000 * kS, INT64_MIN + 1000 * kS, 0, kBase};
    now_ = kJump[sub & 3];
    return ns(now_, value);
  }

  // A key's JSON text (empty: no member): few distinct values, so events meet.
  static std::string key_json(uint8_t b) {
    if (b < 200) return "\"k" + std::to_string(b % 5) + "\"";
    switch (b % 8) {
      case 0: return "";
      case 1: return "null";
      case 2: return "1";
      case 3: return "\"1\"";
      case 4: return "\"\"";
      case 5: return "{\"a\":[1,\"k0\"]}";
      case 6: return "true";
      default: return "1.0";
    }
  }

  std::vector<GenEvent> events;

 private:
  static int64_t sat(__int128 v) {
    return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : static_cast<int64_t>(v);
  }
  static std::string ns(int64_t v, std::optional<int64_t>* value) {
    // Integers of 18 digits or more are read as nanoseconds (lib/time
    // time_from_epoch); nearer 0 the time goes as epoch seconds with nine
    // decimals, a double that may not read back to the nanosecond: the
    // model leaves that time unknown.
    const uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    if (mag >= 100'000'000'000'000'000ULL) {
      *value = v;
      return std::to_string(v);
    }
    return std::string(v < 0 ? "-" : "") + std::to_string(mag / 1000000000) + "." + pad9(mag % 1000000000);
  }
  static std::string pad9(uint64_t frac) {
    std::string s = std::to_string(frac);
    return std::string(9 - s.size(), '0') + s;
  }

  std::string_view op_;
  int64_t now_ = kBase;
};

// 1 and 1.0: the same key or not, the model does not say.
inline std::string canonical_key(const std::string& k) { return k == "1.0" ? "1" : k; }

// Splits text into lines (LF; the last may lack one).
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// How many records the runner reads from text (LF framing, one CR dropped,
// blank lines skipped).
inline uint64_t count_records(std::string_view text) {
  uint64_t n = 0;
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!olly::is_blank_line(line)) ++n;
  }
  return n;
}

// What a run wrote.
struct RunOutput {
  std::string out, errors;
  int status = 0;
  bool threw = false;  // InputError (--max-pending in traces and sessionize)
};

// While on, stderr goes to /dev/null: the bad-line summary olly prints at
// the end of every run would drown libFuzzer's log. Sanitizer reports go to
// the real stderr all along.
inline void quiet_stderr(bool on) {
  static const int real = [] {
    const int fd = dup(2);
    __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
    return fd;
  }();
  static const int null = open("/dev/null", O_WRONLY);
  dup2(on ? null : real, 2);
}

// Every record of text is one JSON document. join and sequence write input
// events as they read them, and olly does not validate what it does not
// read (olly(7)): their output is JSON when their input was.
inline bool all_json(std::string_view text) {
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!olly::is_blank_line(line) && !is_json(line)) return false;
  }
  return true;
}

// Runs fn (a run_* of lib/correlate) with --errors to a file of our own
// and stdout captured; output lines are checked to be JSON when out_json.
template <class Fn>
RunOutput run_capture(olly::CorrelateCommon& common, Fn&& fn, bool out_json = true) {
  take_stdout();
  TempFile errors("errors");
  common.common.errors_path = errors.path();
  RunOutput r;
  quiet_stderr(true);
  try {
    r.status = fn();
  } catch (const olly::InputError&) {
    r.threw = true;
  } catch (...) {
    quiet_stderr(false);  // anything else is a finding: let it be seen
    throw;
  }
  quiet_stderr(false);
  r.out = take_stdout();
  r.errors = errors.read();
  if (out_json) check_json_lines(r.out, "output line is not JSON");
  check_json_lines(r.errors, "--errors line is not JSON");
  return r;
}

// The number of a generated event's line (in the line's JSON), or -1.
inline int64_t event_number(simdjson::dom::element obj) {
  int64_t n;
  if (obj[kNumberKey].get_int64().get(n)) return -1;
  return n;
}

// The "raw" member of each --errors record, parsed (for the number of each).
template <class F>
void for_each_error_raw(std::string_view errors, F&& f) {
  simdjson::dom::parser p1, p2;
  for (std::string_view line : split_lines(errors)) {
    simdjson::dom::element rec = p1.parse(line.data(), line.size()).value();
    std::string_view raw;
    if (rec["raw"].get_string().get(raw)) continue;
    simdjson::dom::element ev;
    if (p2.parse(raw.data(), raw.size()).get(ev)) continue;
    f(ev);
  }
}

}  // namespace fuzz

namespace fuzz {

// The inputs the fuzz data describes (layout at the top): [0] left (or the
// one input), [1] right. make(gen, n, side) returns a generated event's line
// (gen.start() already pointed at the op's bytes) and records it.
template <class Make>
std::array<std::string, 2> build_inputs(std::string_view body, Gen& gen, Make&& make) {
  std::array<std::string, 2> in;
  int raw_side = 0;
  for (std::string_view line : split_lines(body)) {
    if (line == "\x03") {
      raw_side = 1;
      continue;
    }
    if (!line.empty() && (line[0] == '\x01' || line[0] == '\x02')) {
      const int side = line[0] - 1;
      gen.start(line.substr(1));
      GenEvent ev;
      ev.side = side;
      in[side] += make(gen, gen.events.size(), ev);
      in[side].push_back('\n');
      gen.events.push_back(std::move(ev));
    } else {
      in[raw_side].append(line);
      in[raw_side].push_back('\n');
    }
  }
  return in;
}

}  // namespace fuzz
