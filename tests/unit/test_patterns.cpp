#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "patterns/miner.h"
#include "patterns/tokenizer.h"

using namespace olly;

namespace {

std::vector<std::string> texts(const Tokenizer& tok, std::string_view msg) {
  std::vector<Token> tokens;
  tok.tokenize(msg, tokens);
  std::vector<std::string> out;
  for (const Token& t : tokens) {
    std::string s(msg.substr(t.begin, t.end - t.begin));
    if (t.mask != MaskKind::none) {
      s.assign(1, '<');
      s.append(mask_kind_name(t.mask));
      s.push_back('>');
    }
    out.push_back(s);
  }
  return out;
}

std::vector<MinedTemplate> mine(const std::vector<std::string>& lines, const Tokenizer& tok) {
  ShapeTable table(tok);
  for (const std::string& l : lines) table.add(l, INT64_MIN);
  return mine_templates(table, tok, MinerSettings{});
}

std::vector<std::string> template_texts(const std::vector<MinedTemplate>& ts) {
  std::vector<std::string> out;
  for (const auto& t : ts) out.push_back(t.text);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("classify_word: the built-in masks") {
  CHECK(classify_word("42") == MaskKind::number);
  CHECK(classify_word("-1.5e3") == MaskKind::number);
  CHECK(classify_word("512KB") == MaskKind::number);
  CHECK(classify_word("30%") == MaskKind::number);
  CHECK(classify_word("250ms") == MaskKind::duration);
  CHECK(classify_word("1.5s") == MaskKind::duration);
  CHECK(classify_word("10.0.0.1") == MaskKind::ip);
  CHECK(classify_word("10.0.0.1:8080") == MaskKind::ip);
  CHECK(classify_word("fe80::1") == MaskKind::ip);
  CHECK(classify_word("0x1F") == MaskKind::hex);
  CHECK(classify_word("deadbeef01") == MaskKind::hex);
  CHECK(classify_word("00:1a:2b:3c:4d:5e") == MaskKind::hex);
  CHECK(classify_word("123e4567-e89b-12d3-a456-426614174000") == MaskKind::uuid);
  CHECK(classify_word("/var/log/syslog") == MaskKind::path);
  CHECK(classify_word("https://example.com/x") == MaskKind::url);
  CHECK(classify_word("12:30:45") == MaskKind::time);
  CHECK(classify_word("2016-09-28T04:30:30.123Z") == MaskKind::time);
  // Words stay words.
  CHECK(classify_word("added") == MaskKind::none);
  CHECK(classify_word("decade") == MaskKind::none);
  CHECK(classify_word("SOCKS5") == MaskKind::none);
  CHECK(classify_word("/") == MaskKind::none);
  CHECK(classify_word("999.1.1.1") == MaskKind::none);
  CHECK(classify_word("ERROR") == MaskKind::none);
}

TEST_CASE("tokenize: whole words first, then inner punctuation") {
  Tokenizer tok;
  CHECK(texts(tok, "Connection from 10.0.0.1:8080 closed.") ==
        std::vector<std::string>{"Connection", "from", "<ip>", "closed"});
  CHECK(texts(tok, "session opened (uid=0) by user=alice") ==
        std::vector<std::string>{"session", "opened", "uid", "<number>", "by", "user", "alice"});
  CHECK(texts(tok, "[instance: 7d3f] took 250ms") ==
        std::vector<std::string>{"instance", "7d3f", "took", "<duration>"});
  CHECK(texts(tok, "").empty());
  CHECK(texts(tok, "   ").empty());
}

TEST_CASE("tokenize: --mask regexes take their match whole, before anything else") {
  Tokenizer tok(std::vector<UserMask>{{"blk", "blk_-?\\d+"}});
  CHECK(texts(tok, "Deleting block blk_-1608999687919862906 file x") ==
        std::vector<std::string>{"Deleting", "block", "<user>", "file", "x"});
  CHECK_THROWS_AS(Tokenizer(std::vector<UserMask>{{"bad", "("}}), std::invalid_argument);
}

TEST_CASE("mine: one word of difference is two templates (VM Started / VM Paused)") {
  Tokenizer tok;
  std::vector<std::string> lines;
  for (int i = 0; i < 20; ++i) {
    lines.push_back("VM Started id " + std::to_string(i));
    lines.push_back("VM Paused id " + std::to_string(i * 7));
  }
  auto ts = mine(lines, tok);
  CHECK(template_texts(ts) == std::vector<std::string>{"VM Paused id <*>", "VM Started id <*>"});
  CHECK(ts[0].count == 20);
}

TEST_CASE("mine: many values in a column make a variable, with its top values") {
  Tokenizer tok;
  std::vector<std::string> lines;
  const char* users[] = {"alice", "bob", "carol", "dave", "erin", "frank"};
  for (int i = 0; i < 60; ++i) lines.push_back(std::string("login ok for ") + users[i % 6]);
  auto ts = mine(lines, tok);
  REQUIRE(ts.size() == 1);
  CHECK(ts[0].text == "login ok for <*>");
  REQUIRE(ts[0].variables.size() == 1);
  uint64_t total = ts[0].variables[0].other;
  for (auto& [v, c] : ts[0].variables[0].values) total += c;
  CHECK(total == 60);
}

TEST_CASE("mine: the first word splits with up to eight names (what happened), later columns with three") {
  Tokenizer tok;
  std::vector<std::string> lines;
  const char* verbs[] = {"boot", "wait", "halt", "clusterAddMember", "bootGenvmunix", "risBoot"};
  const char* users[] = {"alice", "bob", "carol", "dave", "erin", "frank"};
  for (int i = 0; i < 60; ++i) {
    lines.push_back(std::string(verbs[i % 6]) + " (command " + std::to_string(i * 13) + ")");
    lines.push_back(std::string("session opened for ") + users[i % 6] + " by uid " + std::to_string(i));
  }
  auto ts = mine(lines, tok);
  CHECK(template_texts(ts) == std::vector<std::string>{
                                  "boot (command <*>)", "bootGenvmunix (command <*>)", "clusterAddMember (command <*>)",
                                  "halt (command <*>)", "risBoot (command <*>)", "session opened for <*> by uid <*>",
                                  "wait (command <*>)"});
  lines.clear();
  for (int i = 0; i < 90; ++i) {
    std::string line = "u?x logged in";  // built in place: g++ 12 -O2 warns (-Wrestrict) on the concatenation
    line[1] = static_cast<char>('a' + i % 9);
    lines.push_back(line);
  }
  CHECK(template_texts(mine(lines, tok)) == std::vector<std::string>{"<*> logged in"});  // nine: a variable
}

TEST_CASE("mine: the result does not depend on line order") {
  Tokenizer tok;
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) {
    lines.push_back("Accepted password for user" + std::to_string(i % 9) + " from 10.0.0." + std::to_string(i) +
                    " port " + std::to_string(4000 + i));
    lines.push_back("Disk " + std::string(i % 2 ? "sda" : "sdb") + " usage " + std::to_string(i) + "%");
    lines.push_back("worker " + std::to_string(i) + " started");
  }
  auto a = mine(lines, tok);
  std::mt19937 rng(7);
  std::shuffle(lines.begin(), lines.end(), rng);
  auto b = mine(lines, tok);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].text == b[i].text);
    CHECK(a[i].id == b[i].id);
    CHECK(a[i].count == b[i].count);
  }
}

