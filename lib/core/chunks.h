// Reading regular files in byte ranges split at line boundaries, so several
// threads can read one file (olly-agg -j N, olly-parse -j N). Each range is read with
// pread into its own buffer with simdjson padding after the data, so lines
// are parsed in place without a copy.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_buffer.h"
#include "core/diag.h"

namespace olly {

struct FileChunk {
  size_t file_index = 0;
  uint64_t begin = 0, end = 0;  // lines starting in [begin, end) belong to this chunk
};

// Splits the files into consecutive ranges of `block` bytes (the last of a
// file shorter), in input order, for work that is written out in order
// (olly-parse -j N). Returns false (and no chunks) when an input is not a regular
// uncompressed file (stdin, a pipe, gzip or zstd): those are read serially.
bool plan_blocks(const std::vector<std::string>& files, uint64_t block, std::vector<FileChunk>& chunks,
                 std::vector<uint64_t>& sizes);

// olly-agg -j N: consecutive ranges whose size depends on the inputs' total
// size only (never on the thread count), so every -j splits alike: a 32nd
// of the total (at least min_block bytes, at most 64 MiB; the last of a file
// shorter), and a quarter of that in the last quarter of the input. Returns
// false as plan_blocks does.
bool plan_agg_ranges(const std::vector<std::string>& files, uint64_t min_block, std::vector<FileChunk>& chunks,
                     std::vector<uint64_t>& sizes);

// A sample of the inputs for a profile (olly-explain's first pass chooses
// fields, values and bins from it): `pieces` ranges of `budget / pieces`
// bytes spread evenly over the inputs as if they were one, in input order,
// the first at the start of the inputs and the last ending at their end.
// Inputs no bigger than budget together are planned whole, as
// plan_agg_ranges plans them. Returns false as plan_blocks does.
bool plan_sample_ranges(const std::vector<std::string>& files, uint64_t budget, uint64_t pieces,
                        uint64_t min_block, std::vector<FileChunk>& chunks, std::vector<uint64_t>& sizes);

// A line longer than the cap (LineReader::set_max_line) inside a range:
// line is its number within the range; the runner, which knows where the
// range starts in its file, says where it is as LineReader does.
struct ChunkLineTooLong : InputError {
  ChunkLineTooLong(uint64_t line_in_range, size_t max_line);
  uint64_t line;
  size_t max_line;
};

// Frames the lines of one range as LineReader frames a whole input: LF or
// CRLF endings (cr() tells), a last line without a newline, the same cap on
// a line's length.
class ChunkLineReader {
 public:
  ChunkLineReader();
  ~ChunkLineReader();
  ChunkLineReader(const ChunkLineReader&) = delete;
  ChunkLineReader& operator=(const ChunkLineReader&) = delete;

  // Throws InputError when the file cannot be opened or read.
  void open(const std::string& path, uint64_t begin, uint64_t end);
  // The next line (without its LF or CRLF). capacity: bytes readable from
  // line.data() on (at least line.size() + SIMDJSON_PADDING).
  bool next(std::string_view& line, size_t& capacity);
  uint64_t lines() const { return lines_; }  // lines returned so far
  bool cr() const { return cr_; }
  uint64_t line_offset() const { return line_offset_; }  // file offset where the last line began            // the last line ended in CRLF (the \r is not in it)
  void set_max_line(size_t bytes) { max_line_ = bytes; }

 private:
  bool fill();  // reads more; false at end of file

  int fd_ = -1;
  std::string path_;
  ByteBuffer buf_;
  size_t head_ = 0, tail_ = 0;  // unread bytes are buf_[head_, tail_)
  uint64_t head_offset_ = 0;    // file offset of buf_[head_]
  uint64_t read_offset_ = 0;    // file offset of the next pread
  uint64_t end_ = 0;
  bool eof_ = false;
  bool cr_ = false;
  uint64_t lines_ = 0;
  uint64_t line_offset_ = 0;
  size_t max_line_ = size_t{1} << 30;
};

}  // namespace olly
