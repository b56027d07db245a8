// What olly-patterns writes and reads back: template events, --diff events,
// the --model file and --partial state. All plain, versioned JSON (DESIGN.md
// "Code shape"): a model is never an object dump, and a version or settings
// mismatch is a clear error.
//
// A model file:
//   {"olly_patterns_model":1,"settings":{...},"templates":[
//   {"template_id":"…","template":"…","words":["VM",null],"count":N,"first_seen":…,"last_seen":…,"example":"…"},
//   …]}
// A partial state (NDJSON): a header line {"olly_patterns_partial":1,"settings":{...}}
// and one line per shape {"words":[…],"count":N,"baseline":N,"prior":N,
// "first_ms":…,"last_ms":…,"example":"…","masked":[{"values":[["v",N],…],"other":N},…]}.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/stage.h"
#include "patterns/miner.h"
#include "patterns/stage.h"

namespace olly {

inline constexpr int kPatternsModelVersion = 1;
inline constexpr int kPatternsPartialVersion = 1;

// The settings that decide which templates come out, as canonical JSON: a
// model or partial state mined with other settings must not be mixed in.
std::string settings_json(const PatternsConfig& config);

// One template event (the default output). total: lines of all templates.
void write_template_event(std::string& out, const MinedTemplate& t, uint64_t total, size_t top_values);

// --diff: the change of each template against the baseline, and whether it
// is significant after correcting for the number of templates compared.
struct TemplateChange {
  const MinedTemplate* tpl = nullptr;
  std::string_view change;  // new, grew
  double share = 0, baseline_share = 0;
  double growth = 0;        // share / baseline_share; 0 when new
  double p_value = 1;       // Bonferroni-adjusted
};
std::vector<TemplateChange> significant_changes(const std::vector<MinedTemplate>& templates, double alpha);
void write_change_event(std::string& out, const TemplateChange& c, size_t top_values);

std::string model_to_json(const std::vector<MinedTemplate>& templates, const PatternsConfig& config);
// True when text is a model file (its first bytes say so).
bool looks_like_model(std::string_view text);
// Adds each template of a model as a shape of table: as prior knowledge
// (counts steer mining, not the output) or as the --diff baseline. Throws
// UsageError (bad version or settings) or InputError (not a model) naming flag.
void load_model(std::string_view text, std::string_view path, std::string_view flag,
                const PatternsConfig& config, ShapeTable& table, bool as_baseline);

void write_partial_header(std::string& out, const PatternsConfig& config);
void write_partial_shape(std::string& out, const Shape& shape);

// --merge: reads partial-state lines into a shape table.
class PartialStage : public Stage {
 public:
  PartialStage(const PatternsConfig& config, ShapeTable& table);
  Result on_event(Event& ev, Emitter& out) override;

 private:
  std::string settings_;
  ShapeTable& table_;
  bool header_seen_ = false;
  simdjson::dom::parser parser_;
  std::string reason_;
};

}  // namespace olly