TEST_CASE("template ids: a hash of the text, stable") {
  CHECK(template_id("VM Started id <*>") == template_id("VM Started id <*>"));
  CHECK(template_id("VM Started id <*>") != template_id("VM Paused id <*>"));
  CHECK(template_id("x").size() == 16);
}

TEST_CASE("shape table: merge adds counts; eviction drops the least recently seen") {
  Tokenizer tok;
  ShapeTable a(tok), b(tok);
  a.add("job 1 done", 1000);
  a.add("job 2 done", 3000);
  b.add("job 3 done", 2000);
  b.add("disk full", INT64_MIN);
  a.merge(b);
  REQUIRE(a.size() == 2);
  CHECK(a.shapes()[0].count == 3);
  CHECK(a.shapes()[0].first_ms == 1000);
  CHECK(a.shapes()[0].last_ms == 3000);
  CHECK(a.evict_oldest(1) == 3);  // "job <*> done" was seen before "disk full" merged in
  REQUIRE(a.size() == 1);
  CHECK(a.shapes()[0].example == "disk full");
}

TEST_CASE("mine: separators come from an example that does not depend on line order (fuzz finding)") {
  Tokenizer tok;
  std::vector<std::string> lines = {"{\"status\":500}\r", "{\"status\":200}", "{\"status\":501}"};
  auto a = mine(lines, tok);
  std::reverse(lines.begin(), lines.end());
  auto b = mine(lines, tok);
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(a[0].text == b[0].text);
  CHECK(a[0].id == b[0].id);
}

