#!/usr/bin/env bash
# Differential test of olly-validate against ajv (npm, draft 2020-12 mode:
# ajv/dist/2020) on generated schemas and instances: a seeded generator (the
# same cases every run) builds a few hundred schemas from a grammar of
# keywords (type, properties, required, additionalProperties,
# patternProperties, dependentRequired, min/maxProperties, items,
# prefixItems, min/maxItems, uniqueItems, enum, const, minimum, maximum,
# exclusive*, multipleOf, minLength, maxLength, pattern, allOf, anyOf,
# oneOf, not, if/then/else, $ref to $defs, boolean schemas) and instances
# for each. Every verdict must agree, except the known differences listed in
# KNOWN below (and in tests/fuzz/README.md). `format` is not generated: olly
# and ajv (without ajv-formats) both treat it as an annotation.
#
# ajv is installed into BIN_DIR/../npm (npm install --prefix) when absent;
# without node or npm (or the registry) the test prints SKIP and passes
# (exit 77). dev/deps.sh installs nodejs and npm so that CI runs it.
# Usage: validate_ajv.sh BIN_DIR SRC_DIR
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
NPM_DIR=${OLLY_NPM_DIR:-$BIN_DIR/../npm}
if ! command -v node >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: node and python3 are needed (apt-get install nodejs npm python3)"
  exit 77
fi
if [ ! -f "$NPM_DIR/node_modules/ajv/dist/2020.js" ]; then
  if ! command -v npm >/dev/null; then
    echo "SKIP: ajv is not installed and npm is missing (apt-get install npm)"
    exit 77
  fi
  mkdir -p "$NPM_DIR"
  if ! npm install --prefix "$NPM_DIR" --no-audit --no-fund --silent ajv@8 >/dev/null 2>&1; then
    echo "SKIP: npm install ajv@8 failed (no registry?)"
    exit 77
  fi
fi
export NODE_PATH=$NPM_DIR/node_modules
exec python3 - "$BIN_DIR/olly-validate" <<'PY'
import json, os, random, subprocess, sys, tempfile

validate = sys.argv[1]
rng = random.Random(20261203)
N_SCHEMAS = 300

# Known differences: name -> (reason, predicate(schema_text, instance_text)).
# A disagreement a predicate covers is counted and reported, not failed.
KNOWN = {}

KEYS = ["a", "b", "c", "x1", "xy"]
PATTERNS = ["^a", "b$", "^[a-z]+$", "[0-9]", "^x", "^(ab|cd)", "a*b", "^.{2,3}$", "^$", "é"]
STRINGS = ["", "a", "ab", "abc", "cd", "x1", "12", "ab cd", "é", "\U0001F600", "aaaa", "b", "xy", "A"]
NUMBERS = [0, 1, -1, 2, 3, 5, 7, 10, 100, -3, 0.5, 1.5, -2.25, 2.0, 6.0, 0.25]

def gen_value(depth=2):
    r = rng.random()
    if depth <= 0 or r < 0.5:
        return rng.choice([None, True, False] + NUMBERS + STRINGS)
    if r < 0.75:
        return [gen_value(depth - 1) for _ in range(rng.randint(0, 4))]
    return {k: gen_value(depth - 1) for k in rng.sample(KEYS, rng.randint(0, 4))}

def gen_schema(depth, defs):
    if depth <= 0 or rng.random() < 0.15:
        r = rng.random()
        if r < 0.1:
            return rng.choice([True, False])
        if r < 0.2 and defs:
            return {"$ref": "#/$defs/" + rng.choice(defs)}
        return {"type": rng.choice(["null", "boolean", "integer", "number", "string", "array", "object"])}
    kind = rng.choice(["object", "array", "number", "string", "enum", "const", "comb", "not", "if", "type", "ref"])
    s = {}
    if kind == "object":
        if rng.random() < 0.7:
            s["type"] = "object"
        if rng.random() < 0.8:
            s["properties"] = {k: gen_schema(depth - 1, defs) for k in rng.sample(KEYS, rng.randint(1, 3))}
        if rng.random() < 0.5:
            s["required"] = rng.sample(KEYS, rng.randint(1, 2))
        if rng.random() < 0.3:
            s["additionalProperties"] = rng.choice([False, True, gen_schema(depth - 1, defs)])
        if rng.random() < 0.3:
            s["patternProperties"] = {rng.choice(["^x", "b", "^a$"]): gen_schema(depth - 1, defs)}
        if rng.random() < 0.2:
            s["dependentRequired"] = {rng.choice(KEYS): rng.sample(KEYS, rng.randint(1, 2))}
        if rng.random() < 0.2:
            s["minProperties"] = rng.randint(0, 3)
        if rng.random() < 0.2:
            s["maxProperties"] = rng.randint(0, 3)
    elif kind == "array":
        if rng.random() < 0.7:
            s["type"] = "array"
        if rng.random() < 0.4:
            s["prefixItems"] = [gen_schema(depth - 1, defs) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.6:
            s["items"] = gen_schema(depth - 1, defs)
        if rng.random() < 0.3:
            s["minItems"] = rng.randint(0, 3)
        if rng.random() < 0.3:
            s["maxItems"] = rng.randint(0, 3)
        if rng.random() < 0.3:
            s["uniqueItems"] = rng.choice([True, False])
    elif kind == "number":
        s["type"] = rng.choice(["number", "integer"])
        for k in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]:
            if rng.random() < 0.3:
                s[k] = rng.choice(NUMBERS)
        if rng.random() < 0.3:
            s["multipleOf"] = rng.choice([1, 2, 3, 5, 0.5, 0.25, 1.5])
    elif kind == "string":
        if rng.random() < 0.7:
            s["type"] = "string"
        if rng.random() < 0.4:
            s["minLength"] = rng.randint(0, 3)
        if rng.random() < 0.4:
            s["maxLength"] = rng.randint(0, 3)
        if rng.random() < 0.5:
            s["pattern"] = rng.choice(PATTERNS)
    elif kind == "enum":
        s["enum"] = [gen_value(1) for _ in range(rng.randint(1, 4))]
    elif kind == "const":
        s["const"] = gen_value(1)
    elif kind == "comb":
        s[rng.choice(["allOf", "anyOf", "oneOf"])] = [gen_schema(depth - 1, defs) for _ in range(rng.randint(1, 3))]
    elif kind == "not":
        s["not"] = gen_schema(depth - 1, defs)
    elif kind == "if":
        s["if"] = gen_schema(depth - 1, defs)
        if rng.random() < 0.8:
            s["then"] = gen_schema(depth - 1, defs)
        if rng.random() < 0.8:
            s["else"] = gen_schema(depth - 1, defs)
    elif kind == "type":
        s["type"] = rng.sample(["null", "boolean", "integer", "number", "string", "array", "object"], 2)
    elif kind == "ref" and defs:
        s["$ref"] = "#/$defs/" + rng.choice(defs)
    return s

