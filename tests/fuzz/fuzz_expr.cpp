// The expression language: Expr::compile on the bytes (a UsageError is a
// fine answer), then evaluation over fixed events whose fields hold values
// of every kind (read with FieldExtractor, as filter and eval read them).
//
// Invariants: test() == truthy(eval()) on every event; evaluating twice
// gives the same truth; compile errors are UsageErrors only.
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/diag.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "fuzz_common.h"

using namespace olly;

namespace {

// The same names in every event, with a value of another kind each time.
const char* const kEvents[] = {
    R"({"a":1,"b":"x","s":"42","n":null,"t":true,"f":1.5,"arr":[1,"2",null],"obj":{"k":"v","n":3},"status":200,"msg":"GET /a","level":"info","ts":"2026-01-02T03:04:05Z","w":"081109 203615"})",
    R"({"a":"1","b":2,"s":"abc","n":0,"t":false,"f":-0.0,"arr":[],"obj":{},"status":"500","msg":"","level":"ERROR","ts":1767323045,"w":"25/Nov/2026:02:44:00 +0100"})",
    R"({"a":null,"b":[1,2],"s":"","n":"","t":"true","f":1e300,"arr":"x","obj":[{"k":1}],"status":404.0,"msg":"ü ß \u0000","ts":"nope"})",
    R"({"a":{"b":{"c":[0,{"d":"deep"}]}},"b":true,"s":" 7 ","n":-9223372036854775808,"t":1,"f":18446744073709551615,"arr":[[1],[2,[3]]],"obj":{"a":{"b":null}},"status":-1})",
    R"({"a":9223372036854775807,"b":-1.5e-7,"s":"1e3","n":[],"t":{},"f":"NaN","arr":[1,1,1],"obj":"{}","msg":"a.b[0]","level":null})",
    R"({"a":"k=v x=","b":"a%20b+c%zz%","s":"{\"k\":[1,{\"n\":2}]}","n":"[[[[1]]]]","t":"  pad  ","msg":"from 203.0.113.9 port 22","level":"\u65e5\u672c"})",
    R"([1,2,3])",
    R"("just a string")",
    R"({})",
};

struct Fixture {
  std::vector<simdjson::padded_string> lines;
  Fixture() {
    for (const char* e : kEvents) lines.emplace_back(std::string(e));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  static simdjson::ondemand::parser parser;
  static EvalScratch scratch;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Expr expr;
  try {
    expr = Expr::compile(text);
  } catch (const UsageError&) {
    return 0;
  }
  FieldExtractor extractor;
  for (const Path& p : expr.paths()) extractor.add(p);
  std::vector<Value> slots;
  for (const auto& line : fixture.lines) {
    simdjson::ondemand::document doc;
    if (parser.iterate(line).get(doc)) fuzz::fail("fixed event does not parse");
    if (extractor.extract(doc, slots)) fuzz::fail("fixed event does not extract");
    FUZZ_CHECK(slots.size() >= expr.paths().size());
    scratch.reset();
    const Value v = expr.eval(slots, scratch);
    if (scratch.error()) continue;
    const bool truth = truthy(v);
    if (v.kind == Kind::string || v.kind == Kind::array || v.kind == Kind::object) {
      (void)std::string(v.s);  // the view must be readable (ASan)
    }
    scratch.reset();
    const bool tested = expr.test(slots, scratch);
    if (scratch.error()) continue;
    FUZZ_CHECK(tested == truth, "test() != truthy(eval())", text);
    scratch.reset();
    FUZZ_CHECK(expr.test(slots, scratch) == tested, "test() is not deterministic", text);
  }
  return 0;
}
