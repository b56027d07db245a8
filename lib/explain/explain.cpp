#include "explain/explain.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "core/diag.h"
#include "core/input.h"
#include "core/stage.h"
#include "core/writer.h"
#include "explain/profile.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/timefield.h"
#include "time/timeutil.h"

namespace olly::explain {

namespace {

// Numeric fields with at most this many distinct values are categorical
// (status codes), not binned.
constexpr double kCategoricalNumbers = 12;
// A field is unique per event (ids, timestamps) when it has at least this
// many distinct values per event that holds it, over at least kUniqueMin events.
constexpr double kUniqueShare = 0.5;
constexpr uint64_t kUniqueMin = 20;
// The quantiles whose values bound a numeric field's bins.
constexpr double kBinQuantiles[] = {0.1, 0.25, 0.5, 0.75, 0.9, 0.99};

// --over 'FIELD > pNN' (or '>=', or a number instead of pNN).
struct OverSpec {
  Path field;
  bool inclusive = false;
  double quantile = -1;  // 0..1; < 0: threshold given
  double threshold = 0;
};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

OverSpec parse_over(std::string_view text) {
  const auto bad = [&] {
    return UsageError(fmt::format("--over: '{}' is not FIELD > pNN (e.g. 'latency_ms > p99') or FIELD > NUMBER", text));
  };
  const size_t gt = text.find('>');
  if (gt == std::string_view::npos) throw bad();
  OverSpec o;
  std::string rhs;
  if (gt + 1 < text.size() && text[gt + 1] == '=') {
    o.inclusive = true;
    rhs = trim(text.substr(gt + 2));
  } else {
    rhs = trim(text.substr(gt + 1));
  }
  const std::string lhs = trim(text.substr(0, gt));
  if (lhs.empty() || rhs.empty()) throw bad();
  o.field = parse_path_or_throw(lhs, "--over");
  const bool pct = rhs[0] == 'p' || rhs[0] == 'P';
  const std::string num = pct ? rhs.substr(1) : rhs;
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || !std::isfinite(v)) throw bad();
  if (pct) {
    if (!(v > 0 && v < 100)) throw UsageError(fmt::format("--over: p{} is not a percentile between p0 and p100", num));
    o.quantile = v / 100;
  } else {
    o.threshold = v;
  }
  return o;
}

std::optional<int64_t> duration_opt(const std::string& text, const char* flag) {
  if (text.empty()) return std::nullopt;
  return duration_or_throw(text, flag, false);
}

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

 private:
  bool active_ = false;
  off_t start_ = 0;
};

// --- pass 1 -----------------------------------------------------------------

struct ProfileConfig {
  bool auto_fields = true;
  std::vector<Path> fields;  // --fields
  std::optional<Path> over;
  std::string time_field;
  bool needs_time = false;
  size_t top_capacity = 256;
};

class ProfileStage final : public Stage {
 public:
  static constexpr uint64_t kProfileAll = 1024;
  static constexpr uint64_t kProfileEvery = 4;

