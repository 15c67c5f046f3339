"""Replay throughput of a log from Python (bindings/bench/run)."""
import os
import sys
import time

import callstate

path = sys.argv[1]
t = time.perf_counter()
report = callstate.replay(path)
n = sum(1 for _ in report)
s = time.perf_counter() - t
records = report.summary.records
print(f"python: replay {s:.2f} s, {records / s / 1e6:.2f} M records/s, {os.path.getsize(path) / s / 1e6:.0f} MB/s, {n} report lines")
