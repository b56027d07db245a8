#include "core/input.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "core/diag.h"
#include "core/progress.h"

namespace olly {

bool inputs_are_regular_files(const std::vector<std::string>& paths) {
  auto regular = [](const std::string& path) {
    struct stat st {};
    if (path == "-") return ::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);
    return ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode);
  };
  if (paths.empty()) return regular("-");
  for (const auto& p : paths) {
    if (!regular(p)) return false;
  }
  return true;
}

namespace {
constexpr size_t kBlock = 1 << 20;  // 1 MiB reads
}

// One opened input. Reads raw bytes from a descriptor into its own block and
// hands out decompressed bytes; the codec is chosen once, from magic bytes.
class ByteSource {
 public:
  enum class Codec { plain, gzip, zstd };

  ByteSource(int fd, std::string name, bool owns_fd)
      : fd_(fd), name_(std::move(name)), owns_fd_(owns_fd), raw_(kBlock) {}
  ~ByteSource() {
    if (codec_ == Codec::gzip) inflateEnd(&zs_);
    if (zstd_) ZSTD_freeDStream(zstd_);
    if (owns_fd_) ::close(fd_);
  }

  // Sniffs the codec from the first bytes. Throws InputError on read errors.
  // Reads no further than it must, so that a short first line on a pipe is
  // handed over without waiting for more.
  void start() {
    while (raw_end_ < 4 && !raw_eof_ && may_be_magic()) read_raw();
    auto* b = reinterpret_cast<const unsigned char*>(raw_.data());
    if (raw_end_ >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
      codec_ = Codec::gzip;
      std::memset(&zs_, 0, sizeof zs_);
      if (inflateInit2(&zs_, 15 + 32) != Z_OK) throw InputError(name_ + ": cannot start gzip decoder");
    } else if (raw_end_ >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
      codec_ = Codec::zstd;
      zstd_ = ZSTD_createDStream();
      if (!zstd_) throw InputError(name_ + ": cannot start zstd decoder");
      ZSTD_initDStream(zstd_);
    }
  }

  // Whether a read would find bytes within timeout_ms (or the end of
  // input). Only a plain pipe, terminal or socket can keep a reader waiting;
  // compressed input is not timed (its decoder may hold bytes of its own).
  bool ready(int timeout_ms) {
    if (codec_ != Codec::plain || raw_begin_ < raw_end_ || raw_eof_) return true;
    if (pollable_ < 0) {
      struct stat st;
      pollable_ = ::fstat(fd_, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
                                             S_ISSOCK(st.st_mode));
    }
    if (!pollable_) return true;
    pollfd p{fd_, POLLIN, 0};
    int rc;
    do rc = ::poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc != 0;  // readable, hung up, or an error the read will report
  }

  // Fills up to n bytes at dst; returns 0 at end of input.
  size_t read(char* dst, size_t n) {
    switch (codec_) {
      case Codec::plain: return read_plain(dst, n);
      case Codec::gzip: return read_gzip(dst, n);
      case Codec::zstd: return read_zstd(dst, n);
    }
    return 0;
  }

 private:
  // The bytes read so far may still begin a gzip or zstd magic number.
  bool may_be_magic() const {
    static constexpr unsigned char kGzip[] = {0x1f, 0x8b}, kZstd[] = {0x28, 0xb5, 0x2f, 0xfd};
    auto* b = reinterpret_cast<const unsigned char*>(raw_.data());
    bool gzip = raw_end_ < sizeof kGzip, zstd = true;
    for (size_t i = 0; i < raw_end_; ++i) {
      gzip = gzip && b[i] == kGzip[i];
      zstd = zstd && b[i] == kZstd[i];
    }
    return gzip || zstd;
  }