  ProfileStage(const ProfileConfig& cfg) : cfg_(cfg), profile_(cfg.top_capacity), time_(cfg.time_field, extractor_) {
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
    // The profile only chooses fields, values and bins (pass 2 counts every
    // event): past the first lines of a range, one line in four is enough.
    // ev.line is within the range, which depends on the input alone, so
    // the sample is the same whatever -j.
    const bool sampled = ev.line <= kProfileAll || ev.line % kProfileEvery == 0;
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
      if (auto t = time_.read(slots_)) profile_.latest = std::max(profile_.latest, *t);
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
  StringIndex ids;
};

struct Choice {
  std::vector<Dim> dims;
  std::vector<std::string> unique, excluded, dropped;
};

double round3(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double mag = std::pow(10.0, 2 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * mag) / mag;
}

std::string bin_label(const std::vector<double>& edges, size_t b) {
  if (b == 0) return fmt::format("< {}", edges[0]);
  if (b == edges.size()) return fmt::format(">= {}", edges.back());
  return fmt::format("[{}, {})", edges[b - 1], edges[b]);
}

Choice choose_dimensions(Profile& prof, const ExplainOptions& opts, const std::vector<std::string>& excluded_names) {
  Choice ch;
  const bool auto_fields = opts.fields.empty();
  struct Candidate {
    FieldProfile* f;
    bool binned;
  };
  std::vector<Candidate> cands;
  for (auto& fp : prof.fields) {
    FieldProfile& f = *fp;
    // A path excludes itself and what is nested in it (error: error.type too).
    const auto under = [&](const std::string& e) {
      return f.name == e || (f.name.size() > e.size() && f.name.compare(0, e.size(), e) == 0 &&
                             (f.name[e.size()] == '.' || f.name[e.size()] == '['));
    };
    if (auto_fields && std::any_of(excluded_names.begin(), excluded_names.end(), under)) {
      ch.excluded.push_back(f.name);
      continue;
    }
    if (f.present == 0) {
      if (!auto_fields) ch.dropped.push_back(f.name);
      continue;
    }
    const double distinct = f.hll.estimate();
    const bool numeric = f.numbers >= 0.9 * static_cast<double>(f.present);
    const bool unique = f.present >= kUniqueMin && distinct >= kUniqueShare * static_cast<double>(f.present);
    if (numeric && distinct > kCategoricalNumbers) {
      // Integers from 1e9 up, one per event: epoch times and numeric ids.
      if (auto_fields && unique && f.all_int && f.min >= 1e9) {
        ch.unique.push_back(f.name);
        continue;
      }
      cands.push_back({&f, true});
    } else {
      if (auto_fields && unique) {
        ch.unique.push_back(f.name);
        continue;
      }
      cands.push_back({&f, false});
    }
  }
  if (cands.size() > opts.max_fields) {
    // Keep the fields most events have.
    std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.f->present > b.f->present; });
    for (size_t i = opts.max_fields; i < cands.size(); ++i) ch.dropped.push_back(cands[i].f->name);
    cands.resize(opts.max_fields);
  }
  if (auto_fields) {
    std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.f->name < b.f->name; });
  }
  for (const Candidate& c : cands) {
    Dim d;
    d.name = c.f->name;
    d.path = c.f->path;
    d.binned = c.binned;
    if (c.binned) {
      for (double q : kBinQuantiles) {
        const double e = round3(c.f->sketch.quantile(q));
        if (d.edges.empty() || e > d.edges.back()) d.edges.push_back(e);
      }
      std::string json;
      for (size_t b = 0; b <= d.edges.size(); ++b) {
        json.clear();
        append_json_string(json, bin_label(d.edges, b));
        d.ids.emplace(json, static_cast<uint32_t>(d.values.size()));
        d.values.push_back(json);
      }
    } else {
      for (const auto& e : c.f->top.top(opts.max_values)) {
        d.ids.emplace(e.item, static_cast<uint32_t>(d.values.size()));
        d.values.push_back(e.item);
      }
    }
    ch.dims.push_back(std::move(d));
  }
  return ch;
}

// --- pass 2 -----------------------------------------------------------------

struct CountConfig {
  std::vector<Dim> dims;
  std::optional<Expr> bad, baseline;
  std::optional<OverSpec> over;
  std::string time_field;
  bool time_split = false;
  int64_t recent_from = 0;  // events after this are recent (--since)
  std::optional<int64_t> baseline_from;  // --baseline-since: earlier events after this
};

class CountStage final : public Stage {
 public:
  CountStage(const CountConfig& cfg, std::function<void(CountStage&, Emitter&)> finish = {})
      : cfg_(cfg), time_(cfg.time_field, extractor_), finish_(std::move(finish)) {
    for (const auto& d : cfg_.dims) dim_slots_.push_back(extractor_.add(d.path));
    const auto compile_slots = [&](const std::optional<Expr>& e, std::vector<size_t>& slots) {
      if (!e) return;
      for (const auto& p : e->paths()) slots.push_back(extractor_.add(p));
    };
    compile_slots(cfg_.bad, bad_slots_);
    compile_slots(cfg_.baseline, baseline_slots_);
    if (cfg_.over) over_slot_ = extractor_.add(cfg_.over->field);
    const size_t n = cfg_.dims.size();
    singles_.resize(n);
    overflow_.assign(n, Counts{});
    for (size_t d = 0; d < n; ++d) singles_[d].assign(2 * cfg_.dims[d].values.size(), 0);
    pairs_.resize(n * n);
    // Pairs are counted over each dimension's most frequent values only, as
    // many as keep every pair table together within kPairBudgetBytes.
    const double tables = static_cast<double>(n) * static_cast<double>(n > 0 ? n - 1 : 0) / 2;
    pair_cap_.resize(n);
    const size_t cap = tables > 0 ? static_cast<size_t>(std::sqrt(kPairBudgetBytes / (16.0 * tables))) : 0;
    for (size_t d = 0; d < n; ++d) pair_cap_[d] = static_cast<uint32_t>(std::min(cfg_.dims[d].values.size(), cap));
  }
  static constexpr double kPairBudgetBytes = 256.0 * 1024 * 1024;

