#!/usr/bin/env python3
"""Writes synthetic request events for olly-alert's tests to stdout.

  gen.py outage     6h of good traffic (one request per 10 s), then a 100% outage for 10 minutes, then 30 good minutes
  gen.py slow-burn  one day at twice the error budget of a 99.9% SLO (one error in 500 requests)
  gen.py flap       one minute windows whose p99 alternates 499 / 501 ms for 20 minutes
  gen.py gap        errors for 3 minutes, then 10 minutes without any event, then healthy traffic
  gen.py spike      8 to 12 requests a minute for 40 minutes, 60 in minute 30, none in minute 35
  gen.py groups N   N services, one request each per second for 2 minutes (state files with many groups)
Times start at 2026-11-25T00:00:00Z. Deterministic: no randomness.
"""
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 11, 25, tzinfo=timezone.utc)


def ts(seconds):
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def emit(out, t, status, latency=20, service="api"):
    out.append('{"ts":"%s","service":"%s","status":%d,"latency_ms":%s}' % (ts(t), service, status, latency))



def main():
    kind = sys.argv[1]
    out = []
    if kind == "outage":
        for i in range(6 * 360):
            emit(out, i * 10, 200)
        for i in range(60):
            emit(out, 6 * 3600 + i * 10, 503)
        for i in range(180):
            emit(out, 6 * 3600 + 600 + i * 10, 200)
    elif kind == "slow-burn":
        for i in range(8640):
            emit(out, i * 10, 500 if i % 500 == 499 else 200)
    elif kind == "flap":
        for m in range(20):
            for i in range(10):
                emit(out, m * 60 + i * 6, 200, 501 if m % 2 else 499)
    elif kind == "gap":
        for i in range(18):
            emit(out, i * 10, 500)
        for i in range(18):
            emit(out, 13 * 60 + i * 10, 200)
    elif kind == "spike":
        # 8 to 12 requests a minute for 40 minutes, 60 in minute 30, none in minute 35
        for m in range(40):
            n = 60 if m == 30 else 0 if m == 35 else 8 + (m * 7) % 5
            for i in range(n):
                emit(out, m * 60 + i * 60.0 / n, 200)
    elif kind == "groups":
        n = int(sys.argv[2])
        for s in range(120):
            for g in range(n):
                emit(out, s, 200, service="svc-%04d" % g)
    else:
        sys.exit("unknown kind " + kind)
    sys.stdout.write("\n".join(out) + "\n")


main()
