#include "filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/diag.h"

namespace olly {


FilterStage::FilterStage(const FilterOptions& opts, size_t input_count)
    : expr_(Expr::compile(opts.expression, "EXPR")),
      invert_(opts.invert),
      add_filename_(opts.with_filename && input_count > 1),
      limit_(opts.limit),
      opts_(opts),
      input_count_(input_count) {
  if (!opts.select.empty() && !opts.drop.empty()) {
    throw UsageError("--select and --drop cannot be combined; --select already keeps only what it names");
  }
  for (const auto& path : expr_.paths()) extractor_.add(path);
  range_ = resolve_time_range(opts.common);
  if (range_.active()) time_.emplace(opts.common.time_field, extractor_, resolve_time_layout(opts.common));
  if (!opts.select.empty()) {
    rewriter_.emplace(ObjectRewriter::Mode::keep_listed);
    for (const auto& s : opts.select) rewriter_->keep(parse_path_or_throw(s, "--select"), "--select");
  } else if (!opts.drop.empty()) {
    rewriter_.emplace(ObjectRewriter::Mode::keep_unlisted);
    for (const auto& d : opts.drop) rewriter_->drop(parse_path_or_throw(d, "--drop"), "--drop");
  }
  if (add_filename_) {
    if (!rewriter_) rewriter_.emplace(ObjectRewriter::Mode::keep_unlisted);
    Path file_path = parse_path_or_throw("_file", "--with-filename");
    rewriter_->set(file_path, 0, "--with-filename");
    set_values_.resize(1);
  }
}

std::unique_ptr<Stage> FilterStage::clone() const {
  auto copy = std::make_unique<FilterStage>(opts_, input_count_);
  return copy;
}

void FilterStage::absorb(Stage& range) {
  auto& r = static_cast<FilterStage&>(range);
  matched_ += std::exchange(r.matched_, 0);
  if (limit_ >= 0) matched_ = std::min(matched_, static_cast<uint64_t>(limit_));
}

Result FilterStage::on_event(Event& ev, Emitter& out) {
  if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
  scratch_.reset();
  bool keep = expr_.test(slots_, scratch_) != invert_;
  // A value the expression could not read (nested too deep): a bad record, not a silent false.
  if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
  if (keep && time_) keep = range_.contains(time_->read(slots_));
  if (!keep) return Result::ok();
  if (!rewriter_) {
    // olly-filter EXPR: the line goes out exactly as it came in.
    out.line(ev.raw);
  } else {
    // olly-filter --select/--drop/--with-filename: copy what stays, byte for byte.
    ev.doc->rewind();
    if (add_filename_) set_values_[0] = Value::string(ev.file);
    if (auto e = rewriter_->rewrite(*ev.doc, set_values_, out.buffer())) return Result::bad(e);
    out.commit();
  }
  ++matched_;
  return Result::ok();
}

}  // namespace olly