  Result on_event(Event& ev, Emitter&) override {
    scratch_.reset();
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    int side;
    if (!classify(side)) return Result::bad(no_time_reason());
    if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
    if (side < 0) {
      ++neither_;
      return Result::ok();
    }
    ++totals_[side];
    const size_t n = cfg_.dims.size();
    present_.clear();
    for (size_t d = 0; d < n; ++d) {
      const Value& v = slots_[dim_slots_[d]];
      const Dim& dim = cfg_.dims[d];
      uint32_t id;
      if (dim.binned) {
        if (!v.is_numeric()) continue;
        const double x = v.as_double();
        id = static_cast<uint32_t>(std::upper_bound(dim.edges.begin(), dim.edges.end(), x) - dim.edges.begin());
      } else {
        if (!value_json(v, json_)) continue;
        auto it = dim.ids.find(std::string_view(json_));
        if (it == dim.ids.end()) {
          ++overflow_[d][side];
          continue;
        }
        id = it->second;
      }
      ++singles_[d][2 * id + side];
      if (id < pair_cap_[d]) present_.push_back({static_cast<uint32_t>(d), id});
    }
    // olly explain (pairs): one dense table per pair of dimensions, sized
    // by the capped value counts, so a pair costs an index, not a hash.
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
    for (size_t p = 0; p < pairs_.size(); ++p) {
      if (o.pairs_[p].empty()) continue;
      if (pairs_[p].empty()) {
        pairs_[p].swap(o.pairs_[p]);
      } else {
        for (size_t i = 0; i < pairs_[p].size(); ++i) pairs_[p][i] += o.pairs_[p][i];
        std::fill(o.pairs_[p].begin(), o.pairs_[p].end(), 0);
      }
    }
    for (int s = 0; s < 2; ++s) totals_[s] += o.totals_[s];
    neither_ += o.neither_;
    o.totals_ = Counts{};
    o.neither_ = 0;
  }

  Tally tally() const {
    Tally t;
    t.bad = totals_[0];
    t.baseline = totals_[1];
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
        const auto& table = pairs_[d1 * n + d2];
        if (table.empty()) continue;
        const size_t c2 = pair_cap_[d2];
        for (size_t i = 0; i < table.size() / 2; ++i) {
          if (table[2 * i] + table[2 * i + 1] == 0) continue;
          t.pairs[Tally::pair_key(static_cast<uint32_t>(d1), static_cast<uint32_t>(i / c2), static_cast<uint32_t>(d2),
                                  static_cast<uint32_t>(i % c2))] = {table[2 * i], table[2 * i + 1]};
        }
      }
    }
    return t;
  }
  uint64_t neither() const { return neither_; }

 private:
  // 0 bad, 1 baseline, -1 neither; false when --since needs a time the event lacks.
  bool classify(int& side) {
    const auto test = [&](const std::optional<Expr>& e, const std::vector<size_t>& slots) {
      values_.resize(slots.size());
      for (size_t i = 0; i < slots.size(); ++i) values_[i] = slots_[slots[i]];
      return e->test(values_, scratch_);
    };
    if (cfg_.time_split) {
      const auto t = time_.read(slots_);
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
      for (const auto& n : time_.names()) names += (names.empty() ? "" : ", ") + n;
      reason_ = fmt::format("no event time ({}) for --since", names);
    }
    return reason_;
  }

  const CountConfig& cfg_;
  FieldExtractor extractor_;
  TimeFieldReader time_;
  std::function<void(CountStage&, Emitter&)> finish_;
  std::vector<size_t> dim_slots_, bad_slots_, baseline_slots_;
  size_t over_slot_ = 0;
  std::vector<std::vector<uint64_t>> singles_;  // by dim: [2 * value + side]
  std::vector<Counts> overflow_;
  std::vector<std::vector<uint64_t>> pairs_;    // by d1 * dims + d2 (d1 < d2): [2 * (v1 * c2 + v2) + side]
  std::vector<uint32_t> pair_cap_;              // values of a dim that are paired (the first, most frequent)
  Counts totals_{};
  uint64_t neither_ = 0;
  std::vector<Value> slots_, values_;
  std::vector<std::pair<uint32_t, uint32_t>> present_;
  EvalScratch scratch_;
  std::string json_;
  std::string reason_;
};

