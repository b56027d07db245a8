#include "agg/run_agg.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "core/chunks.h"
#include "core/diag.h"
#include "core/input.h"
#include "core/stage.h"

namespace olly {

namespace {

// olly-agg over stdin or compressed input: one event at a time, windows
// written as event time closes them (so `tail -f | olly-agg ... every 1m` streams).
class AggStage final : public Stage {
 public:
  AggStage(Aggregator& agg, RunContext& ctx) : agg_(agg), ctx_(ctx) {}

  simdjson::error_code on_event(Event& ev, Emitter& out) override {
    Aggregator::Outcome outcome;
    if (auto e = agg_.add(*ev.doc, ev.raw, outcome)) return e;
    if (outcome == Aggregator::Outcome::late) {
      // A valid event, not a bad line: kept in --errors, reported at the end.
      ctx_.set_aside(ev.file, ev.line, Aggregator::reason(outcome, agg_.options()), ev.raw);
      return simdjson::SUCCESS;
    }
    if (outcome != Aggregator::Outcome::ok) {
      ctx_.bad_record(ev.file, ev.line, Aggregator::reason(outcome, agg_.options()), ev.raw);
      return simdjson::SUCCESS;
    }
    agg_.emit_closed(out);
    return simdjson::SUCCESS;
  }
  void on_end(Emitter& out) override { agg_.emit_all(out, ctx_.input_failed() && ctx_.stats().records_in == 0); }

