// olly-redact's detectors and in-place rewrite. Byte 0 picks the options
// (detectors, the actions, field paths, drops); the rest is lines, each run
// through Redactor::redact_json (when it is JSON) and redact_text.
//
// Invariants: a JSON line comes out as JSON; unless something was dropped,
// the output has the input's structure (same keys in the same order, the
// same numbers, booleans and nulls), every string is what a reference
// (decode with the DOM, scan, apply the actions, no in-place editing) makes
// of it, and every byte outside strings is the input's, byte for byte; a
// line with nothing to redact comes out unchanged; redact_text without
// matches writes the line as it was, and scanning is deterministic.
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "redact/redactor.h"

namespace {

using namespace olly::redact;

struct Setup {
  std::shared_ptr<const RedactConfig> config;
  bool drops = false;
  bool fields = false;
};

const Setup& setup_for(uint8_t selector) {
  static std::vector<Setup> setups(64);
  Setup& s = setups[selector & 63];
  if (s.config) return s;
  RedactOptions o;
  o.detect = (selector & 1) ? std::vector<std::string>{"all"} : std::vector<std::string>{"email", "card", "ipv4", "jwt"};
  o.patterns = {"tkt=TKT-[0-9]+", "kv=secret=([^ &]+)"};
  const char* action = nullptr;
  switch ((selector >> 1) & 3) {
    case 1: action = "replace"; break;
    case 2: action = "hash"; break;
    case 3: action = "mask"; break;
    default: break;
  }
  if (action) {
    for (const auto& n : builtin_names()) {
      if ((selector & 1) || n == "email" || n == "card" || n == "ipv4" || n == "jwt") {
        o.actions.push_back(n + "=" + action);
      }
    }
    o.actions.push_back(std::string("tkt=") + action);
  }
  if (selector & 8) {
    o.fields = {"*.token", "a.b", "*_id"};
    s.fields = true;
  }
  if (selector & 16) {
    o.drop_fields = {"x", "*.drop"};
    o.actions.push_back("email=drop");
    s.drops = true;
  }
  if (selector & 32) {
    o.actions.push_back("kv=drop-event");
    s.drops = true;
  }
  o.key_file.clear();
  setenv("OLLY_FUZZ_REDACT_KEY", "fuzz-key", 1);
  o.key_env = "OLLY_FUZZ_REDACT_KEY";
  s.config = RedactConfig::build(o);
  return s;
}

// The input with every string's content taken out: what must stay byte for byte.
std::string skeleton(std::string_view json) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') {
        in_string = false;
        out.push_back('"');
      }
      continue;
    }
    out.push_back(c);
    if (c == '"') in_string = true;
  }
  return out;
}

// What the rewrite must make of one string (no key context: the fuzz
// compares strings whose member names it does not track, so only when
// context cannot matter: see compare()).
std::string reference(const RedactConfig& cfg, Hasher* hasher, std::string_view text, std::string_view key) {
  std::vector<Match> m;
  cfg.detectors->scan(text, key, m);
  std::string out;
  size_t at = 0;
  for (const Match& x : m) {
    out.append(text.substr(at, x.begin - at));
    Action a = cfg.rule_actions[x.rule];
    std::string_view s = text.substr(x.begin, x.end - x.begin);
    if (a == Action::replace) {
      out.append("[REDACTED:").append(cfg.detectors->rule_name(x.rule)).append("]");
    } else if (a == Action::hash) {
      hasher->append_token(s, out);
    } else {
      append_mask(cfg.detectors->rule_builtin(x.rule), s, out);
    }
    at = x.end;
  }
  out.append(text.substr(at));
  return out;
}

void compare(const RedactConfig& cfg, Hasher* hasher, simdjson::dom::element in, simdjson::dom::element out,
             std::string_view key, bool selected) {
  FUZZ_CHECK(in.type() == out.type() || selected || in.type() == simdjson::dom::element_type::STRING,
             "a value changed type");
  switch (in.type()) {
    case simdjson::dom::element_type::OBJECT: {
      auto a = in.get_object().value_unsafe();
      auto b = out.get_object().value_unsafe();
      FUZZ_CHECK(a.size() == b.size(), "an object lost or gained members");
      auto ib = b.begin();
      for (auto [k, v] : a) {
        FUZZ_CHECK(ib.key() == k, "a member's name changed");
        compare(cfg, hasher, v, ib.value(), k, selected);
        ++ib;
      }
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      auto a = in.get_array().value_unsafe();
      auto b = out.get_array().value_unsafe();
      FUZZ_CHECK(a.size() == b.size(), "an array lost or gained elements");
      auto ib = b.begin();
      for (auto v : a) {
        compare(cfg, hasher, v, *ib, key, selected);
        ++ib;
      }
      break;
    }
    case simdjson::dom::element_type::STRING: {
      if (selected) break;
      std::string_view s = in.get_string().value_unsafe();
      FUZZ_CHECK(out.type() == simdjson::dom::element_type::STRING, "a string became something else");
      std::string_view got = out.get_string().value_unsafe();
      std::string want = reference(cfg, hasher, s, key);
      FUZZ_CHECK(got == want, "a string is not what the reference makes of it", std::string(s) + " -> " + std::string(got));
      break;
    }
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Setup& s = setup_for(data[0]);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  Redactor redactor(s.config);
  Redactor raw_redactor(s.config);
  std::unique_ptr<Hasher> hasher;
  if (!s.config->key.empty()) hasher = std::make_unique<Hasher>(s.config->key);
  simdjson::ondemand::parser parser;
  simdjson::dom::parser dom_in, dom_out;
  std::string out, out2;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);

    out.clear();
    raw_redactor.redact_text(line, out);
    std::vector<Match> m1, m2;
    s.config->detectors->scan(line, "", m1);
    s.config->detectors->scan(line, "", m2);
    FUZZ_CHECK(m1.size() == m2.size(), "scanning is not deterministic");
    for (size_t i = 0; i + 1 < m1.size(); ++i) FUZZ_CHECK(m1[i].end <= m1[i + 1].begin, "matches overlap");
    for (auto& x : m1) FUZZ_CHECK(x.begin < x.end && x.end <= line.size(), "a match outside the text");

    simdjson::padded_string padded(line);
    auto in_doc = dom_in.parse(padded);
    if (in_doc.error()) continue;  // only valid JSON lines make promises
    auto doc = parser.iterate(padded);
    if (doc.error()) continue;
    out.clear();
    Redactor::Outcome outcome;
    auto e = redactor.redact_json(line, doc.value_unsafe(), out, outcome);
    if (e == simdjson::DEPTH_ERROR) continue;
    FUZZ_CHECK(!e, "a line the DOM parser accepts was refused", simdjson::error_message(e));
    if (outcome == Redactor::Outcome::dropped) {
      FUZZ_CHECK(s.drops, "an event was dropped with no drop action");
      continue;
    }
    auto out_doc = dom_out.parse(out);
    FUZZ_CHECK(!out_doc.error(), "the output is not JSON", out);
    if (outcome == Redactor::Outcome::kept) FUZZ_CHECK(out == line, "an unchanged line was not copied as it was");
    if (s.drops || s.fields) continue;
    FUZZ_CHECK(skeleton(out) == skeleton(line), "a byte outside the strings changed", out);
    compare(*s.config, hasher.get(), in_doc.value_unsafe(), out_doc.value_unsafe(), "", false);
  }
  return 0;
}
