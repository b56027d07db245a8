// Runs olly-parse's loops over a file as the tool does, for the parse
// targets: run_parse (or run_parse_parallel with jobs > 1), output captured.
#pragma once
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/input.h"
#include "core/run.h"
#include "core/stage.h"
#include "fuzz_common.h"
#include "parse/driver.h"

namespace fuzz {

struct ParseRun {
  std::string out, errors;
  olly::Stats stats;
  bool parallel = false;
  bool threw = false;  // InputError: a corrupt compressed stream (exit 3)
};

inline ParseRun parse_file(olly::parse::ParseOptions opts, const std::string& path, unsigned jobs = 1,
                           uint64_t block = 1 << 20) {
  using namespace olly;
  take_stdout();
  TempFile errors("errors");
  ParseRun r;
  {
    CommonOptions common;
    common.errors_path = errors.path();
    RunContext ctx(common);
    Emitter out(stdout_sink(), ctx.stats());
    try {
      if (jobs > 1) r.parallel = parse::run_parse_parallel({path}, jobs, block, ctx, out, opts);
      if (!r.parallel) {
        LineReader reader({path});
        auto format = parse::build_format(opts);
        parse::run_parse(reader, ctx, out, *format, opts);
      }
    } catch (const InputError&) {
      r.threw = true;
    }
    out.flush();
    r.stats = ctx.stats();
  }
  r.out = take_stdout();
  r.errors = errors.read();
  return r;
}

// What every parse run keeps: events are JSON objects (any JSON document
// for the json format, which passes arrays on: olly-parse(1)), --errors
// lines are JSON, and the counts match the lines written.
inline void check_parse_run(const ParseRun& r, std::string_view what) {
  const bool objects = what != "json";
  size_t start = 0;
  while (start < r.out.size()) {
    size_t nl = r.out.find('\n', start);
    if (nl == std::string::npos) fail(what, "output does not end in a newline");
    std::string_view line = std::string_view(r.out).substr(start, nl - start);
    if (objects ? !is_json_object(line) : !is_json(line)) fail("event is not a JSON object", line);
    start = nl + 1;
  }
  if (r.threw) return;  // output up to the error: counts may be mid-record
  FUZZ_CHECK(r.stats.records_out == count_lines(r.out), what);
  check_json_lines(r.errors, "--errors line is not JSON");
  FUZZ_CHECK(r.stats.errors == count_lines(r.errors), what);
}

// Non-blank lines of text as olly frames them (LF, one trailing CR dropped).
inline uint64_t nonblank_lines(std::string_view text) {
  uint64_t n = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!olly::is_blank_line(line)) ++n;
  }
  return n;
}

inline bool starts_compressed(std::string_view s) {
  return (s.size() >= 2 && s[0] == '\x1f' && s[1] == '\x8b') ||
         (s.size() >= 4 && s.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4));
}

}  // namespace fuzz
