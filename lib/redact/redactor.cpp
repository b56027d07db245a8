#include "redact/redactor.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "core/diag.h"
#include "core/read_file.h"
#include "core/writer.h"

namespace olly::redact {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// ------------------------------------------------------------- config

namespace {

std::vector<std::string> split_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& s : items) {
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

bool valid_rule_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string read_key_file(const std::string& path) {
  std::string key, reason;
  if (!read_file(path, key, reason, 1 << 20)) {
    throw UsageError(fmt::format("--key-file: cannot read '{}': {}", path, reason));
  }
  // `echo secret > key` and `printf secret > key` give the same tokens.
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  if (key.empty()) throw UsageError(fmt::format("--key-file: '{}' is empty; a hash needs a key", path));
  return key;
}

}  // namespace

std::shared_ptr<const RedactConfig> RedactConfig::build(const RedactOptions& opts) {
  auto cfg = std::make_shared<RedactConfig>();
  cfg->raw = opts.raw;
  std::vector<CustomPattern> custom;
  const auto& builtins = builtin_names();
  for (const auto& spec : opts.patterns) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      throw UsageError(fmt::format("--pattern: '{}' is not NAME=REGEX", spec));
    }
    std::string name = spec.substr(0, eq);
    if (!valid_rule_name(name)) {
      throw UsageError(fmt::format("--pattern: '{}': a NAME is letters, digits, _ and -", name));
    }
    if (std::find(builtins.begin(), builtins.end(), name) != builtins.end() || name == "all") {
      throw UsageError(fmt::format("--pattern: '{}' is a built-in detector's name; choose another", name));
    }
    for (const auto& c : custom) {
      if (c.name == name) throw UsageError(fmt::format("--pattern: '{}' given twice", name));
    }
    custom.push_back({name, spec.substr(eq + 1)});
  }
  cfg->detectors = std::make_unique<DetectorSet>(split_list(opts.detect), custom);
  for (size_t r = 0; r < cfg->detectors->rule_count(); ++r) {
    cfg->rule_actions.push_back(default_action(cfg->detectors->rule_builtin(r)));
  }

  auto add_globs = [&](const std::vector<std::string>& list, const char* flag, Action action) {
    for (const auto& text : split_list(list)) {
      if (opts.raw) throw UsageError(fmt::format("{}: --raw lines have no fields; use --detect or --pattern", flag));
      cfg->globs.push_back(parse_field_glob(text, flag));
      cfg->glob_actions.push_back(action);
    }
  };
  add_globs(opts.fields, "--field", Action::replace);
  add_globs(opts.hash_fields, "--hash", Action::hash);
  add_globs(opts.drop_fields, "--drop-field", Action::drop);
  if (cfg->detectors->empty() && cfg->globs.empty()) {
    throw UsageError("nothing to redact: give --detect, --pattern, --field, --hash or --drop-field");
  }

  for (const auto& spec : split_list(opts.actions)) {
    size_t eq = spec.rfind('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError(fmt::format("--action: '{}' is not NAME=ACTION", spec));
    }
    std::string name = spec.substr(0, eq);
    Action a;
    if (!parse_action(std::string_view(spec).substr(eq + 1), a)) {
      throw UsageError(fmt::format("--action: '{}': ACTION is mask, replace, hash, drop or drop-event", spec));
    }
    bool named = false;
    for (size_t r = 0; r < cfg->detectors->rule_count(); ++r) {
      if (cfg->detectors->rule_name(r) == name) {
        cfg->rule_actions[r] = a;
        named = true;
      }
    }
    for (size_t g = 0; g < cfg->globs.size(); ++g) {
      if (cfg->globs[g].text == name) {
        cfg->glob_actions[g] = a;
        named = true;
      }
    }
    if (!named) {
      throw UsageError(fmt::format("--action: '{}' names no --field, --hash, --drop-field path, detector "
                                   "given to --detect, or --pattern",
                                   name));
    }
  }
  for (Action a : cfg->rule_actions) cfg->any_detector_drop |= (a == Action::drop || a == Action::drop_event);

  bool hashes = false;
  for (Action a : cfg->rule_actions) hashes |= (a == Action::hash);
  for (Action a : cfg->glob_actions) hashes |= (a == Action::hash);
  if (!opts.key_file.empty() && !opts.key_env.empty()) {
    throw UsageError("--key-file and --key-env: give one of them");
  }
  if (!opts.key_file.empty()) {
    cfg->key = read_key_file(opts.key_file);
  } else if (!opts.key_env.empty()) {
    const char* v = std::getenv(opts.key_env.c_str());
    if (!v) throw UsageError(fmt::format("--key-env: environment variable {} is not set", opts.key_env));
    if (!*v) throw UsageError(fmt::format("--key-env: environment variable {} is empty; a hash needs a key", opts.key_env));
    cfg->key = v;
  }
  if (hashes && cfg->key.empty()) {
    throw UsageError("--key-file: hashing needs a key: give --key-file FILE or --key-env VAR");
  }
  return cfg;
}

