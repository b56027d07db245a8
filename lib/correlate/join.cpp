#include "correlate/join.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/diag.h"
#include "core/input.h"
#include "core/run.h"
#include "core/stage.h"
#include "core/writer.h"
#include "correlate/join_state.h"
#include "expr/extract.h"
#include "expr/path.h"
#include "expr/timefield.h"
#include "group/group_key.h"
#include "sketch/hash.h"
#include "time/timeutil.h"
#include "expr/timerange.h"

namespace olly {

namespace {

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

void append_joined(std::string& out, std::string_view left, std::string_view as_key, std::string_view right) {
  left = trim_right(left);
  if (!left.empty() && left.back() == '}') left.remove_suffix(1);
  out.append(left);
  // An empty left object ({}) takes no comma.
  std::string_view body = trim_right(left);
  if (body.empty() || body.back() != '{') out.push_back(',');
  out.append(as_key);
  out.append(trim_right(right));
  out.push_back('}');
}

// ---------------------------------------------------------------- JoinState

JoinState::JoinState(JoinMode mode, int64_t within_ns, int64_t lateness_ns, std::string as_key)
    : mode_(mode), within_(within_ns), lateness_(lateness_ns) {
  append_json_string(as_key_, as_key);
  as_key_.push_back(':');
}

int JoinState::next_side() const {
  if (ended_[kLeft]) return ended_[kRight] ? -1 : kRight;
  if (ended_[kRight]) return kLeft;
  if (!started_[kLeft]) return kLeft;
  if (!started_[kRight]) return kRight;
  return latest_[kRight] < latest_[kLeft] ? kRight : kLeft;
}

bool JoinState::final_at(int side, TimeNs t) const {
  const int other = 1 - side;
  if (ended_[other]) return true;
  // Events of the other input still to come are at latest - lateness or
  // later (earlier ones are late): none can be within the window of t.
  return started_[other] && plus(t, within_) < minus(latest_[other], lateness_);
}

void JoinState::write_pair(std::string_view left, std::string_view right, Emitter& out) {
  ++pairs_;
  if (mode_ == JoinMode::anti) return;
  append_joined(out.buffer(), left, as_key_, right);
  out.commit();
}

void JoinState::add(int side, std::string_view key, uint64_t h, TimeNs t, std::string_view raw, Emitter& out) {
  const int other = 1 - side;
  if (!started_[side] || t > latest_[side]) latest_[side] = t;
  started_[side] = true;
  auto* entry = keys_.find_entry(key, h);
  if (entry == nullptr) {
    KeyState fresh;
    fresh.hash = h;
    keys_.insert(key, h, fresh);
    entry = &keys_.entries().back();
  } else if (entry->value.empty()) {
    --dead_keys_;
  }
  const uint32_t entry_index = static_cast<uint32_t>(entry - keys_.entries().data());
  bool matched = false;
  for (uint32_t i = entry->value.head[other]; i != kNone; i = slab_[i].next) {
    Held& h2 = slab_[i];
    // In uint64: times at both ends of int64 are further apart than INT64_MAX.
    const uint64_t apart = h2.t > t ? static_cast<uint64_t>(h2.t) - static_cast<uint64_t>(t)
                                    : static_cast<uint64_t>(t) - static_cast<uint64_t>(h2.t);
    if (apart > static_cast<uint64_t>(within_)) continue;
    matched = true;
    h2.matched = true;
    if (side == kLeft) {
      write_pair(raw, h2.text(), out);
    } else {
      write_pair(h2.text(), raw, out);
    }
  }
  raw = trim_right(raw);
  uint32_t index;
  if (free_held_.empty()) {
    index = static_cast<uint32_t>(slab_.size());
    slab_.emplace_back();
  } else {
    index = free_held_.back();
    free_held_.pop_back();
  }
  Held& held = slab_[index];
  held.t = t;
  held.raw = arena_.keep(raw, &held.chunk);
  held.raw_len = static_cast<uint32_t>(raw.size());
  held.next = kNone;
  held.matched = matched;
  KeyState& ks = entry->value;
  if (ks.tail[side] == kNone) {
    ks.head[side] = index;
  } else {
    slab_[ks.tail[side]].next = index;
  }
  ks.tail[side] = index;
  due_[side].push(Due{t, seq_++, index, entry_index});
  if (++held_count_ > held_peak_) held_peak_ = held_count_;
  // The other side's events may have become final by this event's time;
  // this one may be final already (the other input ended or is far ahead).
  evict(other, out);
  evict(side, out);
  maybe_compact();
}

void JoinState::end_side(int side, Emitter& out) {
  ended_[side] = true;
  evict(1 - side, out);
  evict(side, out);
  maybe_compact();
}

void JoinState::evict(int side, Emitter& out) {
  auto& due = due_[side];
  while (!due.empty() && final_at(side, due.top().t)) {
    const Due d = due.top();
    due.pop();
    KeyState& ks = keys_.entries()[d.entry].value;
    // Unlink it from its key's list (short: the key's events in the window).
    uint32_t prev = kNone;
    for (uint32_t i = ks.head[side]; i != d.held; i = slab_[i].next) prev = i;
    Held& h = slab_[d.held];
    if (prev == kNone) {
      ks.head[side] = h.next;
    } else {
      slab_[prev].next = h.next;
    }
    if (ks.tail[side] == d.held) ks.tail[side] = prev;
    on_final(side, h, out);
    arena_.release(h.chunk);
    free_held_.push_back(d.held);
    --held_count_;
    if (ks.empty()) ++dead_keys_;
  }
  // The next to go was held long ago (out of cache by now): its key and
  // slot start loading while the events before its time are added.
  if (!due.empty()) {
    const Due& next = due.top();
    __builtin_prefetch(&keys_.entries()[next.entry]);
    __builtin_prefetch(&slab_[next.held]);
  }
}

const char* JoinState::Arena::keep(std::string_view text, uint32_t* chunk) {
  if (current_ == kNone || chunks_[current_].used + text.size() > chunks_[current_].size) {
    // The current chunk is full: it goes once its last event does.
    if (current_ != kNone && chunks_[current_].live == 0) free_.push_back(current_);
    constexpr size_t kChunk = size_t{1} << 20;
    if (!free_.empty()) {
      current_ = free_.back();
      free_.pop_back();
    } else {
      current_ = static_cast<uint32_t>(chunks_.size());
      chunks_.emplace_back();
    }
    Chunk& c = chunks_[current_];
    if (c.size < text.size() || c.size == 0) {
      c.size = std::max(kChunk, text.size());
      c.data = std::make_unique<char[]>(c.size);
    }
    c.used = 0;
  }
  Chunk& c = chunks_[current_];
  char* p = c.data.get() + c.used;
  if (!text.empty()) std::memcpy(p, text.data(), text.size());
  c.used += text.size();
  ++c.live;
  *chunk = current_;
  return p;
}

void JoinState::Arena::release(uint32_t chunk) {
  Chunk& c = chunks_[chunk];
  if (--c.live == 0 && chunk != current_) {
    // A big chunk (one huge line) is not kept as it is.
    if (c.size > (size_t{1} << 20)) {
      c.data.reset();
      c.size = 0;
    }
    free_.push_back(chunk);
  }
}

void JoinState::maybe_compact() {
  if (dead_keys_ < 4096 || dead_keys_ * 3 < keys_.size() * 2) return;
  // The live keys go to the spare table, which keeps its memory from the
  // last time (no allocation, no fresh pages): room for three times them,
  // as the table holds about that many before the next compaction.
  GroupTable<KeyState>& live = spare_keys_;
  live.clear();
  live.reserve((keys_.size() - dead_keys_) * 3);
  moved_.assign(keys_.size(), UINT32_MAX);
  auto& entries = keys_.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].value.empty()) continue;
    moved_[i] = static_cast<uint32_t>(live.size());
    const uint64_t h = entries[i].value.hash;
    live.insert(std::move(entries[i]), h);
  }
  // Every due event's key is live; the heaps keep their order (by time, not index).
  for (auto& due : due_) due.for_each([&](Due& d) { d.entry = moved_[d.entry]; });
  std::swap(keys_, spare_keys_);
  dead_keys_ = 0;
}

