#include "patterns/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/diag.h"
#include "core/writer.h"
#include "time/timeutil.h"

namespace olly {

std::string settings_json(const PatternsConfig& config) {
  std::string out;
  JsonBuilder json(out);
  json.begin_object();
  json.key("masks");
  json.begin_array();
  for (const UserMask& m : config.masks) {
    json.begin_array();
    json.string(m.name);
    json.string(m.regex);
    json.end_array();
  }
  json.end_array();
  json.field_bool("builtin_masks", config.builtin_masks);
  json.field_int("split_max_words", config.miner.split_max_words);
  json.end_object();
  return out;
}

namespace {

void write_time(JsonBuilder& json, std::string_view key, int64_t ms, bool known) {
  if (!known) return;
  json.key(key);
  json.string(format_rfc3339(ms * 1000000));
}

void write_variables(JsonBuilder& json, const MinedTemplate& t, size_t top_values) {
  json.key("variables");
  json.begin_array();
  for (const ValueCounts& v : t.variables) {
    auto values = v.values;
    std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    uint64_t other = v.other;
    for (size_t i = top_values; i < values.size(); ++i) other += values[i].second;
    if (values.size() > top_values) values.resize(top_values);
    json.begin_object();
    json.key("top");
    json.begin_array();
    for (const auto& [value, count] : values) {
      json.begin_object();
      json.field("value", value);
      json.key("count");
      json.uint64(count);
      json.end_object();
    }
    json.end_array();
    json.key("other");
    json.uint64(other);
    json.end_object();
  }
  json.end_array();
}

// What both kinds of template events end in: when, an example, the values.
void write_seen_and_values(JsonBuilder& json, const MinedTemplate& t, size_t top_values) {
  if (t.first_ms != INT64_MAX) {
    write_time(json, "first_seen", t.first_ms, true);
    write_time(json, "last_seen", t.last_ms, true);
  }
  json.field("example", t.example);
  write_variables(json, t, top_values);
}

double share_of(uint64_t part, uint64_t total) {
  return total == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(total);
}

// Rounded for output: 6 significant digits are plenty for a share.
double round6(double x) {
  if (x == 0 || !std::isfinite(x)) return x;
  double scale = std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

}  // namespace

void write_template_event(std::string& out, const MinedTemplate& t, uint64_t total, size_t top_values) {
  JsonBuilder json(out);
  json.begin_object();
  json.field("template_id", t.id);
  json.field("template", t.text);
  json.key("count");
  json.uint64(t.count);
  json.field_number("share", round6(share_of(t.count, total)));
  write_seen_and_values(json, t, top_values);
  json.end_object();
}

std::vector<TemplateChange> significant_changes(const std::vector<MinedTemplate>& templates, double alpha) {
  uint64_t total = 0, baseline_total = 0;
  for (const MinedTemplate& t : templates) {
    total += t.count;
    baseline_total += t.baseline;
  }
  std::vector<TemplateChange> out;
  if (total == 0) return out;
  const double n1 = static_cast<double>(total), n0 = static_cast<double>(baseline_total);
  const double comparisons = static_cast<double>(std::max<size_t>(1, templates.size()));
  for (const MinedTemplate& t : templates) {
    const double a = static_cast<double>(t.count), b = static_cast<double>(t.baseline);
    const double share = a / n1;
    const double baseline_share = n0 > 0 ? b / n0 : 0;
    if (a == 0 || (n0 > 0 && share <= baseline_share)) continue;
    // Likelihood-ratio (G) test of one share against the other: the 2x2
    // table (this template, the rest) x (today, baseline).
    double g = 0;
    if (n0 > 0) {
      const double cells[4] = {a, n1 - a, b, n0 - b};
      const double rows[2] = {n1, n0};
      const double cols[2] = {a + b, n1 + n0 - a - b};
      const double n = n1 + n0;
      for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c) {
          const double o = cells[r * 2 + c];
          const double e = rows[r] * cols[c] / n;
          if (o > 0 && e > 0) g += 2 * o * std::log(o / e);
        }
    }
    // Chi-square with one degree of freedom; Bonferroni over the templates.
    double p = n0 > 0 ? std::erfc(std::sqrt(std::max(0.0, g) / 2)) : 1.0;
    p = std::min(1.0, p * comparisons);
    if (n0 > 0 && p > alpha) continue;
    TemplateChange c;
    c.tpl = &t;
    c.change = b == 0 ? "new" : "grew";
    c.share = share;
    c.baseline_share = baseline_share;
    c.growth = b == 0 ? 0 : share / baseline_share;
    c.p_value = p;
    out.push_back(c);
  }
  // New ones first, then by how much they grew; the strongest evidence first.
  std::sort(out.begin(), out.end(), [](const TemplateChange& x, const TemplateChange& y) {
    bool xn = x.change == "new", yn = y.change == "new";
    if (xn != yn) return xn;
    if (x.p_value != y.p_value) return x.p_value < y.p_value;
    if (x.growth != y.growth) return x.growth > y.growth;
    return x.tpl->text < y.tpl->text;
  });
  return out;
}

void write_change_event(std::string& out, const TemplateChange& c, size_t top_values) {
  const MinedTemplate& t = *c.tpl;
  JsonBuilder json(out);
  json.begin_object();
  json.field("change", c.change);
  json.field("template_id", t.id);
  json.field("template", t.text);
  json.key("count");
  json.uint64(t.count);
  json.key("baseline_count");
  json.uint64(t.baseline);
  json.field_number("share", round6(c.share));
  json.field_number("baseline_share", round6(c.baseline_share));
  json.key("growth");
  if (c.change == "new") json.null();
  else json.number(round6(c.growth));
  json.field_number("p_value", c.p_value < 1e-300 ? 0.0 : round6(c.p_value));
  write_seen_and_values(json, t, top_values);
  json.end_object();
}

// ---- model ----------------------------------------------------------------

std::string model_to_json(const std::vector<MinedTemplate>& templates, const PatternsConfig& config) {
  std::string out = fmt::format("{{\"olly_patterns_model\":{},\"settings\":{},\"templates\":[", kPatternsModelVersion,
                                settings_json(config));
  bool first = true;
  for (const MinedTemplate& t : templates) {
    out.append(first ? "\n" : ",\n");
    first = false;
    JsonBuilder json(out);
    json.begin_object();
    json.field("template_id", t.id);
    json.field("template", t.text);
    json.key("words");
    json.begin_array();
    for (const std::string& w : t.words) {
      if (w.empty()) json.null();
      else json.string(w);
    }
    json.end_array();
    json.key("count");
    json.uint64(t.count + t.prior);
    bool timed = t.first_ms != INT64_MAX;
    if (timed) {
      json.field_int("first_ms", t.first_ms);
      json.field_int("last_ms", t.last_ms);
    }
    json.field("example", t.example);
    json.end_object();
  }
  out.append("\n]}\n");
  return out;
}

bool looks_like_model(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r')) ++i;
  return text.substr(i, 22) == "{\"olly_patterns_model\"";
}

namespace {

// A shape from a model's words (null: a variable): its key, and a value
// slot for each variable and each word with digits (as ShapeTable::add
// makes them), holding that word.
bool shape_from_words(simdjson::dom::array words, uint64_t count, Shape& shape) {
  shape.key.clear();
  shape.tokens = 0;
  shape.masked.clear();
  for (simdjson::dom::element w : words) {
    if (shape.tokens++ > 0) shape.key.push_back('\0');
    if (w.is_null()) {
      shape.key.push_back('\x01');
      shape.masked.emplace_back();
      continue;
    }
    std::string_view s;
    if (w.get_string().get(s) || s.empty()) return false;
    bool digits = false;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c >= '0' && c <= '9') {
        while (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') ++i;
        shape.key.push_back('\x04');
        digits = true;
        continue;
      }
      shape.key.push_back(c == '\0' || c == '\x01' || c == '\x03' || c == '\x04' ? '\x02' : c);
    }
    if (digits) {
      shape.masked.emplace_back();
      shape.masked.back().add(s, count);
    }
  }
  return true;
}

// A partial state's words are keys already ("\x04" and "\x03" kept).
bool key_from_partial_words(simdjson::dom::array words, std::string& key, uint32_t& tokens, size_t& valued) {
  key.clear();
  tokens = 0;
  valued = 0;
  for (simdjson::dom::element w : words) {
    if (tokens++ > 0) key.push_back('\0');
    std::string_view s = "\x01";
    if (!w.is_null() && (w.get_string().get(s) || s.empty() || s.find('\0') != std::string_view::npos)) return false;
    key.append(s);
    valued += is_valued_word(s);
  }
  return true;
}

}  // namespace

