#!/usr/bin/env bash
# Differential test of `olly parse prom` against `promtool check metrics`
# (Debian's prometheus package) on accept/reject: a corpus of real
# exposition texts (../shared/conformance/prometheus, cut into metric
# families, and tests/data/parse/metrics.prom), Prometheus' own error cases,
# and seeded mutations of them (the same every run).
#
# promtool reads the text with the Prometheus client's text parser and then
# lints it: exit 1 with "error while linting: text format parsing error" is
# a reject; exit 0, or 3 with lint problems only (no HELP, counter without
# _total, ...), is an accept. olly accepts when `olly parse prom --strict`
# exits 0 (no bad line). Verdicts must agree except for the known
# differences in KNOWN below (also in tests/fuzz/README.md).
# Without promtool (or the conformance samples) the test prints SKIP and
# passes (exit 77); dev/deps.sh installs prometheus so CI runs it.
# Usage: prom_promtool.sh BIN_DIR SRC_DIR
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
SRC_DIR=$2
CONF=${OLLY_CONFORMANCE:-$SRC_DIR/../shared/conformance}/prometheus
if ! command -v promtool >/dev/null; then
  echo "SKIP: promtool is not installed (apt-get install prometheus)"
  exit 77
fi
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed"
  exit 77
fi
exec python3 - "$BIN_DIR/olly-parse" "$SRC_DIR" "$CONF" <<'PY'
import glob, json, os, random, re, subprocess, sys

olly, src, conf = sys.argv[1:4]
rng = random.Random(20261203)

# Known differences, all where olly accepts what promtool rejects:
# name -> (reason, predicate(origin, text, promtool's message)).
KNOWN = {
    "no-final-newline": (
        "promtool's parser wants a newline after the last line; olly, like all its readers, takes a last "
        "line without one",
        lambda origin, text, perr: not text.endswith("\n") and "unexpected end of input stream" in perr),
    "repeated-metadata": (
        "olly reads each HELP and TYPE line as it comes and does not reject a second one for a family "
        "(or one after its samples)",
        lambda origin, text, perr: "second HELP line" in perr or "second TYPE line" in perr),
    "unknown-escape": (
        "olly keeps a backslash escape other than \\\\, \\n (and \\\" in label values) as it is; "
        "promtool rejects it",
        lambda origin, text, perr: "invalid escape sequence" in perr),
    "bucket-bound-text": (
        "olly keeps a histogram's le (and a summary's quantile) label as the text it is; promtool "
        "requires a float there",
        lambda origin, text, perr: "expected float as value for" in perr),
    "scrape-parser-syntax": (
        "promparse_test_input.txt is written for Prometheus' scrape parser (model/textparse), which, like "
        "olly, takes blanks around labels and braces that promtool's client_golang parser rejects",
        lambda origin, text, perr: origin == "promparse_test_input.txt"),
}

def families(text):
    """Cuts an exposition into chunks of whole metric families (HELP/TYPE
    with their samples), at most about 12 lines each."""
    out, cur, name = [], [], None
    for line in text.splitlines(keepends=True):
        m = re.match(r"# (?:HELP|TYPE) (\S+)", line)
        fam = m.group(1) if m else None
        if fam and fam != name and cur and len(cur) > 0:
            if any(not l.startswith("#") for l in cur) or len(cur) > 12:
                out.append("".join(cur))
                cur = []
        if fam:
            name = fam
        cur.append(line)
        if len(cur) > 40:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out

corpus = []  # (origin, text)
for path in sorted(glob.glob(os.path.join(conf, "*.txt")) + glob.glob(os.path.join(conf, "*.prom"))):
    if path.endswith(".om.txt"):
        continue  # OpenMetrics, not the text format promtool checks
    chunks = families(open(path, encoding="utf-8", errors="surrogateescape").read())
    corpus += [(os.path.basename(path), c) for c in chunks[:60]]
if not corpus:
    print("SKIP: no exposition texts (%s absent)" % conf)
    sys.exit(77)
local = os.path.join(src, "tests", "data", "parse", "metrics.prom")
corpus += [("metrics.prom", c) for c in families(open(local, encoding="utf-8").read())]
errors = os.path.join(conf, "promparse_error_cases.json")
cases = list(corpus)
if os.path.exists(errors):
    for c in json.load(open(errors))["cases"]:
        if "input" in c:
            cases.append(("promparse_error_cases.json", c["input"]))

PIECES = ["{", "}", "\"", "=", ",", " ", "\n", "#", "# TYPE ", "# HELP ", "NaN", "+Inf", "-", "1e3", "_",
          "\\", "\t", "le=\"", "0.5", "x", "9", ".", "counter", "gauge"]
def mutate(text):
    b = list(text)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        pos = rng.randrange(len(b) + 1)
        if op < 0.35 and b:
            del b[min(pos, len(b) - 1)]
        elif op < 0.7:
            b[pos:pos] = list(rng.choice(PIECES))
        elif op < 0.85:
            lines = "".join(b).splitlines(keepends=True)
            if lines:
                i = rng.randrange(len(lines))
                lines.insert(i, lines[i])
            b = list("".join(lines))
        else:
            b = b[:pos]
    return "".join(b)

small = [c for c in corpus if len(c[1]) < 1500]
for _ in range(200):
    origin, text = rng.choice(small)
    cases.append((origin, mutate(text)))

def promtool_accepts(text):
    r = subprocess.run(["promtool", "check", "metrics"], input=text.encode("utf-8", "surrogateescape"),
                       capture_output=True)
    err = (r.stdout + r.stderr).decode("utf-8", "replace")
    if r.returncode == 1 or "parsing error" in err:
        return False, err.strip()
    if r.returncode in (0, 3):
        return True, err.strip()
    raise SystemExit("promtool exit %d: %s" % (r.returncode, err))

def olly_accepts(text):
    r = subprocess.run([olly, "prom", "--strict"], input=text.encode("utf-8", "surrogateescape"),
                       capture_output=True)
    return r.returncode == 0, r.stderr.decode("utf-8", "replace").strip()

failures, known_hits = [], {}
accepted = 0
for n, (origin, text) in enumerate(cases):
    p, perr = promtool_accepts(text)
    o, oerr = olly_accepts(text)
    accepted += p
    if p == o:
        continue
    for name, (reason, pred) in KNOWN.items():
        if not o and p:
            break  # every known difference is an accept of olly's
        if pred(origin, text, perr):
            known_hits[name] = known_hits.get(name, 0) + 1
            break
    else:
        failures.append("case %d (%s): olly %s, promtool %s\n    text: %r\n    olly: %s\n    promtool: %s"
                        % (n, origin, "accepts" if o else "rejects", "accepts" if p else "rejects",
                           text[:300], oerr[:200], perr[:200]))

print("prom_promtool: %d texts (%d accepted by promtool), verdicts compared" % (len(cases), accepted))
for name, k in known_hits.items():
    print("  known difference %s (%s): %d" % (name, KNOWN[name][0], k))
if failures:
    print("%d disagreements:" % len(failures))
    for f in failures[:int(os.environ.get("SHOW", "20"))]:
        print("  " + f)
    sys.exit(1)
PY
