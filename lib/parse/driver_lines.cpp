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

// cri: a line logged in parts (P) is one event, written when its final
// part (F) comes: the parts' messages joined as they are, the first part's
// time, the final part's tag. stdout and stderr are joined apart (their
// parts interleave). Parts whose final part never comes are written at the
// end of the file with their tag P, rather than lost.
class CriFormat : public Format {
 public:
  void start_file() override {
    for (auto& p : pending_) p.clear();
  }
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override {
    CriLine l;
    if (!split_cri(line, l, reason)) return false;
    Pending& p = pending_[l.stream == "stderr"];
    if (l.partial && p.msg.size() + l.msg.size() <= kMaxJoined) {
      if (!p.open) p.start(l);
      p.msg.append(l.msg);
      return true;
    }
    if (!p.open) {
      write_cri(l, l.msg, out.begin());
      out.end();
      return true;
    }
    // The final part (or a part past the cap: the line is written as far as it goes).
    p.msg.append(l.msg);
    CriLine joined = p.line();
    joined.logtag = l.logtag;
    write_cri(joined, p.msg, out.begin());
    out.end();
    p.clear();
    return true;
  }
  void flush_file(EventWriter& out) override {
    for (auto& p : pending_) {
      if (!p.open) continue;
      write_cri(p.line(), p.msg, out.begin());
      out.end();
      p.clear();
    }
  }

 private:
  static constexpr size_t kMaxJoined = 16u << 20;  // as --multiline-start caps a joined event
  struct Pending {
    bool open = false;
    std::string time, stream, logtag, msg;
    TimeNs ts = 0;
    void start(const CriLine& l) {
      open = true;
      time.assign(l.time);
      stream.assign(l.stream);
      logtag.assign(l.logtag);
      ts = l.ts;
    }
    CriLine line() const {
      CriLine l;
      l.time = time;
      l.stream = stream;
      l.logtag = logtag;
      l.ts = ts;
      return l;
    }
    void clear() {
      open = false;
      msg.clear();
    }
  };
  Pending pending_[2];  // stdout, stderr
};

class ApacheErrorFormat : public Format {
 public:
  explicit ApacheErrorFormat(const ParseOptions& opts) : opts_(line_options(opts)) {}
  bool reads_lines_alone() const override { return true; }
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override {
    if (!parse_apache_error(line, out.begin(), reason, opts_)) return false;
    out.end();
    return true;
  }

 private:
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
  if (f == "cri") return std::make_unique<CriFormat>();
  if (f == "apache_error") return std::make_unique<ApacheErrorFormat>(opts);
  return nullptr;
}

}  // namespace olly::parse
