// The official JSON-Schema-Test-Suite (draft 2020-12) through the library:
// every case of every supported keyword's file must pass. The suite is read
// from ../shared/conformance (not copied into the repo); absent, it is skipped.
//
// Skipped, with reasons (also listed in docs/validate.md):
//  - groups that reference the official 2020-12 meta-schemas
//    (https://json-schema.org/draft/2020-12/...): those documents are not
//    available offline, and olly does not validate schemas against them;
//  - vocabulary.json, group "schema that uses custom metaschema with with no
//    validation vocabulary" (2 cases): olly does not read $schema or
//    $vocabulary, so a custom meta-schema cannot switch validation off.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "core/diag.h"
#include "schema/jsonschema.h"

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// OLLY_CONFORMANCE_DIR in the environment overrides the build's default
// (a git worktree elsewhere than beside ../shared).
fs::path conformance_dir() {
  const char* env = std::getenv("OLLY_CONFORMANCE_DIR");
  return env && *env ? fs::path(env) : fs::path(OLLY_CONFORMANCE_DIR);
}
const fs::path kSuite = conformance_dir() / "json-schema-test-suite";

struct FileResult {
  int passed = 0, failed = 0, skipped = 0;
};

// Groups skipped on purpose (file, group description): see the header comment.
bool is_skipped_group(const std::string& file, std::string_view group) {
  return file == "vocabulary.json" && group == "schema that uses custom metaschema with with no validation vocabulary";
}

// Runs one suite file; returns counts and prints each mismatch.
FileResult run_file(const fs::path& file, bool formats) {
  FileResult r;
  simdjson::dom::parser parser;
  simdjson::dom::element groups;
  std::string text = read_text(file);
  REQUIRE(parser.parse(text).get(groups) == simdjson::SUCCESS);
  std::string name = file.filename().string();
  for (auto group : simdjson::dom::array(groups)) {
    std::string_view description = group["description"];
    simdjson::dom::array tests = group["tests"];
    std::string schema_text = simdjson::minify(group["schema"]);
    bool metaschema = schema_text.find("json-schema.org/draft/2020-12/schema\"") != std::string::npos &&
                      schema_text.find("\"$ref\":\"https://json-schema.org/draft/2020-12/schema\"") !=
                          std::string::npos;
    if (is_skipped_group(name, description) || metaschema) {
      r.skipped += static_cast<int>(tests.size());
      continue;
    }
    olly::SchemaOptions opts;
    opts.format_assertion = formats;
    opts.name = name;
    opts.load_remote = [](const std::string& uri) -> std::optional<std::string> {
      constexpr std::string_view kPrefix = "http://localhost:1234/";
      if (uri.rfind(kPrefix, 0) != 0) return std::nullopt;
      fs::path p = kSuite / "remotes" / uri.substr(kPrefix.size());
      if (!fs::exists(p)) return std::nullopt;
      return read_text(p);
    };
    std::unique_ptr<olly::JsonSchema> schema;
    try {
      schema = std::make_unique<olly::JsonSchema>(schema_text, opts);
    } catch (const std::exception& e) {
      std::printf("  %s: group '%.*s' does not compile: %s\n", name.c_str(), int(description.size()),
                  description.data(), e.what());
      r.failed += static_cast<int>(tests.size());
      continue;
    }
    simdjson::ondemand::parser od;
    for (auto test : tests) {
      bool expected = test["valid"];
      std::string_view test_description = test["description"];
      simdjson::dom::element data = test["data"];
      bool got = schema->valid(data);
      std::vector<olly::SchemaViolation> violations;
      bool got_full = schema->validate(data, violations);
      bool consistent = got == got_full && got_full == violations.empty();
      bool fast_ok = true;
      if (schema->has_fast_path()) {
        simdjson::padded_string json(simdjson::minify(data));
        simdjson::ondemand::document doc;
        bool fast = false;
        // an error from the fast path means "undecided": the tool then uses the full evaluator
        if (od.iterate(json).get(doc) == simdjson::SUCCESS && schema->fast_valid(doc, fast) == simdjson::SUCCESS)
          fast_ok = fast == expected;
      }
      if (got == expected && consistent && fast_ok) {
        ++r.passed;
      } else {
        ++r.failed;
        std::printf("  %s: '%.*s' / '%.*s': expected %s, got %s%s%s\n", name.c_str(), int(description.size()),
                    description.data(), int(test_description.size()), test_description.data(),
                    expected ? "valid" : "invalid", got ? "valid" : "invalid",
                    consistent ? "" : " (full evaluator disagrees)", fast_ok ? "" : " (fast path disagrees)");
      }
    }
  }
  return r;
}

}  // namespace

TEST_CASE("JSON-Schema-Test-Suite draft 2020-12") {
  if (!fs::exists(kSuite / "draft2020-12")) {
    MESSAGE("skipped: " << kSuite.string() << " is absent");
    return;
  }
  std::vector<std::pair<fs::path, bool>> files;
  for (auto& entry : fs::directory_iterator(kSuite / "draft2020-12"))
    if (entry.path().extension() == ".json") files.emplace_back(entry.path(), false);
  for (auto& entry : fs::directory_iterator(kSuite / "draft2020-12" / "optional" / "format"))
    if (entry.path().extension() == ".json") files.emplace_back(entry.path(), true);
  std::sort(files.begin(), files.end());
  int total_passed = 0, total_failed = 0, total_skipped = 0;
  std::printf("| file | passed | failed | skipped |\n|---|---|---|---|\n");
  for (auto& [file, formats] : files) {
    FileResult r = run_file(file, formats);
    std::string label = formats ? "optional/format/" + file.filename().string() : file.filename().string();
    std::printf("| %s | %d | %d | %d |\n", label.c_str(), r.passed, r.failed, r.skipped);
    total_passed += r.passed;
    total_failed += r.failed;
    total_skipped += r.skipped;
  }
  std::printf("| total | %d | %d | %d |\n", total_passed, total_failed, total_skipped);
  CHECK(total_failed == 0);
}
