// olly-eval's reshaping (lib/expr/reshape) over one event: byte 0 picks the
// separator and the --select / --drop / --rename paths; the rest is the event.
//
// Invariants: a refused event leaves the output as it was; an event a DOM
// parse takes as an object is reshaped into one JSON object (the inside of
// arrays is copied unread, so the output checks need a valid event); the tree-reading modes
// (identity: --rename of a missing field, --flatten, --nest, --rename)
// accept or refuse the same events, and --drop takes what they take; after --flatten no value is a
// non-empty object (within the depth limit), and flattening again changes
// nothing; --nest of a flattened event gives the event back when no key holds
// the separator or is empty and no key repeats; --nest twice is --nest once;
// --rename a=b then b=a gives the event back when it has a and no b;
// --select keeps a subset of the top-level keys, in order.
#include <simdjson.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/diag.h"
#include "expr/reshape.h"
#include "fuzz_common.h"

using namespace olly;

namespace {

Path path(const char* text) { return parse_path_or_throw(text, "fuzz"); }

// Runs one reshaping; returns whether it succeeded (out then holds the result).
bool run(ReshapeOptions opts, std::string_view event, std::string& out) {
  Reshaper r(std::move(opts));
  out = "@";
  const bool ok = !r.apply(event, out);
  if (!ok) FUZZ_CHECK(out == "@", "a refused event left output behind", out);
  out.erase(0, 1);
  return ok;
}

simdjson::dom::parser& dom() {
  // As deep as an event can be (ondemand copies deeper values than the DOM's default depth).
  static simdjson::dom::parser p = [] {
    simdjson::dom::parser q;
    if (q.allocate(1 << 16, 20000)) std::abort();
    return q;
  }();
  return p;
}

// Checks a key tree: no key empty or holding sep, no key repeated in an
// object; false when nested deeper than the reshaper reads.
bool plain_keys(simdjson::dom::element e, const std::string& sep, size_t depth) {
  if (!e.is_object()) return true;
  if (depth + 2 >= Reshaper::kMaxDepth) return false;
  std::set<std::string_view> seen;
  const simdjson::dom::object obj = e.get_object().value_unsafe();
  for (auto [key, value] : obj) {
    if (key.empty() || key.find(sep) != std::string_view::npos || !seen.insert(key).second) return false;
    if (!plain_keys(value, sep, depth + 1)) return false;
  }
  return true;
}

std::vector<std::string> top_keys(const std::string& json) {
  std::vector<std::string> keys;
  simdjson::dom::element e;
  if (dom().parse(json).get(e) || !e.is_object()) fuzz::fail("not a JSON object", json);
  const simdjson::dom::object obj = e.get_object().value_unsafe();
  for (auto [key, value] : obj) keys.emplace_back(key);
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* kSeparators[] = {".", "/", "__", "a"};
  static const char* kPaths[] = {"a", "b", "a.b", "http.status", "x.y.z", "[\"a.b\"]", "c"};
  const uint8_t pick = data[0];
  const std::string sep = kSeparators[pick & 3];
  const char* p1 = kPaths[(pick >> 2) % 7];
  const char* p2 = kPaths[(pick >> 5) % 7];
  const std::string_view event(reinterpret_cast<const char*>(data + 1), size - 1);

  auto with_sep = [&](ReshapeOptions o) {
    o.separator = sep;
    return o;
  };
  ReshapeOptions identity_opts;
  identity_opts.renames.emplace_back(path("no_such_field_zz"), path("other_zz"));
  ReshapeOptions flat_opts = with_sep({});
  flat_opts.flatten = true;
  ReshapeOptions nest_opts = with_sep({});
  nest_opts.nest = true;

  std::string identity, flat, nested;
  const bool ok = run(identity_opts, event, identity);
  FUZZ_CHECK(run(flat_opts, event, flat) == ok, "--flatten and the identity disagree", event);
  FUZZ_CHECK(run(nest_opts, event, nested) == ok, "--nest and the identity disagree", event);
  ReshapeOptions drop_opts;
  drop_opts.drops = {path(p1), path(p2)};
  // --drop alone skips what it drops unread, so it may take an event the others refuse.
  std::string dropped;
  const bool dropped_ok = run(drop_opts, event, dropped);
  if (ok) FUZZ_CHECK(dropped_ok, "--drop refused an event the identity took", event);
  ReshapeOptions rename_opts;
  rename_opts.renames = {{path(p1), path(p2)}};
  std::string renamed;
  FUZZ_CHECK(run(rename_opts, event, renamed) == ok, "--rename and the identity disagree", event);

  // The inside of arrays is copied whole, unread (as --set copies it): only
  // events a DOM parse takes are held to the checks on the output.
  simdjson::dom::element whole;
  // (copy_raw_value refuses a few numbers the DOM takes, 0e999...: those are refused, not checked.)
  const bool valid = ok && !dom().parse(event.data(), event.size()).get(whole) && whole.is_object();

  ReshapeOptions select_opts;
  select_opts.selects = {path(p1), path(p2)};
  std::string selected;
  const bool selected_ok = run(select_opts, event, selected);
  if (selected_ok && valid) {
    // A subset of the event's top-level keys, in the event's order.
    std::vector<std::string> keys = top_keys(selected);
    if (ok) {
      std::vector<std::string> all = top_keys(identity);
      size_t at = 0;
      for (const auto& k : keys) {
        while (at < all.size() && all[at] != k) ++at;
        FUZZ_CHECK(at < all.size(), "--select made up a key or changed the order", selected);
        ++at;
      }
    }
  }
  if (!valid) return 0;

  for (const std::string* out : {&identity, &flat, &nested, &dropped, &renamed}) top_keys(*out);

  // Flat: no non-empty object left (unless deeper than the reshaper reads).
  simdjson::dom::element in_dom;
  FUZZ_CHECK(!dom().parse(identity).get(in_dom), "identity is no JSON", identity);
  const bool plain = plain_keys(in_dom, sep, 0);
  bool shallow = true;
  {
    simdjson::dom::element f;
    FUZZ_CHECK(!dom().parse(flat).get(f), "--flatten wrote no JSON", flat);
    const simdjson::dom::object obj = f.get_object().value_unsafe();
    for (auto [key, value] : obj) {
      if (value.is_object() && simdjson::dom::object(value.get_object().value_unsafe()).size() > 0) shallow = false;
    }
  }
  if (plain) FUZZ_CHECK(shallow, "--flatten left a nested object", flat);

  std::string again;
  FUZZ_CHECK(run(flat_opts, flat, again), "a flattened event was refused", flat);
  if (shallow) FUZZ_CHECK(again == flat, "--flatten twice differs from once", flat + "\n" + again);
  if (plain) {
    std::string round;
    FUZZ_CHECK(run(nest_opts, flat, round), "a flattened event did not nest", flat);
    FUZZ_CHECK(round == identity, "--nest did not undo --flatten", identity + "\n" + round);
  }
  std::string nested_again;
  FUZZ_CHECK(run(nest_opts, nested, nested_again), "a nested event was refused", nested);
  FUZZ_CHECK(nested_again == nested, "--nest twice differs from once", nested + "\n" + nested_again);

  // --rename a=b, then b=a: back where it was when a was there and b was not.
  const auto keys = top_keys(identity);
  auto has = [&](const char* k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
  if (has("a") && !has("b") && std::count(keys.begin(), keys.end(), "a") == 1) {
    ReshapeOptions there, back;
    there.renames = {{path("a"), path("b")}};
    back.renames = {{path("b"), path("a")}};
    std::string b, a;
    FUZZ_CHECK(run(there, identity, b) && run(back, b, a), "renaming a valid event failed", identity);
    FUZZ_CHECK(a == identity, "--rename a=b then b=a changed the event", identity + "\n" + a);
  }
  return 0;
}
