#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/input.h"
#include "temp_dir.h"

using namespace olly;

namespace {

// A file holding content, in the test process's temporary directory (gone
// at exit, whatever the test did).
std::string temp_file(const std::string& content, const char* suffix = "") {
  std::string path = test::temp_path(std::string("input") + suffix);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(content.data(), 1, content.size(), f) == content.size());
  REQUIRE(std::fclose(f) == 0);
  return path;
}

std::vector<std::string> read_all(const std::vector<std::string>& paths, std::vector<uint64_t>* numbers = nullptr) {
  LineReader reader(paths);
  std::vector<std::string> lines;
  Line line;
  while (reader.next(line)) {
    lines.emplace_back(line.text);
    if (numbers) numbers->push_back(line.number);
  }
  return lines;
}

std::string gzip(const std::string& data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

}  // namespace

TEST_CASE("line framing: LF, CRLF, empty lines, no final newline") {
  auto path = temp_file("a\r\nb\n\nc");
  std::vector<uint64_t> numbers;
  auto lines = read_all({path}, &numbers);
  CHECK(lines == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(numbers == std::vector<uint64_t>{1, 2, 3, 4});
  std::remove(path.c_str());
}

TEST_CASE("empty file and NUL bytes") {
  auto empty = temp_file("");
  CHECK(read_all({empty}).empty());
  auto nul = temp_file(std::string("x\0y\nz", 5));
  auto lines = read_all({nul});
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == std::string("x\0y", 3));
  std::remove(empty.c_str());
  std::remove(nul.c_str());
}

TEST_CASE("lines far longer than the read block") {
  std::string big(20 * 1024 * 1024 + 7, 'x');
  auto path = temp_file("short\n" + big + "\nend\n");
  auto lines = read_all({path});
  REQUIRE(lines.size() == 3);
  CHECK(lines[1].size() == big.size());
  CHECK(lines[2] == "end");
  std::remove(path.c_str());
}

TEST_CASE("many lines across block boundaries keep their numbers") {
  std::string data;
  for (int i = 0; i < 200000; ++i) data += "line " + std::to_string(i) + "\n";
  auto path = temp_file(data);
  std::vector<uint64_t> numbers;
  auto lines = read_all({path}, &numbers);
  REQUIRE(lines.size() == 200000);
  CHECK(lines[123456] == "line 123456");
  CHECK(numbers.back() == 200000);
  std::remove(path.c_str());
}

TEST_CASE("gzip (also concatenated members) and zstd are read transparently") {
  std::string data;
  for (int i = 0; i < 50000; ++i) data += "{\"i\":" + std::to_string(i) + "}\n";
  auto gz = temp_file(gzip(data.substr(0, 100)) + gzip(data.substr(100)), ".gz");
  auto zs = temp_file(zstd(data), ".zst");
  auto plain = read_all({temp_file(data)});
  CHECK(read_all({gz}) == plain);
  CHECK(read_all({zs}) == plain);
  std::remove(gz.c_str());
  std::remove(zs.c_str());
}

TEST_CASE("truncated compressed input is an input error") {
  std::string data(100000, 'a');
  std::string z = gzip(data);
  auto gz = temp_file(z.substr(0, z.size() / 2), ".gz");
  CHECK_THROWS_AS(read_all({gz}), InputError);
  std::string zz = zstd(data + "\n");
  auto zs = temp_file(zz.substr(0, zz.size() - 3), ".zst");
  CHECK_THROWS_AS(read_all({zs}), InputError);
  std::remove(gz.c_str());
  std::remove(zs.c_str());
}

TEST_CASE("several files in order; a missing one is counted and skipped") {
  auto a = temp_file("1\n2\n");
  auto b = temp_file("3\n");
  LineReader reader({a, "/nonexistent/olly-test", b});
  std::vector<std::string> seen;
  std::vector<size_t> index;
  Line line;
  while (reader.next(line)) {
    seen.emplace_back(line.text);
    index.push_back(line.file_index);
  }
  CHECK(seen == std::vector<std::string>{"1", "2", "3"});
  CHECK(index == std::vector<size_t>{0, 0, 2});
  CHECK(reader.open_failures() == 1);
  std::remove(a.c_str());
  std::remove(b.c_str());
}
