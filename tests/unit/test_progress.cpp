// Unit tests for lib/core/progress: the text of the progress line, and the
// meter's drawing and erasing with --progress forced (stderr caught in a file).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "core/diag.h"
#include "core/progress.h"
#include "temp_dir.h"

using namespace olly;

TEST_CASE("format_bytes: decimal units, at most three digits") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(999) == "999 B");
  CHECK(format_bytes(1000) == "1.0 KB");
  CHECK(format_bytes(1640) == "1.6 KB");
  CHECK(format_bytes(9940) == "9.9 KB");
  CHECK(format_bytes(9960) == "10 KB");
  CHECK(format_bytes(412'000'000) == "412 MB");
  CHECK(format_bytes(999'700) == "1.0 MB");  // not "1000 KB"
  CHECK(format_bytes(1'200'000'000) == "1.2 GB");
  CHECK(format_bytes(3'500'000'000'000) == "3.5 TB");
}

TEST_CASE("progress_text: bytes of total, rate and ETA") {
  CHECK(progress_text("olly-agg", 412'000'000, 1'200'000'000, 412.0 / 380) ==
        "olly-agg: 412 MB of 1.2 GB (34%)  380 MB/s  ETA 0:02");
  CHECK(progress_text("olly-agg", 600'000'000, 1'200'000'000, 2.0) ==
        "olly-agg: 600 MB of 1.2 GB (50%)  300 MB/s  ETA 0:02");
  CHECK(progress_text("olly-agg", 100'000'000, 40'000'000'000, 1.0) ==
        "olly-agg: 100 MB of 40 GB (0%)  100 MB/s  ETA 6:39");
  CHECK(progress_text("olly-agg", 1'000'000, 4'000'000'000, 1.0) ==
        "olly-agg: 1.0 MB of 4.0 GB (0%)  1.0 MB/s  ETA 1:06:39");
}

TEST_CASE("progress_text: the start, the end, unknown totals") {
  // Before a tenth of a second (or a byte) there is no rate to tell.
  CHECK(progress_text("olly-filter", 0, 1640, 0.0) == "olly-filter: 0 B of 1.6 KB (0%)");
  CHECK(progress_text("olly-filter", 5000, 10000, 0.05) == "olly-filter: 5.0 KB of 10 KB (50%)");
  // All read: no ETA; ranges that read a little past their ends stay at 100%.
  CHECK(progress_text("olly-filter", 1000, 1000, 1.0) == "olly-filter: 1.0 KB of 1.0 KB (100%)  1.0 KB/s");
  CHECK(progress_text("olly-filter", 1010, 1000, 1.0) == "olly-filter: 1.0 KB of 1.0 KB (100%)  1.0 KB/s");
  CHECK(progress_text("olly-filter", 0, 0, 1.0) == "olly-filter: 0 B of 0 B (100%)");
  // A pipe: bytes and rate only.
  CHECK(progress_text("olly-parse", 412'000'000, std::nullopt, 1.0) == "olly-parse: 412 MB  412 MB/s");
  CHECK(progress_text("olly-parse", 0, std::nullopt, 0.0) == "olly-parse: 0 B");
}

namespace {

// Runs f with stderr going to a file; returns what was written.
template <typename F>
std::string capture_stderr(F f) {
  std::string path = test::temp_dir() + "/stderr.txt";
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  ::dup2(fd, 2);
  ::close(fd);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("a forced meter draws at the start, makes way for messages and erases its line at the end") {
  std::string input = test::temp_dir() + "/progress.ndjson";
  {
    std::ofstream out(input, std::ios::binary);
    out << std::string(1640, 'x');
  }
  set_tool_name("olly-filter");
  std::string err = capture_stderr([&] {
    ProgressMeter meter;
    meter.set_mode(ProgressMode::on);
    meter.add(7);  // bytes before the inputs were set are not theirs
    meter.set_inputs({input});
    {
      ProgressMeter::Pause pause(meter);
      std::fputs("a message\n", stderr);
    }
    meter.add(1640);
    meter.stop();
    meter.stop();  // a second stop does nothing
  });
  // The first draw, its erasing for the message, the line again below it,
  // and (after redraws the tick may have made) the final erase.
  std::string first =
      "\rolly-filter: 0 B of 1.6 KB (0%)\x1b[K\r\x1b[Ka message\n\rolly-filter: 0 B of 1.6 KB (0%)\x1b[K";
  REQUIRE(err.size() >= first.size());
  CHECK(err.substr(0, first.size()) == first);
  CHECK(err.substr(err.size() - 4) == "\r\x1b[K");
  set_tool_name("olly");
}

TEST_CASE("a meter left to decide draws nothing when stderr is not a terminal") {
  std::string input = test::temp_dir() + "/progress-auto.ndjson";
  { std::ofstream(input) << "{}\n"; }
  std::string err = capture_stderr([&] {
    ProgressMeter meter;
    meter.set_mode(ProgressMode::automatic);
    meter.set_inputs({input});
    meter.add(3);
    meter.stop();
    ProgressMeter off;  // --no-progress, and the default before run_tool decides
    off.set_mode(ProgressMode::off);
    off.set_inputs({input});
    off.stop();
  });
  CHECK(err.empty());
}
