#include "agg/spec.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <set>

#include "core/diag.h"
#include "expr/path.h"
#include "time/timeutil.h"

namespace olly {

std::string_view agg_kind_name(AggKind k) {
  switch (k) {
    case AggKind::count: return "count";
    case AggKind::count_if: return "count_if";
    case AggKind::sum: return "sum";
    case AggKind::avg: return "avg";
    case AggKind::min: return "min";
    case AggKind::max: return "max";
    case AggKind::stddev: return "stddev";
    case AggKind::quantile: return "quantile";
    case AggKind::distinct: return "distinct";
    case AggKind::top: return "top";
    case AggKind::rate: return "rate";
    case AggKind::first: return "first";
    case AggKind::last: return "last";
    case AggKind::hist: return "hist";
    case AggKind::ratio: return "ratio";
  }
  return "?";
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Walks text tracking nesting and quotes; calls at(i) for each byte at depth 0
// outside quotes. at returns true to stop.
template <typename F>
bool scan_top_level(std::string_view text, F at) {
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') { quote = c; continue; }
    if (c == '(' || c == '[') { ++depth; continue; }
    if (c == ')' || c == ']') { --depth; continue; }
    if (depth == 0 && at(i)) return true;
  }
  return false;
}

std::vector<std::string_view> split_top_level_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  scan_top_level(text, [&](size_t i) {
    if (text[i] == ',') {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
    return false;
  });
  parts.push_back(trim(text.substr(start)));
  return parts;
}

// A percentile head "p99", "p99.9", "p50": the percentage, or nullopt.
std::optional<double> percentile_of(std::string_view head) {
  if (head.size() < 2 || head[0] != 'p') return std::nullopt;
  std::string_view num = head.substr(1);
  if (!std::isdigit(static_cast<unsigned char>(num[0]))) return std::nullopt;
  for (char c : num) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
  }
  double v;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || p != num.data() + num.size() || v < 0 || v > 100) return std::nullopt;
  return v;
}

// "top5" -> 5
std::optional<size_t> top_k_of(std::string_view head) {
  if (head.size() < 4 || head.substr(0, 3) != "top") return std::nullopt;
  size_t k;
  auto num = head.substr(3);
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), k);
  if (ec != std::errc() || p != num.data() + num.size() || k == 0) return std::nullopt;
  return k;
}

struct Head {
  AggKind kind;
  int fields;  // 0: none, 1: one field
};

std::optional<Head> known_head(std::string_view h) {
  if (h == "count") return Head{AggKind::count, 0};
  if (h == "rate") return Head{AggKind::rate, 0};
  if (h == "count_if") return Head{AggKind::count_if, 1};
  if (h == "sum") return Head{AggKind::sum, 1};
  if (h == "avg" || h == "mean") return Head{AggKind::avg, 1};
  if (h == "min") return Head{AggKind::min, 1};
  if (h == "max") return Head{AggKind::max, 1};
  if (h == "stddev") return Head{AggKind::stddev, 1};
  if (h == "distinct" || h == "count_distinct") return Head{AggKind::distinct, 1};
  if (h == "first") return Head{AggKind::first, 1};
  if (h == "last") return Head{AggKind::last, 1};
  if (h == "hist" || h == "histogram") return Head{AggKind::hist, 1};
  if (h == "median") return Head{AggKind::quantile, 1};
  if (h == "top" || top_k_of(h)) return Head{AggKind::top, 1};
  if (h == "ratio") return Head{AggKind::ratio, 2};
  if (percentile_of(h)) return Head{AggKind::quantile, 1};
  return std::nullopt;
}

std::string_view head_of(std::string_view w) {
  size_t end = w.find_first_of("(:/ \t");
  return w.substr(0, end);
}

