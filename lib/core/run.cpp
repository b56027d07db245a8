#include "core/run.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <cmath>

#include "core/base64.h"
#include "core/diag.h"
#include "core/progress.h"

namespace olly {

RunContext::RunContext(const CommonOptions& opts)
    : opts_(opts), start_(std::chrono::steady_clock::now()) {
  if (!opts_.errors_path.empty()) {
    errors_ = std::fopen(opts_.errors_path.c_str(), "wb");
    if (!errors_) {
      throw UsageError(fmt::format("--errors: cannot create '{}': {}", opts_.errors_path,
                                   std::strerror(errno)));
    }
  }
}

RunContext::~RunContext() {
  if (errors_) std::fclose(errors_);
}

void RunContext::bad_record(std::string_view file, uint64_t line, std::string_view reason,
                            std::string_view raw) {
  ++stats_.errors;
  if (first_reason_.empty()) first_reason_ = fmt::format("{}: {}", location(file, line), reason);
  write_errors_record(file, line, reason, raw);
  if (opts_.strict) {
    // The run ends here: report, and print --stats, as finish() would.
    progress_meter().stop();
    stdout_sink().flush();
    if (errors_) std::fflush(errors_);
    print_error(fmt::format("{}: {} {}", location(file, line), reason, paint(Paint::error, "(stopped by --strict)")));
    print_stats();
    throw StrictStop{};
  }
}

void RunContext::set_aside(std::string_view file, uint64_t line, std::string_view reason, std::string_view raw) {
  write_errors_record(file, line, reason, raw);
}

void RunContext::write_errors_record(std::string_view file, uint64_t line, std::string_view reason,
                                     std::string_view raw) {
  if (errors_) {
    scratch_.clear();
    JsonBuilder b(scratch_);
    b.begin_object();
    b.field("file", file);
    b.field_int("line", static_cast<int64_t>(line));
    b.field("reason", reason);
    if (is_valid_utf8(raw)) {
      b.field("raw", raw);
    } else {
      // Not UTF-8: keep every byte recoverable.
      b.key("raw_base64");
      std::string encoded;
      append_base64(encoded, raw);
      b.string(encoded);
    }
    b.end_object();
    scratch_.push_back('\n');
    if (std::fwrite(scratch_.data(), 1, scratch_.size(), errors_) != scratch_.size()) {
      throw InputError(fmt::format("--errors: write to '{}' failed: {}", opts_.errors_path,
                                   std::strerror(errno)));
    }
  }
}

int RunContext::finish(int status) {
  progress_meter().stop();  // erased before the summary and --stats
  stdout_sink().flush();
  if (errors_) std::fflush(errors_);
  if (stats_.errors > 0 && !opts_.strict) {
    std::string skipped =
        paint(Paint::error, fmt::format("{} bad line{} skipped", stats_.errors, stats_.errors == 1 ? "" : "s"));
    if (errors_) {
      report("{} (first: {}); written to {}", skipped, first_reason_, opts_.errors_path);
    } else {
      report("{} (first: {}); use --errors FILE to keep them", skipped, first_reason_);
    }
  }
  for (const auto& note : notes_) report("{}", note);
  print_stats();
  if (input_failed_ && status == kExitOk) return kExitInput;
  if (input_failed_ && status == kExitFindings) return kExitInput;
  return status;
}

void RunContext::print_stats() {
  if (!opts_.stats) return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line;
  JsonBuilder b(line);
  b.begin_object();
  b.field("tool", tool_name());
  b.field_int("in", static_cast<int64_t>(stats_.records_in));
  b.field_int("out", static_cast<int64_t>(stats_.records_out));
  b.field_int("errors", static_cast<int64_t>(stats_.errors));
  b.field_int("bytes", static_cast<int64_t>(stats_.bytes_in));
  b.field_number("seconds", std::round(seconds * 1e6) / 1e6);
  b.field_number("records_per_s", seconds > 0 ? std::round(stats_.records_in / seconds) : 0.0);
  b.field_number("peak_rss_mb", std::round(peak_rss_mb() * 10) / 10);
  for (auto& [k, v] : extra_stats_) b.field_int(k, v);
  for (auto& [k, v] : extra_json_stats_) b.field_raw(k, v);
  b.end_object();
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

double peak_rss_mb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace olly
