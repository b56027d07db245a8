// A growable byte buffer whose new bytes are left uninitialised: the input
// readers' 1 MiB blocks are filled by read() or a decoder before a byte is
// looked at, so zeroing them first (as std::vector<char> does) is wasted
// work: a page fault per 4 KiB even when the input is a few bytes (many
// small files; the fuzz targets, which open readers per input).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>

namespace olly {

class ByteBuffer {
 public:
  explicit ByteBuffer(size_t size = 0) { resize(size); }

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  // Keeps the first min(size, new size) bytes; bytes beyond are unspecified.
  void resize(size_t size) {
    if (size > capacity_) {
      auto grown = std::make_unique_for_overwrite<char[]>(size);
      if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
      data_ = std::move(grown);
      capacity_ = size;
    }
    size_ = size;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0, capacity_ = 0;
};

}  // namespace olly