TEST_CASE("mine: a word with digits split from a masked number stays a variable (fuzz finding)") {
  // "a6" and "a2" share a key word; split from the masked "2" they are still
  // two values, so the template never shows one of them as a constant.
  Tokenizer tok;
  std::vector<std::string> lines = {"backup finished a6", "backup finished a2", "backup finished 2"};
  auto a = mine(lines, tok);
  std::reverse(lines.begin(), lines.end());
  auto b = mine(lines, tok);
  CHECK(template_texts(a) == template_texts(b));
  for (const auto& t : a) CHECK(t.text == "backup finished <*>");
}

TEST_CASE("mine: a chain of covering templates loses no line (fuzz finding)") {
  // "sent <*> b KB to peer <*>" is covered by "sent <*> KB to peer <*>",
  // which is covered by "sent <*> to peer <*>": all three lines end there.
  std::vector<UserMask> masks{{"m", "[0-9]+|x y"}};
  Tokenizer tok(masks, true);
  std::vector<std::string> lines = {"sent 1 to peer 3", " sent(7 KB)to peer 7", "sent 5 b KB to peer 6"};
  for (int round = 0; round < 2; ++round) {
    uint64_t counted = 0;
    for (const auto& t : mine(lines, tok)) counted += t.count;
    CHECK(counted == lines.size());
    std::reverse(lines.begin(), lines.end());
  }
}

TEST_CASE("mine: a constant word keeps its control bytes (the key's marker never reaches the text)") {
  Tokenizer tok;
  std::vector<std::string> lines = {std::string("a\0b c 1", 7), std::string("a\0b c 2", 7)};
  auto ts = mine(lines, tok);
  REQUIRE(ts.size() == 1);
  CHECK(ts[0].text == std::string("a\0b c <*>", 9));
}

TEST_CASE("tokenize: a --mask match inside a URL or path takes the whole value, never part of it") {
  // A dotted-name mask matches the scheme of the URL alone; the rest of the
  // URL must not become a word of its own (it would make a template per line).
  Tokenizer tok(std::vector<UserMask>{{"dotted", "([\\w-]+\\.){2,}[\\w-]+"}});
  CHECK(texts(tok, "org.example.sync.x-store://0F3A-77/Inbox/p4: job due") ==
        std::vector<std::string>{"<user>", "job", "due"});
  // A match in a word that is no value stays as wide as the word's piece.
  CHECK(texts(tok, "sync org.example.app:ready") == std::vector<std::string>{"sync", "<user>", "ready"});
  Tokenizer digits(std::vector<UserMask>{{"n", "\\d+"}});
  CHECK(texts(digits, "from 10.1.2.3:8080 ok") == std::vector<std::string>{"from", "<user>", "ok"});
  std::vector<std::string> lines;
  for (int i = 0; i < 30; ++i) lines.push_back("org.example.job" + std::to_string(i % 5) + ".run: due in " + std::to_string(i) + " s");
  lines.push_back("org.example.sync.x-store://0F3A-77/Inbox/p4: due in 9 s");
  CHECK(template_texts(mine(lines, tok)) == std::vector<std::string>{"<*>: due in <*> s"});
}

