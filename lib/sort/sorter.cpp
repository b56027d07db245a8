#include "sort/sorter.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "core/diag.h"

namespace olly {

namespace {

constexpr size_t kRunBuffer = 256 * 1024;

uint64_t key_prefix(std::string_view key) {
  uint64_t p = 0;
  for (size_t i = 0; i < 8; ++i) p = (p << 8) | (i < key.size() ? static_cast<uint8_t>(key[i]) : 0);
  return p;
}

[[noreturn]] void temp_failed(std::string_view what) {
  throw InputError(fmt::format("temporary file: {}: {}", what, std::strerror(errno)));
}

}  // namespace

uint64_t parse_memory_size(std::string_view text, std::string_view flag) {
  uint64_t n = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > (UINT64_MAX - 9) / 10) throw UsageError(fmt::format("{}: '{}' is too large", flag, text));
    n = n * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  uint64_t unit = 1;
  std::string_view rest = text.substr(i);
  if (rest == "K" || rest == "k" || rest == "KiB") unit = 1ull << 10;
  else if (rest == "M" || rest == "m" || rest == "MiB") unit = 1ull << 20;
  else if (rest == "G" || rest == "g" || rest == "GiB") unit = 1ull << 30;
  else if (!rest.empty() && rest != "B") i = 0;
  if (i == 0 || n == 0) {
    throw UsageError(fmt::format("{}: '{}' is not a size (bytes, or a number with K, M or G, e.g. 512M)", flag, text));
  }
  if (n > UINT64_MAX / unit) throw UsageError(fmt::format("{}: '{}' is too large", flag, text));
  return n * unit;
}

// A sorted run in a temporary file. The file is unlinked as soon as it is
// created, so it disappears with its descriptor however the process ends
// (an error, SIGINT, SIGTERM or SIGKILL): nothing is ever left in $TMPDIR.
// Records: u32 key length, u32 line length, key, line.
struct Sorter::Run {
  int fd = -1;
  std::string buf;
  size_t pos = 0;
  bool eof = false;
  std::string key, line;  // the current record while merging
  int level = 0;          // 0: a spilled batch; L + 1: kFanIn runs of level L merged

  explicit Run(const std::string& dir) {
    std::string path = dir + "/olly-sort-XXXXXX";
    // A SIGINT or SIGTERM between mkstemp and unlink would leave the file
    // behind: they wait, blocked, until it has no name any more.
    sigset_t stop, before;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, &before);
    fd = ::mkstemp(path.data());
    if (fd >= 0) ::unlink(path.c_str());
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    if (fd < 0) temp_failed(fmt::format("cannot create one in {}", dir));
  }
  ~Run() {
    if (fd >= 0) ::close(fd);
  }
  void put(std::string_view k, std::string_view l) {
    uint32_t h[2] = {static_cast<uint32_t>(k.size()), static_cast<uint32_t>(l.size())};
    buf.append(reinterpret_cast<const char*>(h), sizeof h);
    buf.append(k);
    buf.append(l);
    if (buf.size() >= kRunBuffer) flush();
  }
  void flush() {
    size_t done = 0;
    while (done < buf.size()) {
      ssize_t n = ::write(fd, buf.data() + done, buf.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) temp_failed("write failed");
      done += static_cast<size_t>(n);
    }
    buf.clear();
  }
  // Ends writing; the run is read from its start.
  void rewind() {
    flush();
    if (::lseek(fd, 0, SEEK_SET) != 0) temp_failed("seek failed");
    pos = 0;
    eof = false;
  }
  // Makes n bytes available at pos; false at the end of the file.
  bool fill(size_t n) {
    while (buf.size() - pos < n) {
      if (eof) return false;
      buf.erase(0, pos);
      pos = 0;
      size_t have = buf.size();
      buf.resize(std::max(have + n, have + kRunBuffer));
      ssize_t got = ::read(fd, buf.data() + have, buf.size() - have);
      if (got < 0 && errno == EINTR) got = 0;
      else if (got < 0) temp_failed("read failed");
      else if (got == 0) eof = true;
      buf.resize(have + static_cast<size_t>(got));
    }
    return true;
  }
  // Reads the next record into key and line; false at the end.
  bool next() {
    if (!fill(8)) return false;
    uint32_t h[2];
    std::memcpy(h, buf.data() + pos, sizeof h);
    if (!fill(8 + size_t{h[0]} + h[1])) temp_failed("a run ended early");
    key.assign(buf.data() + pos + 8, h[0]);
    line.assign(buf.data() + pos + 8 + h[0], h[1]);
    pos += 8 + size_t{h[0]} + h[1];
    return true;
  }
};

