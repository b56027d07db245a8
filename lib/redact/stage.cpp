#include "redact/stage.h"

namespace olly::redact {

RedactStage::RedactStage(std::shared_ptr<const RedactConfig> config) : config_(config), redactor_(config) {}

StageKind RedactStage::kind() const {
  return config_->raw && config_->detectors->has(Builtin::private_key) ? StageKind::serial : StageKind::map;
}

std::unique_ptr<Stage> RedactStage::clone() const { return std::make_unique<RedactStage>(config_); }

void RedactStage::absorb(Stage& range) {
  auto& other = static_cast<RedactStage&>(range);
  redactor_.counts().add(other.redactor_.counts());
  other.redactor_.counts() = RedactCounts{std::vector<uint64_t>(other.redactor_.counts().rules.size()),
                                          std::vector<uint64_t>(other.redactor_.counts().globs.size()), 0, 0};
}

Result RedactStage::on_event(Event& ev, Emitter& out) {
  const size_t mark = out.mark();
  Redactor::Outcome outcome;
  if (config_->raw) {
    outcome = redactor_.redact_text(ev.raw, out.buffer());
  } else {
    if (auto e = redactor_.redact_json(ev.raw, *ev.doc, out.buffer(), outcome)) {
      out.rollback(mark);
      return Result::bad(e);
    }
  }
  if (outcome == Redactor::Outcome::dropped) {
    out.rollback(mark);
    return Result::ok();
  }
  if (ev.cr) out.buffer().push_back('\r');
  out.commit();
  return Result::ok();
}

void RedactStage::report(RunContext& ctx) const {
  const RedactCounts& c = redactor_.counts();
  for (size_t r = 0; r < c.rules.size(); ++r) {
    ctx.add_stat("detect." + std::string(config_->detectors->rule_name(r)), static_cast<int64_t>(c.rules[r]));
  }
  for (size_t g = 0; g < c.globs.size(); ++g) {
    ctx.add_stat("field." + config_->globs[g].text, static_cast<int64_t>(c.globs[g]));
  }
  ctx.add_stat("events_changed", static_cast<int64_t>(c.events_changed));
  ctx.add_stat("events_dropped", static_cast<int64_t>(c.events_dropped));
}

}  // namespace olly::redact
