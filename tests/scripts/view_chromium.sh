#!/usr/bin/env bash
# olly-view's HTML report in a real browser: Debian's chromium renders
# reports headless to the DOM (--dump-dom, after its scripts ran) and to a
# PNG (--screenshot), and the checks read what a person would see: the SVG
# charts with their lines and percentile bands, the bar chart, every row of
# the event table, the numbers, the alerts highlighted, a hostile value
# shown as text (its <script> never ran: the page title and DOM are
# unchanged), no JavaScript error, and a screenshot that is not blank.
# Without chromium the test prints SKIP and passes (exit 77); dev/deps.sh
# installs it so CI runs it.
# Usage: view_chromium.sh BIN_DIR SRC_DIR
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
SRC_DIR=$(cd "$2" && pwd)
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: chromium is not installed (apt-get install chromium)"
  exit 77
fi
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/olly-view-chromium-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PATH="$BIN_DIR:$PATH"
cd "$SRC_DIR/tests/data"

# A series with a p50-p99 band, and a grouped table with a hostile value and an alert.
olly agg count p50:latency_ms p99:latency_ms by service every 1m requests.ndjson \
  | olly view --format html --title 'series <report>' > "$tmp/series.html"
{
  olly agg count by path requests.ndjson
  printf '%s\n' '{"path":"<script>document.title=\"pwned\";document.body.innerHTML=\"\"</script>","count":3}'
  printf '%s\n' '{"path":"<img src=x onerror=\"document.title=1\">","count":2}'
  olly alert --rule 'count > 20 for 2' --every 1m --by host --now 2026-11-25T03:00:00Z alert/auth.ndjson || true
} > "$tmp/groups.ndjson"
olly view --format html --title groups "$tmp/groups.ndjson" > "$tmp/groups.html"
olly agg count p50:latency_ms p99:latency_ms by service every 1m requests.ndjson | wc -l > "$tmp/series.count"

render() {  # FILE -> FILE.dom, FILE.png, FILE.log
  local f=$1
  # A fresh profile each run, in the test's own folder; no network is needed (the report loads nothing).
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
    --enable-logging=stderr --v=0 --virtual-time-budget=2000 --dump-dom "file://$f" > "$f.dom" 2> "$f.log"
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
    --hide-scrollbars --window-size=1200,1400 --screenshot="$f.png" "file://$f" >/dev/null 2>>"$f.log"
}
render "$tmp/series.html"
render "$tmp/groups.html"

exec python3 - "$tmp" <<'PY'
import os, struct, sys, zlib
from html.parser import HTMLParser

tmp = sys.argv[1]
failures = []

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.classes = {}
        self.title = ""
        self.stack = []
        self.rows = {}
        self.table = None
        self.text = []
        self.heads = {}    # table id -> header texts
        self.values = {}   # table id -> rows of data-v (None for text cells)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "th" and self.table:
            self.heads.setdefault(self.table, []).append("")
        if tag == "tr" and self.table and "tbody" in self.stack:
            self.values.setdefault(self.table, []).append([])
        if tag == "td" and self.table and self.values.get(self.table):
            self.values[self.table][-1].append(a.get("data-v"))
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for c in (a.get("class") or "").split():
            self.classes[(tag, c)] = self.classes.get((tag, c), 0) + 1
        if tag == "table":
            self.table = a.get("id")
        if tag == "tr" and self.table and "tbody" in self.stack:
            self.rows[self.table] = self.rows.get(self.table, 0) + 1
        self.stack.append(tag)
    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
    def handle_data(self, data):
        if self.stack and self.stack[-1] == "title":
            self.title += data
        if self.stack and self.stack[-1] == "th" and self.table:
            self.heads[self.table][-1] += data
        self.text.append(data)

def load(name):
    dom = Dom()
    dom.feed(open(os.path.join(tmp, name + ".dom"), encoding="utf-8").read())
    dom.all_text = "".join(dom.text)
    log = open(os.path.join(tmp, name + ".log"), encoding="utf-8", errors="replace").read()
    return dom, log

def check(cond, what):
    if not cond:
        failures.append(what)

def png_not_blank(path):
    """The screenshot decodes as a PNG and has more than one colour."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False, "not a PNG"
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    distinct = len(set(raw[i:i + 3] for i in range(1, min(len(raw), 4_000_000), 997)))
    return distinct > 8, "%dx%d, %d distinct samples" % (w, h, distinct)

series, slog = load("series.html")
check(series.title == "series <report>", "series title: %r" % series.title)
check(series.classes.get(("figure", "chart"), 0) >= 2, "series: charts: %r" % series.classes)
check(series.classes.get(("path", "series"), 0) >= 4, "series: chart lines")
check(series.classes.get(("polygon", "band"), 0) >= 2, "series: percentile bands")
check(series.classes.get(("rect", "bar"), 0) == 2, "series: a bar per service")
want = int(open(os.path.join(tmp, "series.count")).read())
check(series.rows.get("event-table", 0) == want, "series: event rows %r, want %d" % (series.rows, want))
# The numbers: the counts in the event table add up to the 60 requests of requests.ndjson.
col = series.heads["event-table"].index("count")
total = sum(float(r[col]) for r in series.values["event-table"])
check(total == 60, "series: counts add up to %r, want 60" % total)
check("checkout" in series.all_text and "storefront" in series.all_text, "series: group names")
check("latency_ms p50\u2013p99" in series.all_text, "series: band caption")

groups, glog = load("groups.html")
check(groups.title == "groups", "hostile value changed the title: %r" % groups.title)
check("<script>document.title" in groups.all_text, "hostile value not shown as text")
check('<img src=x onerror="document.title=1">' in groups.all_text, "img value not shown as text")
check(groups.tags.get("img", 0) == 0, "an <img> element was created from a value")
want = sum(1 for _ in open(os.path.join(tmp, "groups.ndjson")))
check(groups.rows.get("event-table", 0) == want, "groups: event rows %r, want %d" % (groups.rows, want))
check(groups.rows.get("alert-table", 0) >= 2, "groups: alert rows %r" % groups.rows)
check(groups.classes.get(("tr", "firing"), 0) >= 2, "groups: firing alerts highlighted")
check(groups.classes.get(("rect", "bar"), 0) >= 5, "groups: bar chart")
check("/api/checkout" in groups.all_text, "groups: a path")
for name, log in (("series", slog), ("groups", glog)):
    for line in log.splitlines():
        if "Uncaught" in line or "Refused to" in line:
            failures.append("%s: browser console: %s" % (name, line.strip()))
for name in ("series.html.png", "groups.html.png"):
    ok, why = png_not_blank(os.path.join(tmp, name))
    check(ok, "%s: blank screenshot (%s)" % (name, why))

if failures:
    print("view_chromium: %d problems:" % len(failures))
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("view_chromium: two reports rendered by %s: charts, bands, bars, %d+%d table rows, alerts, "
      "escaping and screenshots checked" % ("chromium", series.rows.get("event-table", 0),
                                             groups.rows.get("event-table", 0)))
PY