void load_model(std::string_view text, std::string_view path, std::string_view flag, const PatternsConfig& config,
                ShapeTable& table, bool as_baseline) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root))
    throw InputError(fmt::format("{} {}: not a model: the file is not JSON", flag, path));
  int64_t version = 0;
  if (root["olly_patterns_model"].get_int64().get(version))
    throw InputError(fmt::format("{} {}: not a model (no olly_patterns_model version)", flag, path));
  if (version != kPatternsModelVersion)
    throw UsageError(fmt::format("{} {}: model version {} is not supported (this olly reads version {})", flag, path,
                                 version, kPatternsModelVersion));
  simdjson::dom::element settings;
  if (root["settings"].get(settings))
    throw InputError(fmt::format("{} {}: not a model (no settings)", flag, path));
  std::string theirs = simdjson::minify(settings);
  std::string ours = settings_json(config);
  if (theirs != ours)
    throw UsageError(fmt::format("{} {}: the model was mined with other settings ({}) than this run's ({}); "
                                 "give the same --mask options",
                                 flag, path, theirs, ours));
  simdjson::dom::array templates;
  if (root["templates"].get_array().get(templates))
    throw InputError(fmt::format("{} {}: not a model (no templates array)", flag, path));
  size_t index = 0;
  for (simdjson::dom::element t : templates) {
    ++index;
    simdjson::dom::array words;
    uint64_t count = 0;
    std::string_view example;
    Shape shape;
    if (t["words"].get_array().get(words) || t["count"].get_uint64().get(count) ||
        t["example"].get_string().get(example) || !shape_from_words(words, count, shape))
      throw InputError(fmt::format("{} {}: template {} is malformed (words, count and example are required)", flag,
                                   path, index));
    int64_t first = 0, last = 0;
    if (!t["first_ms"].get_int64().get(first) && !t["last_ms"].get_int64().get(last)) {
      shape.first_ms = first;
      shape.last_ms = last;
    }
    (as_baseline ? shape.baseline : shape.prior) = count;
    shape.example.assign(example);
    table.add_shape(std::move(shape));
  }
}

