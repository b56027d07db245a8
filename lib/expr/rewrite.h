// Rewrites an event object while copying everything it does not change byte
// for byte from the input: used by projections (--select / --drop) and by
// field assignment (eval --set). Field order is kept; new fields go last.
#pragma once
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "expr/path.h"
#include "expr/value.h"

namespace olly {

class ObjectRewriter {
 public:
  enum class Mode {
    keep_unlisted,  // copy every field not listed (drop / set)
    keep_listed,    // copy only the listed fields (select)
  };

  explicit ObjectRewriter(Mode mode = Mode::keep_unlisted);
  ~ObjectRewriter();
  ObjectRewriter(ObjectRewriter&&) noexcept;
  ObjectRewriter& operator=(ObjectRewriter&&) noexcept;

  // Listing operations (object member paths only; `flag` names the option in
  // the UsageError thrown for array-index paths).
  void keep(const Path& path, std::string_view flag);
  void drop(const Path& path, std::string_view flag);
  // Sets path to values[index] at rewrite time (replaced in place when the
  // field exists, else appended at its level, creating parent objects).
  void set(const Path& path, size_t index, std::string_view flag);
  bool empty() const;

  // Writes the rewritten document to out. A document that is not an object
  // is treated as an empty object. values must not point into doc's parser
  // (its string buffer is reused while the rewrite validates what it copies):
  // copy strings read from doc elsewhere before the doc is rewound.
  [[nodiscard]] simdjson::error_code rewrite(simdjson::ondemand::document& doc,
                                             const std::vector<Value>& values, std::string& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace olly
