// csv and tsv as an olly-parse Format, over parse-lines' CsvReader. A record
// whose quoted field spans lines is fed line by line; its first line number
// and joined text are what --errors and --keep-raw see.
#include <optional>

#include "core/diag.h"
#include "parse/driver.h"
#include "parse/line_formats.h"

namespace olly::parse {

namespace {

class CsvFormat : public Format {
 public:
  explicit CsvFormat(CsvReader::Options options) : options_(std::move(options)) {}

  bool wants_blank_lines() const override { return true; }  // they may sit inside quotes
  void start_file() override {
    reader_.emplace(options_);
    joined_.clear();
    open_lines_ = 0;
  }

  bool parse(std::string_view line, EventWriter& out, std::string& reason) override {
    JsonBuilder& b = out.begin();
    switch (reader_->feed(line, b, reason)) {
      case CsvReader::Result::record:
        if (open_lines_ > 0) {
          joined_.append(line);
          out.set_record(joined_);
        }
        out.end();
        joined_.clear();
        open_lines_ = 0;
        return true;
      case CsvReader::Result::need_more:
        out.abandon();
        joined_.append(line);
        joined_.push_back('\n');
        ++open_lines_;
        return true;
      case CsvReader::Result::header:
      case CsvReader::Result::skipped:
        out.abandon();
        return true;
      case CsvReader::Result::error:
        break;
    }
    out.abandon();
    failed_lines_ = reader_->pending_start_line();
    failed_ = joined_;
    failed_.append(line);
    joined_.clear();
    open_lines_ = 0;
    return false;
  }

  uint64_t record_start(uint64_t line) const override {
    uint64_t back = failed_lines_ > 0 ? failed_lines_ - 1 : 0;
    return line > back ? line - back : line;
  }
  std::string_view record_text(std::string_view) const override { return failed_; }

  bool finish_file(std::string& reason) override {
    if (!reader_ || open_lines_ == 0) return true;
    reader_->finish(reason);
    if (reason.empty()) reason = "unterminated quoted field at end of input";
    // record_start(last line) counts back over the open record's lines.
    failed_lines_ = open_lines_;
    if (!joined_.empty() && joined_.back() == '\n') joined_.pop_back();
    failed_ = joined_;
    joined_.clear();
    open_lines_ = 0;
    return false;
  }

 private:
  CsvReader::Options options_;
  std::optional<CsvReader> reader_;
  std::string joined_;  // lines of a record still inside quotes
  size_t open_lines_ = 0;
  std::string failed_;
  size_t failed_lines_ = 0;
};

}  // namespace

std::unique_ptr<Format> build_csv_format(const ParseOptions& opts) {
  CsvReader::Options o;
  if (opts.format == "tsv") {
    o.delimiter = '\t';
    o.quoting = false;
  }
  o.columns = opts.columns;
  o.infer_types = opts.infer_types;
  return std::make_unique<CsvFormat>(std::move(o));
}

}  // namespace olly::parse
