"""Benchmark: the ``{df}`` profile and the ``describe`` tool on 1,000,000 × 20, side by side.

Targets (issue 23): the profile of a 1M × 20 frame in at most 100 ms and ``describe`` of
all its columns in at most 1 s, pandas and polars.  With ``--base PATH`` (another checkout,
e.g. ``/work/main``) each measurement runs for both trees in alternating fresh processes,
so the before and after figures come from one run on the same loaded machine.

    python bench/bench_data_speed.py [--base ../main] [--runs 7]

Medians of ``--runs`` calls after a warm-up, wall and CPU time (the CPU figures hold up on a
shared, loaded machine; the targets are wall time).  Exits non-zero when this tree misses a
target.
``OPENBLAS_*`` variables are passed through untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"profile": 100.0, "describe": 1000.0}

PROBE = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
import numpy as np, pandas as pd, polars as pl
from bench_context import make_frame
from kuroryuu_magic.context import render_value
from kuroryuu_magic.tools import run_tool

runs = int(sys.argv[3])
df = make_frame()
frames = {"pandas": df, "polars": pl.from_pandas(df)}
out = {}
for lib, frame in frames.items():
    calls = {
        "profile": lambda: render_value(frame, max_chars=4000),
        "describe": lambda: run_tool(
            "describe", {"name": "df"}, {"df": frame}, max_chars=20_000, schema_only=False
        ).text,
    }
    for what, call in calls.items():
        call()  # warm-up
        times, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            text = call()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        out[f"{what} {lib}"] = [statistics.median(times), len(text)]
        out[f"{what} {lib} cpu"] = [statistics.median(cpu), len(text)]
print(json.dumps(out))
"""


def measure(tree: Path, runs: int) -> dict[str, list[float]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(tree), str(ROOT / "bench"), str(runs)],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    )
    result: dict[str, list[float]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per tree")
    args = parser.parse_args()
    trees = {"this": ROOT} | ({"base": args.base.resolve()} if args.base else {})
    seen: dict[str, dict[str, list[float]]] = {k: {} for k in trees}
    for _ in range(args.rounds):
        for label, tree in trees.items():
            for key, (ms, chars) in measure(tree, args.runs).items():
                seen[label].setdefault(key, []).append(ms)
                if not key.endswith(" cpu"):
                    seen[label][key + " chars"] = [chars]
    ok = True
    print(
        f"1,000,000 × 20 frame (bench_context.make_frame); median of {args.runs} calls, best round"
    )
    for key in seen["this"]:
        if key.endswith(" chars"):
            continue
        if key.endswith(" cpu"):  # CPU time: what a shared, loaded machine cannot inflate
            line = f"  {key:20} this {min(seen['this'][key]):8.1f} ms"
            if "base" in seen:
                line += f"   base {min(seen['base'][key]):8.1f} ms"
            print(line)
            continue
        now = min(seen["this"][key])
        target = TARGETS[key.split()[0]]
        line = f"  {key:20} this {now:8.1f} ms"
        if "base" in seen:
            line += f"   base {min(seen['base'][key]):8.1f} ms"
        line += f"   ({int(seen['this'][key + ' chars'][0]):,} chars; target <= {target:,.0f} ms)"
        print(line)
        ok = ok and now <= target
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
