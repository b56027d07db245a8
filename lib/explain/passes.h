// olly-explain's two passes as parts another verb can run (olly-snapshot
// profiles and counts with them): the stdin spool, the profile stage, the
// choice of dimensions and the counting stage that fills a Tally.
#pragma once
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>

#include "core/diag.h"
#include "core/stage.h"
#include "explain/explain.h"
#include "explain/profile.h"
#include "explain/suspects.h"
#include "sketch/draw.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/timefield.h"

namespace olly::explain {

// --over 'FIELD > pNN' (or '>=', or a number instead of pNN).
struct OverSpec {
  Path field;
  bool inclusive = false;
  double quantile = -1;  // 0..1; < 0: threshold given
  double threshold = 0;
};

// Reads stdin from a regular file it can rewind: a pipe is copied first to
// an unlinked temporary file ($TMPDIR, else /tmp) put in place of fd 0, so
// both passes read the same bytes and nothing is left behind.
class StdinRewinder {
 public:
  explicit StdinRewinder(const std::vector<std::string>& files) {
    bool uses_stdin = files.empty();
    for (const auto& f : files) uses_stdin |= f == "-";
    if (!uses_stdin) return;
    active_ = true;
    struct stat st;
    if (::fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
      start_ = ::lseek(0, 0, SEEK_CUR);
      if (start_ >= 0) return;
    }
    const char* dir = std::getenv("TMPDIR");
    std::string path = fmt::format("{}/olly-explain-XXXXXX", dir && *dir ? dir : "/tmp");
    const int fd = ::mkstemp(path.data());
    if (fd < 0) throw InputError(fmt::format("cannot spool stdin for the two passes: {}: {}", path, std::strerror(errno)));
    ::unlink(path.c_str());
    std::vector<char> buf(1 << 20);
    for (;;) {
      const ssize_t n = ::read(0, buf.data(), buf.size());
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        ::close(fd);
        throw InputError(fmt::format("reading stdin: {}", std::strerror(errno)));
      }
      for (ssize_t off = 0; off < n;) {
        const ssize_t w = ::write(fd, buf.data() + off, static_cast<size_t>(n - off));
        if (w < 0) {
          if (errno == EINTR) continue;
          ::close(fd);
          throw InputError(fmt::format("spooling stdin to {}: {}", dir && *dir ? dir : "/tmp", std::strerror(errno)));
        }
        off += w;
      }
    }
    ::dup2(fd, 0);
    ::close(fd);
    start_ = 0;
    rewind();
  }
  void rewind() const {
    if (active_) ::lseek(0, start_, SEEK_SET);
  }
  // What a pass that reads byte ranges (the profile's sample) can open for
  // stdin: the file behind fd 0 when it is regular and read from its
  // start, else "-" (read serially, whole).
  std::string input_name() const {
    if (!active_ || start_ != 0) return "-";
    const int fd = ::open("/proc/self/fd/0", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "-";
    ::close(fd);
    return "/proc/self/fd/0";
  }

 private:
  bool active_ = false;
  off_t start_ = 0;
};

// The passes before the counting one (the profile, the screen for triples)
// run quietly: bad lines and unreadable files are reported by the counting
// pass. Their options: no --errors, --strict or --stats.
inline CommonOptions quiet_options(const CommonOptions& options) {
  CommonOptions quiet = options;
  quiet.errors_path.clear();
  quiet.strict = false;
  quiet.stats = false;
  return quiet;
}

// Their inputs: the files that open, stdin as the file it was spooled to
// (so a sample can read ranges of it), /dev/null when none opens.
inline RunnerOptions quiet_inputs(const RunnerOptions& runner, const StdinRewinder& stdin_rewinder) {
  RunnerOptions quiet = runner;
  quiet.files.clear();
  if (runner.files.empty()) quiet.files.push_back(stdin_rewinder.input_name());
  for (const auto& f : runner.files) {
    if (f == "-") {
      quiet.files.push_back(stdin_rewinder.input_name());
      continue;
    }
    const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      quiet.files.push_back(f);
    }
  }
  if (!runner.files.empty() && quiet.files.empty()) quiet.files.push_back("/dev/null");
  return quiet;
}

