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
#include "explain/passes.h"
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
// Candidate pairs whose triples are counted.
constexpr size_t kTripleBases = 4;

// A field is unique per event (ids, timestamps) when it has at least this
// many distinct values per event that holds it, over at least kUniqueMin events.
constexpr double kUniqueShare = 0.5;
constexpr uint64_t kUniqueMin = 20;
// The quantiles whose values bound a numeric field's bins.
constexpr double kBinQuantiles[] = {0.1, 0.25, 0.5, 0.75, 0.9, 0.99};

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

}  // namespace

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
        d.ids.add(json, static_cast<uint32_t>(d.values.size()));
        d.values.push_back(json);
      }
    } else {
      for (const auto& e : c.f->top().top(opts.max_values)) {
        d.ids.add(e.item, static_cast<uint32_t>(d.values.size()));
        d.values.push_back(e.item);
      }
    }
    ch.dims.push_back(std::move(d));
  }
  return ch;
}

namespace {

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
  ctx.add_stat("baseline", static_cast<int64_t>(tally.baseline_total()));
  ctx.add_stat("baseline_counted", static_cast<int64_t>(tally.baseline));
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
  count.time_format = opts.time_format;

  ProfileConfig pc;
  pc.auto_fields = opts.fields.empty();
  for (const auto& f : opts.fields) pc.fields.push_back(parse_path_or_throw(f, "--fields"));
  if (over && over->quantile >= 0) pc.over = over->field;
  pc.time_field = opts.time_field;
  pc.time_format = opts.time_format;
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
    TimeFieldReader tr(opts.time_field, probe, opts.time_format);
    for (const auto& n : tr.names()) excluded.push_back(n);
  }

  StdinRewinder stdin_rewinder(opts.run.files);
  RunnerOptions runner = opts.run;

  // The profile and the screen for triples run quietly.
  RunContext quiet_ctx(quiet_options(ctx.options()));
  const RunnerOptions quiet_runner = quiet_inputs(runner, stdin_rewinder);

  const bool sample_profile = !pc.over && !pc.needs_time;
  const uint64_t size = input_bytes(quiet_runner.files);
  const bool sampled = sample_profile && read_as_sample(size, opts.profile_sample_bytes);
  if (sampled) pc.profiled_sample_lines();
  ProfileStage profile_stage(pc);
  {
    RunnerOptions r1 = quiet_runner;
    if (sample_profile) r1.sample_bytes = opts.profile_sample_bytes;
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

  // Triples (three values together) are counted for a few candidate pairs:
  // those most over-represented in the profile's sample, found by counting
  // it first (a pass over the sample only, past its size).
  // On a sampled input it counts half the sample's baseline: it only ranks pairs.
  if (opts.rank.pairs && !opts.partial && count.dims.size() >= 3) {
    if (sampled) count.baseline_rate = 0.5;
    CountStage screen(count);
    RunnerOptions rs = quiet_runner;
    rs.sample_bytes = opts.profile_sample_bytes;
    run_stage(rs, quiet_ctx, screen);
    stdin_rewinder.rewind();
    count.triple_bases = triple_bases(screen.tally(), opts.rank, kTripleBases);
    count.baseline_rate = 1;
  }

  // A large baseline is measured on a sample. --partial states are added up
  // across shards, so they count everything.
  if (!opts.exact && !opts.partial) {
    count.baseline_rate = baseline_rate_for(size, opts.baseline_sample_bytes);
  }

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
