"""Benchmark: what the one redaction step adds to rendering a value for a prompt.

Every rendered variable passes ``core.redact.redact`` (keys, tokens, the secrets in
use, URL- and JSON-escaped forms).  Measured side by side on this machine: the
redaction of a DataFrame's 4,000-character summary against rendering it, with ten
registered secrets.  Target: the ratio stays at or below 0.05 (redaction adds at
most 5 % to the render).

Hostile text (issue 19): 10 MB of each shape that once made a pattern quadratic or
makes the most matches and escapes, redacted side by side with one plain pass over
the same 10 MB (``str.translate`` plus one ``re.finditer``, the floor of any scan).
Redaction cuts to ``MAX_REDACT_CHARS`` before it scans, so the 10 MB must take under
1 s; the ratio to the plain pass is printed next to it.

Run alone: ``python bench/bench_redact.py``; exits non-zero when a target is missed.
"""

from __future__ import annotations

import re
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
HOSTILE_BYTES, HOSTILE_TARGET_S = 10_000_000, 1.0
HOSTILE = {
    "scheme run a-a-a-": "a-",
    "userinfo a://b:cc@": "a://b:cc@",
    "labelled tokens": "api_key=abcdefghijklmnopqrst1 ",
    "bearer bearer": "bearer ",
    "key shapes": "sk-ant-abcdefg ",
    "URL escapes %2541": "%2541",
    "JSON escapes \\\\": "\\\\",
    "escaped keys": "sk%2Dant%2Dapi03xxxxxxxx ",
}
_TABLE = str.maketrans({"\x1b": "?", "\r": "?"})
_PLAIN = re.compile(r"sk-ant-")


def _plain_pass(text: str) -> None:
    text.translate(_TABLE)
    for _ in _PLAIN.finditer(text):
        pass


def hostile() -> bool:
    """10 MB of each hostile shape: redaction time, and its ratio to one plain pass."""
    ok = True
    for name, unit in HOSTILE.items():
        text = "://@ " + (unit * (HOSTILE_BYTES // len(unit) + 1))[:HOSTILE_BYTES]
        plain_ms = _median_ms(lambda t=text: _plain_pass(t), runs=3)
        redact_ms = _median_ms(lambda t=text: redact(t), runs=3)
        ok = ok and redact_ms < HOSTILE_TARGET_S * 1000
        print(
            f"10 MB {name:<20} redact {redact_ms:7.1f} ms · plain pass {plain_ms:6.1f} ms · "
            f"ratio {redact_ms / plain_ms:5.2f} (target: redact < {HOSTILE_TARGET_S:.0f} s)"
        )
    return ok


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
    fast = hostile()
    return 0 if ratio <= TARGET and fast else 1


if __name__ == "__main__":
    sys.exit(main())
