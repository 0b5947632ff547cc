"""Benchmark: what the one redaction step adds to rendering a value for a prompt.

Every rendered variable passes ``core.redact.redact`` (keys, tokens, the secrets in
use, URL- and JSON-escaped forms).  Measured side by side on this machine: the
redaction of a DataFrame's 4,000-character summary against rendering it, with ten
registered secrets.  Target: the ratio stays at or below 0.05 (redaction adds at
most 5 % to the render).  Run alone: ``python bench/bench_redact.py``; exits
non-zero when the target is missed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kuroryuu_magic.context import render_value
from kuroryuu_magic.core.redact import redact, register_secret

RUNS, TARGET = 15, 0.05


def _median_ms(fn: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    for i in range(10):
        register_secret(f"registered-secret-{i}-{'x' * 40}")
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "url": [f"https://example.com/a%20b?q={i}&api_key=none" for i in range(20_000)],
            "token_count": rng.integers(0, 5000, 20_000),
            "path": [f"C:\\data\\{i}.csv" for i in range(20_000)],
            "value": rng.normal(size=20_000),
        }
    )
    text = render_value(df, max_chars=4000)
    render_ms = _median_ms(lambda: render_value(df, max_chars=4000))
    redact_ms = _median_ms(lambda: [redact(text) for _ in range(10)]) / 10
    ratio = redact_ms / render_ms
    print(f"summary: {len(text):,} characters")
    print(f"render_value: median {render_ms:.2f} ms; redact: median {redact_ms:.3f} ms")
    print(f"ratio redact / render = {ratio:.3f} (target <= {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
