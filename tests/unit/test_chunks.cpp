#include <doctest/doctest.h>

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