void RedactCounts::add(const RedactCounts& o) {
  if (rules.size() < o.rules.size()) rules.resize(o.rules.size());
  if (globs.size() < o.globs.size()) globs.resize(o.globs.size());
  for (size_t i = 0; i < o.rules.size(); ++i) rules[i] += o.rules[i];
  for (size_t i = 0; i < o.globs.size(); ++i) globs[i] += o.globs[i];
  events_dropped += o.events_dropped;
  events_changed += o.events_changed;
}

// ------------------------------------------------------------- redactor

Redactor::Redactor(std::shared_ptr<const RedactConfig> config)
    : config_(std::move(config)), matcher_(&config_->globs) {
  if (!config_->key.empty()) hasher_ = std::make_unique<Hasher>(config_->key);
  counts_.rules.assign(config_->detectors->rule_count(), 0);
  counts_.globs.assign(config_->globs.size(), 0);
}

Redactor::~Redactor() = default;

void Redactor::apply_value_action(Action a, Builtin kind, std::string_view text, std::string& out) {
  switch (a) {
    case Action::mask: append_mask(kind, text, out); break;
    case Action::hash: hasher_->append_token(text, out); break;
    default: break;  // replace: the caller writes its label
  }
}

Action Redactor::apply_matches(std::string_view text, const std::vector<Match>& matches, std::string& out) {
  size_t at = 0;
  for (const Match& m : matches) {
    out.append(text.substr(at, m.begin - at));
    Action a = config_->rule_actions[m.rule];
    Builtin kind = config_->detectors->rule_builtin(m.rule);
    if (a == Action::replace) {
      out.append("[REDACTED:");
      out.append(config_->detectors->rule_name(m.rule));
      out.push_back(']');
    } else {
      apply_value_action(a, kind, text.substr(m.begin, m.end - m.begin), out);
    }
    at = m.end;
  }
  out.append(text.substr(at));
  return Action::mask;
}

namespace {

// The strongest action among the matches: drop-event, then drop.
Action strongest(const RedactConfig& cfg, const std::vector<Match>& matches) {
  Action s = Action::mask;
  for (const Match& m : matches) {
    Action a = cfg.rule_actions[m.rule];
    if (a == Action::drop_event) return a;
    if (a == Action::drop) s = a;
  }
  return s;
}

std::string_view trim_space_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

// One event's walk: copies the line to out span by span, replacing what
// the detectors and globs picked. Edits come in document order, so each is
// "copy up to here, write this, skip to there".
struct Redactor::Walk {
  Redactor& r;
  std::string_view raw;
  const char* base;  // the padded copy's first byte (raw's twin)
  std::string& out;
  size_t copied = 0;
  bool drop_event = false;
  bool changed = false;
  const bool paths;

  enum class Fate : uint8_t { keep, drop };

