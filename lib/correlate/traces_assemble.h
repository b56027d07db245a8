// olly-correlate traces: one trace's spans, held until the trace is idle, and
// the summary written for it (root, error origin, critical path, orphans).
// Kept apart from the stage so the unit tests can build traces by hand.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace olly {

// One span, its text in the owning TraceBuf::text (no allocation per span).
struct TraceSpan {
  uint32_t id_off = 0, id_len = 0;
  uint32_t parent_off = 0, parent_len = 0;
  uint32_t name_off = 0, name_len = 0;
  uint32_t service_off = 0, service_len = 0;
  int64_t start = 0, end = 0;  // ns since the epoch
  bool has_parent = false, has_name = false, has_service = false, error = false;
};

// The spans of one trace seen so far. Buffers are reused from trace to trace.
struct TraceBuf {
  std::string trace_id;
  std::string text;  // the spans' ids, parents, names and services, back to back
  std::vector<TraceSpan> spans;
  int64_t last_seen = 0;  // the latest span end: the trace is idle from here
  uint64_t seq = 0;       // creation order (ties in emission order)
  uint64_t hash = 0;      // of trace_id, for the active index
  bool active = false;

  void clear() {
    trace_id.clear();
    text.clear();
    spans.clear();
    active = false;
  }
  // Appends a span (name/service empty + has_* false when absent).
  void add(std::string_view id, const std::string_view* parent, const std::string_view* name,
           const std::string_view* service, int64_t start, int64_t end, bool error);
  std::string_view str(uint32_t off, uint32_t len) const { return std::string_view(text).substr(off, len); }
};

// Writes one trace's summary line (a JSON object, no newline). Holds scratch
// buffers reused across traces.
class TraceSummarizer {
 public:
  void write(const TraceBuf& trace, std::string& out);

 private:
  struct Candidate {
    int64_t start, end;  // clipped to the parent's (clipped) interval
    uint32_t span;
  };
  struct Frame {
    uint32_t span;
    int64_t start, end;  // the span's clipped interval
    int64_t cursor;      // time walked back to so far
    uint32_t entry;      // its critical path entry
    size_t cand_begin, cand_end, next;
  };
  struct PathEntry {
    uint32_t span;
    uint64_t self_ns;  // unsigned: a span may last longer than INT64_MAX ns (1677 to 2262)
  };
  void index(const TraceBuf& t);
  uint32_t pick_root(const TraceBuf& t) const;
  void compute_depths(const TraceBuf& t, uint32_t root);
  void critical_path(const TraceBuf& t, uint32_t root);

  std::unordered_map<std::string_view, uint32_t> by_id_;
  std::vector<uint32_t> parent_;       // index, or kNoParent / kMissing / kBroken
  std::vector<uint32_t> child_begin_;  // CSR: children of i are children_[child_begin_[i] .. child_begin_[i+1])
  std::vector<uint32_t> children_;
  std::vector<int32_t> depth_;  // -1: not reached from a root or an orphan (a cycle)
  std::vector<uint32_t> queue_;
  std::vector<uint8_t> broken_;  // not under a root or an orphan
  std::vector<uint8_t> on_path_;
  std::vector<Candidate> cand_;
  std::vector<Frame> stack_;
  std::vector<PathEntry> path_;
  std::vector<std::string_view> seen_;
};

}  // namespace olly
