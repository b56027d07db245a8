#include "correlate/traces_assemble.h"

#include <algorithm>
#include <limits>

#include "core/writer.h"
#include "correlate/elapsed.h"
#include "time/timeutil.h"

namespace olly {
namespace {

constexpr uint32_t kNoParent = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kMissing = kNoParent - 1;  // the parent never arrived: an orphan
constexpr uint32_t kBroken = kNoParent - 2;   // the span names itself as parent
constexpr uint32_t kSmallTrace = 32;          // spans looked up by a scan, not a map

uint32_t append_text(std::string& text, std::string_view s) {
  auto off = static_cast<uint32_t>(text.size());
  text.append(s);
  return off;
}

double to_ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

void write_time(JsonBuilder& j, std::string_view key, int64_t t) {
  char buf[kRfc3339MaxLen];
  char* end = format_rfc3339(buf, t);
  j.key(key);
  j.string(std::string_view(buf, static_cast<size_t>(end - buf)));
}

}  // namespace

void TraceBuf::add(std::string_view id, const std::string_view* parent, const std::string_view* name,
                   const std::string_view* service, int64_t start, int64_t end, bool error) {
  TraceSpan s;
  s.id_off = append_text(text, id);
  s.id_len = static_cast<uint32_t>(id.size());
  if (parent) {
    s.has_parent = true;
    s.parent_off = append_text(text, *parent);
    s.parent_len = static_cast<uint32_t>(parent->size());
  }
  if (name) {
    s.has_name = true;
    s.name_off = append_text(text, *name);
    s.name_len = static_cast<uint32_t>(name->size());
  }
  if (service) {
    s.has_service = true;
    s.service_off = append_text(text, *service);
    s.service_len = static_cast<uint32_t>(service->size());
  }
  s.start = start;
  s.end = end;
  s.error = error;
  spans.push_back(s);
}

// Span ids to indexes (the first of duplicate ids wins), each span's parent,
// and the children of each span in input order.
void TraceSummarizer::index(const TraceBuf& t) {
  const auto n = static_cast<uint32_t>(t.spans.size());
  // Most traces are small: a scan beats a hash map's allocations there.
  const bool small = n <= kSmallTrace;
  by_id_.clear();
  if (!small) {
    for (uint32_t i = 0; i < n; ++i) by_id_.emplace(t.str(t.spans[i].id_off, t.spans[i].id_len), i);
  }
  auto find = [&](std::string_view id) -> uint32_t {
    if (small) {
      for (uint32_t i = 0; i < n; ++i) {
        if (t.str(t.spans[i].id_off, t.spans[i].id_len) == id) return i;
      }
      return kNoParent;
    }
    auto it = by_id_.find(id);
    return it == by_id_.end() ? kNoParent : it->second;
  };
  parent_.assign(n, kNoParent);
  child_begin_.assign(n + 1, 0);
  for (uint32_t i = 0; i < n; ++i) {
    const TraceSpan& s = t.spans[i];
    if (!s.has_parent) continue;
    uint32_t p = find(t.str(s.parent_off, s.parent_len));
    if (p == kNoParent) {
      parent_[i] = kMissing;
    } else if (p == i) {
      parent_[i] = kBroken;
    } else {
      parent_[i] = p;
      ++child_begin_[p + 1];
    }
  }
  for (uint32_t i = 0; i < n; ++i) child_begin_[i + 1] += child_begin_[i];
  children_.resize(child_begin_[n]);
  queue_.assign(child_begin_.begin(), child_begin_.end() - 1);  // fill positions
  for (uint32_t i = 0; i < n; ++i) {
    if (parent_[i] < kBroken) children_[queue_[parent_[i]]++] = i;
  }
}

// The root: the earliest-starting span without a parent (the longer on a
// tie); when every span has one, the earliest orphan; else (a cycle) the
// earliest span.
uint32_t TraceSummarizer::pick_root(const TraceBuf& t) const {
  const auto n = static_cast<uint32_t>(t.spans.size());
  auto better = [&](uint32_t a, uint32_t b) {  // a before b
    const TraceSpan& x = t.spans[a];
    const TraceSpan& y = t.spans[b];
    if (x.start != y.start) return x.start < y.start;
    return x.end > y.end;
  };
  for (uint32_t kind : {kNoParent, kMissing}) {
    uint32_t best = kNoParent;
    for (uint32_t i = 0; i < n; ++i) {
      if (parent_[i] == kind && (best == kNoParent || better(i, best))) best = i;
    }
    if (best != kNoParent) return best;
  }
  uint32_t best = 0;
  for (uint32_t i = 1; i < n; ++i) {
    if (better(i, best)) best = i;
  }
  return best;
}

// Depth below the roots and orphans, breadth first; the spans not reached
// from one are broken (a cycle of parents, a span its own parent). When the
// root is one of them, the depths go on from it.
void TraceSummarizer::compute_depths(const TraceBuf& t, uint32_t root) {
  const auto n = static_cast<uint32_t>(t.spans.size());
  depth_.assign(n, -1);
  queue_.clear();
  auto walk = [&](size_t q) {
    for (; q < queue_.size(); ++q) {
      uint32_t s = queue_[q];
      for (uint32_t c = child_begin_[s]; c < child_begin_[s + 1]; ++c) {
        uint32_t k = children_[c];
        if (depth_[k] < 0) {
          depth_[k] = depth_[s] + 1;
          queue_.push_back(k);
        }
      }
    }
  };
  for (uint32_t i = 0; i < n; ++i) {
    if (parent_[i] == kNoParent || parent_[i] == kMissing) {
      depth_[i] = 0;
      queue_.push_back(i);
    }
  }
  walk(0);
  broken_.resize(n);
  for (uint32_t i = 0; i < n; ++i) broken_[i] = depth_[i] < 0;
  if (depth_[root] < 0) {
    depth_[root] = 0;
    queue_.push_back(root);
    walk(queue_.size() - 1);
  }
}

// Jaeger UI's walk, iterative: from the root's end, take the child that
// finishes last among those starting before the cursor (children clipped to
// their parent's interval; one wholly outside it is left out), charge the
// gap after it to the parent, walk that child up to the cursor, then move
// the cursor to the child's start; what remains down to the parent's start
// is the parent's own. Each span's self times add up to the root's duration.
void TraceSummarizer::critical_path(const TraceBuf& t, uint32_t root) {
  path_.clear();
  stack_.clear();
  cand_.clear();
  on_path_.assign(t.spans.size(), 0);
  auto push = [&](uint32_t span, int64_t start, int64_t end, int64_t cursor) {
    on_path_[span] = 1;
    Frame f{span, start, end, cursor, static_cast<uint32_t>(path_.size()), cand_.size(), 0, 0};
    path_.push_back(PathEntry{span, 0});
    for (uint32_t c = child_begin_[span]; c < child_begin_[span + 1]; ++c) {
      uint32_t k = children_[c];
      if (on_path_[k]) continue;  // a cycle through the root
      int64_t cs = std::max(t.spans[k].start, start);
      int64_t ce = std::min(t.spans[k].end, end);
      if (cs < ce) cand_.push_back(Candidate{cs, ce, k});
    }
    f.cand_end = cand_.size();
    f.next = f.cand_begin;
    // Latest end first; ties in input order (the children's order; sort,
    // not stable_sort, which allocates).
    std::sort(cand_.begin() + static_cast<ptrdiff_t>(f.cand_begin), cand_.end(),
              [](const Candidate& a, const Candidate& b) { return a.end != b.end ? a.end > b.end : a.span < b.span; });
    stack_.push_back(f);
  };
  const TraceSpan& r = t.spans[root];
  push(root, r.start, r.end, r.end);
  while (!stack_.empty()) {
    Frame& f = stack_.back();
    // The cursor only moves back, so a child skipped for starting at or
    // after it stays skipped.
    while (f.next < f.cand_end && (cand_[f.next].start >= f.cursor || on_path_[cand_[f.next].span])) ++f.next;
    if (f.next == f.cand_end) {
      if (f.cursor > f.start) path_[f.entry].self_ns += elapsed_ns(f.start, f.cursor);
      cand_.resize(f.cand_begin);
      stack_.pop_back();
      continue;
    }
    Candidate c = cand_[f.next++];
    int64_t until = std::min(c.end, f.cursor);
    path_[f.entry].self_ns += elapsed_ns(until, f.cursor);
    f.cursor = c.start;
    push(c.span, c.start, c.end, until);  // f is invalid from here
  }
}

void TraceSummarizer::write(const TraceBuf& t, std::string& out) {
  const auto n = static_cast<uint32_t>(t.spans.size());
  index(t);
  const uint32_t root = pick_root(t);
  compute_depths(t, root);
  critical_path(t, root);

  int64_t start = t.spans[0].start, end = t.spans[0].end;
  for (const TraceSpan& s : t.spans) {
    start = std::min(start, s.start);
    end = std::max(end, s.end);
  }
  // The deepest failing span; on a tie, the earliest to start.
  uint32_t origin = kNoParent;
  for (uint32_t i = 0; i < n; ++i) {
    if (!t.spans[i].error) continue;
    if (origin == kNoParent || depth_[i] > depth_[origin] ||
        (depth_[i] == depth_[origin] && t.spans[i].start < t.spans[origin].start)) {
      origin = i;
    }
  }

  auto opt_string = [&](JsonBuilder& j, std::string_view key, bool has, uint32_t off, uint32_t len) {
    j.key(key);
    if (has) {
      j.string(t.str(off, len));
    } else {
      j.null();
    }
  };
  auto span_ref = [&](JsonBuilder& j, uint32_t i) {
    const TraceSpan& s = t.spans[i];
    j.field("span_id", t.str(s.id_off, s.id_len));
    opt_string(j, "name", s.has_name, s.name_off, s.name_len);
    opt_string(j, "service", s.has_service, s.service_off, s.service_len);
  };

  JsonBuilder j(out);
  j.begin_object();
  j.field("trace_id", t.trace_id);
  write_time(j, "ts", start);
  write_time(j, "end", end);
  j.field_number("duration_ms", elapsed_ms(start, end));
  const TraceSpan& r = t.spans[root];
  j.field("root_span_id", t.str(r.id_off, r.id_len));
  opt_string(j, "root_name", r.has_name, r.name_off, r.name_len);
  opt_string(j, "root_service", r.has_service, r.service_off, r.service_len);
  j.field_int("span_count", n);
  j.key("services");
  j.begin_array();
  seen_.clear();
  for (const TraceSpan& s : t.spans) {
    if (!s.has_service) continue;
    std::string_view name = t.str(s.service_off, s.service_len);
    if (std::find(seen_.begin(), seen_.end(), name) != seen_.end()) continue;
    seen_.push_back(name);
    j.string(name);
  }
  j.end_array();
  j.field_bool("error", origin != kNoParent);
  j.key("error_origin");
  if (origin == kNoParent) {
    j.null();
  } else {
    j.begin_object();
    span_ref(j, origin);
    j.end_object();
  }
  j.key("critical_path");
  j.begin_array();
  for (const PathEntry& e : path_) {
    j.begin_object();
    span_ref(j, e.span);
    j.field_number("self_ms", to_ms(e.self_ns));
    j.end_object();
  }
  j.end_array();
  uint32_t orphans = 0, broken = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (parent_[i] == kMissing) ++orphans;
    if (broken_[i]) ++broken;
  }
  j.field_int("orphans", orphans);
  if (orphans) {
    j.key("orphan_ids");
    j.begin_array();
    for (uint32_t i = 0; i < n; ++i) {
      if (parent_[i] == kMissing) j.string(t.str(t.spans[i].id_off, t.spans[i].id_len));
    }
    j.end_array();
    j.key("missing_parents");
    j.begin_array();
    seen_.clear();
    for (uint32_t i = 0; i < n; ++i) {
      if (parent_[i] != kMissing) continue;
      std::string_view p = t.str(t.spans[i].parent_off, t.spans[i].parent_len);
      if (std::find(seen_.begin(), seen_.end(), p) != seen_.end()) continue;
      seen_.push_back(p);
      j.string(p);
    }
    j.end_array();
  }
  if (broken) {
    // Spans whose parent chain leads to no root: a span that is its own
    // parent, or a cycle of parents.
    j.key("broken_parent_ids");
    j.begin_array();
    for (uint32_t i = 0; i < n; ++i) {
      if (broken_[i]) j.string(t.str(t.spans[i].id_off, t.spans[i].id_len));
    }
    j.end_array();
  }
  j.end_object();
}

}  // namespace olly
