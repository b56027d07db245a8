#include "alert/rule_test.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "alert/engine.h"
#include "alert/rule.h"
#include "alert/series_notation.h"
#include "core/diag.h"
#include "core/read_file.h"
#include "core/writer.h"
#include "time/timeutil.h"

namespace olly {

namespace {

using Labels = std::map<std::string, std::string>;

// One expected alert: every label but alertname, and (when given) exactly
// these annotations.
struct ExpAlert {
  Labels labels;
  std::optional<Labels> annotations;
};

struct AlertCase {
  int64_t eval_time = 0;
  std::string alertname;
  std::vector<ExpAlert> alerts;
};

// One alert event of a run, as compared by exp_events.
struct RunEvent {
  int64_t at = 0;
  std::string alertname;
  std::string state;
  Labels labels;  // without alertname
  Labels annotations;
  std::string fingerprint;
};

struct InputEvent {
  int64_t time = 0;
  std::string line;
};

struct TestCase {
  std::string name;
  int64_t interval = 0;
  std::vector<InputEvent> input;
  std::optional<int64_t> last_input;  // the time of the last sample step or event
  std::vector<AlertCase> cases;
  std::optional<std::vector<RunEvent>> exp_events;
};

struct TestFile {
  RuleSet rules;
  std::vector<TestCase> tests;
};

// ---- Reading the test file --------------------------------------------------

std::string mark_of(const std::string& file, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return file;
  return fmt::format("{}:{}:{}", file, m.line + 1, m.column + 1);
}

[[noreturn]] void fail_at(const std::string& file, const YAML::Node& n, std::string_view what) {
  throw UsageError(fmt::format("{}: {}", mark_of(file, n), what));
}

[[noreturn]] void unknown_field(const std::string& file, const YAML::Node& key, std::string_view what,
                                const std::vector<std::string>& known) {
  const std::string k = key.Scalar();
  const std::string hint = closest_match(k, known);
  fail_at(file, key,
          fmt::format("unknown {} field '{}' ({})", what, k,
                      hint.empty() ? fmt::format("known: {}", fmt::join(known, ", "))
                                   : fmt::format("did you mean '{}'?", hint)));
}

// Checks that n is a map whose keys are all known; returns it.
const YAML::Node& checked_map(const std::string& file, const YAML::Node& n, std::string_view what,
                              const std::vector<std::string>& known) {
  if (!n.IsMap()) fail_at(file, n, fmt::format("{} must be a map ({})", what, fmt::join(known, ", ")));
  for (const auto& kv : n) {
    if (!kv.first.IsScalar() || std::find(known.begin(), known.end(), kv.first.Scalar()) == known.end()) {
      unknown_field(file, kv.first, what, known);
    }
  }
  return n;
}

std::string scalar(const std::string& file, const YAML::Node& n, std::string_view key) {
  if (!n.IsScalar()) fail_at(file, n, fmt::format("`{}` must be a single value", key));
  return n.Scalar();
}

int64_t duration(const std::string& file, const YAML::Node& n, std::string_view key, bool allow_zero) {
  const std::string text = scalar(file, n, key);
  auto ns = parse_duration(text);
  if (!ns || (!allow_zero && *ns == 0)) {
    fail_at(file, n,
            fmt::format("`{}`: '{}' is not a {}duration (e.g. 30s, 5m, 1h)", key, text, allow_zero ? "" : "positive "));
  }
  return *ns;
}

Labels string_map(const std::string& file, const YAML::Node& n, std::string_view key) {
  Labels out;
  if (!n || n.IsNull()) return out;
  if (!n.IsMap()) fail_at(file, n, fmt::format("`{}` must be a map of names to values", key));
  for (const auto& kv : n) {
    const std::string k = scalar(file, kv.first, key);
    if (!out.emplace(k, scalar(file, kv.second, fmt::format("{}.{}", key, k))).second) {
      fail_at(file, kv.first, fmt::format("`{}`: '{}' is given twice", key, k));
    }
  }
  return out;
}

std::optional<double> finite_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A YAML value as JSON: plain scalars that read as numbers, booleans or null
// are those; quoted scalars and every other text are strings.
void yaml_to_json(const YAML::Node& n, JsonBuilder& b) {
  if (n.IsMap()) {
    b.begin_object();
    for (const auto& kv : n) {
      b.key(kv.first.Scalar());
      yaml_to_json(kv.second, b);
    }
    b.end_object();
  } else if (n.IsSequence()) {
    b.begin_array();
    for (const auto& v : n) yaml_to_json(v, b);
    b.end_array();
  } else if (n.IsNull()) {
    b.null();
  } else {
    const std::string& s = n.Scalar();
    if (n.Tag() == "?") {
      if (s == "true" || s == "false") return b.boolean(s == "true");
      if (auto v = finite_number(s)) return b.number(*v);
    }
    b.string(s);
  }
}

// An event time: a duration from time 0 (90s) or a time (RFC 3339, epoch seconds).
std::optional<int64_t> event_time(std::string_view text) {
  if (auto d = parse_duration(text)) return *d;
  return parse_time_string(text);
}

// The time of an NDJSON line from a file of input_events: the first of the
// fields the engine looks at (ts, timestamp, time, @timestamp).
std::optional<int64_t> line_time(simdjson::dom::parser& parser, const std::string& line) {
  simdjson::dom::element doc;
  if (parser.parse(line).get(doc)) return std::nullopt;
  for (const char* f : {"ts", "timestamp", "time", "@timestamp"}) {
    simdjson::dom::element v;
    if (doc[f].get(v)) continue;
    std::string_view s;
    if (!v.get_string().get(s)) return parse_time_string(s);
    double d = 0;
    if (!v.get_double().get(d)) return time_from_epoch(d);
    int64_t i = 0;
    if (!v.get_int64().get(i)) return time_from_epoch(i);
  }
  return std::nullopt;
}

void note_input_time(TestCase& t, int64_t time) { t.last_input = t.last_input ? std::max(*t.last_input, time) : time; }

void read_series(const std::string& file, const YAML::Node& list, TestCase& t) {
  if (!list.IsSequence()) fail_at(file, list, "input_series must be a list of {series, values}");
  for (const auto& s : list) {
    checked_map(file, s, "input_series", {"series", "values"});
    if (!s["series"] || !s["values"]) fail_at(file, s, "an input series needs series and values");
    SeriesDesc desc;
    std::vector<SeriesSample> samples;
    try {
      desc = parse_series_desc(scalar(file, s["series"], "series"));
    } catch (const UsageError& e) {
      fail_at(file, s["series"], e.what());
    }
    try {
      samples = expand_series_values(scalar(file, s["values"], "values"));
    } catch (const UsageError& e) {
      fail_at(file, s["values"], fmt::format("values: {}", e.what()));
    }
    // Each becomes a field of the events: a clash would write one key twice.
    for (const auto& [k, v] : desc.labels) {
      if (k == "ts" || k == desc.metric)
        fail_at(file, s["series"], fmt::format("label '{}' clashes with the event's field of that name", k));
    }
    if (desc.metric == "ts") fail_at(file, s["series"], "a series cannot be named ts (the events' time field)");
    for (size_t i = 0; i < samples.size(); ++i) {
      const int64_t time = static_cast<int64_t>(i) * t.interval;
      note_input_time(t, time);
      if (!samples[i]) continue;
      InputEvent ev{time, {}};
      JsonBuilder b(ev.line);
      b.begin_object();
      b.field("ts", format_rfc3339(time));
      b.field_number(desc.metric, *samples[i]);
      for (const auto& [k, v] : desc.labels) b.field(k, v);
      b.end_object();
      t.input.push_back(std::move(ev));
    }
  }
}

void read_events(const std::string& file, const YAML::Node& n, TestCase& t) {
  if (n.IsMap()) {
    checked_map(file, n, "input_events", {"file"});
    const std::string rel = scalar(file, n["file"], "file");
    const std::filesystem::path p = (std::filesystem::path(file).parent_path() / rel).lexically_normal();
    std::string text, reason;
    if (!read_file(p.string(), text, reason, 1u << 30))
      fail_at(file, n["file"], fmt::format("{}: {}", p.string(), reason));
    simdjson::dom::parser parser;
    size_t line_no = 0, start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto time = line_time(parser, line);
      if (!time) {
        fail_at(file, n["file"],
                fmt::format("{}:{}: not a JSON event with a time (ts, timestamp, time or @timestamp)", p.string(),
                            line_no));
      }
      note_input_time(t, *time);
      t.input.push_back({*time, std::move(line)});
    }
    return;
  }
  if (!n.IsSequence()) fail_at(file, n, "input_events must be a list of events (maps with ts), or {file: FILE}");
  for (const auto& e : n) {
    if (!e.IsMap()) fail_at(file, e, "an input event is a map of fields with ts (90s, or an RFC 3339 time)");
    std::optional<int64_t> time;
    InputEvent ev;
    JsonBuilder b(ev.line);
    b.begin_object();
    for (const auto& kv : e) {
      const std::string key = scalar(file, kv.first, "field");
      if (key == "ts") {
        time = event_time(scalar(file, kv.second, "ts"));
        if (!time)
          fail_at(
              file, kv.second,
              fmt::format("ts: '{}' is not a duration from the start (90s) nor a time (RFC 3339)", kv.second.Scalar()));
        b.field("ts", format_rfc3339(*time));
      } else {
        b.key(key);
        yaml_to_json(kv.second, b);
      }
    }
    b.end_object();
    if (!time) fail_at(file, e, "an input event needs ts (90s from the start, or an RFC 3339 time)");
    ev.time = *time;
    note_input_time(t, *time);
    t.input.push_back(std::move(ev));
  }
}

std::vector<AlertCase> read_alert_cases(const std::string& file, const YAML::Node& list,
                                        const std::vector<std::string>& rule_names) {
  if (!list.IsSequence()) fail_at(file, list, "alert_rule_test must be a list of {eval_time, alertname, exp_alerts}");
  std::vector<AlertCase> out;
  for (const auto& c : list) {
    checked_map(file, c, "alert_rule_test", {"eval_time", "alertname", "exp_alerts"});
    if (!c["eval_time"] || !c["alertname"]) fail_at(file, c, "an alert_rule_test needs eval_time and alertname");
    AlertCase ac;
    ac.eval_time = duration(file, c["eval_time"], "eval_time", true);
    ac.alertname = scalar(file, c["alertname"], "alertname");
    // A misspelt name would assert silence forever: it is an error.
    if (std::find(rule_names.begin(), rule_names.end(), ac.alertname) == rule_names.end()) {
      const std::string hint = closest_match(ac.alertname, rule_names);
      fail_at(file, c["alertname"],
              fmt::format("no rule is named '{}'{}", ac.alertname,
                          hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
    const YAML::Node exp = c["exp_alerts"];
    if (exp && !exp.IsNull()) {
      if (!exp.IsSequence())
        fail_at(file, exp, "exp_alerts must be a list of {exp_labels, exp_annotations} ([] for none)");
      for (const auto& a : exp) {
        if (a.IsNull()) {
          ac.alerts.emplace_back();
          continue;
        }
        checked_map(file, a, "exp_alerts", {"exp_labels", "exp_annotations"});
        ExpAlert ea;
        ea.labels = string_map(file, a["exp_labels"], "exp_labels");
        if (ea.labels.count("alertname"))
          fail_at(file, a["exp_labels"], "exp_labels: leave out alertname (it is the test's)");
        if (a["exp_annotations"]) ea.annotations = string_map(file, a["exp_annotations"], "exp_annotations");
        ac.alerts.push_back(std::move(ea));
      }
    }
    out.push_back(std::move(ac));
  }
  return out;
}

std::vector<RunEvent> read_exp_events(const std::string& file, const YAML::Node& list) {
  if (!list.IsSequence()) fail_at(file, list, "exp_events must be a list of {at, alertname, state, labels}");
  std::vector<RunEvent> out;
  for (const auto& e : list) {
    checked_map(file, e, "exp_events", {"at", "alertname", "state", "labels"});
    if (!e["at"] || !e["alertname"] || !e["state"]) fail_at(file, e, "an expected event needs at, alertname and state");
    RunEvent ev;
    ev.at = duration(file, e["at"], "at", true);
    ev.alertname = scalar(file, e["alertname"], "alertname");
    ev.state = scalar(file, e["state"], "state");
    if (ev.state != "firing" && ev.state != "resolved") {
      fail_at(file, e["state"], fmt::format("state '{}' is not firing or resolved", ev.state));
    }
    ev.labels = string_map(file, e["labels"], "labels");
    ev.labels.erase("alertname");
    out.push_back(std::move(ev));
  }
  return out;
}

TestFile read_test_file(const std::string& path) {
  std::string text, reason;
  if (!read_file(path, text, reason, 64u << 20)) throw UsageError(fmt::format("--test {}: {}", path, reason));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!root.IsMap()) throw UsageError(fmt::format("{}: a test file is a map with rule_files and tests", path));
  checked_map(path, root, "test file", {"rule_files", "evaluation_interval", "tests"});
  if (!root["rule_files"] || !root["tests"])
    throw UsageError(fmt::format("{}: a test file needs rule_files and tests", path));

  TestFile tf;
  const YAML::Node files = root["rule_files"];
  if (!files.IsSequence() || files.size() == 0) fail_at(path, files, "rule_files must be a list of rules files");
  std::vector<Rule> rules;
  for (const auto& f : files) {
    const std::string rel = scalar(path, f, "rule_files");
    const std::string p = (std::filesystem::path(path).parent_path() / rel).lexically_normal().string();
    if (!std::filesystem::exists(p)) fail_at(path, f, fmt::format("rules file {} does not exist", p));
    RuleSet set = load_rules_file(p);
    for (auto& r : set.rules) rules.push_back(std::move(r));
  }
  tf.rules = make_rule_set(std::move(rules));

  int64_t evaluation_interval = 60'000'000'000;
  if (root["evaluation_interval"])
    evaluation_interval = duration(path, root["evaluation_interval"], "evaluation_interval", false);

  std::vector<std::string> rule_names;
  for (const auto& r : tf.rules.rules) rule_names.push_back(r.name);
  const YAML::Node tests = root["tests"];
  if (!tests.IsSequence() || tests.size() == 0) fail_at(path, tests, "tests must be a list of tests");
  for (const auto& n : tests) {
    checked_map(path, n, "test", {"name", "interval", "input_series", "input_events", "alert_rule_test", "exp_events"});
    TestCase t;
    t.name = n["name"] ? scalar(path, n["name"], "name") : fmt::format("test {}", tf.tests.size() + 1);
    t.interval = n["interval"] ? duration(path, n["interval"], "interval", false) : evaluation_interval;
    if (n["input_series"]) read_series(path, n["input_series"], t);
    if (n["input_events"]) read_events(path, n["input_events"], t);
    if (n["alert_rule_test"]) t.cases = read_alert_cases(path, n["alert_rule_test"], rule_names);
    if (n["exp_events"]) t.exp_events = read_exp_events(path, n["exp_events"]);
    if (t.cases.empty() && !t.exp_events) fail_at(path, n, "a test needs alert_rule_test or exp_events");
    tf.tests.push_back(std::move(t));
  }
  return tf;
}

// ---- Running a test ---------------------------------------------------------

Labels object_strings(simdjson::dom::element e) {
  Labels out;
  simdjson::dom::object o;
  if (e.get_object().get(o)) return out;
  for (auto field : o) {
    std::string_view v;
    if (!field.value.get_string().get(v)) out.emplace(std::string(field.key), std::string(v));
  }
  return out;
}

RunEvent run_event_of(simdjson::dom::parser& parser, const AlertEvent& ev) {
  RunEvent r;
  r.at = ev.time;
  simdjson::dom::element doc;
  if (parser.parse(ev.json).get(doc)) return r;
  std::string_view s;
  if (!doc["state"].get_string().get(s)) r.state = std::string(s);
  if (!doc["fingerprint"].get_string().get(s)) r.fingerprint = std::string(s);
  simdjson::dom::element e;
  if (!doc["labels"].get(e)) r.labels = object_strings(e);
  if (!doc["annotations"].get(e)) r.annotations = object_strings(e);
  r.alertname = r.labels["alertname"];
  r.labels.erase("alertname");
  return r;
}

// The events of a run, or the reason it could not run.
struct RunResult {
  std::vector<RunEvent> events;
  std::string error;
};

RunResult run_test(const RuleSet& rules, TestCase& t) {
  RunResult res;
  std::stable_sort(t.input.begin(), t.input.end(),
                   [](const InputEvent& a, const InputEvent& b) { return a.time < b.time; });
  AlertOptions opts;
  AlertEngine engine(rules, opts, /*hold=*/true);
  simdjson::ondemand::parser parser;
  std::vector<AlertEvent> out;
  for (size_t i = 0; i < t.input.size(); ++i) {
    const std::string& line = t.input[i].line;
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    AlertEngine::Outcome outcome = AlertEngine::Outcome::ok;
    simdjson::error_code e = parser.iterate(padded).get(doc);
    if (!e) e = engine.add(doc, line, outcome);
    if (e) {
      res.error = fmt::format("input event {} ({}): {}", i + 1, line, simdjson::error_message(e));
      return res;
    }
    if (outcome != AlertEngine::Outcome::ok) {
      res.error = fmt::format("input event {} ({}): {}", i + 1, line, engine.reason(outcome));
      return res;
    }
  }
  int64_t now = t.last_input.value_or(0);
  for (const auto& c : t.cases) now = std::max(now, c.eval_time);
  engine.finish(now, /*keep_open=*/false, out);
  std::stable_sort(out.begin(), out.end(), [](const AlertEvent& a, const AlertEvent& b) { return a.time < b.time; });
  simdjson::dom::parser dom;
  for (const auto& ev : out) res.events.push_back(run_event_of(dom, ev));
  return res;
}

std::string render_map(const Labels& m) {
  std::string out = "{";
  for (const auto& [k, v] : m) {
    if (out.size() > 1) out += ", ";
    out += k;
    out += '=';
    append_json_string(out, v);
  }
  out += '}';
  return out;
}

std::string render_expected(const ExpAlert& a) {
  return a.annotations ? render_map(a.labels) + " " + render_map(*a.annotations) : render_map(a.labels);
}

std::string render_event(const RunEvent& e) {
  return fmt::format("at {} {} {} {}", format_duration(e.at), e.alertname, e.state, render_map(e.labels));
}

// The alerts of alertname firing at time t: for each fingerprint, its latest
// event at or before t, when that one is a firing event.
std::vector<const RunEvent*> firing_at(const std::vector<RunEvent>& events, const std::string& alertname, int64_t t) {
  std::map<std::string, const RunEvent*> latest;
  for (const auto& e : events) {
    if (e.alertname != alertname || e.at > t) continue;
    latest[e.fingerprint] = &e;
  }
  std::vector<const RunEvent*> out;
  for (const auto& [fp, e] : latest) {
    if (e->state == "firing") out.push_back(e);
  }
  return out;
}

// Compares one alert_rule_test; appends the diff to out when it fails.
bool check_case(const TestCase& t, const AlertCase& c, const std::vector<RunEvent>& events, std::string& out) {
  const std::string head = fmt::format("  eval_time {}, alertname {}:\n", format_duration(c.eval_time), c.alertname);
  if (!t.last_input || *t.last_input < c.eval_time - t.interval) {
    out += head;
    out += t.last_input ? fmt::format(
                              "    input ends at {}, before eval_time {}: the window ending at eval_time was not fed "
                              "(the input must reach eval_time - interval, {})\n",
                              format_duration(*t.last_input), format_duration(c.eval_time),
                              format_duration(std::max<int64_t>(0, c.eval_time - t.interval)))
                        : "    no input\n";
    return false;
  }
  std::vector<const RunEvent*> got = firing_at(events, c.alertname, c.eval_time);
  std::vector<bool> used(got.size(), false);
  std::string diff;
  for (const auto& exp : c.alerts) {
    bool found = false;
    for (size_t i = 0; i < got.size() && !found; ++i) {
      if (used[i] || got[i]->labels != exp.labels) continue;
      if (exp.annotations && got[i]->annotations != *exp.annotations) continue;
      used[i] = found = true;
    }
    if (!found) diff += fmt::format("    - expected {}\n", render_expected(exp));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (!used[i]) diff += fmt::format("    + got {} {}\n", render_map(got[i]->labels), render_map(got[i]->annotations));
  }
  if (diff.empty()) return true;
  out += head;
  out += diff;
  return false;
}

bool same_event(const RunEvent& a, const RunEvent& b) {
  return a.at == b.at && a.alertname == b.alertname && a.state == b.state && a.labels == b.labels;
}

// exp_events against the run's events: a line diff (longest common
// subsequence), so one missing or extra event shows as one line.
bool check_events(const std::vector<RunEvent>& exp, const std::vector<RunEvent>& got, std::string& out) {
  const size_t n = exp.size(), m = got.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = same_event(exp[i], got[j]) ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string diff;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && same_event(exp[i], got[j])) {
      ++i, ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      diff += fmt::format("    + got event {}: {}\n", j + 1, render_event(got[j]));
      ++j;
    } else {
      diff += fmt::format("    - expected event {}: {}\n", i + 1, render_event(exp[i]));
      ++i;
    }
  }
  if (diff.empty()) return true;
  out += "  exp_events:\n";
  out += diff;
  return false;
}

void append_xml_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab and newline.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          out += ' ';
        else
          out.push_back(c);
    }
  }
}