 private:
  Aggregator& agg_;
  RunContext& ctx_;
};

struct BadLine {
  size_t chunk;
  uint64_t line_in_chunk;  // 1-based within the chunk
  std::string reason;
  std::string raw;
};

struct Worker {
  std::vector<BadLine> bad;
  uint64_t records = 0;
  std::exception_ptr failure;
};

// Ends the run. Late events were left out of the result: say how many and
// the --lateness that would have counted them, and exit 3 (data left out).
int finish_run(Aggregator& agg, RunContext& ctx) {
  if (!agg.options().plan.every_ns) return ctx.finish(kExitOk);
  const uint64_t late = agg.late_events();
  ctx.add_stat("late", static_cast<int64_t>(late));
  if (late == 0) return ctx.finish(kExitOk);
  ctx.add_note(fmt::format("{} late event{} not counted: {} window had been written; add --lateness {}", late,
                           late == 1 ? "" : "s", late == 1 ? "its" : "their",
                           format_duration(round_up_duration(agg.lateness_needed()))));
  return ctx.finish(kExitInput);
}

// Threads over fixed byte ranges of regular files. The ranges depend only on
// the input's size (never on -j), each range is aggregated into a fresh
// state, and the states are folded into the total strictly in input order,
// so -j N writes exactly what -j 1 writes: the same merges in the same
// order (first/last ties, stddev's last digits, top-K past capacity and
// --sort none's first-seen order included). A range that finished early
// waits for the fold; at most a few ranges per thread are held at once.
int run_parallel(AggOptions& opts, const AggRunOptions& run, RunContext& ctx, std::vector<FileChunk>& chunks,
                 const std::vector<uint64_t>& sizes) {
  const unsigned threads = std::max(1u, std::min<unsigned>(run.jobs, static_cast<unsigned>(chunks.size())));
  std::vector<Worker> workers(threads);
  std::vector<uint64_t> chunk_lines(chunks.size(), 0);
  std::atomic<size_t> next_chunk{0};
  // Under --strict, chunks after the first one with a bad line are not started.
  std::atomic<size_t> stop_after{SIZE_MAX};
  const bool strict = ctx.options().strict;

  Aggregator total(opts);
  total.set_hold_windows(true);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<Aggregator>> done(chunks.size());  // finished, not yet folded
  std::vector<std::unique_ptr<Aggregator>> pool;                  // folded, empty, reusable
  size_t next_fold = 0;
  bool folding = false;
  const size_t ahead = 2 * size_t{threads} + 1;  // chunks started past the fold, at most

  const auto stop = [&](size_t c) {
    size_t cur = stop_after.load();
    while (c < cur && !stop_after.compare_exchange_weak(cur, c)) {}
    std::lock_guard<std::mutex> lock(mu);
    cv.notify_all();
  };

  auto body = [&](Worker& w) {
    try {
      simdjson::ondemand::parser parser;
      simdjson::ondemand::document doc;
      ChunkLineReader reader;
      for (;;) {
        size_t c = next_chunk.fetch_add(1);
        if (c >= chunks.size() || c > stop_after.load()) break;
        std::unique_ptr<Aggregator> agg;
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return c < next_fold + ahead || c > stop_after.load(); });
          if (c > stop_after.load()) break;
          if (!pool.empty()) {
            agg = std::move(pool.back());
            pool.pop_back();
          }
        }
        if (!agg) {
          agg = std::make_unique<Aggregator>(opts);
          agg->set_hold_windows(true);
        }
        const FileChunk& chunk = chunks[c];
        reader.open(run.files[chunk.file_index], chunk.begin, chunk.end);
        std::string_view line;
        size_t capacity;
        bool stopped = false;
        while (reader.next(line, capacity)) {
          if (is_blank_line(line)) continue;
          ++w.records;
          Aggregator::Outcome outcome = Aggregator::Outcome::ok;
          auto err = parser.iterate(line.data(), line.size(), capacity).get(doc);
          if (!err) err = agg->add(doc, line, outcome);
          if (err || outcome != Aggregator::Outcome::ok) {
            w.bad.push_back(BadLine{c, reader.lines(),
                                    std::string(err ? simdjson::error_message(err) : Aggregator::reason(outcome, opts)),
                                    std::string(line)});
            if (strict) {
              stop(c);
              stopped = true;
              break;
            }
          }
        }
        chunk_lines[c] = reader.lines();
        if (stopped) break;
        // Hand the state over; whoever finds the fold free folds every state
        // that is next in input order.
        std::unique_lock<std::mutex> lock(mu);
        done[c] = std::move(agg);
        if (folding) continue;
        folding = true;
        while (next_fold < done.size() && done[next_fold]) {
          std::unique_ptr<Aggregator> a = std::move(done[next_fold]);
          lock.unlock();
          try {
            total.merge_from(*a);
          } catch (...) {
            lock.lock();
            folding = false;
            throw;
          }
          lock.lock();
          pool.push_back(std::move(a));
          ++next_fold;
          cv.notify_all();
        }
        folding = false;
      }
    } catch (...) {
      w.failure = std::current_exception();
      stop(0);
    }
  };
  if (threads == 1) {
    body(workers[0]);
  } else {
    std::vector<std::thread> pool_threads;
    for (auto& w : workers) pool_threads.emplace_back(body, std::ref(w));
    for (auto& t : pool_threads) t.join();
  }
  for (auto& w : workers) {
    if (w.failure) std::rethrow_exception(w.failure);
  }

  // Bad lines in input order, with line numbers counted from each file's start.
  std::vector<uint64_t> first_line(chunks.size(), 0);
  for (size_t c = 0; c < chunks.size(); ++c) {
    bool same_file = c > 0 && chunks[c - 1].file_index == chunks[c].file_index;
    first_line[c] = same_file ? first_line[c - 1] + chunk_lines[c - 1] : 0;
  }
  std::vector<const BadLine*> bad;
  for (auto& w : workers) {
    for (auto& b : w.bad) bad.push_back(&b);
  }
  std::sort(bad.begin(), bad.end(), [](const BadLine* a, const BadLine* b) {
    return a->chunk != b->chunk ? a->chunk < b->chunk : a->line_in_chunk < b->line_in_chunk;
  });
  Stats& stats = ctx.stats();
  for (auto& w : workers) stats.records_in += w.records;
  for (uint64_t s : sizes) stats.bytes_in += s;
  for (const BadLine* b : bad) {
    ctx.bad_record(run.files[chunks[b->chunk].file_index], first_line[b->chunk] + b->line_in_chunk, b->reason,
                   b->raw);
  }

  // Without --strict every range was folded; what is left (none) follows in order.
  for (; next_fold < done.size(); ++next_fold) {
    if (done[next_fold]) total.merge_from(*done[next_fold]);
  }
  Emitter out(stdout_sink(), stats);
  total.emit_all(out);
  return finish_run(total, ctx);
}