// --- --merge ----------------------------------------------------------------

class MergeStage final : public Stage {
 public:
  explicit MergeStage(std::function<void(Tally&, Emitter&)> finish) : finish_(std::move(finish)) {}

  Result on_event(Event& ev, Emitter&) override {
    simdjson::dom::element doc;
    if (auto err = parser_.parse(padded_.set(ev.raw)).get(doc)) return Result::bad(err);
    int64_t version;
    if (doc["olly_explain_partial"].get_int64().get(version)) {
      return Result::bad("not an olly-explain partial state (write them with --partial)");
    }
    if (version != kExplainPartialVersion) {
      throw UsageError(fmt::format("--merge: {}:{}: partial state version {}, this olly-explain reads version {}",
                                   ev.file, ev.line, version, kExplainPartialVersion));
    }
    uint64_t bad, base;
    if (doc["bad"].get_uint64().get(bad) || doc["baseline"].get_uint64().get(base)) {
      return Result::bad("partial state without \"bad\" and \"baseline\" counts");
    }
    simdjson::dom::array fields, values, binned;
    std::string_view overflow;
    if (!doc["overflow"].get_string().get(overflow)) {
      bool b = false;
      if (doc["binned"].get_bool().get(b)) b = false;
      const uint32_t d = tally_.dim_index(overflow, b);
      if (d >= Tally::kMaxDims) return Result::bad("more than 255 fields in partial states");
      tally_.dims[d].overflow[0] += bad;
      tally_.dims[d].overflow[1] += base;
      return Result::ok();
    }
    if (doc["fields"].get_array().get(fields)) {
      tally_.bad += bad;
      tally_.baseline += base;
      return Result::ok();
    }
    if (doc["values"].get_array().get(values) || doc["binned"].get_array().get(binned) || fields.size() != values.size() ||
        fields.size() != binned.size() || fields.size() < 1 || fields.size() > 2) {
      return Result::bad("partial state: \"fields\", \"values\" and \"binned\" must be arrays of 1 or 2 items");
    }
    Term terms[2];
    // Check every item before changing the tally: a bad line counts for nothing.
    std::string_view names[2];
    bool bins[2];
    std::string texts[2];
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields.at(i).get_string().get(names[i]) || binned.at(i).get_bool().get(bins[i])) {
        return Result::bad("partial state: a field name must be a string and binned a boolean");
      }
      simdjson::dom::element v = values.at(i);
      if (!(v.is_string() || v.is_bool() || v.is_number())) return Result::bad("partial state: a value must be a scalar");
      if (v.is_string()) {
        texts[i].clear();
        append_json_string(texts[i], std::string_view(v.get_string()));
      } else {
        texts[i] = simdjson::minify(v);
      }
    }
    if (fields.size() == 2 && names[0] == names[1]) return Result::bad("partial state: a pair of one field");
    for (size_t i = 0; i < fields.size(); ++i) {
      terms[i].dim = tally_.dim_index(names[i], bins[i]);
      if (terms[i].dim >= Tally::kMaxDims) return Result::bad("more than 255 fields in partial states");
      terms[i].value = tally_.value_index(terms[i].dim, texts[i]);
    }
    if (fields.size() == 1) {
      tally_.dims[terms[0].dim].counts[terms[0].value][0] += bad;
      tally_.dims[terms[0].dim].counts[terms[0].value][1] += base;
    } else {
      if (terms[1].dim < terms[0].dim) std::swap(terms[0], terms[1]);
      Counts& c = tally_.pairs[Tally::pair_key(terms[0].dim, terms[0].value, terms[1].dim, terms[1].value)];
      c[0] += bad;
      c[1] += base;
    }
    return Result::ok();
  }
  void on_end(Emitter& out) override { finish_(tally_, out); }

 private:
  Tally tally_;
  simdjson::dom::parser parser_;
  PaddedLine padded_;
  std::function<void(Tally&, Emitter&)> finish_;
};

