#!/usr/bin/env bash
# Differential test of the expression language's comparisons (== != < <= >
# >=) against a small reference model written from olly(7) "Values and
# comparisons" (and DESIGN.md):
#   - a missing field is null; every comparison with null is false, except
#     `== null` (true for a missing or null field) and `!= null`;
#   - numbers compare by value, exactly (64-bit integers with doubles too);
#   - a string compares with a number numerically when the whole string is
#     a number, and is not comparable otherwise (every comparison false);
#   - strings compare bytewise; there is no other coercion (booleans equal
#     booleans only; comparisons between other kinds are false).
# Random events (seeded: the same every run) get random comparisons of two
# fields, or of a field and a literal; `olly filter` must keep exactly the
# events the model keeps. Usage: expr_compare.sh BIN_DIR SRC_DIR
set -euo pipefail
BIN_DIR=$1
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed for the model"
  exit 77
fi
exec python3 - "$BIN_DIR/olly-filter" <<'PY'
import json, os, random, re, subprocess, sys, tempfile
from fractions import Fraction

filt = sys.argv[1]
rng = random.Random(20261203)

# Known differences between olly and the model: none. (An entry would be
# name -> (reason, predicate(op, a, b)); a disagreement it covers is counted,
# not failed.)
KNOWN = {}

MISSING = object()
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")

# Values: (kind, python value, JSON text)
def num_value(text):
    if re.fullmatch(r"-?[0-9]+", text):
        return Fraction(int(text))
    return Fraction(float(text))  # a double: the nearest binary value

def string_number(s):
    # Only strings whose number is unambiguous (JSON grammar, and integers
    # within 64 bits or short decimals) are generated as "numeric strings".
    if NUMBER.fullmatch(s):
        return num_value(s)
    return None

def gen_value():
    r = rng.random()
    if r < 0.08:
        return ("null", None, "null")
    if r < 0.16:
        b = rng.random() < 0.5
        return ("bool", b, "true" if b else "false")
    if r < 0.45:
        t = rng.choice(["0", "1", "-1", "5", "7", "42", "500", "499", "501", "-0", "1.5", "-2.25", "0.5",
                        "1e3", "1000", "1000.0", "9007199254740993", "9007199254740992.0", "9223372036854775807",
                        "-9223372036854775808", "18446744073709551615", "1e-3", "3.0", "2.5e1", "25"])
        return ("num", num_value(t), t)
    if r < 0.85:
        s = rng.choice(["", "a", "abc", "ABC", "b", "aa", "500", "499", "1e3", "1.5", "-1", "7", "42", "1000",
                        "0", "x7", "7x", "é", "ü", "Z", "a b", "-0", "25", "2.5e1", "1000.0"])
        return ("str", s, json.dumps(s))
    if r < 0.93:
        return ("arr", None, rng.choice(["[]", "[1]", "[1,2]", "[\"a\"]"]))
    return ("obj", None, rng.choice(["{}", "{\"k\":1}"]))

def nullish(v):
    return v is MISSING or v[0] == "null"

def model(op, a, b, a_is_null_literal=False, b_is_null_literal=False):
    if a_is_null_literal or b_is_null_literal:
        other = b if a_is_null_literal else a
        if op == "==":
            return nullish(other)
        if op == "!=":
            return not nullish(other)
        return False
    if nullish(a) or nullish(b):
        return False
    ka, kb = a[0], b[0]
    c = None  # -1, 0, 1, or None: not comparable
    if ka == "num" and kb == "num":
        c = (a[1] > b[1]) - (a[1] < b[1])
    elif ka == "str" and kb == "str":
        x, y = a[1].encode(), b[1].encode()
        c = (x > y) - (x < y)
    elif {ka, kb} == {"str", "num"}:
        s, n = (a, b) if ka == "str" else (b, a)
        sv = string_number(s[1])
        if sv is None:
            return False  # not comparable: every comparison false
        c = (sv > n[1]) - (sv < n[1])  # string vs number
        if ka == "num":
            c = -c
    elif ka == "bool" and kb == "bool":
        if op == "==":
            return a[1] == b[1]
        if op == "!=":
            return a[1] != b[1]
        return None  # ordering booleans: olly(7) does not say
    else:
        return None  # arrays, objects, mixed kinds: not modelled
    return {"==": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]

events = []
for i in range(400):
    ev = {"i": i}
    fields = {}
    for name in ("a", "b"):
        if rng.random() < 0.1:
            fields[name] = MISSING
        else:
            fields[name] = gen_value()
    events.append(fields)

def event_line(i, fields):
    parts = ['"i":%d' % i]
    for name, v in fields.items():
        if v is not MISSING:
            parts.append('"%s":%s' % (name, v[2]))
    return "{" + ",".join(parts) + "}"

OPS = ["==", "!=", "<", "<=", ">", ">="]
checks = 0
failures = []
known_hits = {}
with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "events.ndjson")
    with open(data, "w") as f:
        for i, fields in enumerate(events):
            f.write(event_line(i, fields) + "\n")
    exprs = []
    for op in OPS:
        exprs.append(("a %s b" % op, op, "field", None))
        exprs.append(("b %s a" % op, op, "field-rev", None))
    for _ in range(120):
        op = rng.choice(OPS)
        lit = gen_value()
        if lit[0] in ("arr", "obj"):
            continue
        if rng.random() < 0.5:
            exprs.append(("a %s %s" % (op, lit[2]), op, "lit-right", lit))
        else:
            exprs.append(("%s %s a" % (lit[2], op), op, "lit-left", lit))
    for expr, op, shape, lit in exprs:
        out = subprocess.run([filt, expr, data], capture_output=True, text=True)
        if out.returncode != 0:
            failures.append("%s: exit %d: %s" % (expr, out.returncode, out.stderr.strip()))
            continue
        kept = {json.loads(l)["i"] for l in out.stdout.splitlines() if l}
        for i, fields in enumerate(events):
            a, b = fields["a"], fields["b"]
            lit_null = lit is not None and lit[0] == "null"
            if shape == "field":
                want = model(op, a, b)
            elif shape == "field-rev":
                want = model(op, b, a)
            elif shape == "lit-right":
                want = model(op, a, lit, False, lit_null)
            else:
                want = model(op, lit, a, lit_null, False)
            if want is None:
                continue
            checks += 1
            got = i in kept
            if got == want:
                continue
            x = a if shape != "field-rev" else b
            y = {"field": b, "field-rev": a}.get(shape, lit)
            line = "%s on %s: olly %s, model %s" % (expr, event_line(i, fields), got, want)
            for name, (reason, pred) in KNOWN.items():
                if pred(op, x, y):
                    known_hits[name] = known_hits.get(name, 0) + 1
                    break
            else:
                failures.append(line)

print("expr_compare: %d expressions, %d verdicts checked against the model" % (len(exprs), checks))
for name, n in known_hits.items():
    print("  known difference %s (%s): %d" % (name, KNOWN[name][0], n))
if failures:
    print("%d disagreements:" % len(failures))
    for f in failures[:int(os.environ.get("SHOW", "40"))]:
        print("  " + f)
    sys.exit(1)
PY
