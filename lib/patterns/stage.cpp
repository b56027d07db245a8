#include "patterns/stage.h"

#include <algorithm>
#include <utility>
#include <chrono>

#include "core/writer.h"
#include "time/timeutil.h"

namespace olly {

namespace {

constexpr std::string_view kAutoFields[] = {"msg", "message", "log"};

bool starts_like_object(std::string_view raw) {
  for (char c : raw) {
    if (c == ' ' || c == '\t') continue;
    return c == '{';
  }
  return false;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

// ---- MessageReader --------------------------------------------------------

MessageReader::MessageReader(const std::string& field, const std::string& time_field, const TimeLayout& time_format,
                             const TimeRange& range)
    : field_(field), time_field_(time_field), time_format_(time_format), explicit_field_(!field.empty()), range_(&range) {
  if (explicit_field_) {
    message_slots_.push_back(extractor_.add(parse_path_or_throw(field, "--field")));
  } else {
    for (std::string_view f : kAutoFields) message_slots_.push_back(extractor_.add(parse_path_or_throw(f, "--field")));
  }
  time_ = std::make_unique<TimeFieldReader>(time_field, extractor_, time_format);
}

Result MessageReader::read(const Event& ev, std::string_view& message, int64_t& time_ms) {
  time_ms = INT64_MIN;
  from_json_ = false;
  skipped_ = false;
  if (!explicit_field_ && !starts_like_object(ev.raw)) {
    if (is_blank(ev.raw)) return Result::bad("empty line");
    if (!simdjson::validate_utf8(ev.raw.data(), ev.raw.size())) return Result::bad("line is not UTF-8");
    message = ev.raw;
    return Result::ok();
  }
  if (is_blank(ev.raw)) return Result::bad("empty line");
  auto error = parser_.iterate(padded_.set(ev.raw)).get(doc_);
  if (!error) error = extractor_.extract(doc_, slots_);
  if (error) {
    if (explicit_field_) return Result::bad(error);
    // Not JSON after all: a raw line that starts with '{'.
    if (!simdjson::validate_utf8(ev.raw.data(), ev.raw.size())) return Result::bad("line is not UTF-8");
    message = ev.raw;
    return Result::ok();
  }
  from_json_ = true;
  const Value* found = nullptr;
  for (size_t slot : message_slots_) {
    if (slots_[slot].kind != Kind::missing) {
      found = &slots_[slot];
      break;
    }
  }
  if (!found) {
    if (explicit_field_) {
      reason_ = "no field " + field_;
      return Result::bad(reason_);
    }
    return Result::bad("no msg, message or log field (name the message's field with --field)");
  }
  if (found->kind != Kind::string) {
    reason_ = "the message field is not a string";
    return Result::bad(reason_);
  }
  if (is_blank(found->s)) return Result::bad("empty message");
  message = found->s;
  const std::optional<TimeNs> t = time_->read(slots_);
  if (t) time_ms = floor_div(*t, 1000000);
  if (range_->active() && !range_->contains(t)) {
    skipped_ = true;
    ++out_of_range;
  }
  return Result::ok();
}

// ---- ShapeStage -----------------------------------------------------------

ShapeStage::ShapeStage(const PatternsConfig& config, bool baseline)
    : config_(config),
      baseline_(baseline),
      tokenizer_(config.masks, config.builtin_masks),
      table_(tokenizer_),
      reader_(config.field, config.time_field, config.time_format, config.range) {}

std::unique_ptr<Stage> ShapeStage::clone() const { return std::make_unique<ShapeStage>(config_, baseline_); }

Result ShapeStage::on_event(Event& ev, Emitter&) {
  std::string_view message;
  int64_t time_ms;
  Result r = reader_.read(ev, message, time_ms);
  if (!r.is_ok() || reader_.skipped()) return r;
  table_.add(message, time_ms, baseline_);
  if (table_.size() > config_.max_shapes()) bound();
  return Result::ok();
}

void ShapeStage::absorb(Stage& range) {
  auto& other = static_cast<ShapeStage&>(range);
  evicted_lines_ += other.evicted_lines_;
  reader_.out_of_range += std::exchange(other.reader_.out_of_range, 0);
  table_.merge(other.table_);
  bound();
}

void ShapeStage::bound() {
  if (table_.size() <= config_.max_shapes()) return;
  evicted_lines_ += table_.evict_oldest(table_.size() - config_.max_shapes() * 3 / 4);
}

// ---- TagStage -------------------------------------------------------------

TagStage::TagStage(const PatternsConfig& config, const TagIndex& index)
    : config_(config),
      index_(index),
      tokenizer_(config.masks, config.builtin_masks),
      scratch_(tokenizer_),
      reader_(config.field, config.time_field, config.time_format, config.range) {
  rewriter_.set(parse_path_or_throw("template_id", "--tag"), 0, "--tag");
  rewriter_.set(parse_path_or_throw("template", "--tag"), 1, "--tag");
  values_.resize(2);
}

void TagStage::absorb(Stage& range) {
  auto& other = static_cast<TagStage&>(range);
  unmatched_ += std::exchange(other.unmatched_, 0);
  reader_.out_of_range += std::exchange(other.reader_.out_of_range, 0);
}

int64_t TagStage::match(std::string_view key, std::string_view message) {
  auto cached = matched_.find(std::string(key));
  if (cached != matched_.end()) return cached->second;
  std::vector<std::string_view> words;
  for (const Token& t : scratch_.last_tokens())  // a masked token: only a variable takes it
    words.push_back(t.mask != MaskKind::none ? std::string_view() : message.substr(t.begin, t.end - t.begin));
  int64_t best = -1;
  size_t best_constants = 0;
  for (size_t t = 0; t < index_.templates.size(); ++t) {
    const MinedTemplate& tpl = index_.templates[t];
    if (!template_fits(tpl.words, words)) continue;
    size_t constants = std::count_if(tpl.words.begin(), tpl.words.end(), [](const std::string& w) { return !w.empty(); });
    if (best < 0 || constants > best_constants) {
      best = static_cast<int64_t>(t);
      best_constants = constants;
    }
  }
  if (matched_.size() < 100000) matched_.emplace(std::string(key), best);
  return best;
}

Result TagStage::on_event(Event& ev, Emitter& out) {
  std::string_view message;
  int64_t time_ms;
  Result r = reader_.read(ev, message, time_ms);
  if (!r.is_ok() || reader_.skipped()) return r;
  std::string_view key = scratch_.key_of(message);
  int64_t t = -1;
  auto it = index_.shape_template.find(std::string(key));
  if (it != index_.shape_template.end()) t = it->second;
  else t = match(key, message);
  if (t < 0) ++unmatched_;
  const MinedTemplate* tpl = t >= 0 ? &index_.templates[static_cast<size_t>(t)] : nullptr;
  if (simdjson::ondemand::document* doc = reader_.last_document()) {
    values_[0] = tpl ? Value::string(tpl->id) : Value::null();
    values_[1] = tpl ? Value::string(tpl->text) : Value::null();
    doc->rewind();
    auto error = rewriter_.rewrite(*doc, values_, out.buffer());
    if (error) return Result::bad(error);
    out.commit();
    return Result::ok();
  }
  JsonBuilder json(out.buffer());
  json.begin_object();
  json.field("message", message);
  json.key("template_id");
  if (tpl) json.string(tpl->id);
  else json.null();
  json.key("template");
  if (tpl) json.string(tpl->text);
  else json.null();
  json.end_object();
  out.commit();
  return Result::ok();
}

// ---- StreamTagStage -------------------------------------------------------

StreamTagStage::StreamTagStage(const PatternsConfig& config, size_t batch)
    : config_(config), batch_(batch), shapes_(config, false) {}

Result StreamTagStage::on_event(Event& ev, Emitter& out) {
  Result r = shapes_.on_event(ev, out);  // writes nothing
  if (!r.is_ok() || shapes_.last_skipped()) return r;
  size_t begin = held_text_.size();
  held_text_.append(ev.raw);
  held_.push_back({ev.line, begin, held_text_.size(), 0});
  // A live stream (tail -f) must not wait for a full batch: events held for
  // a second are written with the next one.
  const auto now = std::chrono::steady_clock::now();
  if (held_.size() == 1) first_held_ = now;
  if (held_.size() >= batch_ || now - first_held_ >= std::chrono::seconds(1)) flush(out);
  return Result::ok();
}

void StreamTagStage::flush(Emitter& out) {
  if (held_.empty()) return;
  std::vector<uint32_t> shape_template;
  index_.templates = mine_templates(shapes_.table(), shapes_.table().tokenizer(), config_.miner, &shape_template);
  index_.shape_template.clear();
  const auto& shapes = shapes_.table().shapes();
  for (size_t s = 0; s < shapes.size(); ++s) index_.shape_template.emplace(shapes[s].key, shape_template[s]);
  TagStage tagger(config_, index_);
  for (const Held& h : held_) {
    Event ev{};
    ev.raw = std::string_view(held_text_).substr(h.begin, h.end - h.begin);
    ev.line = h.line;
    // The event was read once already: it cannot be bad now.
    (void)tagger.on_event(ev, out);
  }
  held_.clear();
  held_text_.clear();
}

void StreamTagStage::on_end(Emitter& out) { flush(out); }

}  // namespace olly
