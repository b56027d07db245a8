#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/chunks.h"
#include "core/input.h"
#include "temp_dir.h"

using namespace olly;

namespace {

std::string temp_file(const std::string& content) {
  std::string path = test::temp_path("chunks");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(content.data(), 1, content.size(), f) == content.size());
  REQUIRE(std::fclose(f) == 0);
  return path;
}

struct Framed {
  std::string text;
  uint64_t number;
  bool cr;
  bool operator==(const Framed& o) const { return text == o.text && number == o.number && cr == o.cr; }
};

std::vector<Framed> serial_lines(const std::string& path) {
  std::vector<Framed> out;
  LineReader reader({path});
  Line line;
  while (reader.next(line)) out.push_back({std::string(line.text), line.number, line.cr});
  return out;
}

// The lines of every range of `block` bytes, numbered from the file's start
// as the runner numbers them.
std::vector<Framed> ranged_lines(const std::string& path, uint64_t block) {
  std::vector<FileChunk> ranges;
  std::vector<uint64_t> sizes;
  REQUIRE(plan_blocks({path}, block, ranges, sizes));
  std::vector<Framed> out;
  ChunkLineReader reader;
  uint64_t before = 0;
  for (const FileChunk& r : ranges) {
    reader.open(path, r.begin, r.end);
    std::string_view line;
    size_t capacity;
    while (reader.next(line, capacity)) {
      CHECK(capacity >= line.size() + 64);
      out.push_back({std::string(line), before + reader.lines(), reader.cr()});
    }
    before += reader.lines();
  }
  return out;
}

}  // namespace

TEST_CASE("ranges frame lines as LineReader does, whatever the range size") {
  const std::string content = "{\"a\":1}\n{\"b\":2}\r\n\n  \r\nplain\nx\r\r\n\r\n{\"c\":3}\nlast\r";
  const std::string path = temp_file(content);
  const std::vector<Framed> expected = serial_lines(path);
  REQUIRE(expected.size() == 9);
  CHECK(expected[1].cr);
  CHECK(expected.back().text == "last");
  CHECK(expected.back().cr);
  for (uint64_t block = 1; block <= content.size() + 1; ++block) {
    CAPTURE(block);
    CHECK(ranged_lines(path, block) == expected);
  }
}

TEST_CASE("ranges keep LineReader's cap on a line's length") {
  std::string content = "short\n" + std::string(3 << 20, 'x') + "\nafter\n";
  const std::string path = temp_file(content);
  ChunkLineReader reader;
  reader.set_max_line(1 << 20);
  reader.open(path, 0, content.size());
  std::string_view line;
  size_t capacity;
  REQUIRE(reader.next(line, capacity));
  CHECK(line == "short");
  try {
    (void)reader.next(line, capacity);
    FAIL("no error for a line over the cap");
  } catch (const ChunkLineTooLong& e) {
    CHECK(e.line == 2);
    CHECK(std::string(e.what()) == "line longer than 1048576 bytes");
  }
  // Without the lower cap the long line is a line.
  ChunkLineReader plain;
  plain.open(path, 0, content.size());
  REQUIRE(plain.next(line, capacity));
  REQUIRE(plain.next(line, capacity));
  CHECK(line.size() == (3u << 20));
}

TEST_CASE("a profile's sample: ranges spread evenly over the inputs as one, whole lines; small inputs whole") {
  std::string a, b;
  for (int i = 0; i < 100; ++i) a += fmt::format("{{\"a\":{:03}}}\n", i);  // 10 bytes a line: 1000 bytes
  for (int i = 0; i < 300; ++i) b += fmt::format("{{\"b\":{:03}}}\n", i);  // 3000 bytes
  const std::string pa = temp_file(a), pb = temp_file(b);
  std::vector<FileChunk> ranges;
  std::vector<uint64_t> sizes;
  // 4 pieces of 100 bytes over the 4000, at 0, 1300, 2600 and 3900: the last ends the input.
  REQUIRE(plan_sample_ranges({pa, pb}, 400, 4, 1, ranges, sizes));
  REQUIRE(ranges.size() == 4);
  const uint64_t expected[4][3] = {{0, 0, 100}, {1, 300, 400}, {1, 1600, 1700}, {1, 2900, 3000}};
  for (size_t k = 0; k < 4; ++k) {
    CAPTURE(k);
    CHECK(ranges[k].file_index == expected[k][0]);
    CHECK(ranges[k].begin == expected[k][1]);
    CHECK(ranges[k].end == expected[k][2]);
  }
  // Each range reads the whole lines starting in it: ten lines of b from its 160th, and its last ten.
  ChunkLineReader reader;
  std::string_view line;
  size_t capacity;
  std::vector<std::string> seen;
  reader.open(pb, ranges[2].begin, ranges[2].end);
  while (reader.next(line, capacity)) seen.emplace_back(line);
  REQUIRE(seen.size() == 10);
  CHECK(seen.front() == "{\"b\":160}");
  CHECK(seen.back() == "{\"b\":169}");
  seen.clear();
  reader.open(pb, ranges[3].begin, ranges[3].end);
  while (reader.next(line, capacity)) seen.emplace_back(line);
  REQUIRE(seen.size() == 10);
  CHECK(seen.back() == "{\"b\":299}");
  // A budget the inputs fit in: the ranges of a whole fold, as plan_agg_ranges plans them.
  std::vector<FileChunk> whole;
  REQUIRE(plan_agg_ranges({pa, pb}, 1, whole, sizes));
  REQUIRE(plan_sample_ranges({pa, pb}, 4000, 4, 1, ranges, sizes));
  REQUIRE(ranges.size() == whole.size());
  for (size_t k = 0; k < ranges.size(); ++k) {
    CHECK(ranges[k].file_index == whole[k].file_index);
    CHECK(ranges[k].begin == whole[k].begin);
    CHECK(ranges[k].end == whole[k].end);
  }
  CHECK_FALSE(plan_sample_ranges({"-"}, 400, 4, 1, ranges, sizes));
}