struct Sorter::HeadItem {
  std::string key, line;
  uint64_t seq;
};

Sorter::Sorter(SorterOptions opts) : opts_(std::move(opts)) {
  if (opts_.tmp_dir.empty()) {
    const char* t = std::getenv("TMPDIR");
    opts_.tmp_dir = t && *t ? t : "/tmp";
  }
}

Sorter::~Sorter() = default;

void Sorter::add(std::string_view key, std::string_view line) {
  if (opts_.head != UINT64_MAX) {
    add_head(key, line);
    return;
  }
  const size_t need = key.size() + line.size();
  const auto used = [&] { return arena_.size() + (recs_.size() + 1) * sizeof(Rec); };
  if (!recs_.empty() && used() + need > opts_.memory) spill();
  if (arena_.size() + need > arena_.capacity()) {
    // Grow by doubling, but not past the cap, so the arena stays within --memory.
    size_t cap = std::max(arena_.size() + need, std::min<size_t>(arena_.capacity() * 2, opts_.memory));
    arena_.reserve(std::max<size_t>(cap, 4096));
  }
  if (recs_.empty()) {
    common_ = key.size();
  } else {
    // The batch's common key prefix: the sort's prefixes start after it.
    const Rec& first = recs_.front();
    std::string_view k0(arena_.data() + first.off, first.key_len);
    size_t n = std::min(common_, key.size());
    size_t i = 0;
    while (i < n && k0[i] == key[i]) ++i;
    common_ = i;
  }
  recs_.push_back(Rec{0, arena_.size(), static_cast<uint32_t>(key.size()), static_cast<uint32_t>(line.size())});
  arena_.append(key);
  arena_.append(line);
}

void Sorter::add_head(std::string_view key, std::string_view line) {
  if (opts_.head == 0) return;
  // Max-heap on (key, seq): the top is the record the next better one replaces.
  auto later = [](const std::unique_ptr<HeadItem>& a, const std::unique_ptr<HeadItem>& b) {
    int c = a->key.compare(b->key);
    return c != 0 ? c < 0 : a->seq < b->seq;
  };
  const uint64_t seq = seq_++;
  if (head_.size() < opts_.head) {
    head_.push_back(std::make_unique<HeadItem>(HeadItem{std::string(key), std::string(line), seq}));
    std::push_heap(head_.begin(), head_.end(), later);
    return;
  }
  // Equal keys: the earlier record stays (stable).
  if (!(key < std::string_view(head_.front()->key))) return;
  std::pop_heap(head_.begin(), head_.end(), later);
  HeadItem& slot = *head_.back();  // reused: its strings keep their capacity
  slot.key.assign(key);
  slot.line.assign(line);
  slot.seq = seq;
  std::push_heap(head_.begin(), head_.end(), later);
}

void Sorter::sort_batch() {
  const char* base = arena_.data();
  // Keys often share a long prefix (RFC 3339 times: the date and hour), so
  // the 8 bytes each record carries are taken after what they all share;
  // most comparisons then end without touching the arena.
  for (Rec& r : recs_) r.prefix = key_prefix(std::string_view(base + r.off, r.key_len).substr(common_));
  std::sort(recs_.begin(), recs_.end(), [base](const Rec& a, const Rec& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    int c = std::string_view(base + a.off, a.key_len).compare(std::string_view(base + b.off, b.key_len));
    return c != 0 ? c < 0 : a.off < b.off;  // input order breaks ties
  });
}

