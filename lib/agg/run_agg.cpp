#include "agg/run_agg.h"

#include <fmt/format.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "chunks.h"
#include "diag.h"
#include "input.h"
#include "stage.h"

namespace olly {

namespace {

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// olly-agg over stdin or compressed input: one event at a time, windows
// written as event time closes them (so `tail -f | olly-agg ... every 1m` streams).
class AggStage final : public Stage {
 public:
  AggStage(Aggregator& agg, RunContext& ctx) : agg_(agg), ctx_(ctx) {}

  simdjson::error_code on_event(Event& ev, Emitter& out) override {
    Aggregator::Outcome outcome;
    if (auto e = agg_.add(*ev.doc, ev.raw, outcome)) return e;
    if (outcome != Aggregator::Outcome::ok) {
      --ctx_.stats().records_in;  // reported as a bad record instead
      ctx_.bad_record(ev.file, ev.line, Aggregator::reason(outcome, agg_.options()), ev.raw);
      return simdjson::SUCCESS;
    }
    agg_.emit_closed(out);
    return simdjson::SUCCESS;
  }
  void on_end(Emitter& out) override { agg_.emit_all(out); }

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
  std::unique_ptr<Aggregator> agg;
  std::vector<BadLine> bad;
  uint64_t records = 0;
  std::exception_ptr failure;
};

void finish_stats(Aggregator& agg, RunContext& ctx) {
  if (agg.options().plan.every_ns) ctx.add_stat("late", static_cast<int64_t>(agg.late_events()));
}

int run_parallel(AggOptions& opts, const AggRunOptions& run, RunContext& ctx, std::vector<FileChunk>& chunks,
                 const std::vector<uint64_t>& sizes) {
  const unsigned threads = std::max(1u, std::min<unsigned>(run.jobs, static_cast<unsigned>(chunks.size())));
  std::vector<Worker> workers(threads);
  for (auto& w : workers) {
    w.agg = std::make_unique<Aggregator>(opts);
    w.agg->set_hold_windows(true);
  }
  std::vector<uint64_t> chunk_lines(chunks.size(), 0);
  std::atomic<size_t> next_chunk{0};
  // Under --strict, chunks after the first one with a bad line are not started.
  std::atomic<size_t> stop_after{SIZE_MAX};
  const bool strict = ctx.options().strict;

  auto body = [&](Worker& w) {
    try {
      simdjson::ondemand::parser parser;
      simdjson::ondemand::document doc;
      ChunkLineReader reader;
      for (;;) {
        size_t c = next_chunk.fetch_add(1);
        if (c >= chunks.size() || c > stop_after.load()) break;
        const FileChunk& chunk = chunks[c];
        reader.open(run.files[chunk.file_index], chunk.begin, chunk.end);
        w.agg->reset_watermark();
        std::string_view line;
        size_t capacity;
        while (reader.next(line, capacity)) {
          if (line.empty() || is_blank(line)) continue;
          ++w.records;
          Aggregator::Outcome outcome = Aggregator::Outcome::ok;
          auto err = parser.iterate(line.data(), line.size(), capacity).get(doc);
          if (!err) err = w.agg->add(doc, line, outcome);
          if (err || outcome != Aggregator::Outcome::ok) {
            --w.records;
            w.bad.push_back(BadLine{c, reader.lines(),
                                    std::string(err ? simdjson::error_message(err) : Aggregator::reason(outcome, opts)),
                                    std::string(line)});
            if (strict) {
              size_t cur = stop_after.load();
              while (c < cur && !stop_after.compare_exchange_weak(cur, c)) {}
              break;
            }
          }
        }
        chunk_lines[c] = reader.lines();
        if (strict && !w.bad.empty()) break;
      }
    } catch (...) {
      w.failure = std::current_exception();
      stop_after.store(0);
    }
  };
  if (threads == 1) {
    body(workers[0]);
  } else {
    std::vector<std::thread> pool;
    for (auto& w : workers) pool.emplace_back(body, std::ref(w));
    for (auto& t : pool) t.join();
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

  Aggregator& total = *workers[0].agg;
  for (size_t i = 1; i < workers.size(); ++i) total.merge_from(*workers[i].agg);
  Emitter out(stdout_sink(), stats);
  total.emit_all(out);
  finish_stats(total, ctx);
  return ctx.finish(kExitOk);
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
    if (line.text.empty() || is_blank(line.text)) continue;
    ++stats.records_in;
    simdjson::dom::element doc;
    auto err = parser.parse(padded.set(line.text)).get(doc);
    if (err) {
      --stats.records_in;
      ctx.bad_record(line.file, line.number, simdjson::error_message(err), line.text);
      continue;
    }
    if (!agg) {
      // The plan comes from the first partial line unless AGG words were given.
      if (!plan_given) {
        simdjson::dom::array aggs, by;
        if (doc["aggs"].get_array().get(aggs) || doc["by"].get_array().get(by)) {
          --stats.records_in;
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
        --stats.records_in;
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
  if (plan_chunks(run.files, run.jobs, run.min_chunk, chunks, sizes)) {
    return run_parallel(opts, run, ctx, chunks, sizes);
  }
  Aggregator agg(opts);
  LineReader reader(run.files);
  AggStage stage(agg, ctx);
  drive_json(reader, ctx, stage);
  finish_stats(agg, ctx);
  return ctx.finish(kExitOk);
}

}  // namespace olly
