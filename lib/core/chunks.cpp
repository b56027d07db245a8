#include "core/chunks.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/diag.h"
#include "core/progress.h"

namespace olly {

namespace {
constexpr size_t kBlock = 1 << 20;
constexpr size_t kPad = simdjson::SIMDJSON_PADDING;

// The sizes of the inputs when every one is a regular uncompressed file.
bool regular_file_sizes(const std::vector<std::string>& files, std::vector<uint64_t>& sizes) {
  sizes.clear();
  if (files.empty()) return false;
  for (const auto& f : files) {
    if (f == "-") return false;
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    // Compressed inputs are decoded serially by LineReader.
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    unsigned char magic[4] = {0};
    ssize_t n = ::pread(fd, magic, 4, 0);
    ::close(fd);
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return false;
    if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) return false;
    sizes.push_back(static_cast<uint64_t>(st.st_size));
  }
  progress_meter().set_inputs(files);
  return true;
}

}  // namespace

bool plan_blocks(const std::vector<std::string>& files, uint64_t block, std::vector<FileChunk>& chunks,
                 std::vector<uint64_t>& sizes) {
  chunks.clear();
  if (block == 0 || !regular_file_sizes(files, sizes)) {
    sizes.clear();
    return false;
  }
  for (size_t i = 0; i < files.size(); ++i) {
    for (uint64_t at = 0; at < sizes[i]; at += block) {
      chunks.push_back(FileChunk{i, at, std::min(sizes[i], at + block)});
    }
  }
  return true;
}

bool plan_agg_ranges(const std::vector<std::string>& files, uint64_t min_block, std::vector<FileChunk>& chunks,
                     std::vector<uint64_t>& sizes) {
  chunks.clear();
  if (!regular_file_sizes(files, sizes)) {
    sizes.clear();
    return false;
  }
  uint64_t total = 0;
  for (uint64_t s : sizes) total += s;
  const uint64_t block = std::max<uint64_t>({1, min_block, std::min<uint64_t>(total / 32, uint64_t{64} << 20)});
  // The last quarter in quarter-size ranges: a thread that finishes early
  // then waits for at most a small range, not a full one.
  const uint64_t tail_block = std::max<uint64_t>({1, min_block, block / 4});
  const uint64_t tail_from = total - total / 4;
  uint64_t before = 0;  // bytes in the files before this one
  for (size_t i = 0; i < files.size(); ++i) {
    for (uint64_t at = 0; at < sizes[i];) {
      const uint64_t len = before + at >= tail_from ? tail_block : block;
      const uint64_t end = std::min(sizes[i], at + len);
      chunks.push_back(FileChunk{i, at, end});
      at = end;
    }
    before += sizes[i];
  }
  return true;
}

bool plan_sample_ranges(const std::vector<std::string>& files, uint64_t budget, uint64_t pieces,
                        uint64_t min_block, std::vector<FileChunk>& chunks, std::vector<uint64_t>& sizes) {
  if (!plan_agg_ranges(files, min_block, chunks, sizes)) return false;
  uint64_t total = 0;
  for (uint64_t s : sizes) total += s;
  if (pieces == 0 || total <= budget) return true;
  chunks.clear();
  const uint64_t piece = std::max<uint64_t>(1, budget / pieces);
  // The first piece starts the input and the last ends it, so a log in time
  // order shows its first and last times; the others are evenly between.
  const uint64_t span = total - piece;
  size_t file = 0;
  uint64_t before = 0;  // bytes in the files before `file`
  for (uint64_t k = 0; k < pieces; ++k) {
    const uint64_t at = pieces > 1 ? static_cast<uint64_t>(static_cast<__uint128_t>(span) * k / (pieces - 1)) : 0;
    while (at >= before + sizes[file]) before += sizes[file++];
    const uint64_t begin = at - before;
    chunks.push_back(FileChunk{file, begin, std::min(sizes[file], begin + piece)});
  }
  return true;
}

