// The line formats (lib/parse/line_formats.h) as olly-parse Formats.
#include "core/diag.h"
#include "parse/driver.h"
#include "parse/line_formats.h"

namespace olly::parse {

namespace {

LineFormatOptions line_options(const ParseOptions& opts) {
  LineFormatOptions o;
  o.tz = opts.tz;
  o.default_year = opts.year;
  o.infer_types = opts.infer_types;
  return o;
}

class LogfmtFormat : public Format {
 public:
  explicit LogfmtFormat(const ParseOptions& opts) : opts_(line_options(opts)) {}
  bool reads_lines_alone() const override { return true; }
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override {
    if (!parse_logfmt(line, out.begin(), reason, opts_)) return false;
    out.end();
    return true;
  }

 private:
  LineFormatOptions opts_;
};

class AccessFormat : public Format {
 public:
  AccessFormat(AccessLogFormat layout, const ParseOptions& opts)
      : layout_(std::move(layout)), opts_(line_options(opts)) {}
  bool reads_lines_alone() const override { return true; }
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override {
    if (!layout_.parse(line, out.begin(), reason, opts_)) return false;
    out.end();
    return true;
  }

 private:
  AccessLogFormat layout_;
  LineFormatOptions opts_;
};

class SyslogFormat : public Format {
 public:
  explicit SyslogFormat(const ParseOptions& opts) : opts_(line_options(opts)) {
    if (opts_.default_year) opts_.rollover = &rollover_;
  }
  // With --year, a line's year depends on the lines before it in its file
  // (Dec 31 then Jan 1 is a new year): the file is read in order, by one
  // thread. Without it, each line's year is decided on its own.
  bool reads_lines_alone() const override { return opts_.default_year == 0; }
  void start_file() override { rollover_ = {}; }
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override {
    if (!parse_syslog(line, out.begin(), reason, opts_)) return false;
    out.end();
    return true;
  }

 private:
  YearRollover rollover_;
  LineFormatOptions opts_;
};

}  // namespace

std::unique_ptr<Format> build_csv_format(const ParseOptions& opts);  // driver_csv.cpp

std::unique_ptr<Format> build_line_format(ParseOptions& opts) {
  const std::string& f = opts.format;
  if (!opts.format_string.empty() && f != "combined" && f != "common") {
    throw UsageError("--format-string: only for the combined and common formats");
  }
  if (!opts.columns.empty() && f != "csv" && f != "tsv") {
    throw UsageError("--columns: only for the csv and tsv formats");
  }
  if (f == "logfmt") return std::make_unique<LogfmtFormat>(opts);
  if (f == "syslog") return std::make_unique<SyslogFormat>(opts);
  if (f == "combined" || f == "common") {
    std::optional<AccessLogFormat> layout;
    if (!opts.format_string.empty()) {
      std::string error;
      layout = AccessLogFormat::compile(opts.format_string, error);
      if (!layout) throw UsageError(fmt::format("--format-string: {}", error));
    } else {
      layout = f == "combined" ? AccessLogFormat::combined() : AccessLogFormat::common();
    }
    if (!layout) throw UsageError(fmt::format("{}: layout unavailable", f));
    return std::make_unique<AccessFormat>(std::move(*layout), opts);
  }
  if (f == "csv" || f == "tsv") return build_csv_format(opts);
  return nullptr;
}

}  // namespace olly::parse
