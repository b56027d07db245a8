#include "core/runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>

#include "core/chunks.h"
#include "core/diag.h"
#include "core/input.h"

namespace olly {

namespace {

// A bad (or set-aside) line of a range, with where it fell in the range's output.
struct BadRecord {
  Result::Kind kind = Result::Kind::bad;
  uint64_t line = 0;     // within the range, from 1
  size_t at = 0;         // output offset: the events before it end here
  size_t fixups = 0;     // line-number fixups before it
  uint64_t events = 0;   // records written before it in the range
  uint64_t records = 0;  // records read up to and including it
  std::string reason, raw;
};

// One range's work: the stage clone that ran it, its output and bad lines.
// A slot is filled by one worker at a time and written out by the caller.
struct Slot {
  std::unique_ptr<Stage> stage;
  OutputSink sink{-1};
  Stats stats;
  std::vector<Emitter::LineFixup> fixups;
  Emitter out{sink, stats, fixups};
  std::vector<BadRecord> bad;
  size_t bad_used = 0;  // bad[0, bad_used) are this range's (the rest are reused storage)
  std::vector<uint64_t> records_at;  // with an output limit: records read when each output line was written
  uint64_t records = 0, lines = 0;
  uint64_t too_long = 0;  // the range-relative line that passed the line cap (0: none)
  size_t max_line = 0;
  std::exception_ptr failure;
  bool ready = false;
};

// A worker thread's reader and parser (reused from range to range).
class RangeReader {
 public:
  explicit RangeReader(bool json) : json_(json) {}

  void run(const std::string& path, size_t file_index, const FileChunk& range, bool strict, Slot& slot) {
    slot.sink.buffer().clear();
    slot.stats = Stats{};
    slot.fixups.clear();
    slot.records_at.clear();
    slot.bad_used = 0;
    slot.records = slot.lines = slot.too_long = 0;
    Stage& stage = *slot.stage;
    const bool limited = stage.output_limit() >= 0;
    Event ev{};
    ev.file = path;
    ev.file_index = file_index;
    reader_.open(path, range.begin, range.end);
    std::string_view line;
    size_t capacity;
    try {
      // done() is asked only of a stage with an output limit (filter --limit): one virtual call less per line.
      while (!(limited && stage.done()) && reader_.next(line, capacity)) {
        if (is_blank_line(line) && !stage.wants_blank_lines()) continue;
        ++slot.records;
        ev.raw = line;
        ev.line = reader_.lines();
        ev.cr = reader_.cr();
        ev.offset = reader_.line_offset();
        const size_t mark = slot.out.mark();
        const uint64_t out_before = slot.stats.records_out;
        Result result;
        if (json_) {
          // The range's buffer holds SIMDJSON_PADDING bytes past the line: parsed in place.
          auto error = parser_.iterate(line.data(), line.size(), capacity).get(doc_);
          ev.doc = &doc_;
          result = error ? Result::bad(error) : stage.on_event(ev, slot.out);
        } else {
          result = stage.on_event(ev, slot.out);
        }
        if (limited) {
          // olly filter --limit N -j M: where each output line's record was, to cut at the Nth.
          for (uint64_t k = out_before; k < slot.stats.records_out; ++k) slot.records_at.push_back(slot.records);
        }
        if (result.is_ok()) continue;
        if (result.kind() == Result::Kind::bad) {
          slot.out.rollback(mark);
          stage.on_bad_line(ev, result.reason());
        }
        if (slot.bad_used == slot.bad.size()) slot.bad.emplace_back();
        BadRecord& bad = slot.bad[slot.bad_used++];
        bad.kind = result.kind();
        bad.line = ev.line;
        bad.at = slot.sink.buffer().size();
        bad.fixups = slot.fixups.size();
        bad.events = slot.stats.records_out;
        bad.records = slot.records;
        bad.reason.assign(result.reason());
        bad.raw.assign(line);
        // --strict ends the run at this line: the clone's state must stop here too.
        if (strict && result.kind() == Result::Kind::bad) break;
      }
    } catch (const ChunkLineTooLong& e) {
      slot.too_long = e.line;
      slot.max_line = e.max_line;
    }
    slot.lines = reader_.lines();
  }

 private:
  bool json_;
  ChunkLineReader reader_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
};

class ParallelRun {
 public:
  ParallelRun(const std::vector<std::string>& files, std::vector<FileChunk> ranges, unsigned threads,
              RunContext& ctx, Stage& stage, bool json)
      : files_(files), ranges_(std::move(ranges)), threads_(threads), slots_(threads * 3), ctx_(ctx),
        stage_(stage), json_(json), strict_(ctx.options().strict), limit_(stage.output_limit()) {
    for (auto& slot : slots_) slot.stage = stage.clone();
  }

  void run() {
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < threads_; ++i) pool.emplace_back([this] { work(); });
    try {
      write_in_order();
    } catch (...) {
      stop();
      for (auto& t : pool) t.join();
      throw;
    }
    stop();  // --limit may end the run before every range is read
    for (auto& t : pool) t.join();
  }