def gen_case():
    defs = {}
    for i in range(rng.randint(0, 2)):
        defs["d%d" % i] = gen_schema(2, [])
    root = gen_schema(3, list(defs))
    if defs:
        if not isinstance(root, dict):
            root = {"allOf": [root]}
        root["$defs"] = defs
    instances = sorted({json.dumps(gen_value(3), ensure_ascii=False) for _ in range(12)})
    return root, instances

cases = [gen_case() for _ in range(N_SCHEMAS)]

NODE = r"""
const Ajv2020 = require("ajv/dist/2020");
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const out = [];
for (const [schema, instances] of cases) {
  const ajv = new Ajv2020({strict: false, validateFormats: false});
  let v;
  try { v = ajv.compile(schema); } catch (e) { out.push({error: String(e.message)}); continue; }
  out.push({verdicts: instances.map(t => v(JSON.parse(t)))});
}
process.stdout.write(JSON.stringify(out));
"""

failures, known_hits = [], {}
checked = ajv_rejects = valid = 0
with tempfile.TemporaryDirectory() as tmp:
    cases_file = os.path.join(tmp, "cases.json")
    with open(cases_file, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)
    script = os.path.join(tmp, "ajv.js")
    with open(script, "w") as f:
        f.write(NODE)
    res = subprocess.run(["node", script, cases_file], capture_output=True, text=True)
    if res.returncode != 0:
        print("ajv run failed:", res.stderr[-2000:])
        sys.exit(1)
    ajv = json.loads(res.stdout)
    contract = os.path.join(tmp, "contract.json")
    data = os.path.join(tmp, "data.ndjson")
    passed = os.path.join(tmp, "pass.ndjson")
    for n, ((schema, instances), a) in enumerate(zip(cases, ajv)):
        schema_text = json.dumps(schema, ensure_ascii=False)
        with open(contract, "w", encoding="utf-8") as f:
            f.write(schema_text)
        with open(data, "w", encoding="utf-8") as f:
            f.write("\n".join(instances) + "\n")
        r = subprocess.run([validate, "-q", "-j", "1", "--pass", passed, contract, data],
                           capture_output=True, text=True)
        if "error" in a:
            ajv_rejects += 1
            if r.returncode != 2:
                failures.append("schema %d: ajv rejects it (%s), olly-validate exit %d: %s"
                                % (n, a["error"], r.returncode, schema_text))
            continue
        if r.returncode not in (0, 1):
            failures.append("schema %d: olly-validate exit %d (%s): %s"
                            % (n, r.returncode, r.stderr.strip()[-300:], schema_text))
            continue
        with open(passed, encoding="utf-8") as f:
            olly_valid = set(f.read().splitlines())
        for text, ajv_valid in zip(instances, a["verdicts"]):
            checked += 1
            valid += ajv_valid
            got = text in olly_valid
            if got == ajv_valid:
                continue
            for name, (reason, pred) in KNOWN.items():
                if pred(schema_text, text):
                    known_hits[name] = known_hits.get(name, 0) + 1
                    break
            else:
                failures.append("schema %d %s, instance %s: olly %s, ajv %s"
                                % (n, schema_text, text, "valid" if got else "invalid",
                                   "valid" if ajv_valid else "invalid"))

print("validate_ajv: %d schemas (%d rejected by both), %d verdicts compared with ajv (%d valid)"
      % (len(cases), ajv_rejects, checked, valid))
for name, n in known_hits.items():
    print("  known difference %s (%s): %d" % (name, KNOWN[name][0], n))
if failures:
    print("%d disagreements:" % len(failures))
    for f in failures[:int(os.environ.get("SHOW", "30"))]:
        print("  " + f)
    sys.exit(1)
PY
