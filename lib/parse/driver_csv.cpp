// csv and tsv as an olly-parse Format. Placeholder until CsvReader lands.
#include "diag.h"
#include "parse/driver.h"

namespace olly::parse {

std::unique_ptr<Format> build_csv_format(const ParseOptions& opts) {
  throw UsageError(fmt::format("{}: not available in this build yet", opts.format));
}

}  // namespace olly::parse