void Sorter::spill() {
  sort_batch();
  auto run = std::make_unique<Run>(opts_.tmp_dir);
  for (const Rec& r : recs_) {
    run->put(std::string_view(arena_.data() + r.off, r.key_len),
             std::string_view(arena_.data() + r.off + r.key_len, r.line_len));
  }
  run->rewind();
  runs_.push_back(std::move(run));
  ++runs_written_;
  recs_.clear();
  arena_.clear();
  // Merge as runs pile up, so open files stay at most kFanIn per level (a
  // tiny --memory over a large input would otherwise run out of
  // descriptors): the last kFanIn runs are contiguous in input order, so
  // merging them keeps the sort stable.
  while (runs_.size() >= kFanIn) {
    const int level = runs_.back()->level;
    bool same = true;
    for (size_t i = runs_.size() - kFanIn; i < runs_.size(); ++i) same = same && runs_[i]->level == level;
    if (!same) break;
    std::vector<std::unique_ptr<Run>> last(std::make_move_iterator(runs_.end() - kFanIn),
                                           std::make_move_iterator(runs_.end()));
    runs_.erase(runs_.end() - kFanIn, runs_.end());
    auto merged = std::make_unique<Run>(opts_.tmp_dir);
    merge(last, {}, merged.get());
    merged->rewind();
    merged->level = level + 1;
    ++runs_written_;
    runs_.push_back(std::move(merged));
  }
}

void Sorter::merge(std::vector<std::unique_ptr<Run>>& runs, const LineSink& sink, Run* into) {
  // Min-heap on (key, run index): equal keys come from the earlier run first
  // (runs are in input order), so the merge is stable.
  std::vector<size_t> heap;
  auto after = [&](size_t a, size_t b) {
    int c = runs[a]->key.compare(runs[b]->key);
    return c != 0 ? c > 0 : a > b;
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i]->next()) heap.push_back(i);
  }
  std::make_heap(heap.begin(), heap.end(), after);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    Run& r = *runs[heap.back()];
    if (into) {
      into->put(r.key, r.line);
    } else {
      sink(r.line);
    }
    if (r.next()) {
      std::push_heap(heap.begin(), heap.end(), after);
    } else {
      heap.pop_back();
    }
  }
}

void Sorter::finish(const LineSink& sink) {
  if (opts_.head != UINT64_MAX) {
    std::sort(head_.begin(), head_.end(), [](const auto& a, const auto& b) {
      int c = a->key.compare(b->key);
      return c != 0 ? c < 0 : a->seq < b->seq;
    });
    for (const auto& h : head_) sink(h->line);
    head_.clear();
    return;
  }
  if (runs_.empty()) {
    sort_batch();
    for (const Rec& r : recs_) sink(std::string_view(arena_.data() + r.off + r.key_len, r.line_len));
    recs_.clear();
    arena_.clear();
    return;
  }
  if (!recs_.empty()) spill();
  arena_ = std::string();  // the merge needs only the runs' buffers
  recs_ = std::vector<Rec>();
  // Too many runs for one merge: merge the first kFanIn into one run that
  // takes their place (still before the later runs, so ties stay stable).
  while (runs_.size() > kFanIn) {
    std::vector<std::unique_ptr<Run>> first(std::make_move_iterator(runs_.begin()),
                                            std::make_move_iterator(runs_.begin() + kFanIn));
    auto merged = std::make_unique<Run>(opts_.tmp_dir);
    merge(first, sink, merged.get());
    merged->rewind();
    ++runs_written_;
    runs_.erase(runs_.begin(), runs_.begin() + kFanIn);
    runs_.insert(runs_.begin(), std::move(merged));
  }
  merge(runs_, sink, nullptr);
  runs_.clear();
}

}  // namespace olly