  size_t offset(const char* p) const { return static_cast<size_t>(p - base); }
  void emit_until(size_t pos) {
    if (deferred && pos >= deferred_to) apply_deferred();
    out.append(raw.data() + copied, pos - copied);
    copied = pos;
  }
  void cut(size_t from, size_t to) {
    emit_until(from);
    copied = to;
    changed = true;
  }

  // Members or elements dropped in a row are cut as one span, so the commas
  // between them go too and the container stays valid JSON. The span up to
  // the next member is cut only once that member is known to stay (a member
  // that goes writes nothing before it is dropped), so the cut waits in
  // `deferred` until the next write or the member's end.
  struct Container {
    bool kept_any = false;
    bool pending = false;
    size_t run_start = 0, run_end = 0;
  };
  bool deferred = false;
  size_t deferred_from = 0, deferred_to = 0;
  void apply_deferred() {
    deferred = false;
    out.append(raw.data() + copied, deferred_from - copied);
    copied = deferred_to;
    changed = true;
  }
  // Before walking the member or element that starts at `start`.
  void on_next(Container& c, size_t start) {
    if (!c.pending) return;
    if (deferred) apply_deferred();  // an outer container's cut: its member is being walked, so it stays
    deferred = true;
    deferred_from = c.run_start;
    deferred_to = start;
  }
  void on_dropped(Container& c, size_t start, size_t end) {
    if (c.pending) {
      deferred = false;  // nothing was written since: the run goes on
    } else {
      c.run_start = start;
      c.pending = true;
    }
    c.run_end = end;
  }
  void on_kept(Container& c) {
    if (c.pending) {
      if (deferred) apply_deferred();
      c.pending = false;
    }
    c.kept_any = true;
  }
  void on_close(Container& c) {
    if (!c.pending) return;
    size_t from = c.run_start;
    if (c.kept_any) {
      // Back over the whitespace to the comma after the last kept member.
      size_t i = from;
      while (i > 0 && is_space(raw[i - 1])) --i;
      if (i > 0 && raw[i - 1] == ',') from = i - 1;
    }
    cut(from, c.run_end);
    c.pending = false;
  }

