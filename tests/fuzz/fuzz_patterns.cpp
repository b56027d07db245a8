// olly-patterns (lib/patterns): the tokenizer and its masks, the shape
// table, the miner and the partial state.
//
// Input: one selector byte (bit 0: a --mask regex that can match inside and
// across words; bit 1: no built-in masks), then lines of text (those that are
// not UTF-8 are left out, as olly-patterns rejects them).
//
// Invariants: tokens are in order, inside the message, and only a --mask
// token spans a space; every line is counted in exactly one template; the
// templates of the lines in reverse order are the same (text, id, count);
// template ids are unique; shapes written as partial state and read back
// mine to the same templates.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/stage.h"
#include "core/writer.h"
#include "fuzz_common.h"
#include "patterns/miner.h"
#include "patterns/model.h"
#include "patterns/stage.h"

using namespace olly;

namespace {

std::map<std::string, uint64_t> summary(const std::vector<MinedTemplate>& templates) {
  std::map<std::string, uint64_t> out;
  for (const MinedTemplate& t : templates) out[t.id + " " + t.text] += t.count;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 8192) return 0;
  const uint8_t selector = data[0];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  PatternsConfig config;
  if (selector & 1) config.masks.push_back({"m", "[0-9]+|x y"});
  config.builtin_masks = !(selector & 2);
  config.max_templates = 1000;
  Tokenizer tokenizer(config.masks, config.builtin_masks);

  // Lines that are not UTF-8 never reach the miner: olly-patterns reports
  // them as bad records (and partial state, being JSON, could not hold them).
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (simdjson::validate_utf8(line.data(), line.size())) lines.push_back(line);
    start = end + 1;
  }

  std::vector<Token> tokens;
  for (std::string_view line : lines) {
    tokenizer.tokenize(line, tokens);
    uint32_t last_end = 0;
    for (const Token& t : tokens) {
      FUZZ_CHECK(t.sep_begin <= t.begin && t.begin < t.end && t.end <= line.size(), "token out of bounds", line);
      FUZZ_CHECK(t.sep_begin >= last_end && t.sep_begin == last_end, "tokens out of order", line);
      last_end = t.end;
      if (t.mask != MaskKind::user) {
        std::string_view word = line.substr(t.begin, t.end - t.begin);
        FUZZ_CHECK(word.find(' ') == std::string_view::npos, "a token that is not a --mask spans a space", line);
      }
    }
  }

  ShapeTable forward(tokenizer), backward(tokenizer);
  for (std::string_view line : lines) forward.add(line, INT64_MIN);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) backward.add(*it, INT64_MIN);
  std::vector<uint32_t> shape_template;
  auto a = mine_templates(forward, tokenizer, config.miner, &shape_template);
  auto b = mine_templates(backward, tokenizer, config.miner);

  uint64_t counted = 0;
  std::vector<std::string> ids;
  for (const MinedTemplate& t : a) {
    counted += t.count;
    ids.push_back(t.id);
  }
  FUZZ_CHECK(counted == lines.size(), "lines lost or counted twice", text);
  std::sort(ids.begin(), ids.end());
  FUZZ_CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), "two templates with one id", text);
  FUZZ_CHECK(summary(a) == summary(b), "templates depend on line order", text);
  FUZZ_CHECK(shape_template.size() == forward.size(), "a shape without a template", text);

  // Partial state round trip.
  std::string partial;
  write_partial_header(partial, config);
  partial.push_back('\n');
  for (const Shape& s : forward.shapes()) {
    write_partial_shape(partial, s);
    partial.push_back('\n');
  }
  ShapeTable merged(tokenizer);
  PartialStage reader(config, merged);
  OutputSink sink(-1);
  Stats stats;
  Emitter out(sink, stats);
  size_t from = 0;
  while (from < partial.size()) {
    size_t end = partial.find('\n', from);
    Event ev{};
    ev.raw = std::string_view(partial).substr(from, end - from);
    Result r = reader.on_event(ev, out);
    FUZZ_CHECK(r.is_ok(), "partial state does not read back", ev.raw);
    from = end + 1;
  }
  FUZZ_CHECK(summary(mine_templates(merged, tokenizer, config.miner)) == summary(a),
             "partial state mines to other templates", text);
  return 0;
}