// --- the end of a run -------------------------------------------------------

bool stdout_is_terminal() { return ::isatty(1) == 1; }

struct Outcome {
  size_t suspects = 0;
};

void finish_tally(Tally& tally, Emitter& out, const ExplainOptions& opts, RunContext& ctx, Outcome& outcome,
                  std::string_view bad_what) {
  if (opts.partial) {
    std::string text;
    write_partial(tally, text);
    uint64_t lines = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
    out.lines(text, lines);
    return;
  }
  RankInfo info;
  const auto suspects = rank_suspects(tally, opts.rank, &info);
  outcome.suspects = suspects.size();
  if (opts.summary || stdout_is_terminal()) {
    out.flush();
    const std::string text = summarize(tally, suspects, info, opts.rank, bad_what);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  }
  std::string& buf = out.buffer();
  for (size_t i = 0; i < suspects.size(); ++i) {
    JsonBuilder jb(buf);
    write_suspect(jb, tally, suspects[i], i + 1);
    out.commit();
  }
  uint64_t overflow = 0;
  for (const auto& d : tally.dims) overflow += d.overflow[0] + d.overflow[1];
  ctx.add_stat("bad", static_cast<int64_t>(tally.bad));
  ctx.add_stat("baseline", static_cast<int64_t>(tally.baseline));
  ctx.add_stat("dimensions", static_cast<int64_t>(tally.dims.size()));
  ctx.add_stat("comparisons", static_cast<int64_t>(info.comparisons));
  ctx.add_stat("value_cap", static_cast<int64_t>(opts.max_values));
  ctx.add_stat("values_past_cap", static_cast<int64_t>(overflow));
}

std::string bad_description(const ExplainOptions& opts) {
  std::string s;
  if (!opts.bad.empty()) s = opts.bad;
  if (!opts.over.empty()) s = opts.over;
  if (!opts.since.empty()) s = s.empty() ? fmt::format("the last {}", opts.since) : fmt::format("{}, last {}", s, opts.since);
  return s;
}

void write_field_report(const Choice& ch, const Profile& prof, const CountStage& counts) {
  std::string line;
  JsonBuilder jb(line);
  jb.begin_object();
  jb.key("explain");
  jb.begin_object();
  const auto list = [&](const char* key, const std::vector<std::string>& v) {
    jb.key(key);
    jb.begin_array();
    for (const auto& s : v) jb.string(s);
    jb.end_array();
  };
  std::vector<std::string> dims, binned;
  for (const auto& d : ch.dims) (d.binned ? binned : dims).push_back(d.name);
  list("dimensions", dims);
  list("binned", binned);
  list("unique", ch.unique);
  list("excluded", ch.excluded);
  list("dropped", ch.dropped);
  jb.field_int("neither", static_cast<int64_t>(counts.neither()));
  jb.field_int("values_past_field_cap", static_cast<int64_t>(prof.values_past_field_cap));
  jb.end_object();
  jb.end_object();
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void write_partial(const Tally& tally, std::string& out) {
  JsonBuilder jb(out);
  const auto head = [&] {
    jb.reset();
    jb.begin_object();
    jb.field_int("olly_explain_partial", kExplainPartialVersion);
  };
  const auto end = [&](const Counts& c) {
    jb.field_int("bad", static_cast<int64_t>(c[0]));
    jb.field_int("baseline", static_cast<int64_t>(c[1]));
    jb.end_object();
    out.push_back('\n');
  };
  head();
  end({tally.bad, tally.baseline});
  const auto item = [&](std::initializer_list<Term> terms, const Counts& c) {
    head();
    jb.key("fields");
    jb.begin_array();
    for (const Term& t : terms) jb.string(tally.dims[t.dim].name);
    jb.end_array();
    jb.key("binned");
    jb.begin_array();
    for (const Term& t : terms) jb.boolean(tally.dims[t.dim].binned);
    jb.end_array();
    jb.key("values");
    jb.begin_array();
    for (const Term& t : terms) jb.raw(tally.dims[t.dim].values[t.value]);
    jb.end_array();
    end(c);
  };
  for (uint32_t d = 0; d < tally.dims.size(); ++d) {
    const auto& dim = tally.dims[d];
    for (uint32_t v = 0; v < dim.values.size(); ++v) {
      if (dim.counts[v][0] + dim.counts[v][1] > 0) item({Term{d, v}}, dim.counts[v]);
    }
    if (dim.overflow[0] + dim.overflow[1] > 0) {
      head();
      jb.field("overflow", dim.name);
      jb.field_bool("binned", dim.binned);
      end(dim.overflow);
    }
  }
  std::vector<std::pair<uint64_t, Counts>> pairs(tally.pairs.begin(), tally.pairs.end());
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, c] : pairs) {
    Term a, b;
    Tally::split_key(k, a.dim, a.value, b.dim, b.value);
    item({a, b}, c);
  }
}

