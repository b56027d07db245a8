// The progress line on stderr for long runs (olly(7), --progress): bytes
// read of the inputs' total, MB/s and ETA, redrawn by a background thread
// every 100 ms and erased when the run ends or a diagnostic is printed.
//
// The readers add raw bytes per block read (LineReader: per read from the
// file, before decompression, so the total is the sum of the file sizes for
// .gz and .zst too; ChunkLineReader: per pread), never per line, so the
// meter costs nothing per record. A meter that is off only counts.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace olly {

// --progress (on), --no-progress (off), neither (automatic).
enum class ProgressMode { automatic, on, off };

class ProgressMeter {
 public:
  ProgressMeter() = default;
  ~ProgressMeter() { stop(); }
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  // Set once by run_tool from the flags; off until then (unit tests).
  void set_mode(ProgressMode mode) { mode_ = mode; }

  // The inputs now being read ("-" is stdin); called where reading starts
  // (LineReader, the planning of byte ranges). The first call decides
  // whether the meter runs: always when forced; automatically only when
  // stderr is a terminal (TERM not "dumb"), stdout is not one (the line
  // would mix with the output) and every input is a regular file. Each call
  // restarts the count against these inputs' total.
  void set_inputs(const std::vector<std::string>& paths);

  // Adds bytes read; any thread, relaxed (one call per block read).
  void add(uint64_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }

  // Ends the meter for the run: the thread is joined and the line erased.
  // Called before the end-of-run summary and --stats (RunContext::finish,
  // run_tool); later set_inputs calls do not restart it.
  void stop();

  // Erases the line (when drawn) and keeps it off while the caller writes to
  // stderr; it is drawn again below the message. Cheap when the meter is not
  // running.
  class Pause {
   public:
    explicit Pause(ProgressMeter& meter);
    ~Pause();
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;

   private:
    ProgressMeter* meter_ = nullptr;  // null when the meter was not running
    bool redraw_ = false;             // the line was on the terminal
  };

 private:
  void run();          // the background thread
  void draw_locked();  // mu_ held
  void erase_locked();

  std::atomic<uint64_t> bytes_{0};
  std::atomic<bool> running_{false};
  ProgressMode mode_ = ProgressMode::off;
  std::mutex mu_;  // guards what follows and the line on stderr
  std::condition_variable cv_;
  bool decided_ = false;
  bool stop_ = false;
  bool shown_ = false;  // the line is on the terminal now
  uint64_t base_ = 0;   // bytes_ when the current inputs were set
  std::optional<uint64_t> total_;
  std::chrono::steady_clock::time_point start_;
  std::thread thread_;
};

// The process's meter.
ProgressMeter& progress_meter();
inline void progress_add(uint64_t n) { progress_meter().add(n); }

// "412 MB", "1.2 GB", "870 B": decimal units, three significant digits at most.
std::string format_bytes(uint64_t n);
// The text of the line (without \r and erase codes), e.g.
// "olly-agg: 412 MB of 1.2 GB (34%)  380 MB/s  ETA 0:02". total unknown
// (a pipe): bytes and rate only. No rate or ETA before a tenth of a second.
std::string progress_text(std::string_view tool, uint64_t done, std::optional<uint64_t> total, double seconds);

}  // namespace olly
