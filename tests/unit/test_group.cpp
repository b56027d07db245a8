// lib/group: group keys (encode, decode, order) and GroupTable (the hash
// index from an encoded key to a group's state).
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/writer.h"
#include "group/group_key.h"
#include "group/group_table.h"
#include "sketch/hash.h"

using namespace olly;

namespace {

std::string key_of(std::initializer_list<Value> values) {
  std::string k;
  for (const auto& v : values) append_key_part(k, v);
  return k;
}

// "k12" (snprintf: GCC 12 warns falsely on numbered("k", i)).
std::string numbered(const char* prefix, size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%zu", prefix, i);
  return buf;
}

}  // namespace

TEST_CASE("group keys round trip and sort by value") {
  std::string k = key_of({Value::string("api"), Value::integer(-5), Value::null(), Value::boolean(true),
                          Value::number(2.5)});
  auto v = decode_key(k);
  REQUIRE(v.size() == 5);
  CHECK(v[0].s == "api");
  CHECK(v[1].i == -5);
  CHECK(v[2].kind == Kind::null);
  CHECK(v[3].b);
  CHECK(v[4].d == 2.5);
  // 5.0 and 5 are one group; missing and null are one group.
  CHECK(key_of({Value::number(5.0)}) == key_of({Value::integer(5)}));
  CHECK(key_of({Value::missing()}) == key_of({Value::null()}));
  CHECK(compare_keys(key_of({Value::integer(10)}), key_of({Value::integer(9)})) > 0);
  CHECK(compare_keys(key_of({Value::number(9.5)}), key_of({Value::integer(10)})) < 0);
  CHECK(compare_keys(key_of({Value::string("b")}), key_of({Value::string("ab")})) > 0);
  CHECK(compare_keys(key_of({Value::null()}), key_of({Value::integer(-100)})) < 0);
  CHECK(compare_keys(key_of({Value::integer(1)}), key_of({Value::string("1")})) < 0);
}

TEST_CASE("group keys: strings with the same bytes in different fields are different keys") {
  // The length prefix keeps ("ab", "c") apart from ("a", "bc").
  CHECK(key_of({Value::string("ab"), Value::string("c")}) != key_of({Value::string("a"), Value::string("bc")}));
  const std::string k = key_of({Value::string(""), Value::array_json("[1,2]"), Value::object_json("{}")});
  auto v = decode_key(k);  // views into k
  REQUIRE(v.size() == 3);
  CHECK(v[0].kind == Kind::string);
  CHECK(v[0].s.empty());
  CHECK(v[1].kind == Kind::array);
  CHECK(v[1].s == "[1,2]");
  CHECK(v[2].kind == Kind::object);
  CHECK(decode_key("").empty());
}

TEST_CASE("group keys are written back as members") {
  std::string out;
  JsonBuilder b(out);
  b.begin_object();
  write_key_fields(b, {"service", "status"}, key_of({Value::string("api"), Value::integer(500)}));
  b.end_object();
  CHECK(out == R"({"service":"api","status":500})");
  auto nested = nested_key_names({"http.method", "service"});
  REQUIRE(nested.size() == 2);
  out.clear();
  JsonBuilder n(out);
  n.begin_object();
  write_key_fields_nested(n, nested, key_of({Value::string("GET"), Value::null()}));
  n.end_object();
  CHECK(out == R"({"http":{"method":"GET"},"service":null})");
  CHECK(nested_key_names({"http", "http.method"}).empty());  // a prefix of another: flat
}

TEST_CASE("GroupTable: insert, find, insertion order") {
  GroupTable<int> t;
  CHECK(t.find("a", hash_bytes("a")) == nullptr);  // empty: no slots yet
  CHECK(t.slot_count() == 0);
  t.insert("a", hash_bytes("a"), 1);
  t.insert("b", hash_bytes("b"), 2);
  REQUIRE(t.find("a", hash_bytes("a")));
  CHECK(*t.find("a", hash_bytes("a")) == 1);
  CHECK(*t.find("b", hash_bytes("b")) == 2);
  CHECK(t.find("c", hash_bytes("c")) == nullptr);
  *t.find("a", hash_bytes("a")) += 10;
  CHECK(*t.find("a", hash_bytes("a")) == 11);
  REQUIRE(t.size() == 2);
  CHECK(t.entries()[0].key == "a");
  CHECK(t.entries()[1].key == "b");
  CHECK(t.entries()[1].value == 2);
  t.clear();
  CHECK(t.empty());
  CHECK(t.find("a", hash_bytes("a")) == nullptr);
}

TEST_CASE("GroupTable: grows to keep the load at most 1/2, every key still found") {
  GroupTable<size_t> t;
  t.insert("k0", hash_bytes("k0"), 0);
  CHECK(t.slot_count() == 16);
  for (size_t i = 1; i < 8; ++i) t.insert(numbered("k", i), hash_bytes(numbered("k", i)), i);
  CHECK(t.slot_count() == 16);  // 8 of 16
  t.insert("k8", hash_bytes("k8"), 8);
  CHECK(t.slot_count() == 32);  // the 9th would pass half
  for (size_t i = 9; i < 10000; ++i) {
    const std::string k = numbered("k", i);
    t.insert(k, hash_bytes(k), i);
  }
  CHECK(t.size() == 10000);
  CHECK(t.slot_count() == 32768);
  for (size_t i = 0; i < 10000; ++i) {
    const std::string k = numbered("k", i);
    size_t* v = t.find(k, hash_bytes(k));
    REQUIRE(v);
    CHECK(*v == i);
    CHECK(t.entries()[i].key == k);
  }
  CHECK(t.find("k10000", hash_bytes("k10000")) == nullptr);
}

TEST_CASE("GroupTable: many collisions") {
  // Every key has the same hash: the probe walks the run and compares keys.
  GroupTable<int> same;
  for (int i = 0; i < 500; ++i) same.insert(numbered("key", i), 42, i);
  for (int i = 0; i < 500; ++i) {
    int* v = same.find(numbered("key", i), 42);
    REQUIRE(v);
    CHECK(*v == i);
  }
  CHECK(same.find("key500", 42) == nullptr);
  CHECK(same.find("key1", 43) == nullptr);  // right key, wrong hash: another slot run

  // Hashes that differ only above the mask land in the same slot; the runs
  // wrap around the end of the slots.
  GroupTable<int> wrap;
  for (int i = 0; i < 7; ++i) wrap.insert(std::to_string(i), (uint64_t{1} << 40) * i + 15, i);
  CHECK(wrap.slot_count() == 16);
  for (int i = 0; i < 7; ++i) {
    REQUIRE(wrap.find(std::to_string(i), (uint64_t{1} << 40) * i + 15));
    CHECK(*wrap.find(std::to_string(i), (uint64_t{1} << 40) * i + 15) == i);
  }
  CHECK(wrap.find("7", (uint64_t{1} << 40) * 7 + 15) == nullptr);
}

TEST_CASE("GroupTable: whole entries move between tables") {
  GroupTable<std::vector<int>> a, b;
  a.insert("x", hash_bytes("x"), {1, 2});
  for (auto& e : a.entries()) {
    const uint64_t h = hash_bytes(e.key);
    b.insert(std::move(e), h);
  }
  REQUIRE(b.find("x", hash_bytes("x")));
  CHECK(b.find("x", hash_bytes("x"))->size() == 2);
}