  error_code object(ondemand::object obj, int sel, bool alive);
  error_code array(ondemand::array arr, std::string_view key, int sel, bool alive);
  error_code value(ondemand::value v, std::string_view key, int sel, bool alive, Fate& fate, size_t& end);
  error_code string_value(ondemand::value& v, std::string_view key, int sel, Fate& fate, size_t& end);
  error_code selected_scalar(ondemand::value& v, ondemand::json_type type, int sel, Fate& fate, size_t& end);
  // The action of field path sel on a value (its text; its token at
  // [start, end) of the line): counted, then drop, drop the event, or write
  // the value redacted as a JSON string.
  void apply_path_action(int sel, std::string_view text, size_t start, size_t end, Fate& fate);
  error_code skip_container(ondemand::value& v, ondemand::json_type type, size_t& end);
};

error_code Redactor::Walk::skip_container(ondemand::value& v, ondemand::json_type type, size_t& end) {
  std::string_view text;
  if (type == ondemand::json_type::object) {
    ondemand::object o;
    if (auto e = v.get_object().get(o)) return e;
    if (auto e = o.raw_json().get(text)) return e;
  } else {
    ondemand::array a;
    if (auto e = v.get_array().get(a)) return e;
    if (auto e = a.raw_json().get(text)) return e;
  }
  text = trim_space_right(text);
  end = offset(text.data()) + text.size();
  return SUCCESS;
}

error_code Redactor::Walk::object(ondemand::object obj, int sel, bool alive) {
  Container c;
  std::string decoded_key;
  for (auto field_result : obj) {
    ondemand::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    const char* key_raw = reinterpret_cast<const char*>(field.key().raw());
    size_t key_len = 0;
    while (key_raw[key_len] != '"') key_len += (key_raw[key_len] == '\\') ? 2 : 1;
    std::string_view key(key_raw, key_len);
    const size_t member_start = offset(key_raw) - 1;
    on_next(c, member_start);
    int child_sel = sel;
    bool child_alive = false;
    // Paths and detector context (a "version" member) see the name decoded.
    if (std::memchr(key.data(), '\\', key.size()) != nullptr) {
      std::string_view unescaped;
      if (auto e = field.unescaped_key().get(unescaped)) return e;
      decoded_key.assign(unescaped);  // this level's own: deeper levels decode theirs
      key = decoded_key;
    }
    if (alive) {
      int hit = r.matcher_.enter(key, -1);
      if (hit >= 0 && child_sel < 0) child_sel = hit;
      child_alive = child_sel < 0 && r.matcher_.alive();
    }
    Fate fate = Fate::keep;
    size_t end = 0;
    error_code e = value(field.value(), key, child_sel, child_alive, fate, end);
    if (alive) r.matcher_.leave();
    if (e) return e;
    if (drop_event) return SUCCESS;
    if (fate == Fate::drop) on_dropped(c, member_start, end);
    else on_kept(c);
  }
  on_close(c);
  return SUCCESS;
}

error_code Redactor::Walk::array(ondemand::array arr, std::string_view key, int sel, bool alive) {
  Container c;
  int64_t index = 0;
  for (auto elem_result : arr) {
    ondemand::value elem;
    if (auto e = std::move(elem_result).get(elem)) return e;
    std::string_view tok;
    tok = elem.raw_json_token();
    const size_t start = offset(tok.data());
    on_next(c, start);
    int child_sel = sel;
    bool child_alive = false;
    if (alive) {
      int hit = r.matcher_.enter("", index);
      if (hit >= 0 && child_sel < 0) child_sel = hit;
      child_alive = child_sel < 0 && r.matcher_.alive();
    }
    ++index;
    Fate fate = Fate::keep;
    size_t end = 0;
    error_code e = value(elem, key, child_sel, child_alive, fate, end);
    if (alive) r.matcher_.leave();
    if (e) return e;
    if (drop_event) return SUCCESS;
    if (fate == Fate::drop) on_dropped(c, start, end);
    else on_kept(c);
  }
  on_close(c);
  return SUCCESS;
}

error_code Redactor::Walk::value(ondemand::value v, std::string_view key, int sel, bool alive, Fate& fate,
                                 size_t& end) {
  ondemand::json_type type;
  if (auto e = v.type().get(type)) return e;
  const RedactConfig& cfg = *r.config_;
  if (sel >= 0 && (type == ondemand::json_type::object || type == ondemand::json_type::array)) {
    Action a = cfg.glob_actions[static_cast<size_t>(sel)];
    if (a == Action::drop || a == Action::drop_event) {
      ++r.counts_.globs[static_cast<size_t>(sel)];
      if (a == Action::drop_event) {
        drop_event = true;
        return SUCCESS;
      }
      fate = Fate::drop;
      return skip_container(v, type, end);
    }
  }
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object o;
      if (auto e = v.get_object().get(o)) return e;
      return object(o, sel, alive);
    }
    case ondemand::json_type::array: {
      ondemand::array a;
      if (auto e = v.get_array().get(a)) return e;
      return array(a, key, sel, alive);
    }
    case ondemand::json_type::string: return string_value(v, key, sel, fate, end);
    default:
      if (sel >= 0) return selected_scalar(v, type, sel, fate, end);
      // Scalars passed through unseen are still checked, so a damaged token
      // makes a bad line rather than bad output.
      if (type == ondemand::json_type::number) {
        double d;
        return v.get_double().get(d);
      }
      if (type == ondemand::json_type::boolean) {
        bool b;
        return v.get_bool().get(b);
      }
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return e;
      return is_null ? SUCCESS : simdjson::N_ATOM_ERROR;
  }
}