// count_if(status >= 500) -> "status_ge_500"
std::string expr_name(std::string_view e) {
  static const std::pair<std::string_view, std::string_view> kOps[] = {
      {">=", "ge"}, {"<=", "le"}, {"!=", "ne"}, {"==", "eq"}, {"=~", "match"}, {"!~", "nomatch"},
      {"&&", "and"}, {"||", "or"}, {">", "gt"}, {"<", "lt"}, {"!", "not"}, {"+", "plus"},
      {"-", "minus"}, {"*", "times"}, {"/", "div"}, {"%", "mod"},
  };
  std::string out;
  auto sep = [&] {
    if (!out.empty() && out.back() != '_') out.push_back('_');
  };
  char quote = 0;  // inside a string literal: operators are just characters
  for (size_t i = 0; i < e.size();) {
    unsigned char c = static_cast<unsigned char>(e[i]);
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(std::tolower(c)));
      ++i;
      continue;
    }
    if (quote) {
      if (c == '\\') ++i;
      if (c == static_cast<unsigned char>(quote)) quote = 0;
      sep();
      ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = static_cast<char>(c);
      sep();
      ++i;
      continue;
    }
    bool matched = false;
    for (auto [op, word] : kOps) {
      if (e.substr(i, op.size()) == op) {
        sep();
        out.append(word);
        out.push_back('_');
        i += op.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      sep();
      ++i;
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string default_name(const AggSpec& s) {
  std::string f = name_part(s.field);
  switch (s.kind) {
    case AggKind::count: return "count";
    case AggKind::rate: return "rate";
    case AggKind::count_if: return "count_if_" + expr_name(s.expr);
    case AggKind::quantile: {
      std::string label = s.qlabel;
      for (char& c : label) {
        if (c == '.') c = '_';
      }
      return "p" + label + "_" + f;
    }
    case AggKind::top: return fmt::format("top{}_{}", s.k, f);
    case AggKind::ratio: return s.args[0].name + "_per_" + s.args[1].name;
    default: return std::string(agg_kind_name(s.kind)) + "_" + f;
  }
}

void check_field(std::string_view field, std::string_view what, std::string_view text) {
  if (field.empty()) throw UsageError(fmt::format("{}: '{}' needs a field", what, text));
  Path p;
  std::string error;
  if (!parse_path(field, p, error)) {
    throw UsageError(fmt::format("{}: '{}': bad field path '{}': {}", what, text, field, error));
  }
}

}  // namespace

std::string name_part(std::string_view text) {
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      out.push_back(ch);
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "value" : out;
}

std::vector<std::string> split_field_list(std::string_view text) {
  std::vector<std::string> out;
  for (auto part : split_top_level_commas(text)) {
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

AggSpec parse_agg_spec(std::string_view text_in, std::string_view what) {
  std::string_view text = trim(text_in);
  if (text.empty()) throw UsageError(fmt::format("{}: empty aggregate", what));

  // `... as NAME` at the top level.
  std::optional<std::string> name;
  size_t as_at = std::string_view::npos;
  scan_top_level(text, [&](size_t i) {
    if (i > 0 && std::isspace(static_cast<unsigned char>(text[i - 1])) && text.substr(i, 2) == "as" &&
        i + 2 < text.size() && std::isspace(static_cast<unsigned char>(text[i + 2]))) {
      as_at = i;
    }
    return false;
  });
  if (as_at != std::string_view::npos) {
    std::string_view n = trim(text.substr(as_at + 2));
    if (n.empty() || n.find_first_of(" \t") != std::string_view::npos) {
      throw UsageError(fmt::format("{}: '{}': `as` needs one name", what, text));
    }
    name = std::string(n);
    text = trim(text.substr(0, as_at));
  }

  AggSpec spec;
  // A / B at the top level: the ratio of two aggregates.
  size_t slash = std::string_view::npos;
  scan_top_level(text, [&](size_t i) {
    if (text[i] == '/') {
      slash = i;
      return true;
    }
    return false;
  });
  if (slash != std::string_view::npos) {
    spec.kind = AggKind::ratio;
    spec.args.push_back(parse_agg_spec(text.substr(0, slash), what));
    spec.args.push_back(parse_agg_spec(text.substr(slash + 1), what));
  } else {
    std::string_view head, inner;
    bool has_inner = false;
    size_t paren = text.find('(');
    size_t colon = text.find(':');
    if (paren != std::string_view::npos && (colon == std::string_view::npos || paren < colon)) {
      if (text.back() != ')') {
        throw UsageError(fmt::format("{}: '{}': expected ')' at the end", what, text));
      }
      head = trim(text.substr(0, paren));
      inner = trim(text.substr(paren + 1, text.size() - paren - 2));
      has_inner = true;
    } else if (colon != std::string_view::npos) {
      head = trim(text.substr(0, colon));
      inner = trim(text.substr(colon + 1));
      has_inner = true;
    } else {
      head = text;
    }
    auto known = known_head(head);
    if (!known) {
      throw UsageError(fmt::format(
          "{}: unknown aggregate '{}' (expected count, count_if, sum, avg, min, max, stddev, pNN, "
          "median, distinct, top, rate, first, last, hist, ratio)",
          what, head));
    }
    spec.kind = known->kind;
    if (known->fields == 0 && has_inner) {
      throw UsageError(fmt::format("{}: '{}': {} takes no argument{}", what, text, head,
                                   head == "count" ? " (count events where a field exists with "
                                                     "count_if(exists(F)))"
                                                   : ""));
    }
    if (known->fields > 0 && (!has_inner || inner.empty())) {
      throw UsageError(fmt::format("{}: '{}': {} needs an argument, e.g. {}(latency_ms) or {}:latency_ms",
                                   what, text, head, head, head));
    }
    switch (spec.kind) {
      case AggKind::count_if:
        spec.expr = std::string(inner);
        break;
      case AggKind::quantile: {
        double pct = head == "median" ? 50.0 : *percentile_of(head);
        spec.quantile = pct / 100.0;
        spec.qlabel = fmt::format("{}", pct);
        spec.field = std::string(inner);
        break;
      }
      case AggKind::top: {
        spec.k = 10;
        if (auto k = top_k_of(head)) spec.k = *k;
        auto parts = split_top_level_commas(inner);
        if (parts.size() == 2 && head == "top") {
          size_t k;
          auto num = parts[0];
          auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), k);
          if (ec != std::errc() || p != num.data() + num.size() || k == 0 || k > 100000) {
            throw UsageError(fmt::format("{}: '{}': top's K must be an integer in 1..100000", what, text));
          }
          spec.k = k;
          spec.field = std::string(parts[1]);
        } else if (parts.size() == 1) {
          spec.field = std::string(parts[0]);
        } else {
          throw UsageError(fmt::format("{}: '{}': expected top(K, FIELD)", what, text));
        }
        break;
      }
      case AggKind::ratio: {
        auto parts = split_top_level_commas(inner);
        if (parts.size() != 2) {
          throw UsageError(fmt::format("{}: '{}': expected ratio(AGG, AGG)", what, text));
        }
        spec.args.push_back(parse_agg_spec(parts[0], what));
        spec.args.push_back(parse_agg_spec(parts[1], what));
        break;
      }
      default:
        spec.field = std::string(inner);
        break;
    }
    if (spec.kind != AggKind::count_if && spec.kind != AggKind::ratio && known->fields > 0) {
      check_field(spec.field, what, text);
    }
  }
  spec.name = name ? *name : default_name(spec);
  spec.named = name.has_value();
  return spec;
}

std::string AggSpec::canonical() const {
  std::string s;
  switch (kind) {
    case AggKind::count:
    case AggKind::rate: s = std::string(agg_kind_name(kind)); break;
    case AggKind::count_if: s = "count_if(" + expr + ")"; break;
    case AggKind::quantile: s = "p" + qlabel + "(" + field + ")"; break;
    case AggKind::top: s = fmt::format("top({}, {})", k, field); break;
    case AggKind::ratio: s = "ratio(" + args[0].canonical() + ", " + args[1].canonical() + ")"; break;
    default: s = std::string(agg_kind_name(kind)) + "(" + field + ")"; break;
  }
  if (named) s += " as " + name;
  return s;
}

void AggPlan::validate() const {
  if (aggs.empty()) {
    throw UsageError("AGG: no aggregate given (e.g. olly-agg count p99:latency_ms by service)");
  }
  std::set<std::string> seen;
  for (const auto& b : by) seen.insert(b);
  seen.insert("window_start");
  seen.insert("window_end");
  for (const auto& a : aggs) {
    if (!seen.insert(a.name).second) {
      throw UsageError(fmt::format(
          "AGG: two output fields named '{}' (a group field, window_start/window_end, or another "
          "aggregate); rename one with `AGG as NAME`",
          a.name));
    }
  }
}

namespace {

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// olly agg p99:x FILE by service: `by` and `service` would be read as files.
void check_no_keyword_after_files(const std::vector<std::string>& files) {
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& w = files[i];
    if ((w != "by" && w != "every") || file_exists(w)) continue;
    throw UsageError(fmt::format(
        "`{}` after the input file '{}': `by FIELD,...` and `every DURATION` come before the files "
        "(olly agg AGG... by FIELD every D FILE...)",
        w, files[0]));
  }
}

}  // namespace