  void read_raw() {
    if (raw_begin_ == raw_end_) raw_begin_ = raw_end_ = 0;
    if (raw_end_ == raw_.size()) {
      std::memmove(raw_.data(), raw_.data() + raw_begin_, raw_end_ - raw_begin_);
      raw_end_ -= raw_begin_;
      raw_begin_ = 0;
    }
    for (;;) {
      ssize_t got = ::read(fd_, raw_.data() + raw_end_, raw_.size() - raw_end_);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw InputError(fmt::format("{}: read error: {}", name_, std::strerror(errno)));
      }
      if (got == 0) raw_eof_ = true;
      progress_add(static_cast<uint64_t>(got));
      raw_end_ += static_cast<size_t>(got);
      return;
    }
  }

  size_t read_plain(char* dst, size_t n) {
    if (raw_begin_ < raw_end_) {  // bytes kept from sniffing
      size_t k = std::min(n, raw_end_ - raw_begin_);
      std::memcpy(dst, raw_.data() + raw_begin_, k);
      raw_begin_ += k;
      return k;
    }
    if (raw_eof_) return 0;
    for (;;) {
      ssize_t got = ::read(fd_, dst, n);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw InputError(fmt::format("{}: read error: {}", name_, std::strerror(errno)));
      }
      if (got == 0) raw_eof_ = true;
      progress_add(static_cast<uint64_t>(got));
      return static_cast<size_t>(got);
    }
  }

  size_t read_gzip(char* dst, size_t n) {
    zs_.next_out = reinterpret_cast<Bytef*>(dst);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n) {
      if (raw_begin_ == raw_end_) {
        if (raw_eof_) {
          if (member_open_) throw InputError(name_ + ": truncated gzip data");
          return 0;
        }
        read_raw();
        continue;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_begin_);
      zs_.avail_in = static_cast<uInt>(raw_end_ - raw_begin_);
      member_open_ = true;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      raw_begin_ = raw_end_ - zs_.avail_in;
      if (rc == Z_STREAM_END) {
        member_open_ = false;
        inflateReset(&zs_);  // concatenated members (as `cat a.gz b.gz` makes) go on
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw InputError(fmt::format("{}: corrupt gzip data: {}", name_, zs_.msg ? zs_.msg : "error"));
      }
    }
    return n - zs_.avail_out;
  }

  size_t read_zstd(char* dst, size_t n) {
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos == 0) {
      if (raw_begin_ == raw_end_) {
        if (raw_eof_) {
          if (frame_open_) throw InputError(name_ + ": truncated zstd data");
          return 0;
        }
        read_raw();
        continue;
      }
      ZSTD_inBuffer in{raw_.data() + raw_begin_, raw_end_ - raw_begin_, 0};
      size_t rc = ZSTD_decompressStream(zstd_, &out, &in);
      raw_begin_ += in.pos;
      if (ZSTD_isError(rc)) {
        throw InputError(fmt::format("{}: corrupt zstd data: {}", name_, ZSTD_getErrorName(rc)));
      }
      frame_open_ = rc != 0;
    }
    return out.pos;
  }

  int fd_;
  std::string name_;
  bool owns_fd_;
  Codec codec_ = Codec::plain;
  ByteBuffer raw_;
  size_t raw_begin_ = 0, raw_end_ = 0;
  bool raw_eof_ = false;
  z_stream zs_{};
  bool member_open_ = false;
  ZSTD_DStream* zstd_ = nullptr;
  bool frame_open_ = false;
  int pollable_ = -1;  // unknown until ready() first asks
};

LineReader::LineReader(std::vector<std::string> paths) : paths_(std::move(paths)) {
  if (paths_.empty()) paths_.push_back("-");
  buf_.resize(kBlock + 64);
  progress_meter().set_inputs(paths_);
}

LineReader::~LineReader() = default;

bool LineReader::open_next() {
  src_.reset();
  while (next_path_ < paths_.size()) {
    current_index_ = next_path_;
    const std::string& path = paths_[next_path_++];
    current_name_ = path;
    int fd;
    bool owns = true;
    if (path == "-") {
      fd = 0;
      owns = false;
#ifdef F_SETPIPE_SZ
      // A bigger pipe buffer lets the writer run ahead (best effort).
      ::fcntl(0, F_SETPIPE_SZ, 1 << 20);
#endif
    } else {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        report("cannot open '{}': {}", path, std::strerror(errno));
        ++open_failures_;
        continue;
      }
#ifdef POSIX_FADV_SEQUENTIAL
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    src_ = std::make_unique<ByteSource>(fd, path, owns);
    try {
      src_->start();
    } catch (const InputError& e) {
      if (path == "-") throw;
      report("{}", e.what());
      ++open_failures_;
      src_.reset();
      continue;
    }
    begin_ = end_ = 0;
    eof_ = false;
    line_no_ = 0;
    line_offset_ = 0;
    return true;
  }
  return false;
}

bool LineReader::fill() {
  if (eof_) return false;
  // Keep the unconsumed tail, then read after it.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kBlock / 2 + 64) {
    if (end_ > max_line_) {
      throw InputError(fmt::format("{}:{}: line longer than {} bytes", current_name_,
                                   line_no_ + 1, max_line_));
    }
    buf_.resize(buf_.size() * 2);
  }
  if (before_read_) before_read_();
  if (idle_timeout_ms_ > 0 && !src_->ready(idle_timeout_ms_)) {
    stalled_ = true;
    return false;
  }
  size_t got = src_->read(buf_.data() + end_, buf_.size() - end_ - 64);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  bytes_read_ += got;
  return true;
}

bool LineReader::next(Line& out) {
  stalled_ = false;
  for (;;) {
    if (!src_) {
      if (!open_next()) return false;
    }
    size_t scan_from = begin_;
    for (;;) {
      const char* start = buf_.data() + begin_;
      const void* nl = std::memchr(buf_.data() + scan_from, '\n', end_ - scan_from);
      if (nl) {
        size_t len = static_cast<const char*>(nl) - start;
        begin_ += len + 1;
        out.offset = line_offset_;
        line_offset_ += len + 1;
        out.cr = len > 0 && start[len - 1] == '\r';
        if (out.cr) --len;  // CRLF
        out.text = std::string_view(start, len);
        out.number = ++line_no_;
        out.file = current_name_;
        out.file_index = current_index_;
        return true;
      }
      size_t scanned = end_ - begin_;
      if (!fill()) {
        if (stalled_) return false;  // the partial line stays for the next call
        break;
      }
      scan_from = begin_ + scanned;  // fill() moved the tail to the front
    }
    if (begin_ < end_) {  // last line without a newline
      const char* start = buf_.data() + begin_;
      size_t len = end_ - begin_;
      begin_ = end_;
      out.offset = line_offset_;
      line_offset_ += len;
      out.cr = len > 0 && start[len - 1] == '\r';
      if (out.cr) --len;
      out.text = std::string_view(start, len);
      out.number = ++line_no_;
      out.file = current_name_;
      out.file_index = current_index_;
      return true;
    }
    src_.reset();
  }
}

}  // namespace olly
