// olly-redact's stage: each line through a Redactor (JSON events, or plain
// text lines with --raw), per-event, so -j runs ranges in parallel.
#pragma once
#include <memory>

#include "core/run.h"
#include "core/stage.h"
#include "redact/redactor.h"

namespace olly::redact {

class RedactStage : public Stage {
 public:
  explicit RedactStage(std::shared_ptr<const RedactConfig> config);
  Result on_event(Event& ev, Emitter& out) override;
  // --raw keeps blank lines: every byte but the redacted ones is kept.
  bool wants_blank_lines() const override { return redactor_.config().raw; }
  // olly redact -j N: events are independent, except --raw's private key
  // blocks, whose body lines follow the BEGIN line: those run in one thread.
  StageKind kind() const override;
  std::unique_ptr<Stage> clone() const override;
  void absorb(Stage& range) override;

  const RedactCounts& counts() const { return redactor_.counts(); }
  // The --stats counters: per detector, per path, events changed and dropped.
  void report(RunContext& ctx) const;

 private:
  std::shared_ptr<const RedactConfig> config_;
  Redactor redactor_;
};

}  // namespace olly::redact