error_code Redactor::Walk::selected_scalar(ondemand::value& v, ondemand::json_type type, int sel, Fate& fate,
                                           size_t& end) {
  std::string_view tok;
  tok = v.raw_json_token();
  tok = trim_space_right(tok);
  const size_t start = offset(tok.data());
  end = start + tok.size();
  if (type == ondemand::json_type::number) {
    double d;
    if (auto e = v.get_double().get(d)) return e;
  } else if (type == ondemand::json_type::boolean) {
    bool b;
    return v.get_bool().get(b);  // true and false say nothing about anyone: kept
  } else {
    bool is_null = false;
    if (auto e = v.is_null().get(is_null)) return e;
    return is_null ? SUCCESS : simdjson::N_ATOM_ERROR;
  }
  apply_path_action(sel, tok, start, end, fate);
  return SUCCESS;
}

void Redactor::Walk::apply_path_action(int sel, std::string_view text, size_t start, size_t end, Fate& fate) {
  const size_t g = static_cast<size_t>(sel);
  const Action a = r.config_->glob_actions[g];
  ++r.counts_.globs[g];
  if (a == Action::drop_event) {
    drop_event = true;
    return;
  }
  if (a == Action::drop) {
    fate = Fate::drop;
    return;
  }
  r.edited_.clear();
  if (a == Action::replace) r.edited_.append("[REDACTED]");
  else r.apply_value_action(a, Builtin::count, text, r.edited_);
  emit_until(start);
  append_json_string(out, r.edited_);
  copied = end;
  changed = true;
}

error_code Redactor::Walk::string_value(ondemand::value& v, std::string_view key, int sel, Fate& fate,
                                        size_t& end) {
  std::string_view tok;
  tok = v.raw_json_token();
  tok = trim_space_right(tok);
  if (tok.size() < 2) return simdjson::STRING_ERROR;
  const size_t quote = offset(tok.data());
  end = quote + tok.size();
  std::string_view content = tok.substr(1, tok.size() - 2);
  const bool escaped = std::memchr(content.data(), '\\', content.size()) != nullptr;
  std::string_view text = content;
  if (escaped) {
    if (auto e = v.get_string().get(text)) return e;
  }
  const RedactConfig& cfg = *r.config_;

  if (sel >= 0) {
    apply_path_action(sel, text, quote, end, fate);
    return SUCCESS;
  }

  if (cfg.detectors->empty()) return SUCCESS;
  r.matches_.clear();
  cfg.detectors->scan(text, key, r.matches_);
  if (r.matches_.empty()) return SUCCESS;
  for (const Match& m : r.matches_) ++r.counts_.rules[m.rule];
  const Action s = strongest(cfg, r.matches_);
  if (s == Action::drop_event) {
    drop_event = true;
    return SUCCESS;
  }
  if (s == Action::drop) {
    fate = Fate::drop;
    return SUCCESS;
  }
  if (!escaped) {
    // Nothing to decode: the edits go straight between the quotes (masks,
    // labels and tokens are plain ASCII that needs no escaping).
    emit_until(quote + 1);
    r.apply_matches(text, r.matches_, out);
    copied = end - 1;
  } else {
    r.edited_.clear();
    r.apply_matches(text, r.matches_, r.edited_);
    emit_until(quote);
    append_json_string(out, r.edited_);
    copied = end;
  }
  changed = true;
  return SUCCESS;
}