// --- pass 1 -----------------------------------------------------------------

struct ProfileConfig {
  bool auto_fields = true;
  std::vector<Path> fields;  // --fields
  std::optional<Path> over;
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  bool needs_time = false;
  size_t top_capacity = 256;
  // Lines profiled: the first profile_all of each range, then one in
  // profile_every.
  uint64_t profile_all = 1024;
  uint64_t profile_every = 4;
  // For an input read as a sample (RunnerOptions::sample_bytes): its ranges
  // hold a few dozen lines each, of which one in two is profiled.
  void profiled_sample_lines() {
    profile_all = 0;
    profile_every = 2;
  }
};

class ProfileStage final : public Stage {
 public:
  ProfileStage(const ProfileConfig& cfg) : cfg_(cfg), profile_(cfg.top_capacity), time_(cfg.time_field, extractor_, cfg.time_format) {
    for (const auto& p : cfg_.fields) field_slots_.push_back(extractor_.add(p));
    if (cfg_.over) over_slot_ = extractor_.add(*cfg_.over);
    add_given_fields();
  }

  // --fields: profiled in the order given, from the start.
  void add_given_fields() {
    if (cfg_.auto_fields) return;
    for (const auto& p : cfg_.fields) {
      FieldProfile* f = profile_.field(p.text, {});
      f->path = p;
    }
  }

  Result on_event(Event& ev, Emitter&) override {
    // The profile only chooses fields, values and bins (pass 2 counts the
    // events): past the first lines of a range, one line in four is enough
    // (ProfileConfig::profile_all, profile_every).
    // ev.line is within the range, which depends on the input alone, so
    // the sample is the same whatever -j.
    const bool sampled = ev.line <= cfg_.profile_all || ev.line % cfg_.profile_every == 0;
    if (!sampled && !cfg_.over && !cfg_.needs_time) return Result::ok();
    if (cfg_.auto_fields && sampled) {
      if (auto e = profile_.walk(*ev.doc)) return Result::bad(e);
      ev.doc->rewind();
    }
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    if (!cfg_.auto_fields && sampled) {
      for (size_t i = 0; i < field_slots_.size(); ++i) profile_.fields[i]->add(slots_[field_slots_[i]], scratch_);
    }
    if (cfg_.over) {
      const Value& v = slots_[over_slot_];
      if (v.is_numeric()) profile_.over.add(v.as_double());
    }
    if (cfg_.needs_time) {
      if (auto t = time_.read(slots_)) {
        profile_.latest = std::max(profile_.latest, *t);
        profile_.earliest = std::min(profile_.earliest, *t);
      }
    }
    return Result::ok();
  }

  StageKind kind() const override { return StageKind::fold; }
  std::unique_ptr<Stage> clone() const override { return std::make_unique<ProfileStage>(cfg_); }
  // The copy runs its next range from an empty profile.
  void absorb(Stage& range) override {
    auto& o = static_cast<ProfileStage&>(range);
    profile_.merge(o.profile_);
    o.profile_ = Profile(cfg_.top_capacity);
    o.add_given_fields();
  }

  Profile& profile() { return profile_; }

 private:
  const ProfileConfig& cfg_;
  Profile profile_;
  FieldExtractor extractor_;
  TimeFieldReader time_;
  std::vector<size_t> field_slots_;
  size_t over_slot_ = 0;
  std::vector<Value> slots_;
  std::string scratch_;
};

// --- the dimensions ---------------------------------------------------------

struct Dim {
  std::string name;
  Path path;
  bool binned = false;
  std::vector<double> edges;        // binned: bin b holds [edges[b-1], edges[b])
  std::vector<std::string> values;  // JSON text
  ValueIndex ids;
};

struct Choice {
  std::vector<Dim> dims;
  std::vector<std::string> unique, excluded, dropped;
};

Choice choose_dimensions(Profile& prof, const ExplainOptions& opts, const std::vector<std::string>& excluded_names);

// --- pass 2 -----------------------------------------------------------------

