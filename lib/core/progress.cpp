#include "core/progress.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/diag.h"

namespace olly {

namespace {

constexpr auto kTick = std::chrono::milliseconds(100);  // at most 10 redraws a second
constexpr std::string_view kEraseLine = "\r\x1b[K";

// The bytes left to read in the inputs; nullopt when one of them has no
// known size (a pipe, a terminal). A path that cannot be stat'ed counts 0:
// it is reported and skipped when opened.
std::optional<uint64_t> inputs_size(const std::vector<std::string>& paths) {
  uint64_t total = 0;
  for (const auto& path : paths) {
    struct stat st {};
    if (path == "-") {
      if (::fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
      off_t at = ::lseek(STDIN_FILENO, 0, SEEK_CUR);  // `< file` may start past its beginning
      total += static_cast<uint64_t>(st.st_size - (at > 0 && at <= st.st_size ? at : 0));
    } else if (::stat(path.c_str(), &st) == 0) {
      if (!S_ISREG(st.st_mode)) return std::nullopt;
      total += static_cast<uint64_t>(st.st_size);
    }
  }
  return total;
}

// Automatic mode: a person watches stderr, and stdout goes elsewhere.
bool terminal_wants_progress() {
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(STDERR_FILENO) == 1 && ::isatty(STDOUT_FILENO) != 1;
}

std::string format_duration(uint64_t seconds) {
  if (seconds >= 3600) return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

}  // namespace

std::string format_bytes(uint64_t n) {
  if (n < 1000) return fmt::format("{} B", n);
  static constexpr const char* kUnits[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(n) / 1000;
  size_t unit = 0;
  // 999.7 KB would print as "1000 KB": such a value is the next unit's 1.0.
  while (value >= 999.5 && unit + 1 < std::size(kUnits)) {
    value /= 1000;
    ++unit;
  }
  if (value < 9.95) return fmt::format("{:.1f} {}", value, kUnits[unit]);
  return fmt::format("{:.0f} {}", value, kUnits[unit]);
}

std::string progress_text(std::string_view tool, uint64_t done, std::optional<uint64_t> total, double seconds) {
  std::string text = fmt::format("{}: {}", tool, format_bytes(done));
  if (total) {
    // Ranges read a few bytes past their ends; never more than all.
    uint64_t percent = *total == 0 ? 100 : std::min<uint64_t>(100, done * 100 / *total);
    text += fmt::format(" of {} ({}%)", format_bytes(*total), percent);
  }
  if (seconds < 0.1 || done == 0) return text;
  double rate = static_cast<double>(done) / seconds;
  text += fmt::format("  {}/s", format_bytes(static_cast<uint64_t>(rate)));
  if (total && *total > done) {
    double eta = static_cast<double>(*total - done) / rate;
    if (eta < 100 * 3600) text += fmt::format("  ETA {}", format_duration(static_cast<uint64_t>(eta + 0.5)));
  }
  return text;
}

ProgressMeter& progress_meter() {
  static ProgressMeter meter;
  return meter;
}

void ProgressMeter::set_inputs(const std::vector<std::string>& paths) {
  if (mode_ == ProgressMode::off) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (decided_ && !running_) return;
  if (!decided_ && mode_ == ProgressMode::automatic && !terminal_wants_progress()) {
    decided_ = true;  // the usual case in scripts and tests: not even a stat
    return;
  }
  std::optional<uint64_t> total = inputs_size(paths);
  base_ = bytes_.load(std::memory_order_relaxed);
  total_ = total;
  start_ = std::chrono::steady_clock::now();
  if (decided_) return;  // running: the next tick shows these inputs
  decided_ = true;
  if (mode_ == ProgressMode::automatic && !total) return;  // a pipe: no total to measure against
  running_ = true;
  // Forced, the line shows from the start (automatic waits a tick, so that
  // a short run prints nothing).
  if (mode_ == ProgressMode::on) draw_locked();
  thread_ = std::thread([this] { run(); });
}

void ProgressMeter::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, kTick, [this] { return stop_; })) draw_locked();
}

void ProgressMeter::draw_locked() {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  uint64_t done = bytes_.load(std::memory_order_relaxed) - base_;
  std::string line(1, '\r');
  line += progress_text(tool_name(), done, total_, seconds);
  line += "\x1b[K";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

void ProgressMeter::erase_locked() {
  if (!shown_) return;
  std::fwrite(kEraseLine.data(), 1, kEraseLine.size(), stderr);
  std::fflush(stderr);
  shown_ = false;
}

void ProgressMeter::stop() {
  if (!running_) return;
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
  std::lock_guard<std::mutex> lock(mu_);
  erase_locked();
  running_ = false;
}

ProgressMeter::Pause::Pause(ProgressMeter& meter) {
  if (!meter.running_) return;
  meter_ = &meter;
  meter.mu_.lock();
  redraw_ = meter.shown_;
  meter.erase_locked();
}

ProgressMeter::Pause::~Pause() {
  if (!meter_) return;
  // Back under the message at once, rather than up to a tick later.
  if (redraw_ && meter_->running_ && !meter_->stop_) meter_->draw_locked();
  meter_->mu_.unlock();
}

}  // namespace olly