void validate(const ExplainOptions& opts) {
  if (opts.partial && opts.merge) throw UsageError("--partial and --merge cannot be combined");
  if (opts.merge) return;
  if (!opts.bad.empty() && !opts.over.empty()) throw UsageError("--bad and --over cannot be combined: choose one way to pick the bad events");
  if (opts.bad.empty() && opts.over.empty() && opts.since.empty()) {
    throw UsageError("say which events are bad: --bad EXPR, --over 'FIELD > pNN' or --since DURATION");
  }
  if (!opts.over.empty() && !opts.since.empty()) throw UsageError("--over cannot be combined with --since");
  if (!opts.baseline_since.empty() && opts.since.empty()) throw UsageError("--baseline-since needs --since");
  const auto since = duration_opt(opts.since, "--since");
  const auto bsince = duration_opt(opts.baseline_since, "--baseline-since");
  if (since && bsince && *bsince <= *since) {
    throw UsageError(fmt::format("--baseline-since {} must be longer than --since {}: the baseline is the time before the last {}",
                                 opts.baseline_since, opts.since, opts.since));
  }
  if (!opts.over.empty()) (void)parse_over(opts.over);
  if (!opts.bad.empty()) (void)Expr::compile(opts.bad, "--bad");
  if (!opts.baseline.empty()) (void)Expr::compile(opts.baseline, "--baseline");
  for (const auto& f : opts.fields) (void)parse_path_or_throw(f, "--fields");
  for (const auto& f : opts.exclude) (void)parse_path_or_throw(f, "--exclude");
  if (!opts.exclude.empty() && !opts.fields.empty()) throw UsageError("--exclude applies to --fields auto only");
  if (opts.fields.size() > Tally::kMaxDims) throw UsageError("--fields: at most 255 fields");
  if (opts.max_fields < 1 || opts.max_fields > Tally::kMaxDims) throw UsageError("--max-fields: from 1 to 255");
  if (opts.max_values < 1 || opts.max_values > 1000) throw UsageError("--max-values: from 1 to 1000");
  if (!(opts.rank.alpha > 0 && opts.rank.alpha < 1)) throw UsageError("--alpha: must be between 0 and 1");
  if (!(opts.rank.min_lift >= 1)) throw UsageError("--min-lift: must be at least 1");
  if (!(opts.rank.min_share >= 0 && opts.rank.min_share <= 1)) throw UsageError("--min-share: must be between 0 and 1");
}

