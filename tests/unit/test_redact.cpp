#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/diag.h"
#include "redact/action.h"
#include "redact/detect.h"
#include "redact/field_glob.h"
#include "redact/redactor.h"

using namespace olly;
using namespace olly::redact;

namespace {

// The matches of the named detectors in text, as "name:matched text".
std::vector<std::string> scan(const std::vector<std::string>& detectors, std::string_view text,
                              std::string_view key = "") {
  DetectorSet set(detectors, {});
  std::vector<Match> m;
  set.scan(text, key, m);
  std::vector<std::string> out;
  for (auto& x : m) out.push_back(std::string(set.rule_name(x.rule)) + ":" + std::string(text.substr(x.begin, x.end - x.begin)));
  return out;
}

std::string mask(Builtin b, std::string_view text) {
  std::string out;
  append_mask(b, text, out);
  return out;
}

std::string redact_line(const RedactOptions& opts, const std::string& line, Redactor::Outcome* outcome = nullptr) {
  auto cfg = RedactConfig::build(opts);
  Redactor r(cfg);
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(line);
  auto doc = parser.iterate(padded);
  REQUIRE(doc.error() == simdjson::SUCCESS);
  std::string out;
  Redactor::Outcome o;
  auto e = r.redact_json(line, doc.value_unsafe(), out, o);
  REQUIRE(e == simdjson::SUCCESS);
  if (outcome) *outcome = o;
  return out;
}

}  // namespace

TEST_CASE("redact: Luhn and JWT validators") {
  CHECK(luhn_ok("4111111111111111"));
  CHECK(luhn_ok("378282246310005"));
  CHECK_FALSE(luhn_ok("4111111111111112"));
  CHECK_FALSE(luhn_ok(""));
  CHECK(jwt_ok("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"));
  CHECK_FALSE(jwt_ok("eyJwYWdlIjoyfQ.eyJwYWdlIjoyfQ.x"));  // header without alg
  CHECK_FALSE(jwt_ok("eyJhbGciOiJIUzI1NiJ9.eyJ!.x"));
}