void JoinState::on_final(int side, const Held& h, Emitter& out) {
  if (h.matched) return;
  ++unmatched_[side];
  if (side != kLeft) return;
  if (mode_ == JoinMode::left) {
    append_joined(out.buffer(), h.text(), as_key_, "null");
    out.commit();
  } else if (mode_ == JoinMode::anti) {
    out.line(h.text());
  }
}

// ------------------------------------------------------------------ the run

namespace {

// One of the two inputs: its reader and how its key and time are read.
struct JoinInput {
  JoinInput(const std::string& path, const std::string& key, std::string_view key_flag,
            const std::string& time_field, const TimeLayout& time_format)
      : reader({path}), key_name(key), time(time_field, extractor, time_format), time_format(time_format) {
    const Path key_path = parse_path_or_throw(key, key_flag);
    key_slot = extractor.add(key_path);
    no_key = fmt::format("no key field '{}'", key);
    if (time_field.empty()) {
      Path ts;
      std::string error;
      parse_path(kDefaultTimeFields[0], ts, error);
      quick_key_slot = quick.add(key_path);
      quick_ts_slot = quick.add(ts);
    }
  }

  // Reads the key and the time of doc into *key and *t (unset when absent).
  // Without --time-field, "ts" (the first default candidate, which decides
  // when present) is tried first with only the key: the walk then stops at
  // the last of the two instead of reading the whole object in search of
  // the other candidates; the full read runs only when ts is absent.
  simdjson::error_code read(simdjson::ondemand::document& doc, const Value** key, std::optional<TimeNs>* t) {
    if (quick_ts_slot != SIZE_MAX) {
      if (auto e = quick.extract(doc, quick_slots)) return e;
      if (quick_slots[quick_ts_slot].kind != Kind::missing) {
        *key = &quick_slots[quick_key_slot];
        *t = TimeFieldReader::from_value(quick_slots[quick_ts_slot], time_format);
        return simdjson::SUCCESS;
      }
      doc.rewind();
    }
    if (auto e = extractor.extract(doc, slots)) return e;
    *key = &slots[key_slot];
    *t = time.read(slots);
    return simdjson::SUCCESS;
  }