error_code Redactor::redact_json(std::string_view raw, ondemand::document& doc, std::string& out,
                                 Outcome& outcome) {
  outcome = Outcome::kept;
  const char* first = nullptr;
  if (auto e = doc.current_location().get(first)) return e;
  size_t lead = 0;
  while (lead < raw.size() && is_space(raw[lead])) ++lead;
  const size_t mark = out.size();
  Walk w{*this, raw, first - lead, out, 0, false, false, !config_->globs.empty()};
  if (w.paths) matcher_.reset();
  ondemand::json_type type;
  if (auto e = doc.type().get(type)) return e;
  error_code err = SUCCESS;
  if (type == ondemand::json_type::object) {
    ondemand::object o;
    if (auto e = doc.get_object().get(o)) return e;
    err = w.object(o, -1, w.paths);
  } else if (type == ondemand::json_type::array) {
    ondemand::array a;
    if (auto e = doc.get_array().get(a)) return e;
    err = w.array(a, "", -1, false);  // a top-level array has no fields
  } else {
    // A bare scalar is an event with no fields: a string is still scanned.
    if (type == ondemand::json_type::string) {
      std::string_view tok;
      if (auto e = doc.raw_json_token().get(tok)) return e;
      std::string_view text;
      if (auto e = doc.get_string().get(text)) return e;
      tok = trim_space_right(tok);
      matches_.clear();
      if (!config_->detectors->empty()) config_->detectors->scan(text, "", matches_);
      if (!matches_.empty()) {
        for (const Match& m : matches_) ++counts_.rules[m.rule];
        if (strongest(*config_, matches_) != Action::mask) {
          w.drop_event = true;
        } else {
          edited_.clear();
          apply_matches(text, matches_, edited_);
          w.emit_until(static_cast<size_t>(tok.data() - w.base));
          append_json_string(out, edited_);
          w.copied = static_cast<size_t>(tok.data() - w.base) + tok.size();
          w.changed = true;
        }
      }
    } else if (type == ondemand::json_type::number) {
      double d;
      err = doc.get_double().get(d);
    } else if (type == ondemand::json_type::boolean) {
      bool b;
      err = doc.get_bool().get(b);
    } else {
      bool is_null = false;
      err = doc.is_null().get(is_null);
      if (!err && !is_null) err = simdjson::N_ATOM_ERROR;
    }
  }
  if (err) return err;
  if (w.drop_event) {
    out.resize(mark);
    ++counts_.events_dropped;
    outcome = Outcome::dropped;
    return SUCCESS;
  }
  // Nothing may follow the document.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return simdjson::TRAILING_CONTENT;
  w.emit_until(raw.size());
  if (w.changed) {
    ++counts_.events_changed;
    outcome = Outcome::changed;
  }
  return SUCCESS;
}

namespace {

bool base64_line(std::string_view line) {
  if (line.empty()) return true;
  if (line.rfind("Proc-Type:", 0) == 0 || line.rfind("DEK-Info:", 0) == 0) return true;
  for (char c : line) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '/' || c == '=' || c == '\r' || c == ' ';
    if (!ok) return false;
  }
  return true;
}

// Longer than any PEM private key body (an 8192-bit RSA key is about 100 lines).
constexpr unsigned kMaxKeyBlockLines = 200;

}  // namespace

Redactor::Outcome Redactor::redact_text(std::string_view line, std::string& out) {
  const RedactConfig& cfg = *config_;
  size_t start = 0;
  bool changed = false;
  if (in_key_block_) {
    // A PEM block's body lines go; its END line ends it.
    size_t end = line.find("-----END ");
    if (end != std::string_view::npos) {
      size_t tail = line.find("-----", end + 9);
      start = tail == std::string_view::npos ? line.size() : tail + 5;
      in_key_block_ = false;
      if (trim_space_right(line.substr(start)).empty()) return Outcome::dropped;
      changed = true;
    } else if (base64_line(line) && ++key_block_lines_ <= kMaxKeyBlockLines) {
      return Outcome::dropped;
    } else {
      in_key_block_ = false;  // not a key's body after all: scanned as any line
    }
  }
  std::string_view rest = line.substr(start);
  matches_.clear();
  cfg.detectors->scan(rest, "", matches_);
  if (!matches_.empty()) {
    for (const Match& m : matches_) ++counts_.rules[m.rule];
    if (strongest(cfg, matches_) != Action::mask) {
      ++counts_.events_dropped;
      return Outcome::dropped;
    }
    apply_matches(rest, matches_, out);
    changed = true;
  } else {
    out.append(rest);
  }
  if (cfg.detectors->has(Builtin::private_key) &&
      DetectorSet::open_private_key_block(rest) != std::string_view::npos) {
    in_key_block_ = true;
    key_block_lines_ = 0;
  }
  if (changed) ++counts_.events_changed;
  return changed ? Outcome::changed : Outcome::kept;
}

}  // namespace olly::redact