TEST_CASE("mine: a column of state names splits with up to eight names (enum constants, past participles)") {
  Tokenizer tok;
  std::vector<std::string> lines;
  const char* states[] = {"NEW", "QUEUED", "RUNNING", "DONE", "FAIL_CLEANUP"};
  const char* events[] = {"Started", "Paused", "Resumed", "Stopped", "Rebooted"};
  const char* users[] = {"alice", "bob", "carol", "dave", "erin"};
  for (int i = 0; i < 50; ++i) {
    lines.push_back("job " + std::to_string(i * 31) + " moved from " + states[i % 5] + " to " + states[(i + 1) % 5]);
    lines.push_back(std::string("[vm ") + std::to_string(i * 17) + "] VM " + events[i % 5] + " (lifecycle)");
    lines.push_back(std::string("login ok for ") + users[i % 5] + " at " + std::to_string(i));
  }
  auto ts = template_texts(mine(lines, tok));
  CHECK(std::count_if(ts.begin(), ts.end(), [](const std::string& t) { return t.rfind("job <*> moved from ", 0) == 0; }) == 5);
  CHECK(std::find(ts.begin(), ts.end(), "job <*> moved from RUNNING to DONE") != ts.end());
  CHECK(std::count_if(ts.begin(), ts.end(), [](const std::string& t) { return t.rfind("[vm <*>] VM ", 0) == 0; }) == 5);
  CHECK(std::find(ts.begin(), ts.end(), "[vm <*>] VM Paused (lifecycle)") != ts.end());
  // Plain names are still a variable past three.
  CHECK(std::find(ts.begin(), ts.end(), "login ok for <*> at <*>") != ts.end());
  CHECK(ts.size() == 11);
}

TEST_CASE("mine: enum constants as the value of a 'key:' or bracketed field are a variable") {
  Tokenizer tok;
  std::vector<std::string> lines;
  const char* kinds[] = {"REMOTE_LAUNCH", "REMOTE_CLEANUP"};
  const char* links[] = {"LNKA", "LNKB", "LNKC"};
  for (int i = 0; i < 40; ++i) {
    lines.push_back(std::string("handling event Type: ") + kinds[i % 2] + " for task " + std::to_string(i));
    lines.push_back(std::string("irq link [") + links[i % 3] + "] set to " + std::to_string(i % 7 + 10));
    lines.push_back(std::string("worker now ") + kinds[i % 2] + " job " + std::to_string(i));
  }
  CHECK(template_texts(mine(lines, tok)) ==
        std::vector<std::string>{"handling event Type: <*> for task <*>", "irq link [<*>] set to <*>",
                                 "worker now REMOTE_CLEANUP job <*>", "worker now REMOTE_LAUNCH job <*>"});
}

TEST_CASE("mine: a word that precedes many names elsewhere is a key: after it a few names are a variable") {
  Tokenizer tok;
  std::vector<std::string> lines;
  const char* few[] = {"alice", "bob", "carol"};
  const char* many[] = {"alice", "bob", "carol", "dave", "erin"};
  for (int i = 0; i < 30; ++i) {
    lines.push_back(std::string("session opened for user ") + few[i % 3] + " by uid " + std::to_string(i));
    lines.push_back(std::string("session closed for user ") + many[i % 5]);
    lines.push_back(std::string("link ") + few[i % 3] + " up");  // "link" leads no many-name column
  }
  CHECK(template_texts(mine(lines, tok)) ==
        std::vector<std::string>{"link alice up", "link bob up", "link carol up", "session closed for user <*>",
                                 "session opened for user <*> by uid <*>"});
  // Without the line that shows "user" takes many names, three names split.
  lines.clear();
  for (int i = 0; i < 30; ++i) lines.push_back(std::string("session opened for user ") + few[i % 3] + " by uid " + std::to_string(i));
  CHECK(template_texts(mine(lines, tok)).size() == 3);
}
