"""Per-record cost of Engine.apply from Python (bindings/bench/run)."""
import json
import sys
import time

from callstate import Engine

lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l.strip()]
objects = []
for l in lines:
    try:
        objects.append(json.loads(l))
    except ValueError:
        objects.append(l)
for name, records in [("text", lines), ("dict", objects)]:
    e = Engine(mode="resync")
    t = time.perf_counter_ns()
    for r in records:
        e.apply(r)
    print(f"python: apply({name}) {(time.perf_counter_ns() - t) / len(records):.0f} ns/record")