struct CountConfig {
  std::vector<Dim> dims;
  std::optional<Expr> bad, baseline;
  std::optional<OverSpec> over;
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  bool time_split = false;
  int64_t recent_from = 0;  // events after this are recent (--since)
  std::optional<int64_t> baseline_from;  // --baseline-since: earlier events after this
  // Pairs whose triples are counted: each with every value of every other
  // dimension (olly-explain screens them on a sample: triple_bases).
  std::vector<std::array<Term, 2>> triple_bases;
  // The share of baseline events whose values are counted, in (0, 1]: on a
  // large input the baseline's shares are measured on a sample of it, drawn
  // by each event's position (the same whatever -j). Bad events are always
  // all counted, and so is the number of baseline events.
  double baseline_rate = 1;
};

// Whether an input of input_bytes (0: unknown) is past a sample budget of
// sample_bytes (0: none), so read as a sample: the profile's ranges, the
// baseline's draw. The baseline share olly-explain and olly-snapshot count:
// all of it up to sample_bytes of input, then about sample_bytes' worth.
inline bool read_as_sample(uint64_t input_bytes, uint64_t sample_bytes) {
  return sample_bytes > 0 && input_bytes > sample_bytes;
}
inline double baseline_rate_for(uint64_t input_bytes, uint64_t sample_bytes) {
  if (!read_as_sample(input_bytes, sample_bytes)) return 1;
  return static_cast<double>(sample_bytes) / static_cast<double>(input_bytes);
}