struct Outcome {
  std::string name;
  bool passed = true;
  bool error = false;  // the test could not run
  std::string detail;
};

void write_junit(const std::string& junit_path, const std::string& test_path, const std::vector<Outcome>& results) {
  size_t failures = 0, errors = 0;
  for (const auto& r : results) {
    if (r.error)
      ++errors;
    else if (!r.passed)
      ++failures;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string name;
  append_xml_escaped(name, test_path);
  xml += fmt::format("<testsuites name=\"olly-alert --test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
                     results.size(), failures, errors);
  xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", name, results.size(),
                     failures, errors);
  for (const auto& r : results) {
    xml += fmt::format("    <testcase classname=\"{}\" name=\"", name);
    append_xml_escaped(xml, r.name);
    if (r.passed) {
      xml += "\"/>\n";
      continue;
    }
    const char* tag = r.error ? "error" : "failure";
    xml += fmt::format("\">\n      <{} message=\"{}\">", tag, r.error ? "the test could not run" : "alerts differ");
    append_xml_escaped(xml, r.detail);
    xml += fmt::format("</{}>\n    </testcase>\n", tag);
  }
  xml += "  </testsuite>\n</testsuites>\n";
  std::FILE* f = std::fopen(junit_path.c_str(), "wb");
  if (!f) throw InputError(fmt::format("--junit {}: cannot write: {}", junit_path, std::strerror(errno)));
  const bool ok = std::fwrite(xml.data(), 1, xml.size(), f) == xml.size();
  if (std::fclose(f) != 0 || !ok) throw InputError(fmt::format("--junit {}: write failed", junit_path));
}

}  // namespace