ChunkLineTooLong::ChunkLineTooLong(uint64_t line_in_range, size_t max)
    : InputError(fmt::format("line longer than {} bytes", max)), line(line_in_range), max_line(max) {}

ChunkLineReader::ChunkLineReader() : buf_(kBlock + kPad) {}

ChunkLineReader::~ChunkLineReader() {
  if (fd_ >= 0) ::close(fd_);
}

void ChunkLineReader::open(const std::string& path, uint64_t begin, uint64_t end) {
  if (fd_ >= 0) ::close(fd_);
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw InputError(fmt::format("{}: {}", path, std::strerror(errno)));
  head_ = tail_ = 0;
  end_ = end;
  eof_ = false;
  lines_ = 0;
  read_offset_ = begin;
  head_offset_ = begin;
  if (begin > 0) {
    // A line that starts before begin belongs to the previous chunk: skip to
    // just after the first LF at or after begin - 1.
    read_offset_ = head_offset_ = begin - 1;
    for (;;) {
      if (head_ == tail_ && !fill()) return;
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + head_, '\n', tail_ - head_));
      if (nl) {
        size_t skip = static_cast<size_t>(nl - (buf_.data() + head_)) + 1;
        head_ += skip;
        head_offset_ += skip;
        return;
      }
      head_offset_ += tail_ - head_;
      head_ = tail_;
    }
  }
}

bool ChunkLineReader::fill() {
  if (eof_) return false;
  // Keep the unread bytes, at the front.
  if (head_ > 0) {
    std::memmove(buf_.data(), buf_.data() + head_, tail_ - head_);
    tail_ -= head_;
    head_ = 0;
  }
  if (buf_.size() - kPad - tail_ < kBlock / 2) {
    // A long line: grow, up to the cap LineReader keeps (checked as LineReader does).
    if (tail_ > max_line_) throw ChunkLineTooLong(lines_ + 1, max_line_);
    buf_.resize(buf_.size() * 2);
  }
  size_t room = buf_.size() - kPad - tail_;
  // Past the range only the line that crosses its end is still wanted.
  constexpr uint64_t kTail = 16 << 10;
  if (read_offset_ >= end_) {
    room = std::min<size_t>(room, kTail);
  } else {
    room = static_cast<size_t>(std::min<uint64_t>(room, end_ - read_offset_ + kTail));
  }
  for (;;) {
    ssize_t n = ::pread(fd_, buf_.data() + tail_, room, static_cast<off_t>(read_offset_));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(fmt::format("{}: read error: {}", path_, std::strerror(errno)));
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    tail_ += static_cast<size_t>(n);
    progress_add(read_offset_ < end_ ? std::min<uint64_t>(n, end_ - read_offset_) : 0);  // the range's bytes only
    read_offset_ += static_cast<uint64_t>(n);
    return true;
  }
}

bool ChunkLineReader::next(std::string_view& line, size_t& capacity) {
  for (;;) {
    if (head_offset_ >= end_) return false;  // the next line starts in the next chunk
    const char* start = buf_.data() + head_;
    const char* nl = head_ < tail_ ? static_cast<const char*>(std::memchr(start, '\n', tail_ - head_)) : nullptr;
    size_t len;
    size_t consumed;
    if (nl) {
      len = static_cast<size_t>(nl - start);
      consumed = len + 1;
    } else if (!fill()) {
      if (head_ == tail_) return false;
      len = consumed = tail_ - head_;  // the last line has no newline
      // What follows it in the buffer is stale, and simdjson reads the byte
      // after a malformed document: blanks there, as PaddedLine writes for
      // the serial runner, so a range reads the line as -j 1 does.
      std::memset(buf_.data() + tail_, ' ', kPad);
    } else {
      continue;
    }
    start = buf_.data() + head_;
    cr_ = len > 0 && start[len - 1] == '\r';
    if (cr_) --len;
    line = std::string_view(start, len);
    capacity = buf_.size() - head_;
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; they lie in buf_.
    head_ += consumed;
    line_offset_ = head_offset_;
    head_offset_ += consumed;
    ++lines_;
    return true;
  }
}

}  // namespace olly
