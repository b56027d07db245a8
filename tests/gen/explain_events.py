#!/usr/bin/env python3
"""Request events with planted causes, for olly-explain's tests and bench.

  explain_events.py --seed S --events N --scenario combo|triple|none|slow|changes|incident

combo:   errors (status 5xx) at 40% where region=ap-southeast-2 and
         version=2.8.0 (5% of traffic), none from version 2.9.1 (30% of
         traffic), 1% elsewhere. cluster is an alias of region (one cluster
         per region, one region per cluster). And the slow tail of slow.
triple:  errors at 90% where region=ap-southeast-2, version=2.8.0 and
         method=POST together (0.75% of traffic), 0.3% elsewhere: each pair
         of the three explains less than the three together.
none:    errors at 2% everywhere: nothing to find.
slow:    latency_ms ten times higher for service=search on version=2.7.0.
incident: combo's planted pair, but time-boxed: until 60% of the way in
         errors are 1% everywhere; from then on 40% where
         region=ap-southeast-2 and version=2.8.0. Events carry a msg: "request
         completed in N ms", "upstream timeout after N ms" for other errors,
         and, new with the incident, "connection refused by db-N" for the
         planted pair's errors (olly-snapshot's new template).
changes: error rate 1% until a deploy marker event 60% of the way in
         ({"type":"deploy","version":"3.0.0",...}); then half the traffic
         runs version 3.0.0, with 18% errors.

Every scenario has noise: request_id (unique), user_id (5000 values),
path (40 values), method, service, flag (boolean), shard (0..199) and ts
(one event every --spacing-ms, 100 by default, from 2026-11-25T10:00:00Z).
"""
import argparse
import random
import sys
from datetime import datetime, timedelta, timezone

REGIONS = [("us-east-1", 0.35), ("eu-west-1", 0.25), ("ap-southeast-2", 0.20), ("us-west-2", 0.12), ("sa-east-1", 0.08)]
CLUSTER = {"us-east-1": "iad1", "eu-west-1": "dub1", "ap-southeast-2": "syd1", "us-west-2": "pdx1", "sa-east-1": "gru1"}
VERSIONS = [("2.7.0", 0.30), ("2.8.0", 0.25), ("2.9.1", 0.30), ("2.6.3", 0.15)]
SERVICES = ["api", "auth", "search", "checkout", "cart", "images"]
METHODS = [("GET", 0.8), ("POST", 0.15), ("PUT", 0.05)]


def pick(rng, weighted):
    x = rng.random()
    for value, w in weighted:
        if x < w:
            return value
        x -= w
    return weighted[-1][0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--spacing-ms", type=int, default=100)
    ap.add_argument("--scenario", default="combo", choices=["combo", "triple", "none", "slow", "changes", "incident"])
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start = datetime(2026, 11, 25, 10, 0, 0, tzinfo=timezone.utc)
    out = sys.stdout
    deploy_at = int(a.events * 0.6)
    paths = ["/api/v1/item/%d" % i for i in range(40)]
    for i in range(a.events):
        ts = start + timedelta(milliseconds=a.spacing_ms * i)
        tstext = ts.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ts.microsecond // 1000)
        if a.scenario == "changes" and i == deploy_at:
            out.write('{"ts":"%s","type":"deploy","service":"api","version":"3.0.0"}\n' % tstext)
        region = pick(rng, REGIONS)
        version = pick(rng, VERSIONS)
        service = rng.choice(SERVICES)
        method = pick(rng, METHODS)
        latency = rng.lognormvariate(4.5, 0.5)
        if a.scenario == "combo":
            p_err = 0.40 if (region == "ap-southeast-2" and version == "2.8.0") else (0.0 if version == "2.9.1" else 0.01)
        elif a.scenario == "triple":
            p_err = 0.90 if (region == "ap-southeast-2" and version == "2.8.0" and method == "POST") else 0.003
        elif a.scenario == "incident":
            planted = i >= deploy_at and region == "ap-southeast-2" and version == "2.8.0"
            p_err = 0.40 if planted else 0.01
        elif a.scenario == "changes":
            if i >= deploy_at and rng.random() < 0.5:
                version = "3.0.0"
            p_err = 0.18 if version == "3.0.0" else 0.01
        else:
            p_err = 0.02
        if a.scenario in ("slow", "combo") and service == "search" and version == "2.7.0":
            latency *= 10
        status = rng.choice([500, 502, 503]) if rng.random() < p_err else rng.choice([200, 200, 200, 201, 204, 304])
        msg = ""
        if a.scenario == "incident":
            if status < 500:
                msg = ',"msg":"request completed in %d ms"' % int(latency)
            elif planted:
                msg = ',"msg":"connection refused by db-%d"' % rng.randrange(8)
            else:
                msg = ',"msg":"upstream timeout after %d ms"' % (1000 * rng.randrange(1, 6))
        out.write(
            '{"ts":"%s","request_id":"%016x","service":"%s","region":"%s","cluster":"%s","version":"%s",'
            '"method":"%s","path":"%s","user_id":"u%d","shard":%d,"flag":%s,"status":%d,"latency_ms":%.1f%s}\n'
            % (tstext, rng.getrandbits(64), service, region, CLUSTER[region], version, method,
               rng.choice(paths), rng.randrange(5000), rng.randrange(200), "true" if rng.random() < 0.5 else "false",
               status, latency, msg))


if __name__ == "__main__":
    main()