int run_rule_tests(const std::string& path, const std::string& junit_path) {
  TestFile tf = read_test_file(path);
  std::vector<Outcome> results;
  size_t failed = 0;
  std::string report;
  for (auto& t : tf.tests) {
    Outcome o;
    o.name = t.name;
    RunResult run = run_test(tf.rules, t);
    if (!run.error.empty()) {
      o.passed = false;
      o.error = true;
      o.detail = "  " + run.error + "\n";
    } else {
      for (const auto& c : t.cases) o.passed &= check_case(t, c, run.events, o.detail);
      if (t.exp_events) o.passed &= check_events(*t.exp_events, run.events, o.detail);
    }
    if (!o.passed) ++failed;
    report += fmt::format("{} {}\n", o.passed ? "PASS" : "FAIL", o.name);
    report += o.detail;
    results.push_back(std::move(o));
  }
  report += fmt::format("{} passed, {} failed\n", results.size() - failed, failed);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (!junit_path.empty()) write_junit(junit_path, path, results);
  return failed > 0 ? 1 : 0;
}

const char* rule_test_doc() {
  return "olly-alert --test FILE runs unit tests of rules, in the style of promtool test rules: input series in "
         "promtool's expanding notation (or raw input events), the alerts expected firing at given times, and, "
         "beyond promtool, the whole list of alert events a run writes. It prints PASS or FAIL per test, under a "
         "failure a diff (- expected, + got), and last a line `N passed, M failed`; the exit status is 1 when a "
         "test failed. --junit FILE also writes the results as JUnit XML (written when tests fail too). A bad "
         "test file (an unknown field, a bad value, a rules file that does not load) stops with exit status 2 "
         "and FILE:LINE:COLUMN.\n\n"
         "  rule_files: [rules.yaml]\n"
         "  evaluation_interval: 1m\n"
         "  tests:\n"
         "    - name: brute force pages\n"
         "      interval: 1m\n"
         "      input_series:\n"
         "        - series: 'failed_logins{host=\"web-1\"}'\n"
         "          values: '0+30x5 2x5'\n"
         "      input_events:\n"
         "        - {ts: 30s, host: web-1, status: 500}\n"
         "      alert_rule_test:\n"
         "        - eval_time: 3m\n"
         "          alertname: BruteForce\n"
         "          exp_alerts:\n"
         "            - exp_labels: {host: web-1, severity: page}\n"
         "              exp_annotations: {summary: \"web-1: 30 failed logins\"}\n"
         "      exp_events:\n"
         "        - {at: 2m, alertname: BruteForce, state: firing, labels: {host: web-1, severity: page}}\n"
         "        - {at: 7m, alertname: BruteForce, state: resolved, labels: {host: web-1, severity: page}}\n\n"
         "- rule_files: rules files (paths relative to the test file); their rules are loaded together.\n"
         "- evaluation_interval: the default interval of the tests (default 1m).\n"
         "- tests: a list of tests, each run on its own: name (default \"test N\"), interval (the spacing of "
         "input_series samples), input_series, input_events, alert_rule_test and exp_events.\n"
         "- input_series: a list of {series, values}. series is `metric{label=\"value\", ...}`; values is the "
         "expanding notation: `a+bxn` is the n+1 values a, a+b, ..., a+n*b, `a-bxn` counts down, `axn` is a "
         "repeated n+1 times, `_` is a missing sample and `_xn` n of them, `stale` is no sample either. Sample i "
         "becomes one event at time i x interval, {\"ts\": TIME, \"METRIC\": value, \"LABEL\": \"value\", ...}: "
         "the metric name is a field holding the value and the labels are string fields, so a rule reads it as "
         "`max(failed_logins) > 20` by host.\n"
         "- input_events: a list of events (maps; ts a duration from time 0 such as 90s, or an RFC 3339 time), "
         "or {file: FILE}, an NDJSON file of events relative to the test file. Series samples and events are "
         "fed in time order.\n"
         "- alert_rule_test: a list of {eval_time, alertname, exp_alerts}: the alerts of that name firing at "
         "eval_time (a duration from time 0, 1970-01-01T00:00:00Z) must be exactly exp_alerts, in any order; "
         "[] or no exp_alerts asserts that none fires. An alert fires at T when its latest event at or before T "
         "is a firing one. exp_labels are every label but alertname, exactly; exp_annotations, when given, are "
         "exactly the annotations. An alertname no rule has is an error.\n"
         "- exp_events: the whole list of alert events of the run, in order, each {at, alertname, state (firing "
         "or resolved), labels}: the alerts are checked over the whole series, not only at the eval_times.\n\n"
         "Time 0 is 1970-01-01T00:00:00Z. A rule is evaluated at the end of each of its windows, over the "
         "events inside the window: a sample at 2m counts in the window [2m, 3m) and its alert fires at 3m. "
         "Prometheus evaluates the latest sample at the evaluation time itself, so a promtool test of a rule "
         "whose every is the interval translates with eval_time one interval later (for, keep_firing_for and resolving "
         "shift alike); that holds for "
         "series without gaps, since Prometheus carries a sample forward for up to 5m where olly-alert sees an "
         "empty window. The run ends at the largest eval_time (or the last input, when later): every window "
         "that has ended by then is evaluated, and absence rules are judged at that time.\n\n"
         "A test whose input ends before an eval_time fails: the window ending at eval_time must have been fed, "
         "so the last input (the last step of a series, `_` included, or the last event) must be at eval_time "
         "minus interval or later.";
}

}  // namespace olly
