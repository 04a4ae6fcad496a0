#!/usr/bin/env python3
"""Writes a dense n x n two-stage instance (every EV values every session, day-ahead and real
time, uniform 0-10 USD to three decimals, seeded) for the input-path measurements in
docs/reliability.md.

    python3 scripts/two-stage-dense.py 1000 /tmp/ts1000.json [--mechanism vcg-endowment] [--matrix]

With --matrix the values are written as `da_matrix` / `rt_matrix` (rows per EV, columns per
session) instead of one `{session: value}` map per EV.
"""
import argparse
import json
import random

parser = argparse.ArgumentParser()
parser.add_argument("n", type=int)
parser.add_argument("out")
parser.add_argument("--mechanism", default="posted-price")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--matrix", action="store_true")
args = parser.parse_args()
rng = random.Random(args.seed)
sessions = [f"s{j}" for j in range(args.n)]
evs = [
    {
        "id": f"e{i}",
        "da_values": {s: round(rng.random() * 10, 3) for s in sessions},
        "rt_values": {s: round(rng.random() * 10, 3) for s in sessions},
    }
    for i in range(args.n)
]
doc = {"sessions": sessions, "evs": evs, "rt": {"mechanism": args.mechanism}}
if args.matrix:
    doc["da_matrix"] = [[ev["da_values"][s] for s in sessions] for ev in evs]
    doc["rt_matrix"] = [[ev["rt_values"][s] for s in sessions] for ev in evs]
    doc["evs"] = [{"id": ev["id"]} for ev in evs]
with open(args.out, "w") as f:
    json.dump(doc, f)