// ---- partial state --------------------------------------------------------

void write_partial_header(std::string& out, const PatternsConfig& config) {
  out.append(fmt::format("{{\"olly_patterns_partial\":{},\"settings\":{}}}", kPatternsPartialVersion,
                         settings_json(config)));
}

void write_partial_shape(std::string& out, const Shape& shape) {
  JsonBuilder json(out);
  json.begin_object();
  json.key("words");
  json.begin_array();
  for (std::string_view w : split_key(shape.key, shape.tokens)) {
    if (w == "\x01") json.null();
    else json.string(w);
  }
  json.end_array();
  json.key("count");
  json.uint64(shape.count);
  json.key("baseline");
  json.uint64(shape.baseline);
  json.key("prior");
  json.uint64(shape.prior);
  if (shape.first_ms != INT64_MAX) {
    json.field_int("first_ms", shape.first_ms);
    json.field_int("last_ms", shape.last_ms);
  }
  json.field("example", shape.example);
  json.key("masked");
  json.begin_array();
  for (const ValueCounts& v : shape.masked) {
    json.begin_object();
    json.key("values");
    json.begin_array();
    for (const auto& [value, count] : v.values) {
      json.begin_array();
      json.string(value);
      json.uint64(count);
      json.end_array();
    }
    json.end_array();
    json.key("other");
    json.uint64(v.other);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

PartialStage::PartialStage(const PatternsConfig& config, ShapeTable& table)
    : settings_(settings_json(config)), table_(table) {}

Result PartialStage::on_event(Event& ev, Emitter&) {
  simdjson::dom::element root;
  if (auto error = parser_.parse(ev.raw.data(), ev.raw.size()).get(root)) return Result::bad(error);
  int64_t version = 0;
  if (!root["olly_patterns_partial"].get_int64().get(version)) {
    if (version != kPatternsPartialVersion) {
      reason_ = fmt::format("partial state version {} is not supported (this olly reads version {})", version,
                            kPatternsPartialVersion);
      return Result::bad(reason_);
    }
    simdjson::dom::element settings;
    if (root["settings"].get(settings)) return Result::bad("partial state header without settings");
    std::string theirs = simdjson::minify(settings);
    if (theirs != settings_) {
      reason_ = fmt::format("partial state mined with other settings ({}) than this run's ({})", theirs, settings_);
      return Result::bad(reason_);
    }
    header_seen_ = true;
    return Result::ok();
  }
  if (!header_seen_) return Result::bad("not a partial state of olly-patterns (no header line before it)");
  Shape shape;
  simdjson::dom::array words;
  std::string_view example;
  simdjson::dom::array masked;
  size_t valued = 0;
  if (root["words"].get_array().get(words) || root["count"].get_uint64().get(shape.count) ||
      root["baseline"].get_uint64().get(shape.baseline) || root["prior"].get_uint64().get(shape.prior) ||
      root["example"].get_string().get(example) || root["masked"].get_array().get(masked) ||
      !key_from_partial_words(words, shape.key, shape.tokens, valued))
    return Result::bad("malformed partial-state shape (words, count, baseline, prior, example, masked)");
  int64_t first = 0, last = 0;
  if (!root["first_ms"].get_int64().get(first) && !root["last_ms"].get_int64().get(last)) {
    shape.first_ms = first;
    shape.last_ms = last;
  }
  shape.example.assign(example);
  for (simdjson::dom::element m : masked) {
    ValueCounts vc;
    simdjson::dom::array values;
    if (m["values"].get_array().get(values) || m["other"].get_uint64().get(vc.other))
      return Result::bad("malformed partial-state values");
    for (simdjson::dom::element pair : values) {
      simdjson::dom::array a;
      std::string_view v;
      uint64_t n;
      if (pair.get_array().get(a) || a.at(0).get_string().get(v) || a.at(1).get_uint64().get(n))
        return Result::bad("malformed partial-state values");
      vc.add(v, n);
    }
    shape.masked.push_back(std::move(vc));
  }
  if (shape.masked.size() != valued) return Result::bad("malformed partial state: masked values do not match words");
  table_.add_shape(std::move(shape));
  return Result::ok();
}

}  // namespace olly