  LineReader reader;
  std::string key_name;
  FieldExtractor extractor;
  TimeFieldReader time;
  TimeLayout time_format;  // --time-format, --tz, --year
  size_t key_slot = 0;
  std::vector<Value> slots;
  std::string no_key;
  FieldExtractor quick;  // key and ts only (no --time-field)
  size_t quick_key_slot = SIZE_MAX;
  size_t quick_ts_slot = SIZE_MAX;
  std::vector<Value> quick_slots;
};

// One line of an input, read and parsed to its key and time: what the join
// loop needs of it. Its views point into the feed's current batch.
struct JoinRecord {
  std::string_view text;
  std::string_view file;
  uint64_t number = 0;
  uint64_t bytes_read = 0;   // the input's bytes read when this line was (--stats)
  std::string_view reason;   // why it is a bad record; empty when key and t are set
  std::string_view key;      // encoded (lib/group)
  uint64_t hash = 0;         // of key (sketch/hash.h)
  TimeNs t = 0;
};

// Reads one input and parses its lines to key and time. A file is read
// ahead on a thread of its own, in batches, so the two inputs are parsed on
// two cores while the join runs on the caller's thread, in the order it
// always reads them; standard input (whose reads may block, and which is
// never left open behind a stopped run) is read on the caller's thread.
class JoinFeed {
 public:
  JoinFeed(JoinInput& input, std::string_view no_time, bool ahead, std::function<void()> before_wait)
      : input_(input), no_time_(no_time), before_wait_(std::move(before_wait)) {
    if (!ahead) {
      input_.reader.set_before_read(before_wait_);
      return;
    }
    thread_ = std::thread([this] { read_ahead(); });
  }
  ~JoinFeed() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  JoinFeed(const JoinFeed&) = delete;
  JoinFeed& operator=(const JoinFeed&) = delete;

  // The next line that is not blank, or nullptr at the end of the input.
  // Throws the reader's InputError where the input failed.
  const JoinRecord* next() {
    if (!thread_.joinable()) {
      Batch& b = current_;
      b.clear();
      if (!fill_one(b)) return nullptr;
      return view(b, 0);
    }
    while (current_index_ >= current_.records.size()) {
      if (current_.end) {
        if (current_.error) std::rethrow_exception(std::exchange(current_.error, nullptr));
        return nullptr;
      }
      take_batch();
    }
    return view(current_, current_index_++);
  }
  // The key hash of the line next() returns next, when it is read already
  // (0 otherwise): for JoinState::prefetch.
  uint64_t next_hash() const {
    return current_index_ < current_.records.size() ? current_.records[current_index_].hash : 0;
  }