// The size of the regular files among files (0 when one is not regular:
// its size is unknown).
inline uint64_t input_bytes(const std::vector<std::string>& files) {
  uint64_t total = 0;
  for (const auto& f : files) {
    struct stat st;
    if (::stat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

class CountStage final : public Stage {
 public:
  CountStage(const CountConfig& cfg, std::function<void(CountStage&, Emitter&)> finish = {})
      : cfg_(cfg), finish_(std::move(finish)) {
    // Only --since reads the time: the candidates an event lacks would keep
    // every extraction walking to the end of the event.
    if (cfg_.time_split) time_.emplace(cfg.time_field, split_extractor_, cfg.time_format);
    const auto compile_slots = [&](const std::optional<Expr>& e, std::vector<size_t>& slots) {
      if (!e) return;
      for (const auto& p : e->paths()) slots.push_back(split_extractor_.add(p));
    };
    compile_slots(cfg_.bad, bad_slots_);
    compile_slots(cfg_.baseline, baseline_slots_);
    if (cfg_.over) over_slot_ = split_extractor_.add(cfg_.over->field);
    sample_baseline_ = cfg_.baseline_rate < 1;
    draw_bound_ = rate_bound(cfg_.baseline_rate);
    const size_t n = cfg_.dims.size();
    singles_.resize(n);
    overflow_.assign(n, Counts{});
    for (size_t d = 0; d < n; ++d) singles_[d].assign(2 * cfg_.dims[d].values.size(), 0);
    pairs_.resize(n * n);
    pair_totals_.resize(n * n);
    // Pairs are counted over each dimension's most frequent values only, as
    // many as keep every pair table together within kPairBudgetBytes.
    const double tables = static_cast<double>(n) * static_cast<double>(n > 0 ? n - 1 : 0) / 2;
    pair_cap_.resize(n);
    const size_t cap = tables > 0 ? static_cast<size_t>(std::sqrt(kPairBudgetBytes / (16.0 * tables))) : 0;
    for (size_t d = 0; d < n; ++d) pair_cap_[d] = static_cast<uint32_t>(std::min(cfg_.dims[d].values.size(), cap));
    triple_offset_.assign(n + 1, 0);
    for (size_t d = 0; d < n; ++d) triple_offset_[d + 1] = triple_offset_[d] + 2 * cfg_.dims[d].values.size();
    triples_.assign(cfg_.triple_bases.size(), std::vector<uint64_t>(triple_offset_[n], 0));
    event_ids_.assign(n, ValueIndex::kAbsent);
  }
  static constexpr double kPairBudgetBytes = 256.0 * 1024 * 1024;

  Result on_event(Event& ev, Emitter&) override {
    scratch_.reset();
    if (!full_ready_) prepare_full_extractor();
    // A baseline event is counted when drawn; whether it is, is known before
    // the event is read, so a drawn one is read once, with every dimension,
    // and the others only as far as the split's fields. A bad event that was
    // not drawn is read again for its dimensions.
    const bool drawn = !sample_baseline_ || keep_draw(position_draw(kBaselineSeed + ev.file_index, ev.offset), draw_bound_);
    if (auto e = (drawn ? full_extractor_ : split_extractor_).extract(*ev.doc, slots_)) return Result::bad(e);
    int side;
    if (!classify(side)) return Result::bad(no_time_reason());
    if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
    if (side < 0) {
      ++neither_;
      return Result::ok();
    }
    if (side == 1) {
      ++baseline_events_;
      if (!drawn) return Result::ok();
    } else if (!drawn) {
      ev.doc->rewind();
      if (auto e = full_extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    }
    ++totals_[side];
    const size_t n = cfg_.dims.size();
    present_.clear();
    if (!triples_.empty()) std::fill(event_ids_.begin(), event_ids_.end(), ValueIndex::kAbsent);
    for (size_t d = 0; d < n; ++d) {
      const Value& v = slots_[dim_slots_[d]];
      const Dim& dim = cfg_.dims[d];
      uint32_t id;
      if (dim.binned) {
        if (!v.is_numeric()) continue;
        const double x = v.as_double();
        id = static_cast<uint32_t>(std::upper_bound(dim.edges.begin(), dim.edges.end(), x) - dim.edges.begin());
      } else {
        if (v.kind == Kind::missing || v.kind == Kind::null) continue;
        id = dim.ids.find(v, json_);
        if (id == ValueIndex::kAbsent) {
          if (v.kind != Kind::array && v.kind != Kind::object) ++overflow_[d][side];
          continue;
        }
      }
      ++singles_[d][2 * id + side];
      event_ids_[d] = id;
      if (id < pair_cap_[d]) present_.push_back({static_cast<uint32_t>(d), id});
    }
    // olly explain (pairs): one dense table per pair of dimensions, sized
    // by the capped value counts, so a pair costs an index, not a hash.
    // 32-bit cells (half the cache lines of 64-bit ones: about a tenth of
    // the whole run), moved into 64-bit totals before they can overflow.
    if (!present_.empty() && ++pair_events_ == UINT32_MAX) flush_pairs();
    for (size_t i = 0; i < present_.size(); ++i) {
      const auto [d1, v1] = present_[i];
      for (size_t j = i + 1; j < present_.size(); ++j) {
        const auto [d2, v2] = present_[j];
        auto& table = pairs_[d1 * n + d2];
        const size_t c2 = pair_cap_[d2];
        if (table.empty()) table.assign(2 * pair_cap_[d1] * c2, 0);
        ++table[2 * (v1 * c2 + v2) + side];
      }
    }
    // Triples: an event with a base pair's two values counts every other
    // value it has with them.
    for (size_t k = 0; k < triples_.size(); ++k) {
      const auto& [a, b] = cfg_.triple_bases[k];
      if (event_ids_[a.dim] != a.value || event_ids_[b.dim] != b.value) continue;
      for (size_t d = 0; d < n; ++d) {
        const uint32_t id = event_ids_[d];
        if (id == ValueIndex::kAbsent || d == a.dim || d == b.dim) continue;
        ++triples_[k][triple_offset_[d] + 2 * id + side];
      }
    }
    return Result::ok();
  }

  void on_end(Emitter& out) override {
    if (finish_) finish_(*this, out);
  }

  StageKind kind() const override { return StageKind::fold; }
  std::unique_ptr<Stage> clone() const override { return std::make_unique<CountStage>(cfg_); }
  void absorb(Stage& range) override {
    auto& o = static_cast<CountStage&>(range);
    for (size_t d = 0; d < singles_.size(); ++d) {
      for (size_t i = 0; i < singles_[d].size(); ++i) singles_[d][i] += o.singles_[d][i];
      overflow_[d][0] += o.overflow_[d][0];
      overflow_[d][1] += o.overflow_[d][1];
      std::fill(o.singles_[d].begin(), o.singles_[d].end(), 0);
      o.overflow_[d] = Counts{};
    }
    for (size_t k = 0; k < triples_.size(); ++k) {
      for (size_t i = 0; i < triples_[k].size(); ++i) triples_[k][i] += o.triples_[k][i];
      std::fill(o.triples_[k].begin(), o.triples_[k].end(), 0);
    }
    o.flush_pairs();
    for (size_t p = 0; p < pair_totals_.size(); ++p) {
      if (o.pair_totals_[p].empty()) continue;
      if (pair_totals_[p].empty()) {
        pair_totals_[p].swap(o.pair_totals_[p]);
      } else {
        for (size_t i = 0; i < pair_totals_[p].size(); ++i) pair_totals_[p][i] += o.pair_totals_[p][i];
        std::fill(o.pair_totals_[p].begin(), o.pair_totals_[p].end(), 0);
      }
    }
    for (int s = 0; s < 2; ++s) totals_[s] += o.totals_[s];
    neither_ += o.neither_;
    baseline_events_ += o.baseline_events_;
    o.totals_ = Counts{};
    o.neither_ = 0;
    o.baseline_events_ = 0;
  }

  Tally tally() const {
    Tally t;
    t.bad = totals_[0];
    t.baseline = totals_[1];
    t.baseline_events = baseline_events_;
    const size_t n = cfg_.dims.size();
    for (size_t d = 0; d < n; ++d) {
      Tally::Dim td;
      td.name = cfg_.dims[d].name;
      td.binned = cfg_.dims[d].binned;
      td.values = cfg_.dims[d].values;
      td.overflow = overflow_[d];
      for (size_t v = 0; v < td.values.size(); ++v) td.counts.push_back({singles_[d][2 * v], singles_[d][2 * v + 1]});
      t.dims.push_back(std::move(td));
    }
    for (size_t d1 = 0; d1 < n; ++d1) {
      for (size_t d2 = d1 + 1; d2 < n; ++d2) {
        const auto& cells = pairs_[d1 * n + d2];
        const auto& totals = pair_totals_[d1 * n + d2];
        const size_t size = std::max(cells.size(), totals.size());
        const auto cell = [&](size_t i) { return (i < totals.size() ? totals[i] : 0) + (i < cells.size() ? cells[i] : 0); };
        const size_t c2 = pair_cap_[d2];
        for (size_t i = 0; i < size / 2; ++i) {
          const uint64_t bad = cell(2 * i), baseline = cell(2 * i + 1);
          if (bad + baseline == 0) continue;
          t.pairs[Tally::pair_key(static_cast<uint32_t>(d1), static_cast<uint32_t>(i / c2), static_cast<uint32_t>(d2),
                                  static_cast<uint32_t>(i % c2))] = {bad, baseline};
        }
      }
    }
    for (size_t k = 0; k < triples_.size(); ++k) {
      const auto& [a, b] = cfg_.triple_bases[k];
      for (uint32_t d = 0; d < n; ++d) {
        if (d == a.dim || d == b.dim) continue;
        for (uint32_t v = 0; v < cfg_.dims[d].values.size(); ++v) {
          const uint64_t bad = triples_[k][triple_offset_[d] + 2 * v], baseline = triples_[k][triple_offset_[d] + 2 * v + 1];
          if (bad + baseline == 0) continue;
          // Two bases can give the same triple, with the same (exact) counts.
          t.triples.emplace(Tally::triple_key({{{a.dim, a.value}, {b.dim, b.value}, {d, v}}}), Counts{bad, baseline});
        }
      }
    }
    return t;
  }
  uint64_t neither() const { return neither_; }
  // For a verb that reads more of each event than the counts (olly-snapshot):
  // paths added here before the first event are read from every event, in
  // the same extraction as the split's fields, and slots() holds their
  // values after on_event.
  FieldExtractor& extractor() { return split_extractor_; }
  const std::vector<Value>& slots() const { return slots_; }

 private:
  static constexpr uint64_t kBaselineSeed = 0x6261736531696e65;

  // The extractor of counted events: the split's (and a caller's) paths in
  // their slots, then the dimensions'. Built at the first event, once the
  // caller has added its paths.
  void prepare_full_extractor() {
    for (const auto& p : split_extractor_.paths()) full_extractor_.add(p);
    for (const auto& d : cfg_.dims) dim_slots_.push_back(full_extractor_.add(d.path));
    full_ready_ = true;
  }

  // Adds pairs_ into pair_totals_ and zeroes it.
  void flush_pairs() {
    for (size_t p = 0; p < pairs_.size(); ++p) {
      auto& cells = pairs_[p];
      if (cells.empty()) continue;
      auto& totals = pair_totals_[p];
      if (totals.empty()) totals.assign(cells.size(), 0);
      for (size_t i = 0; i < cells.size(); ++i) totals[i] += cells[i];
      std::fill(cells.begin(), cells.end(), 0);
    }
    pair_events_ = 0;
  }

  // 0 bad, 1 baseline, -1 neither; false when --since needs a time the event lacks.
  bool classify(int& side) {
    const auto test = [&](const std::optional<Expr>& e, const std::vector<size_t>& slots) {
      values_.resize(slots.size());
      for (size_t i = 0; i < slots.size(); ++i) values_[i] = slots_[slots[i]];
      return e->test(values_, scratch_);
    };
    if (cfg_.time_split) {
      const auto t = time_->read(slots_);
      if (!t) return false;
      if (*t > cfg_.recent_from) {
        side = !cfg_.bad || test(cfg_.bad, bad_slots_) ? 0 : -1;
      } else if (cfg_.baseline_from && *t <= *cfg_.baseline_from) {
        side = -1;
      } else if (cfg_.baseline) {
        side = test(cfg_.baseline, baseline_slots_) ? 1 : -1;
      } else {
        side = !cfg_.bad || test(cfg_.bad, bad_slots_) ? 1 : -1;
      }
      return true;
    }
    bool is_bad;
    if (cfg_.bad) {
      is_bad = test(cfg_.bad, bad_slots_);
    } else {
      const Value& v = slots_[over_slot_];
      if (!v.is_numeric()) {
        side = -1;
        return true;
      }
      is_bad = cfg_.over->inclusive ? v.as_double() >= cfg_.over->threshold : v.as_double() > cfg_.over->threshold;
    }
    if (is_bad) {
      side = 0;
    } else {
      side = !cfg_.baseline || test(cfg_.baseline, baseline_slots_) ? 1 : -1;
    }
    return true;
  }
  std::string_view no_time_reason() {
    if (reason_.empty()) {
      std::string names;
      for (const auto& n : time_->names()) names += (names.empty() ? "" : ", ") + n;
      reason_ = fmt::format("no event time ({}) for --since", names);
    }
    return reason_;
  }

  const CountConfig& cfg_;
  FieldExtractor split_extractor_, full_extractor_;
  bool full_ready_ = false;
  bool sample_baseline_ = false;
  uint64_t draw_bound_ = 0;        // rate_bound(cfg_.baseline_rate)
  uint64_t baseline_events_ = 0;   // counted or not
  std::optional<TimeFieldReader> time_;
  std::function<void(CountStage&, Emitter&)> finish_;
  std::vector<size_t> dim_slots_, bad_slots_, baseline_slots_;
  size_t over_slot_ = 0;
  std::vector<std::vector<uint64_t>> singles_;  // by dim: [2 * value + side]
  std::vector<Counts> overflow_;
  std::vector<std::vector<uint32_t>> pairs_;    // by d1 * dims + d2 (d1 < d2): [2 * (v1 * c2 + v2) + side]
  std::vector<std::vector<uint64_t>> pair_totals_;  // pairs_ flushed: the same cells
  uint64_t pair_events_ = 0;                   // events counted in pairs_ since it was flushed
  std::vector<uint32_t> pair_cap_;              // values of a dim that are paired (the first, most frequent)
  std::vector<size_t> triple_offset_;           // by dim: where its [2 * value + side] cells start in a triple table
  std::vector<std::vector<uint64_t>> triples_;  // by triple base
  std::vector<uint32_t> event_ids_;             // this event's value id by dim (kAbsent: none counted)
  Counts totals_{};
  uint64_t neither_ = 0;
  std::vector<Value> slots_, values_;
  std::vector<std::pair<uint32_t, uint32_t>> present_;
  EvalScratch scratch_;
  std::string json_;
  std::string reason_;
};

}  // namespace olly::explain
