#include "eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "core/diag.h"

namespace olly {

namespace {

constexpr std::string_view kNotAnObject = "not a JSON object: olly-eval reshapes objects only";

ReshapeOptions reshape_options(const EvalOptions& opts) {
  ReshapeOptions r;
  for (const auto& spec : opts.renames) r.renames.push_back(parse_rename(spec, "--rename"));
  for (const auto& d : opts.drops) r.drops.push_back(parse_path_or_throw(d, "--drop"));
  for (const auto& k : opts.selects) r.selects.push_back(parse_path_or_throw(k, "--select"));
  r.flatten = opts.flatten;
  r.nest = opts.nest;
  r.separator = opts.separator;
  return r;
}

}  // namespace

EvalStage::EvalStage(const EvalOptions& opts) : rewriter_(ObjectRewriter::Mode::keep_unlisted), opts_(opts) {
  reshaper_.emplace(reshape_options(opts));
  if (!reshaper_->active()) reshaper_.reset();
  if (opts.sets.empty() && !reshaper_) {
    throw UsageError("--set: give at least one NAME=EXPR, or reshape with --select, --drop, --rename, --flatten "
                     "or --nest");
  }
  assignments_.reserve(opts.sets.size());
  for (const auto& spec : opts.sets) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError(fmt::format("--set: '{}' is not NAME=EXPR", spec));
    }
    Assignment a;
    a.target = parse_path_or_throw(std::string_view(spec).substr(0, eq), "--set");
    a.expr = Expr::compile(std::string_view(spec).substr(eq + 1), fmt::format("--set {}", a.target.text));
    assignments_.push_back(std::move(a));
  }
  for (size_t i = 0; i < assignments_.size(); ++i) {
    bind(assignments_[i], i);
    rewriter_.set(assignments_[i].target, i, "--set");
  }
  if (!opts.where.empty()) {
    where_.emplace(Expr::compile(opts.where, "--where"));
    for (const auto& p : where_->paths()) where_slots_.push_back(extractor_.add(p));
  }
  results_.resize(assignments_.size());
  result_text_.resize(assignments_.size());
}

void EvalStage::bind(Assignment& a, size_t position) {
  for (const auto& path : a.expr.paths()) {
    SlotSource src;
    // A later --set sees the value an earlier one computed, and what is
    // inside it (client.ip after --set client=extract(...)): the latest
    // --set of the path or of an object above it decides.
    for (size_t j = position; j-- > 0;) {
      const auto& target = assignments_[j].target.steps;
      if (target.size() <= path.steps.size() &&
          std::equal(target.begin(), target.end(), path.steps.begin(), [](const PathStep& x, const PathStep& y) {
            return x.key == y.key && x.index == y.index;
          })) {
        src.from_assignment = true;
        src.index = j;
        src.covered_steps = target.size();
        break;
      }
    }
    if (!src.from_assignment) src.index = extractor_.add(path);
    a.sources.push_back(src);
  }
  a.slots.resize(a.sources.size());
}

Result EvalStage::on_event(Event& ev, Emitter& out) {
  if (auto e = extractor_.extract(*ev.doc, event_slots_)) return Result::bad(e);
  scratch_.reset();
  if (where_) {
    where_values_.resize(where_slots_.size());
    for (size_t i = 0; i < where_slots_.size(); ++i) where_values_[i] = event_slots_[where_slots_[i]];
    bool selected = where_->test(where_values_, scratch_);
    // A value an expression could not read (nested too deep): a bad record, not a silent null.
    if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
    if (!selected) {
      // olly-eval --where: events it does not select pass through unchanged.
      out.line(ev.raw);
      return Result::ok();
    }
  }
  if (assignments_.empty()) {
    // olly-eval --select/--drop/--rename/--flatten/--nest alone.
    const size_t mark = out.mark();
    if (auto e = reshaper_->apply(ev.raw, out.buffer())) {
      out.rollback(mark);
      return e == simdjson::INCORRECT_TYPE ? Result::bad(kNotAnObject) : Result::bad(e);
    }
    out.commit();
    return Result::ok();
  }
  if (reshaper_) {
    // Reshaping needs an object: --set alone treats anything else as an empty
    // one, but a line reshaped to {} would hide that it was not an event.
    ev.doc->rewind();
    simdjson::ondemand::json_type type;
    if (auto e = ev.doc->type().get(type)) return Result::bad(e);
    if (type != simdjson::ondemand::json_type::object) return Result::bad(kNotAnObject);
  }
  for (size_t i = 0; i < assignments_.size(); ++i) {
    Assignment& a = assignments_[i];
    for (size_t k = 0; k < a.sources.size(); ++k) {
      const SlotSource& src = a.sources[k];
      if (!src.from_assignment) {
        a.slots[k] = event_slots_[src.index];
      } else {
        std::span<const PathStep> steps(a.expr.paths()[k].steps);
        a.slots[k] = value_at(results_[src.index], steps.subspan(src.covered_steps), scratch_);
      }
    }
    results_[i] = a.expr.eval(a.slots, scratch_);
  }
  if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
  // Strings read from the event point into the parser's string buffer, which
  // the rewrite pass below reuses as it validates what it copies: keep the
  // results in the stage's own (reused) storage first.
  for (size_t i = 0; i < results_.size(); ++i) {
    if (results_[i].kind != Kind::string) continue;
    result_text_[i].assign(results_[i].s);
    results_[i].s = result_text_[i];
  }
  ev.doc->rewind();
  const size_t mark = out.mark();
  if (auto e = rewriter_.rewrite(*ev.doc, results_, out.buffer())) return Result::bad(e);
  if (reshaper_) {
    // The event as --set left it is reshaped: --rename may name a field --set made.
    reshape_in_.assign(out.buffer(), mark, std::string::npos);
    out.rollback(mark);
    if (auto e = reshaper_->apply(reshape_in_, out.buffer())) {
      out.rollback(mark);
      return Result::bad(e);
    }
  }
  out.commit();
  return Result::ok();
}

}  // namespace olly
