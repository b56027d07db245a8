// olly-sort's engine: records (an encoded key and the line's bytes) held in
// one arena up to a memory cap, sorted by key with input order breaking ties;
// past the cap each sorted batch becomes a run in a temporary file, and the
// runs are merged with a k-way heap, kFanIn at a time (as runs pile up, and in
// passes at the end), so any input sorts in bounded memory and open files. With a head limit
// only the first N records are kept, in a bounded heap.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace olly {

struct SorterOptions {
  uint64_t memory = 512ull << 20;  // --memory: the record store's cap in bytes
  uint64_t head = UINT64_MAX;      // --head N: keep only the first N
  std::string tmp_dir;             // where runs go; empty: $TMPDIR, else /tmp
};

// Parses a memory size: bytes, or a number with K, M or G (powers of 1024).
// Throws UsageError naming flag.
uint64_t parse_memory_size(std::string_view text, std::string_view flag);

class Sorter {
 public:
  using LineSink = std::function<void(std::string_view line)>;
  // Runs merged at once; more runs are merged in passes.
  static constexpr size_t kFanIn = 64;

  explicit Sorter(SorterOptions opts);
  ~Sorter();
  Sorter(const Sorter&) = delete;
  Sorter& operator=(const Sorter&) = delete;

  // Adds one record, in input order. May spill a run (InputError when a
  // temporary file cannot be written).
  void add(std::string_view key, std::string_view line);
  // Writes every line in sorted order, then forgets them.
  void finish(const LineSink& sink);

  size_t runs_written() const { return runs_written_; }

 private:
  struct Rec {
    uint64_t prefix;  // 8 key bytes after the batch's common prefix, big-endian: most comparisons end here
    uint64_t off;     // key, then line, in arena_
    uint32_t key_len;
    uint32_t line_len;
  };
  struct Run;
  struct HeadItem;

  void sort_batch();
  void spill();
  void merge(std::vector<std::unique_ptr<Run>>& runs, const LineSink& sink, Run* into);
  void add_head(std::string_view key, std::string_view line);

  SorterOptions opts_;
  std::string arena_;
  std::vector<Rec> recs_;
  size_t common_ = 0;  // bytes every key of the batch starts with
  std::vector<std::unique_ptr<Run>> runs_;
  size_t runs_written_ = 0;
  // --head: the best records so far, a max-heap on (key, seq).
  std::vector<std::unique_ptr<HeadItem>> head_;
  uint64_t seq_ = 0;
};

}  // namespace olly
