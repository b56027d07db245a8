// olly-parse -j N: a line format over regular files, parsed by N threads.
//
// The files are cut into blocks of about a megabyte at line boundaries.
// Worker threads take blocks in order and parse each into its own buffer
// (events, and the bad records with the output offset where each fell);
// the calling thread writes the blocks out strictly in input order, so the
// output, the --errors file, the line numbers and --strict's stopping point
// are exactly those of a serial run. A ring of slots bounds how far the
// workers may run ahead, so memory stays a few blocks whatever the input.
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "core/chunks.h"
#include "parse/driver.h"

namespace olly::parse {

namespace {

struct BadRecord {
  uint64_t line = 0;        // within the block, from 1
  size_t at = 0;            // output offset: the events before it end here
  uint64_t events = 0;      // events written before it in the block
  uint64_t records = 0;     // records read up to and including it
  std::string reason, raw;
};

// One block's result, filled by a worker, written out by the caller.
struct Slot {
  std::string out;
  std::vector<BadRecord> bad;
  size_t bad_used = 0;      // bad[0, bad_used) are this block's (the rest are reused storage)
  uint64_t records = 0, events = 0, lines = 0;
  std::exception_ptr failure;
  bool ready = false;
};

// A worker's own format, output buffer and counters.
class BlockParser {
 public:
  BlockParser(std::unique_ptr<Format> format, const ParseOptions& opts)
      : format_(std::move(format)), sink_(-1), emitter_(sink_, stats_), writer_(emitter_, opts) {}

  void parse(const std::string& path, const FileChunk& block, Slot& slot) {
    sink_.buffer().clear();
    stats_.records_out = 0;
    slot.bad_used = 0;
    slot.records = 0;
    reader_.open(path, block.begin, block.end);
    std::string_view line;
    size_t capacity;
    while (reader_.next(line, capacity)) {
      if (is_blank_line(line)) continue;
      ++slot.records;
      writer_.set_record(line);
      reason_.clear();
      if (format_->parse(line, writer_, reason_)) continue;
      writer_.abandon();
      if (slot.bad_used == slot.bad.size()) slot.bad.emplace_back();
      BadRecord& bad = slot.bad[slot.bad_used++];
      bad.line = reader_.lines();
      bad.at = sink_.buffer().size();
      bad.events = stats_.records_out;
      bad.records = slot.records;
      bad.reason = reason_.empty() ? "does not fit the format" : reason_;
      bad.raw.assign(line);
    }
    slot.lines = reader_.lines();
    slot.events = stats_.records_out;
    // The slot takes the events; the sink keeps the slot's old buffer to reuse.
    slot.out.swap(sink_.buffer());
  }

 private:
  std::unique_ptr<Format> format_;
  OutputSink sink_;
  Stats stats_;
  Emitter emitter_;
  EventWriter writer_;
  ChunkLineReader reader_;
  std::string reason_;
};

class ParallelRun {
 public:
  ParallelRun(const std::vector<std::string>& files, std::vector<FileChunk> blocks, unsigned threads,
              RunContext& ctx, Emitter& out)
      : files_(files), blocks_(std::move(blocks)), slots_(threads * 3), ctx_(ctx), out_(out) {}

  void run(std::vector<std::unique_ptr<BlockParser>>& parsers) {
    std::vector<std::thread> pool;
    for (auto& p : parsers) pool.emplace_back([this, &p] { work(*p); });
    try {
      write_in_order();
    } catch (...) {
      stop();
      for (auto& t : pool) t.join();
      throw;
    }
    for (auto& t : pool) t.join();
  }

 private:
  void work(BlockParser& parser) {
    for (;;) {
      size_t k = next_.fetch_add(1);
      if (k >= blocks_.size()) return;
      Slot& slot = slots_[k % slots_.size()];
      {
        std::unique_lock lock(mu_);
        // Wait until block k - slots is written and its slot free.
        cv_.wait(lock, [&] { return stopped_ || k < written_ + slots_.size(); });
        if (stopped_) return;
      }
      try {
        parser.parse(files_[blocks_[k].file_index], blocks_[k], slot);
      } catch (...) {
        slot.failure = std::current_exception();
      }
      {
        std::lock_guard lock(mu_);
        slot.ready = true;
      }
      cv_.notify_all();
    }
  }

  void write_in_order() {
    uint64_t first_line = 0;  // line number before the block's first, in its file
    for (size_t k = 0; k < blocks_.size(); ++k) {
      Slot& slot = slots_[k % slots_.size()];
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return slot.ready; });
      }
      if (slot.failure) std::rethrow_exception(slot.failure);
      if (k > 0 && blocks_[k - 1].file_index != blocks_[k].file_index) first_line = 0;
      write_block(slot, files_[blocks_[k].file_index], first_line);
      first_line += slot.lines;
      {
        std::lock_guard lock(mu_);
        slot.ready = false;
        written_ = k + 1;
      }
      cv_.notify_all();
    }
  }

  // Events and bad records interleaved as a serial run has them, so that
  // --strict stops after exactly the events before the first bad record.
  void write_block(const Slot& slot, const std::string& file, uint64_t first_line) {
    std::string_view events(slot.out);
    size_t at = 0;
    uint64_t events_written = 0;
    Stats& stats = ctx_.stats();
    const uint64_t records_before = stats.records_in;
    for (size_t i = 0; i < slot.bad_used; ++i) {
      const BadRecord& bad = slot.bad[i];
      out_.lines(events.substr(at, bad.at - at), bad.events - events_written);
      at = bad.at;
      events_written = bad.events;
      stats.records_in = records_before + bad.records;
      ctx_.bad_record(file, first_line + bad.line, bad.reason, bad.raw);
    }
    out_.lines(events.substr(at), slot.events - events_written);
    stats.records_in = records_before + slot.records;
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
      next_.store(blocks_.size());
    }
    cv_.notify_all();
  }

  const std::vector<std::string>& files_;
  std::vector<FileChunk> blocks_;
  std::vector<Slot> slots_;
  RunContext& ctx_;
  Emitter& out_;
  std::atomic<size_t> next_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t written_ = 0;
  bool stopped_ = false;
};

}  // namespace

bool run_parse_parallel(const std::vector<std::string>& files, unsigned jobs, uint64_t block_size,
                        RunContext& ctx, Emitter& out, ParseOptions& opts,
                        const std::function<void()>& on_start) {
  if (jobs < 2 || !opts.multiline_start.empty()) return false;
  std::unique_ptr<Format> first = build_format(opts);
  if (!first->reads_lines_alone()) return false;
  std::vector<FileChunk> blocks;
  std::vector<uint64_t> sizes;
  if (!plan_blocks(files, block_size, blocks, sizes) || blocks.size() < 2) return false;
  const unsigned threads = static_cast<unsigned>(std::min<size_t>(jobs, blocks.size()));
  std::vector<std::unique_ptr<BlockParser>> parsers;
  parsers.push_back(std::make_unique<BlockParser>(std::move(first), opts));
  while (parsers.size() < threads) parsers.push_back(std::make_unique<BlockParser>(build_format(opts), opts));
  if (on_start) on_start();
  ParallelRun(files, std::move(blocks), threads, ctx, out).run(parsers);
  for (uint64_t s : sizes) ctx.stats().bytes_in += s;
  return true;
}

}  // namespace olly::parse
