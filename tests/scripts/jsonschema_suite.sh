#!/usr/bin/env bash
# CLI-level run of the JSON-Schema-Test-Suite (draft 2020-12) through
# olly-validate: each group's schema becomes a contract file, its tests one
# NDJSON line each. Each case's verdict is checked: a case expected valid must
# go to --pass with no violation and not be a bad record; one expected invalid
# must have a violation and go to --fail (a bad record is never a verdict). (tests/unit/test_jsonschema_suite.cpp runs every case through
# the library; this checks the binary end to end.)
# Usage: jsonschema_suite.sh BIN_DIR SRC_DIR    exit 77 = skipped
set -euo pipefail
BIN_DIR=$1
SRC_DIR=$2
SUITE=${OLLY_CONFORMANCE_DIR:-$SRC_DIR/../shared/conformance}/json-schema-test-suite
if [ ! -d "$SUITE/draft2020-12" ]; then
  echo "skipped: $SUITE is absent"
  exit 77
fi
if ! command -v python3 >/dev/null; then
  echo "skipped: python3 is needed to split the suite files"
  exit 77
fi
exec python3 - "$BIN_DIR/olly-validate" "$SUITE" <<'PY'
import glob, json, os, subprocess, sys, tempfile

validate, suite = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(suite, "draft2020-12", "*.json")))
files += sorted(glob.glob(os.path.join(suite, "draft2020-12", "optional", "format", "*.json")))
total_cases = total_bad = skipped = 0
with tempfile.TemporaryDirectory() as tmp:
    contract = os.path.join(tmp, "contract.json")
    data = os.path.join(tmp, "data.ndjson")
    passed_file = os.path.join(tmp, "pass.ndjson")
    failed_file = os.path.join(tmp, "fail.ndjson")
    errors_file = os.path.join(tmp, "errors.ndjson")
    for path in files:
        formats = "optional" in path
        name = os.path.relpath(path, os.path.join(suite, "draft2020-12"))
        passed = failed = 0
        for group in json.load(open(path, encoding="utf-8")):
            text = json.dumps(group["schema"])
            # remote documents and the official meta-schemas are not fetched by the CLI
            if "localhost:1234" in text or "json-schema.org/draft/2020-12/schema\"" in text.replace(
                    '"$schema": "https://json-schema.org/draft/2020-12/schema"', ""):
                skipped += len(group["tests"])
                continue
            if name == "vocabulary.json":
                skipped += len(group["tests"])
                continue
            with open(contract, "w", encoding="utf-8") as f:
                f.write(text)
            lines = [json.dumps(t["data"], separators=(",", ":")) for t in group["tests"]]
            with open(data, "w", encoding="utf-8") as f:
                for line in lines:
                    f.write(line + "\n")
            args = [validate] + (["--formats"] if formats else []) + [
                "--pass", passed_file, "--fail", failed_file, "--errors", errors_file, contract, data]
            proc = subprocess.run(args, capture_output=True, text=True)
            if proc.returncode not in (0, 1):
                print(f"{name}: '{group['description']}': exit {proc.returncode}: {proc.stderr.strip()}")
                failed += len(group["tests"])
                continue
            reported = {json.loads(l)["line"] for l in proc.stdout.splitlines() if l}
            bad = {json.loads(l)["line"]: json.loads(l)["reason"]
                   for l in open(errors_file, encoding="utf-8").read().splitlines() if l}
            went_pass = set(open(passed_file, encoding="utf-8").read().splitlines())
            went_fail = set(open(failed_file, encoding="utf-8").read().splitlines())
            for i, t in enumerate(group["tests"], 1):
                line = lines[i - 1]
                if i in bad:
                    got = "a bad record (" + bad[i] + ")"
                elif t["valid"]:
                    got = "valid" if i not in reported and line in went_pass and line not in went_fail else "invalid"
                else:
                    got = "invalid" if i in reported and line in went_fail and line not in went_pass else "valid"
                want = "valid" if t["valid"] else "invalid"
                if got == want:
                    passed += 1
                else:
                    failed += 1
                    print(f"{name}: '{group['description']}' / '{t['description']}': expected {want}, got {got}")
        print(f"{name}: {passed} passed, {failed} failed")
        total_cases += passed + failed
        total_bad += failed
print(f"jsonschema_suite (CLI): {total_cases - total_bad} of {total_cases} cases passed, {skipped} skipped")
sys.exit(1 if total_bad else 0)
PY
