// olly-patterns' stages: reading the message of each event, collecting
// shapes (mining), and tagging events with their template.
#pragma once
#include <simdjson.h>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/stage.h"
#include "expr/extract.h"
#include "expr/rewrite.h"
#include "expr/timefield.h"
#include "expr/timerange.h"
#include "patterns/miner.h"
#include "patterns/tokenizer.h"

namespace olly {

// Where a message comes from. With a field: that field of an NDJSON event.
// Without: the raw line, unless the line is a JSON object with a string
// msg, message or log field (then that field: an NDJSON log mined whole
// would give templates of its JSON syntax).
class MessageReader {
 public:
  // range: --since/--until (outlives the reader).
  MessageReader(const std::string& field, const std::string& time_field, const TimeLayout& time_format,
                const TimeRange& range);
  MessageReader(const MessageReader& other)
      : MessageReader(other.field_, other.time_field_, other.time_format_, *other.range_) {}

  // The message of ev (valid until the next call) and its event time in
  // epoch ms (INT64_MIN when it has none), or a bad record's reason.
  Result read(const Event& ev, std::string_view& message, int64_t& time_ms);
  // The last event read was ok but outside --since/--until: the stage
  // passes over it (counted in out_of_range).
  bool skipped() const { return skipped_; }
  uint64_t out_of_range = 0;
  // The JSON document of the last event read from JSON (for --tag's rewrite).
  simdjson::ondemand::document* last_document() { return from_json_ ? &doc_ : nullptr; }

 private:
  std::string field_;
  std::string time_field_;
  TimeLayout time_format_;
  bool explicit_field_;
  FieldExtractor extractor_;
  std::vector<size_t> message_slots_;
  std::unique_ptr<TimeFieldReader> time_;
  std::vector<Value> slots_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
  PaddedLine padded_;
  bool from_json_ = false;
  const TimeRange* range_;
  bool skipped_ = false;
  std::string reason_;
};

struct PatternsConfig {
  std::string field;
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  TimeRange range;  // --since/--until (events outside are passed over)
  std::vector<UserMask> masks;
  bool builtin_masks = true;
  size_t max_templates = 10000;
  MinerSettings miner;
  // The shape table's bound: distinct shapes per template allowed.
  static constexpr size_t kShapesPerTemplate = 16;
  size_t max_shapes() const { return max_templates * kShapesPerTemplate; }
};

// Collects the shapes of every event's message (a fold: ranges of a file are
// read by threads, their tables merged in input order).
class ShapeStage : public Stage {
 public:
  ShapeStage(const PatternsConfig& config, bool baseline);
  Result on_event(Event& ev, Emitter& out) override;
  bool wants_blank_lines() const override { return true; }
  StageKind kind() const override { return StageKind::fold; }
  std::unique_ptr<Stage> clone() const override;
  void absorb(Stage& range) override;

  ShapeTable& table() { return table_; }
  uint64_t evicted_lines() const { return evicted_lines_; }
  uint64_t out_of_range() const { return reader_.out_of_range; }
  bool last_skipped() const { return reader_.skipped(); }
  // Drops the least recently seen shapes past the bound (counted).
  void bound();

 private:
  const PatternsConfig& config_;
  bool baseline_;
  Tokenizer tokenizer_;
  ShapeTable table_;
  MessageReader reader_;
  uint64_t evicted_lines_ = 0;
};

// What tagging needs of a mining result: each known shape's template.
struct TagIndex {
  std::vector<MinedTemplate> templates;
  std::unordered_map<std::string, uint32_t> shape_template;  // shape key -> template
};

// Passes every event through with template_id and template added (a raw line
// becomes {"message": LINE, ...}).
class TagStage : public Stage {
 public:
  TagStage(const PatternsConfig& config, const TagIndex& index);
  Result on_event(Event& ev, Emitter& out) override;
  bool wants_blank_lines() const override { return true; }
  StageKind kind() const override { return StageKind::map; }
  std::unique_ptr<Stage> clone() const override { return std::make_unique<TagStage>(config_, index_); }
  void absorb(Stage& range) override;
  uint64_t unmatched() const { return unmatched_; }
  uint64_t out_of_range() const { return reader_.out_of_range; }

 private:
  // The template of a shape mining never saw: one whose words all match.
  int64_t match(std::string_view key, std::string_view message);

  const PatternsConfig& config_;
  const TagIndex& index_;
  Tokenizer tokenizer_;
  ShapeTable scratch_;  // for key_of only
  MessageReader reader_;
  ObjectRewriter rewriter_;
  std::vector<Value> values_;
  std::unordered_map<std::string, int64_t> matched_;  // shapes matched here
  uint64_t unmatched_ = 0;
};

// --tag on a stream (stdin, a pipe): events are held until --batch of them
// arrived, one was held for a second, or the input ended; then the shapes
// seen so far are mined, and the held events are written tagged. Templates can still generalise later; an
// event keeps the template it was written with.
class StreamTagStage : public Stage {
 public:
  StreamTagStage(const PatternsConfig& config, size_t batch);
  Result on_event(Event& ev, Emitter& out) override;
  void on_end(Emitter& out) override;
  bool wants_blank_lines() const override { return true; }
  uint64_t evicted_lines() const { return shapes_.evicted_lines(); }
  uint64_t out_of_range() const { return shapes_.out_of_range(); }
  ShapeTable& table() { return shapes_.table(); }

 private:
  void flush(Emitter& out);

  const PatternsConfig& config_;
  size_t batch_;
  ShapeStage shapes_;
  struct Held {
    uint64_t line;
    size_t begin, end;  // in held_text_
    uint32_t shape;
  };
  std::string held_text_;
  std::vector<Held> held_;
  std::chrono::steady_clock::time_point first_held_;
  TagIndex index_;
};

}  // namespace olly