void parse_agg_words(const std::vector<std::string>& words, AggPlan& plan, bool first_is_agg, bool files_win) {
  bool last_was_agg = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (files_win && w != "by" && w != "every" && w != "as" && file_exists(w)) {
      plan.files.assign(words.begin() + static_cast<ptrdiff_t>(i), words.end());
      check_no_keyword_after_files(plan.files);
      return;
    }
    if (i == 0 && first_is_agg && plan.aggs.empty() && w != "by" && w != "every") {
      plan.aggs.push_back(parse_agg_spec(w, "AGG"));
      last_was_agg = true;
    } else if (w == "by") {
      if (i + 1 >= words.size()) throw UsageError("by: expected FIELD[,FIELD...] after `by`");
      std::string list = words[++i];
      // "a," "b" and "a" ",b" continue the list across words.
      while (i + 1 < words.size() && !list.empty() && !words[i + 1].empty() &&
             (list.back() == ',' || words[i + 1].front() == ',')) {
        list += words[++i];
      }
      for (auto& f : split_field_list(list)) {
        parse_path_or_throw(f, "by");
        plan.by.push_back(f);
      }
      last_was_agg = false;
    } else if (w == "every") {
      if (i + 1 >= words.size()) throw UsageError("every: expected a duration after `every` (e.g. every 1m)");
      const std::string& d = words[++i];
      auto ns = parse_duration(d);
      if (!ns || *ns <= 0) {
        throw UsageError(fmt::format("every: '{}' is not a positive duration (e.g. 10s, 1m, 1h)", d));
      }
      plan.every_ns = *ns;
      plan.every_text = d;
      last_was_agg = false;
    } else if (w == "as" && last_was_agg) {
      if (i + 1 >= words.size()) throw UsageError("as: expected a name after `as`");
      AggSpec& a = plan.aggs.back();
      a.name = words[++i];
      a.named = true;
      last_was_agg = false;
    } else if (!w.empty() && known_head(head_of(w))) {
      plan.aggs.push_back(parse_agg_spec(w, "AGG"));
      last_was_agg = true;
    } else {
      plan.files.assign(words.begin() + static_cast<ptrdiff_t>(i), words.end());
      check_no_keyword_after_files(plan.files);
      return;
    }
  }
}

}  // namespace olly
