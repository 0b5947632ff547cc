"""Benchmark: summarising big frames for a prompt (the ``{df}`` profile).

Targets: a 1,000,000 × 20 pandas frame in at most 4,000 characters and 100 ms
with exact min/max/null counts (issues 5 and 13); a 5,000-column polars frame
in at most 50 ms (issue 13); a 100,000-column polars frame is reported too.
Medians of several runs.  Run alone: ``python bench/bench_context.py``; exits
non-zero when a target is missed.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd

from kuroryuu_magic.context import render_value

ROWS, COLS, RUNS = 1_000_000, 20, 9
MAX_CHARS, MAX_MS = 4000, 100.0
WIDE_COLS, WIDE_ROWS, WIDE_MAX_MS = 5_000, 1_000, 50.0


def make_frame() -> pd.DataFrame:
    """A realistic mix: floats with NaNs, ints, strings, a category, a datetime, a bool."""
    rng = np.random.default_rng(42)
    data: dict[str, object] = {}
    for i in range(14):
        col = rng.normal(100 * i, 10 + i, ROWS)
        col[rng.random(ROWS) < 0.01 * (i % 4)] = np.nan
        data[f"metric_{i}"] = col
    data["count"] = rng.integers(0, 1000, ROWS)
    data["customer_id"] = rng.integers(10**6, 10**7, ROWS)
    data["city"] = rng.choice(np.array(["Oslo", "Lima", "Pune", "Kyoto", "Accra"]), ROWS)
    data["segment"] = pd.Categorical(rng.choice(np.array(["a", "b", "c"]), ROWS))
    data["when"] = pd.date_range("2020-01-01", periods=ROWS, freq="min", tz="UTC")
    data["churned"] = rng.random(ROWS) < 0.2
    df = pd.DataFrame(data)
    assert df.shape == (ROWS, COLS)
    return df


def timed(obj: object, runs: int) -> tuple[str, list[float], list[float]]:
    render_value(obj, max_chars=MAX_CHARS)  # warm-up
    times, cpu = [], []
    text = ""
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        text = render_value(obj, max_chars=MAX_CHARS)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return text, times, cpu


def wide_polars() -> bool:
    import polars as pl

    ok = True
    rng = np.random.default_rng(7)
    for cols, target in ((WIDE_COLS, WIDE_MAX_MS), (100_000, None)):
        rows = WIDE_ROWS if cols == WIDE_COLS else 10
        frame = pl.DataFrame(rng.normal(size=(rows, cols)), schema=[f"f{i}" for i in range(cols)])
        text, times, cpu = timed(frame, RUNS)
        median = statistics.median(times)
        verdict = "" if target is None else f" (target <= {target:.0f} ms)"
        print(
            f"polars {rows:,} × {cols:,}: {len(text):,} characters, median {median:.1f} ms, "
            f"cpu {statistics.median(cpu):.1f} ms{verdict}"
        )
        if target is not None:
            ok = ok and median <= target and len(text) <= MAX_CHARS
    return ok


def main() -> int:
    df = make_frame()
    render_value(df)  # warm-up: first-call imports inside pandas
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        text = render_value(df, max_chars=MAX_CHARS)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    median = statistics.median(times)
    print(text)
    print("-" * 72)
    print(f"frame: {ROWS:,} × {COLS} ({df.memory_usage(deep=False).sum() / 1e6:,.0f} MB)")
    print(f"summary length: {len(text):,} characters (target <= {MAX_CHARS:,})")
    print(
        f"time: median {median:.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms "
        f"over {RUNS} runs (target <= {MAX_MS:.0f} ms)"
    )
    # On a shared machine wall time includes waiting for a core; CPU time does not.
    print(f"cpu:  median {statistics.median(cpu):.1f} ms, min {min(cpu):.1f} ms")
    ok = len(text) <= MAX_CHARS and median <= MAX_MS
    ok = wide_polars() and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