TEST_CASE("redact: HMAC-SHA-256 matches RFC 4231 and tokens are stable") {
  Hasher h("Jefe");
  CHECK(h.hex("what do ya want for nothing?") == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string a, b;
  h.append_token("u-1042", a);
  h.append_token("u-1042", b);
  CHECK(a == b);
  CHECK(a.size() == kHashPrefix.size() + 16);
  CHECK(a.rfind("hmac:", 0) == 0);
  Hasher other("Jefe2");
  std::string c;
  other.append_token("u-1042", c);
  CHECK(a != c);
}

TEST_CASE("redact: masks keep the shape") {
  CHECK(mask(Builtin::email, "john@example.com") == "j***@e***.com");
  CHECK(mask(Builtin::card, "4111 1111 1111 1111") == "4111 **** **** 1111");
  CHECK(mask(Builtin::card, "378282246310005") == "3782*******0005");
  CHECK(mask(Builtin::ipv4, "10.1.2.3") == "10.*.*.*");
  CHECK(mask(Builtin::ipv6, "fe80::1ff:fe23") == "fe80::*:*");
  CHECK(mask(Builtin::phone, "+1 415-555-0132") == "+* ***-***-**32");
  CHECK(mask(Builtin::aws, "AKIAIOSFODNN7EXAMPLE") == "AKIA****************");
  CHECK(mask(Builtin::bearer, "abcdef0123456789") == "****");
  CHECK(mask(Builtin::count, "pw-é1") == "**-**");
}

TEST_CASE("redact: detectors find secrets and leave look-alikes") {
  CHECK(scan({"email"}, "to jane.doe@example.com.") == std::vector<std::string>{"email:jane.doe@example.com"});
  CHECK(scan({"email"}, "logo@2x.png left-pad@1.3.0 ssh://git@github.com/x").empty());
  CHECK(scan({"card"}, "card 4111-1111-1111-1111 ok") == std::vector<std::string>{"card:4111-1111-1111-1111"});
  CHECK(scan({"card"}, "order 4111111111111112, id 5234567890123456789, 4111 1111-1111 1111").empty());
  CHECK(scan({"ipv4"}, "from 203.0.113.42:443") == std::vector<std::string>{"ipv4:203.0.113.42"});
  CHECK(scan({"ipv4"}, "version 1.2.3.4, v10.0.0.1, 1.2.3.4-rc1, 1.2.3.4.5, Chrome/131.0.6778.86, 256.1.1.1").empty());
  CHECK(scan({"ipv4"}, "2.4.10.1", "version").empty());
  CHECK(scan({"ipv6"}, "peer 2001:db8::ff00:42:8329 up") == std::vector<std::string>{"ipv6:2001:db8::ff00:42:8329"});
  CHECK(scan({"ipv6"}, "std::string at 10:00:00 mac 00:1a:2b:3c:4d:5e ::1").empty());
  CHECK(scan({"phone"}, "call +1 415-555-0132 now") == std::vector<std::string>{"phone:+1 415-555-0132"});
  CHECK(scan({"phone"}, "ref 123-456-7890 date 2026-11-25 n 4155550132").empty());
  CHECK(scan({"url_password"}, "postgres://app:Pa55@db:5432/x") == std::vector<std::string>{"url_password:Pa55"});
  CHECK(scan({"bearer"}, "Bearer token expired").empty());
  CHECK(scan({"aws"}, "x", "aws_secret_access_key").empty());
  CHECK(scan({"aws"}, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key").size() == 1);
  // Overlaps: the password of a URL is not an email.
  CHECK(scan({"all"}, "https://u:pw@mail.example.com/") == std::vector<std::string>{"url_password:pw"});
  CHECK(scan({"private_key"}, "k=-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- tail") ==
        std::vector<std::string>{"private_key:-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"});
}

TEST_CASE("redact: custom patterns and unknown names") {
  DetectorSet set({}, {{"ticket", "TKT-[0-9]+"}, {"order", "order=([0-9]+)"}});
  std::vector<Match> m;
  std::string text = "TKT-42 order=123";
  set.scan(text, "", m);
  REQUIRE(m.size() == 2);
  CHECK(text.substr(m[1].begin, m[1].end - m[1].begin) == "123");
  CHECK_THROWS_AS(DetectorSet({"nope"}, {}), UsageError);
  CHECK_THROWS_AS(DetectorSet({}, {{"bad", "(["}}), UsageError);
}

TEST_CASE("redact: field globs") {
  CHECK(glob_match("*_token", "api_token"));
  CHECK(glob_match("x-*", "x-api-key"));
  CHECK_FALSE(glob_match("*_token", "token"));
  std::vector<FieldGlob> globs{parse_field_glob("*.token", "--field"), parse_field_glob("a.b[1].c", "--field")};
  GlobMatcher m(&globs);
  m.reset();
  CHECK(m.enter("token", -1) == 0);  // * is zero steps too
  m.leave();
  CHECK(m.enter("a", -1) == -1);
  CHECK(m.enter("b", -1) == -1);
  CHECK(m.enter("", 1) == -1);
  CHECK(m.enter("c", -1) == 1);
  CHECK_THROWS_AS(parse_field_glob("*", "--field"), UsageError);
  CHECK_THROWS_AS(parse_field_glob("a..b", "--field"), UsageError);
}

TEST_CASE("redact: the line is edited in place") {
  RedactOptions opts;
  opts.detect = {"email"};
  CHECK(redact_line(opts, R"({ "a" : 1.50 , "m":"x jane@example.com y"})") == R"({ "a" : 1.50 , "m":"x j***@e***.com y"})");
  // A match across an escape: decoded, redacted, encoded again.
  CHECK(redact_line(opts, R"({"m":"\"jane\u0040example.com\" caf\u00e9"})") == "{\"m\":\"\\\"j***@e***.com\\\" caf\xC3\xA9\"}");
  opts.actions = {"email=drop"};
  CHECK(redact_line(opts, R"({"a":"jane@example.com","b":["x","bob@example.com"],"c":"ann@example.org"})") ==
        R"({"b":["x"]})");
  opts.actions = {"email=drop-event"};
  Redactor::Outcome o;
  CHECK(redact_line(opts, R"({"a":"jane@example.com"})", &o).empty());
  CHECK(o == Redactor::Outcome::dropped);
  RedactOptions f;
  f.fields = {"*.password"};
  f.drop_fields = {"a"};
  CHECK(redact_line(f, R"({"a":{"password":"x"},"u":{"password":7,"ok":true}})") ==
        R"({"u":{"password":"[REDACTED]","ok":true}})");
}

TEST_CASE("redact: options that cannot work are refused") {
  RedactOptions opts;
  CHECK_THROWS_AS(RedactConfig::build(opts), UsageError);  // nothing to do
  opts.hash_fields = {"user_id"};
  CHECK_THROWS_AS(RedactConfig::build(opts), UsageError);  // no key
  opts.key_env = "OLLY_TEST_SURELY_UNSET_KEY";
  CHECK_THROWS_AS(RedactConfig::build(opts), UsageError);
  opts.key_env.clear();
  opts.raw = true;
  CHECK_THROWS_AS(RedactConfig::build(opts), UsageError);  // --raw has no fields
}