 private:
  struct Stored {
    uint32_t text_at, text_len, key_at, key_len;
    uint64_t number, bytes_read, hash;
    std::string_view reason;
    TimeNs t;
  };
  struct Batch {
    std::string bytes;
    std::vector<Stored> records;
    std::string_view file;
    bool end = false;
    std::exception_ptr error;
    void clear() {
      bytes.clear();
      records.clear();
      end = false;
      error = nullptr;
    }
  };
  static constexpr size_t kBatchBytes = size_t{1} << 18;
  static constexpr size_t kBatchLines = 2048;
  static constexpr size_t kQueued = 4;

  const JoinRecord* view(const Batch& b, size_t i) {
    const Stored& s = b.records[i];
    record_.text = std::string_view(b.bytes).substr(s.text_at, s.text_len);
    record_.key = std::string_view(b.bytes).substr(s.key_at, s.key_len);
    record_.file = b.file;
    record_.number = s.number;
    record_.bytes_read = s.bytes_read;
    record_.reason = s.reason;
    record_.t = s.t;
    record_.hash = s.hash;
    return &record_;
  }

  // Reads and parses one line into b; false at the end of the input.
  bool fill_one(Batch& b) {
    Line line;
    do {
      if (!input_.reader.next(line)) return false;
    } while (is_blank_line(line.text));
    b.file = line.file;
    Stored s{};
    s.number = line.number;
    s.bytes_read = input_.reader.bytes_read();
    s.text_at = static_cast<uint32_t>(b.bytes.size());
    s.text_len = static_cast<uint32_t>(line.text.size());
    b.bytes.append(line.text);
    auto error = parser_.iterate(padded_.set(line.text)).get(doc_);
    std::optional<TimeNs> t;
    const Value* key_value = nullptr;
    if (!error) error = input_.read(doc_, &key_value, &t);
    if (error) {
      s.reason = simdjson::error_message(error);
    } else if (key_value->is_nullish()) {
      s.reason = input_.no_key;
    } else if (!t) {
      s.reason = no_time_;
    } else {
      s.t = *t;
      key_.clear();
      append_key_part(key_, *key_value);
      s.key_at = static_cast<uint32_t>(b.bytes.size());
      s.key_len = static_cast<uint32_t>(key_.size());
      s.hash = hash_bytes(key_);
      b.bytes.append(key_);
    }
    b.records.push_back(s);
    return true;
  }

  void read_ahead() {
    for (;;) {
      Batch b;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || queue_.size() < kQueued; });
        if (stop_) return;
        if (!free_.empty()) {
          b = std::move(free_.back());
          free_.pop_back();
        }
      }
      b.clear();
      try {
        while (b.records.size() < kBatchLines && b.bytes.size() < kBatchBytes) {
          if (!fill_one(b)) {
            b.end = true;
            break;
          }
        }
      } catch (...) {
        b.error = std::current_exception();
        b.end = true;
      }
      const bool end = b.end;
      {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(b));
      }
      changed_.notify_all();
      if (end) return;
    }
  }

  void take_batch() {
    std::unique_lock lock(mutex_);
    if (queue_.empty()) {
      // Whatever is written so far goes out before waiting on the input.
      lock.unlock();
      before_wait_();
      lock.lock();
      changed_.wait(lock, [&] { return !queue_.empty(); });
    }
    free_.push_back(std::move(current_));
    current_ = std::move(queue_.front());
    queue_.pop_front();
    current_index_ = 0;
    lock.unlock();
    changed_.notify_all();
  }

  JoinInput& input_;
  std::string_view no_time_;
  std::function<void()> before_wait_;
  // The parse state: used by the reading thread only.
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
  PaddedLine padded_;
  std::string key_;
  // The batch being consumed, and the handoff.
  Batch current_;
  size_t current_index_ = 0;
  JoinRecord record_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  std::vector<Batch> free_;
  bool stop_ = false;
  std::thread thread_;
};

JoinMode join_mode(const JoinOptions& opts) {
  if (int(opts.inner) + int(opts.left) + int(opts.anti) > 1) {
    throw UsageError("join: --inner, --left and --anti exclude one another");
  }
  if (opts.left) return JoinMode::left;
  if (opts.anti) return JoinMode::anti;
  return JoinMode::inner;
}

}  // namespace