 private:
  void work() {
    RangeReader reader(json_);
    for (;;) {
      size_t k = next_.fetch_add(1);
      if (k >= ranges_.size()) return;
      Slot& slot = slots_[k % slots_.size()];
      {
        std::unique_lock lock(mu_);
        // Wait until range k - slots is written and its slot free.
        cv_.wait(lock, [&] { return stopped_ || k < written_ + slots_.size(); });
        if (stopped_) return;
      }
      try {
        const FileChunk& range = ranges_[k];
        reader.run(files_[range.file_index], range.file_index, range, strict_, slot);
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
    uint64_t first_line = 0;  // line number before the range's first, in its file
    uint64_t bytes = 0;
    for (size_t k = 0; k < ranges_.size(); ++k) {
      Slot& slot = slots_[k % slots_.size()];
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return slot.ready; });
      }
      if (slot.failure) std::rethrow_exception(slot.failure);
      if (k > 0 && ranges_[k - 1].file_index != ranges_[k].file_index) first_line = 0;
      const bool last = write_range(slot, files_[ranges_[k].file_index], first_line);
      bytes += ranges_[k].end - ranges_[k].begin;
      first_line += slot.lines;
      {
        std::lock_guard lock(mu_);
        slot.ready = false;
        written_ = k + 1;
      }
      cv_.notify_all();
      if (last) break;
    }
    // As parse and agg always had it: the bytes of the ranges read, once they are all written.
    ctx_.stats().bytes_in += bytes;
  }

  // Output and bad records interleaved as a serial run has them, so that
  // --strict stops after exactly the output before the first bad record.
  // True when the run ends with this range (--limit reached).
  bool write_range(Slot& slot, const std::string& file, uint64_t first_line) {
    Stats& stats = ctx_.stats();
    const uint64_t records_before = stats.records_in;
    std::string_view text(slot.sink.buffer());
    uint64_t events = slot.stats.records_out;
    uint64_t records = slot.records;
    size_t bad_count = slot.bad_used;
    bool last = false;
    if (limit_ >= 0 && stats.records_out + events >= static_cast<uint64_t>(limit_)) {
      // olly filter --limit N: a serial run stops right after the Nth line out.
      const uint64_t keep = static_cast<uint64_t>(limit_) - stats.records_out;
      size_t end = 0;
      for (uint64_t i = 0; i < keep; ++i) end = text.find('\n', end) + 1;
      text = text.substr(0, end);
      events = keep;
      records = keep > 0 ? slot.records_at[keep - 1] : 0;
      while (bad_count > 0 && slot.bad[bad_count - 1].events >= keep) --bad_count;
      last = true;
    }
    Span span{text, slot.fixups, first_line};
    uint64_t events_written = 0;
    for (size_t i = 0; i < bad_count; ++i) {
      const BadRecord& bad = slot.bad[i];
      write_span(span, bad.at, bad.events - events_written);
      events_written = bad.events;
      stats.records_in = records_before + bad.records;
      if (bad.kind == Result::Kind::set_aside) {
        ctx_.set_aside(file, first_line + bad.line, bad.reason, bad.raw);
        continue;
      }
      // The clone stopped at this line under --strict: what it did up to here is the run's.
      if (strict_) stage_.absorb(*slot.stage);
      ctx_.bad_record(file, first_line + bad.line, bad.reason, bad.raw);
    }
    write_span(span, text.size(), events - events_written);
    stats.records_in = records_before + records;
    stage_.absorb(*slot.stage);
    if (slot.too_long > 0 && !last) {
      throw InputError(fmt::format("{}:{}: line longer than {} bytes", file, first_line + slot.too_long,
                                   slot.max_line));
    }
    return last;
  }

  // A range's output, written piece by piece with its line numbers made the file's.
  struct Span {
    std::string_view text;
    const std::vector<Emitter::LineFixup>& fixups;
    uint64_t first_line;
    size_t at = 0, fixup = 0;
  };

  void write_span(Span& s, size_t to, uint64_t events) {
    OutputSink& sink = stdout_sink();
    for (; s.fixup < s.fixups.size() && s.fixups[s.fixup].at < to; ++s.fixup) {
      const Emitter::LineFixup& f = s.fixups[s.fixup];
      sink.write(s.text.substr(s.at, f.at - s.at));
      auto digits = fmt::format_int(s.first_line + f.line);
      sink.write(std::string_view(digits.data(), digits.size()));
      s.at = f.at;
    }
    sink.write_through(s.text.substr(s.at, to - s.at));
    s.at = to;
    ctx_.stats().records_out += events;
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
      next_.store(ranges_.size());
    }
    cv_.notify_all();
  }

  const std::vector<std::string>& files_;
  std::vector<FileChunk> ranges_;
  unsigned threads_;
  std::vector<Slot> slots_;
  RunContext& ctx_;
  Stage& stage_;
  bool json_, strict_;
  int64_t limit_;
  std::atomic<size_t> next_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t written_ = 0;
  bool stopped_ = false;
};

}  // namespace

unsigned default_jobs(unsigned jobs) { return jobs ? jobs : std::max(1u, std::thread::hardware_concurrency()); }