int run_merge(AggOptions& opts, const AggRunOptions& run, RunContext& ctx) {
  LineReader reader(run.files);
  OutputSink& sink = stdout_sink();
  Emitter out(sink, ctx.stats());
  simdjson::dom::parser parser;
  std::unique_ptr<Aggregator> agg;
  PaddedLine padded;
  Line line;
  std::string error;
  Stats& stats = ctx.stats();
  const bool plan_given = !opts.plan.aggs.empty();
  while (reader.next(line)) {
    if (is_blank_line(line.text)) continue;
    ++stats.records_in;
    simdjson::dom::element doc;
    auto err = parser.parse(padded.set(line.text)).get(doc);
    if (err) {
      ctx.bad_record(line.file, line.number, simdjson::error_message(err), line.text);
      continue;
    }
    if (!agg) {
      // The plan comes from the first partial line unless AGG words were given.
      if (!plan_given) {
        simdjson::dom::array aggs, by;
        if (doc["aggs"].get_array().get(aggs) || doc["by"].get_array().get(by)) {
          ctx.bad_record(line.file, line.number, "not an olly-agg partial state (write them with --partial)",
                         line.text);
          continue;
        }
        AggPlan plan;
        for (auto a : aggs) {
          std::string_view text;
          if (a.get_string().get(text)) throw InputError("--merge: \"aggs\" must hold strings");
          plan.aggs.push_back(parse_agg_spec(text, "--merge"));
        }
        for (auto b : by) {
          std::string_view text;
          if (b.get_string().get(text)) throw InputError("--merge: \"by\" must hold strings");
          plan.by.emplace_back(text);
        }
        std::string_view every;
        if (!doc["every"].get_string().get(every)) {
          plan.every_ns = parse_duration(every);
          if (!plan.every_ns) throw InputError(fmt::format("--merge: bad \"every\" '{}'", every));
          plan.every_text = std::string(every);
        }
        opts.plan.aggs = std::move(plan.aggs);
        opts.plan.by = std::move(plan.by);
        opts.plan.every_ns = plan.every_ns;
        opts.plan.every_text = plan.every_text;
      }
      agg = std::make_unique<Aggregator>(opts);
      agg->set_hold_windows(true);
    }
    switch (agg->add_partial(doc, error)) {
      case Aggregator::PartialResult::ok: break;
      case Aggregator::PartialResult::bad:
        ctx.bad_record(line.file, line.number, error, line.text);
        break;
      case Aggregator::PartialResult::mismatch:
        throw UsageError(fmt::format("--merge: {}:{}: {}", line.file, line.number, error));
    }
  }
  stats.bytes_in = reader.bytes_read();
  if (reader.open_failures() > 0) ctx.note_input_failure();
  if (agg) agg->emit_all(out);
  return ctx.finish(kExitOk);
}

}  // namespace

int run_agg(AggOptions& opts, const AggRunOptions& run, RunContext& ctx) {
  if (run.merge) return run_merge(opts, run, ctx);
  std::vector<FileChunk> chunks;
  std::vector<uint64_t> sizes;
  // Input that ends (regular files, compressed or not) holds every window
  // to the end, so the counts are those of the sorted input whatever the
  // order of its lines (several workers writing one log). A stream (pipe,
  // terminal) writes each window once event time passes its end plus
  // --lateness: `tail -f app.ndjson | olly agg count every 1m` streams.
  const bool hold_windows = inputs_are_regular_files(run.files);
  if (hold_windows && plan_agg_ranges(run.files, run.min_chunk, chunks, sizes)) {
    return run_parallel(opts, run, ctx, chunks, sizes);
  }
  Aggregator agg(opts);
  agg.set_hold_windows(hold_windows);
  LineReader reader(run.files);
  AggStage stage(agg, ctx);
  drive_json(reader, ctx, stage);
  return finish_run(agg, ctx);
}

}  // namespace olly