void add_join_options(CLI::App& app, JoinOptions& opts) {
  app.add_flag("--inner", opts.inner, "join: write matched pairs only (the default)");
  app.add_flag("--left", opts.left, "join: write every left event, with each match or with null");
  app.add_flag("--anti", opts.anti, "join: write the left events that have no match");
  app.add_option("--left-key", opts.left_key, "join: the key field of the left input (default --key)")
      ->type_name("FIELD");
  app.add_option("--right-key", opts.right_key, "join: the key field of the right input (default --key)")
      ->type_name("FIELD");
  app.add_option("--as", opts.as, "join: the member the right event is written under (default right)")
      ->type_name("NAME");
}

int run_join(const JoinOptions& opts, CorrelateCommon& common) {
  const JoinMode mode = join_mode(opts);
  if (common.args.size() != 2) {
    throw UsageError(fmt::format("join: give exactly two inputs, A and B (- for standard input), not {}",
                                 common.args.size()));
  }
  if (common.args[0] == "-" && common.args[1] == "-") {
    throw UsageError("join: only one of the two inputs can be - (standard input)");
  }
  const std::string& left_key = opts.left_key.empty() ? common.key : opts.left_key;
  const std::string& right_key = opts.right_key.empty() ? common.key : opts.right_key;
  if (left_key.empty() || right_key.empty()) {
    throw UsageError("join: --key (or --left-key and --right-key) is required");
  }
  const int64_t within = duration_or_throw(common.within, "--within", true);
  const int64_t lateness = duration_or_throw(common.lateness, "--lateness", true);
  const TimeLayout layout = resolve_time_layout(common.common);
  std::array<std::unique_ptr<JoinInput>, 2> in;
  in[0] = std::make_unique<JoinInput>(common.args[0], left_key, opts.left_key.empty() ? "--key" : "--left-key",
                                      common.common.time_field, layout);
  in[1] = std::make_unique<JoinInput>(common.args[1], right_key,
                                      opts.right_key.empty() ? "--key" : "--right-key", common.common.time_field, layout);
  const std::string no_time = common.common.time_field.empty()
                                  ? "no event time (ts, timestamp, time or @timestamp)"
                                  : "no event time in --time-field";

  RunContext ctx(common.common);
  Emitter out(stdout_sink(), ctx.stats());
  JoinState state(mode, within, lateness, opts.as);
  Stats& stats = ctx.stats();
  uint64_t late = 0;
  const TimeRange range = resolve_time_range(common.common);
  uint64_t out_of_range = 0;  // events outside --since/--until
  std::array<uint64_t, 2> bytes_read{0, 0};
  auto bytes = [&] { return bytes_read[0] + bytes_read[1]; };
  auto finish = [&](int code) {
    stats.bytes_in = bytes();
    for (auto& input : in) {
      if (input->reader.open_failures() > 0) ctx.note_input_failure();
    }
    ctx.add_stat("pairs", static_cast<int64_t>(state.pairs()));
    ctx.add_stat("left_unmatched", static_cast<int64_t>(state.left_unmatched()));
    ctx.add_stat("right_unmatched", static_cast<int64_t>(state.right_unmatched()));
    ctx.add_stat("late", static_cast<int64_t>(late));
    ctx.add_stat("held_peak", static_cast<int64_t>(state.held_peak()));
    if (range.active()) ctx.add_stat("out_of_range", static_cast<int64_t>(out_of_range));
    if (late > 0) {
      ctx.add_note(fmt::format("{} late event(s) set aside (more than --lateness {} behind their input; "
                               "see --errors)",
                               late, common.lateness));
    }
    return ctx.finish(code);
  };

  // Only a regular file is read ahead: a pipe (standard input, <(tail -f
  // ...)) may block for good, and a run that stops early must not wait on it.
  const bool two_cores = std::thread::hardware_concurrency() > 1;
  auto regular_file = [](const std::string& path) {
    struct stat st;
    return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  };
  std::array<std::unique_ptr<JoinFeed>, 2> feed;
  for (int side = 0; side < 2; ++side) {
    feed[side] = std::make_unique<JoinFeed>(*in[side], no_time, two_cores && regular_file(common.args[side]),
                                            [&out] { out.flush(); });
  }
  for (int side = state.next_side(); side >= 0; side = state.next_side()) {
    const JoinRecord* r = feed[side]->next();
    if (r == nullptr) {
      bytes_read[side] = in[side]->reader.bytes_read();
      state.end_side(side, out);
      continue;
    }
    ++stats.records_in;
    bytes_read[side] = r->bytes_read;
    if (!r->reason.empty()) {
      stats.bytes_in = bytes();
      ctx.bad_record(r->file, r->number, r->reason, r->text);
      continue;
    }
    if (!range.contains(r->t)) {
      ++out_of_range;
      continue;
    }
    if (state.late(side, r->t)) {
      ++late;
      ctx.set_aside(r->file, r->number, "late: more than --lateness behind its input's latest event time", r->text);
      continue;
    }
    if (uint64_t next = feed[side]->next_hash()) state.prefetch(next);
    state.add(side, r->key, r->hash, r->t, r->text, out);
    if (state.held() > common.max_pending) {
      for (auto& f : feed) f.reset();  // the readers stop before their counts are read
      out.flush();
      print_error(fmt::format(
          "join: more than {} events held at once (--max-pending): the inputs are further apart in event "
          "time than --within {} plus --lateness {}, or the window holds that many; raise --max-pending",
          common.max_pending, common.within, common.lateness));
      return finish(kExitInput);
    }
  }
  return finish(kExitOk);
}