void add_runner_options(CLI::App& app, RunnerOptions& opts, const std::string& also_serial) {
  opts.jobs = 0;
  app.add_option("-j,--jobs", opts.jobs,
                 "Threads for regular files (default: the number of cores); the output is in input order "
                 "either way. stdin and compressed input" + also_serial + " are read by one thread")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_option("--block-size", opts.block, "Bytes a thread reads at a time (testing)")
      ->check(CLI::PositiveNumber)
      ->group("");
}

// A sample's ranges: many, so that what happens only for a few minutes of a
// day of logs is seen too (256: one range every 6 minutes of a day), each
// big enough to hold whole lines and read at speed (32 KiB at least: fewer
// ranges for a small sample). Each range costs a clone of the stage and its
// merge, which is what keeps them from being more.
uint64_t sample_pieces(uint64_t budget) { return std::clamp<uint64_t>(budget / (32 << 10), 1, 256); }

bool run_stage_in_ranges(const RunnerOptions& opts, RunContext& ctx, Stage& stage,
                         const std::function<void(bool parallel)>& on_start) {
  std::vector<FileChunk> ranges;
  std::vector<uint64_t> sizes;
  switch (stage.kind()) {
    case StageKind::serial: return false;
    case StageKind::map:
      if (opts.jobs < 2 || !plan_blocks(opts.files, opts.block, ranges, sizes) || ranges.size() < 2) return false;
      break;
    case StageKind::fold:
      // Every -j folds the same ranges in the same order, -j 1 included: the same result.
      if (opts.sample_bytes > 0) {
        if (!plan_sample_ranges(opts.files, opts.sample_bytes, sample_pieces(opts.sample_bytes), opts.min_fold_range,
                                ranges, sizes) ||
            ranges.empty()) {
          return false;
        }
      } else if (!plan_agg_ranges(opts.files, opts.min_fold_range, ranges, sizes) || ranges.empty()) {
        return false;
      }
      break;
  }
  const unsigned threads = static_cast<unsigned>(std::min<size_t>(opts.jobs, ranges.size()));
  if (on_start) on_start(true);
  ParallelRun(opts.files, std::move(ranges), threads, ctx, stage, opts.json).run();
  return true;
}

void run_stage(const RunnerOptions& opts, RunContext& ctx, Stage& stage,
               const std::function<void(bool parallel)>& on_start) {
  if (run_stage_in_ranges(opts, ctx, stage, on_start)) {
    Emitter out(stdout_sink(), ctx.stats());
    stage.on_end(out);
    return;
  }
  if (on_start) on_start(false);
  LineReader reader(opts.files);
  if (opts.json) {
    drive_json(reader, ctx, stage);
    return;
  }
  Emitter out(stdout_sink(), ctx.stats());
  run_serial_raw(reader, ctx, stage, out);
}

namespace {

// The serial runner: one line at a time, in input order. json: each line is
// parsed (a line that is not JSON is a bad record); else the stage reads
// ev.raw itself.
void run_serial(LineReader& reader, RunContext& ctx, Stage& stage, Emitter& out, bool json) {
  reader.set_before_read([&out] { out.flush(); });
  simdjson::ondemand::parser parser;
  PaddedLine padded;
  simdjson::ondemand::document doc;
  Line line;
  Stats& stats = ctx.stats();
  while (!stage.done() && reader.next(line)) {
    // Empty lines separate nothing in NDJSON; they are skipped, not errors.
    if (is_blank_line(line.text) && (json || !stage.wants_blank_lines())) continue;
    ++stats.records_in;  // bad ones included (see Stats)
    Event ev{line.text, line.number, line.file, line.file_index, nullptr, line.cr, line.offset};
    const size_t mark = out.mark();
    Result result;
    if (json) {
      auto error = parser.iterate(padded.set(line.text)).get(doc);
      ev.doc = &doc;
      result = error ? Result::bad(error) : stage.on_event(ev, out);
    } else {
      result = stage.on_event(ev, out);
    }
    if (result.is_ok()) continue;
    if (result.kind() == Result::Kind::set_aside) {
      ctx.set_aside(line.file, line.number, result.reason(), line.text);
      continue;
    }
    out.rollback(mark);
    // --stats when --strict stops here. Not for raw lines: olly-parse's
    // ranges (-j N) count their bytes only once all are written, and -j 1
    // must print the same --stats (tests/scripts/parse_jobs.sh).
    if (json) stats.bytes_in = reader.bytes_read();
    stage.on_bad_line(ev, result.reason());
    ctx.bad_record(line.file, line.number, result.reason(), line.text);
  }
  stats.bytes_in = reader.bytes_read();
  if (reader.open_failures() > 0) ctx.note_input_failure();
  stage.on_end(out);
}

}  // namespace

void run_serial_raw(LineReader& reader, RunContext& ctx, Stage& stage, Emitter& out) {
  run_serial(reader, ctx, stage, out, false);
}

void drive_json(LineReader& reader, RunContext& ctx, Stage& stage) {
  Emitter out(stdout_sink(), ctx.stats());
  run_serial(reader, ctx, stage, out, true);
}

}  // namespace olly