int run_explain(ExplainOptions& opts, RunContext& ctx) {
  validate(opts);
  Outcome outcome;
  const std::string what = bad_description(opts);
  if (opts.merge) {
    MergeStage stage([&](Tally& t, Emitter& out) { finish_tally(t, out, opts, ctx, outcome, "merged"); });
    RunnerOptions runner;
    runner.files = opts.run.files;
    runner.json = false;
    run_stage(runner, ctx, stage);
    return ctx.finish(opts.fail_on_suspect && outcome.suspects > 0 ? kExitFindings : kExitOk);
  }

  CountConfig count;
  if (!opts.bad.empty()) count.bad = Expr::compile(opts.bad, "--bad");
  if (!opts.baseline.empty()) count.baseline = Expr::compile(opts.baseline, "--baseline");
  std::optional<OverSpec> over;
  if (!opts.over.empty()) over = parse_over(opts.over);
  count.time_field = opts.time_field;

  ProfileConfig pc;
  pc.auto_fields = opts.fields.empty();
  for (const auto& f : opts.fields) pc.fields.push_back(parse_path_or_throw(f, "--fields"));
  if (over && over->quantile >= 0) pc.over = over->field;
  pc.time_field = opts.time_field;
  pc.needs_time = !opts.since.empty();
  pc.top_capacity = std::max<size_t>(4 * opts.max_values, 256);

  // Fields the split itself reads would explain it trivially (status in
  // --bad 'status >= 500'), and times are unique: auto leaves them out.
  std::vector<std::string> excluded;
  for (const auto* e : {&count.bad, &count.baseline}) {
    if (*e) {
      for (const auto& p : (*e)->paths()) excluded.push_back(p.text);
    }
  }
  if (over) excluded.push_back(over->field.text);
  for (const auto& e : opts.exclude) excluded.push_back(parse_path_or_throw(e, "--exclude").text);
  {
    FieldExtractor probe;
    TimeFieldReader tr(opts.time_field, probe);
    for (const auto& n : tr.names()) excluded.push_back(n);
  }

  StdinRewinder stdin_rewinder(opts.run.files);
  RunnerOptions runner = opts.run;

  // Pass 1, quietly: bad lines and unreadable files are reported by pass 2.
  ProfileStage profile_stage(pc);
  {
    CommonOptions quiet = ctx.options();
    quiet.errors_path.clear();
    quiet.strict = false;
    quiet.stats = false;
    RunContext quiet_ctx(quiet);
    RunnerOptions r1 = runner;
    r1.files.clear();
    for (const auto& f : runner.files) {
      if (f == "-") {
        r1.files.push_back(f);
        continue;
      }
      const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        ::close(fd);
        r1.files.push_back(f);
      }
    }
    if (!runner.files.empty() && r1.files.empty()) r1.files.push_back("/dev/null");
    run_stage(r1, quiet_ctx, profile_stage);
  }
  stdin_rewinder.rewind();
  Profile& prof = profile_stage.profile();

  if (over) {
    if (over->quantile >= 0) {
      if (prof.over.count() == 0) {
        throw InputError(fmt::format("--over: no event has a number in {}", over->field.text));
      }
      over->threshold = prof.over.quantile(over->quantile);
    }
    count.over = over;
  }
  if (!opts.since.empty()) {
    count.time_split = true;
    if (prof.latest == INT64_MIN) {
      count.recent_from = INT64_MAX;  // no event has a time: each is a bad line
    } else {
      count.recent_from = saturating_sub(prof.latest, *duration_opt(opts.since, "--since"));
      if (auto b = duration_opt(opts.baseline_since, "--baseline-since")) count.baseline_from = saturating_sub(prof.latest, *b);
    }
  }
  Choice choice = choose_dimensions(prof, opts, excluded);
  count.dims = std::move(choice.dims);

  std::string bad_what = what;
  if (over && over->quantile >= 0) {
    bad_what = fmt::format("{} {} {}", over->field.text, over->inclusive ? ">=" : ">", round_significant(over->threshold));
  }
  CountStage stage(count, [&](CountStage& s, Emitter& out) {
    Tally t = s.tally();
    finish_tally(t, out, opts, ctx, outcome, bad_what);
  });
  run_stage(runner, ctx, stage);
  if (ctx.options().stats) {
    Choice report;
    report.dims = std::move(count.dims);
    report.unique = choice.unique;
    report.excluded = choice.excluded;
    report.dropped = choice.dropped;
    write_field_report(report, prof, stage);
  }
  return ctx.finish(opts.fail_on_suspect && outcome.suspects > 0 ? kExitFindings : kExitOk);
}

}  // namespace olly::explain