std::string join_doc() {
  return R"(olly-correlate join --key K A B reads two inputs, A (left) and B (right), and pairs events whose key values are equal and whose event times are at most --within apart (inclusive; --within 0 pairs equal times only). The key is --key, or --left-key and --right-key when the two sides name it differently; equal means the same JSON value (the string "1" and the number 1 differ). One input may be - (standard input).

- --inner: (the default) one event per matched pair: the left event's members, then the right event under "right" (--as NAME). An event matching several partners makes one event per pair.
- --left: every left event: one event per match as with --inner, and a left event that matched nothing is written once with "right": null.
- --anti: only the left events that matched nothing, as they were read.

Both events are written as they were read (the right one whole, under the name); a left event that already has a member of that name keeps it, so the line then has the name twice: choose --as to avoid it.

The join streams in event time. The two inputs are read interleaved: the next line comes from the input whose latest event time is behind (the left one on a tie), so inputs sorted by time (or out of order by at most --lateness) are read as one time-ordered stream. An event is late when it is more than --lateness behind the latest time already read from its own input: it is set aside (written to --errors, counted as "late" in --stats, not joined), since partners it had may be gone. A held event is final once no partner can arrive any more: its time + --within is behind the other input's latest time minus --lateness, or the other input has ended. Then it is dropped, or written (--left, --anti) when it matched nothing. So memory holds the events of about --within + --lateness of event time; --max-pending N stops the run (exit 3, with --stats) when more than N events are held at once. With two cores or more, each input file is read and parsed on a thread of its own while the join runs on a third (standard input and other pipes are read on the join's thread); the output is the same.

Output order: a pair is written as soon as its second event is read, so pairs follow the reading order above; unmatched left events (--left, --anti) are written when they become final, oldest first, and at the end of input. The order is the same on every run over the same inputs.

An event without the key (or with a null key) or without a readable event time, and a line that is not JSON, is a bad record (counted, --errors with the reason, --strict stops). --stats adds pairs, left_unmatched, right_unmatched, late and held_peak (the most events held at once).

WORKED EXAMPLE: requests and the log lines of the same trace within 1s:

  $ olly correlate join --key trace_id --within 1s correlate/join-requests.ndjson correlate/join-logs.ndjson
  {"ts":"2026-03-01T10:00:00Z","trace_id":"a","path":"/api","right":{"ts":"2026-03-01T10:00:00.400Z","trace_id":"a","msg":"db slow"}}
  {"ts":"2026-03-01T10:00:01Z","trace_id":"b","path":"/home","right":{"ts":"2026-03-01T10:00:01.200Z","trace_id":"b","msg":"cache miss"}}
  {"ts":"2026-03-01T10:00:01Z","trace_id":"b","path":"/home","right":{"ts":"2026-03-01T10:00:01.900Z","trace_id":"b","msg":"render"}}

Request c has no log line within 1s, and the log line of trace a at 10:00:05 is too late for request a.)";
}

std::vector<Example> join_examples() {
  return {
      {"olly correlate join --key trace_id --within 1s correlate/join-requests.ndjson correlate/join-logs.ndjson",
       "Pairs each request with the log lines of its trace written within a second of it."},
      {"olly correlate join --anti --key trace_id --within 1s correlate/join-requests.ndjson "
       "correlate/join-logs.ndjson",
       "The requests with no log line of their trace within a second."},
  };
}

}  // namespace olly
