// Reads the values of a set of field paths from an On-Demand document in a
// single forward pass (fields are visited in document order, values not
// needed are skipped, not materialised).
#pragma once
#include <simdjson.h>

#include <vector>

#include "expr/path.h"
#include "expr/value.h"

namespace olly {

class FieldExtractor {
 public:
  FieldExtractor();
  ~FieldExtractor();
  FieldExtractor(FieldExtractor&&) noexcept;
  FieldExtractor& operator=(FieldExtractor&&) noexcept;

  // Registers a path and returns its slot (the same path twice: the same slot).
  size_t add(const Path& path);
  size_t slot_count() const;
  // The paths registered, by slot.
  const std::vector<Path>& paths() const;

  // Fills slots (resized to slot_count()) from doc; absent paths are
  // Kind::missing. A document that is not an object leaves every slot missing.
  // Strings point into the parser's buffer (valid until the next document).
  [[nodiscard]] simdjson::error_code extract(simdjson::ondemand::document& doc,
                                             std::vector<Value>& slots);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace olly
