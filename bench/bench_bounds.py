"""Benchmark: the JSON depth check stays linear on hostile text.

A run of escaped quotes (``"\\"\\"\\"…``) made the first depth check, a regex over
strings, backtrack quadratically (minutes for 80 KB).  Measured side by side on
this machine, for ``json_depth`` and for ``-f json`` parsing:

* hostile / ordinary text of the same length (target: ratio <= 3);
* hostile text at 1 MB / four times hostile text at 250 KB (target <= 2: linear).

Run: ``python bench/bench_bounds.py``; exits non-zero when a target is missed.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kuroryuu_magic.ask.formats import parse_json_loosely
from kuroryuu_magic.core.bounds import json_depth

SIZE, RUNS, MAX_RATIO, MAX_GROWTH = 1_000_000, 5, 3.0, 2.0


def median_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _parse(text: str) -> None:
    with contextlib.suppress(ValueError):
        parse_json_loosely(text)


def hostile(size: int) -> str:
    return '"' + '\\"' * (size // 2)


def main() -> int:
    ordinary = '{"rows": [' + ", ".join(['"ok"'] * (SIZE // 6)) + "]}"
    failed = False
    for name, fn in (("json_depth", json_depth), ("parse_json_loosely", _parse)):
        bad = median_ms(lambda fn=fn: fn(hostile(SIZE)))
        good = median_ms(lambda fn=fn: fn(ordinary))
        quarter = median_ms(lambda fn=fn: fn(hostile(SIZE // 4)))
        ratio = bad / good if good else float("inf")
        growth = bad / (4 * quarter) if quarter else float("inf")
        failed |= ratio > MAX_RATIO or growth > MAX_GROWTH
        print(
            f"{name}: hostile {bad:.1f} ms, ordinary {good:.1f} ms, ratio {ratio:.2f} "
            f"(target <= {MAX_RATIO}); 1 MB / 4 x 250 KB {growth:.2f} (target <= {MAX_GROWTH})"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
