#include "view.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/diag.h"
#include "view/html.h"
#include "view/series.h"

namespace olly {
namespace {

std::vector<std::string> split_list(const std::string& s, const char* flag) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t at = 0;
  while (true) {
    size_t comma = s.find(',', at);
    std::string item = s.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (item.empty()) throw UsageError(std::string(flag) + ": an empty field name in '" + s + "'");
    out.push_back(item);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

// The terminal's size: COLUMNS and LINES when set, else the terminal's own; 0 when unknown.
size_t env_size(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return *end == '\0' && n > 0 && n < 100000 ? static_cast<size_t>(n) : 0;
}

void write_all(const std::string& s) {
  const char* p = s.data();
  size_t n = s.size();
  while (n > 0) {
    ssize_t w = ::write(1, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(0);  // the reader went away (EPIPE): the quiet end every verb has
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

constexpr char kShowCursor[] = "\x1b[?25h";

void on_interrupt(int) {
  // Ctrl-C during --watch: the last frame stays on screen, the cursor comes back.
  ssize_t ignored = ::write(1, kShowCursor, sizeof kShowCursor - 1);
  (void)ignored;
  ignored = ::write(1, "\n", 1);
  _exit(0);
}

}  // namespace

ViewStage::ViewStage(const ViewCliOptions& opts) : cli_(opts) {
  opts_.columns = split_list(opts.columns, "--columns");
  opts_.by = split_list(opts.by, "--by");
  if (opts.windows == 0) throw UsageError("--windows: must be at least 1");
  if (opts.watch && opts.format != "table") {
    throw UsageError("--watch: redraws a terminal table; it cannot be used with --format " + opts.format);
  }
  if (!(opts.interval > 0)) throw UsageError("--interval: must be a positive number of seconds");
  opts_.windows = opts.windows;
  opts_.flat = opts.flat;
  opts_.title = opts.title;
  tty_ = ::isatty(1) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  opts_.color = opts.common.color == "always" ||
                (opts.common.color == "auto" && tty_ && !(no_color && *no_color));
  struct winsize ws {};
  bool have_ws = tty_ && ::ioctl(1, TIOCGWINSZ, &ws) == 0;
  opts_.width = env_size("COLUMNS");
  if (opts_.width == 0 && have_ws) opts_.width = ws.ws_col;
  if (opts.watch) {
    opts_.height = env_size("LINES");
    if (opts_.height == 0 && have_ws) opts_.height = ws.ws_row;
    if (opts_.height == 0) opts_.height = 24;
    if (tty_) {
      struct sigaction sa {};
      sa.sa_handler = on_interrupt;
      sigaction(SIGINT, &sa, nullptr);
      sigaction(SIGTERM, &sa, nullptr);
      write_all("\x1b[?25l");  // no cursor flickering across the table
    }
    painter_ = std::thread([this] { watch_loop(); });
  }
}

ViewStage::~ViewStage() {
  if (painter_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    painter_.join();
  }
}

Result ViewStage::on_event(Event& ev, Emitter&) {
  std::unique_lock lock(mu_, std::defer_lock);
  if (cli_.watch) lock.lock();
  if (auto e = table_.add(*ev.doc)) return Result::bad(e);
  if (cli_.watch) {
    dirty_ = true;
    // A stream keeps only what is shown: the last windows of a series, the
    // last screenful of rows.
    if (table_.rows() > 4096 && table_.rows() % 1024 == 0) {
      view::Series s;
      if (!opts_.flat && view::find_series(table_, opts_.by, opts_.windows, s)) {
        std::set<std::string> kept(s.windows.begin(), s.windows.end());
        table_.retain([&](size_t r) {
          return kept.count(std::string(table_.text(*table_.cell(r, s.start_column)))) > 0;
        });
      } else {
        size_t keep = opts_.height, n = table_.rows();
        table_.retain([&](size_t r) { return r + keep >= n; });
      }
    }
  }
  return Result::ok();
}

void ViewStage::render(std::string& out, const view::Flush& flush) {
  if (table_.rows() == 0 && cli_.format != "html") return;
  if (cli_.format == "table" || cli_.format == "markdown") {
    size_t first = 0;
    if (cli_.watch && opts_.height > 4 && table_.rows() > opts_.height - 4) first = table_.rows() - (opts_.height - 4);
    if (cli_.format == "table") {
      view::render_table(table_, opts_, first, out, flush);
    } else {
      view::render_markdown(view::build_grid(table_, opts_, first), out, flush);
    }
  } else if (cli_.format == "csv") {
    view::render_delimited(table_, opts_, ',', out, flush);
  } else if (cli_.format == "tsv") {
    view::render_delimited(table_, opts_, '\t', out, flush);
  } else if (cli_.format == "json") {
    view::render_json(table_, opts_, out, flush);
  } else {
    view::render_html(table_, opts_, out);
  }
}

void ViewStage::write_frame() {
  frame_.clear();
  if (tty_) frame_.append("\x1b[H\x1b[2J");  // home, clear: the frame redraws in place
  render(frame_);
  if (!tty_ && !frame_.empty()) frame_.push_back('\n');  // frames apart in a file
  write_all(frame_);
}

void ViewStage::watch_loop() {
  auto interval = std::chrono::duration<double>(cli_.interval);
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, interval, [&] { return stop_; });
    if (stop_) break;
    if (dirty_) {
      dirty_ = false;
      write_frame();
    }
  }
}

void ViewStage::on_end(Emitter& out) {
  if (cli_.watch) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    painter_.join();
    frame_.clear();
    if (tty_) frame_.append("\x1b[H\x1b[2J");
    render(frame_);
    if (tty_) frame_.append(kShowCursor);
    out.lines(frame_, table_.rows());
    return;
  }
  std::string text;
  render(text, [&](std::string& part) {
    out.lines(part, 0);
    part.clear();
  });
  out.lines(text, table_.rows());
}

}  // namespace olly
