"""First-cell cost after ``%load_ext``, with and without the background warm-up.

    python bench/bench_warmup.py [--kernels 5] [--pause 2.0]

For each fresh kernel: ``%load_ext kuroryuu_magic`` (warm-up on, or off with
``%config ClaudeMagics.warm_up = False`` in the same cell), ``--pause``
seconds of nothing, a check whether the warm-up is still running, then two identical ``%%claude`` cells against the fake,
each timed inside the kernel.  Reported: the median over kernels of the first
cell's extra cost over the second (target with the warm-up: <= 150 ms), on
and off interleaved so drift hits both alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuroryuu_magic.testing import FakeAnthropic, Reply  # noqa: E402
from tests.kernels import kernel_env, start_kernel  # noqa: E402

TIMED_CELL = """
import time as _time
_t = _time.perf_counter()
get_ipython().run_cell_magic("claude", "--no-history", "bench")
_elapsed = _time.perf_counter() - _t
"""


WARMING = (
    "from kuroryuu_magic.ask import warmup as _w\n"
    "print(_w._thread is not None and _w._thread.is_alive())"
)


def first_cell_extra(fake: FakeAnthropic, warm_up: bool, pause: float) -> tuple[float, float, bool]:
    """(first cell, second cell) seconds in one fresh kernel, and whether it was still warming up."""
    with tempfile.TemporaryDirectory() as home:
        env = kernel_env(Path(home), fake.env())
        with start_kernel(env) as kernel:
            load = "%load_ext kuroryuu_magic"
            if not warm_up:
                load += "\n%config ClaudeMagics.warm_up = False"
            kernel.ok(load)
            time.sleep(pause)
            warming = kernel.ok(WARMING).text().strip() == "True"
            times = []
            for _ in range(2):
                fake.enqueue(Reply(text="A short answer for the benchmark.", deltas=5))
                kernel.ok(TIMED_CELL)
                times.append(float(kernel.ok("print(_elapsed)").text()))
            return times[0], times[1], warming


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kernels", type=int, default=5)
    parser.add_argument("--pause", type=float, default=2.0)
    args = parser.parse_args()
    extra: dict[bool, list[float]] = {True: [], False: []}
    warm: dict[bool, list[float]] = {True: [], False: []}
    busy = 0
    with FakeAnthropic() as fake:
        for _ in range(args.kernels):
            for on in (True, False):
                first, second, warming = first_cell_extra(fake, on, args.pause)
                busy += warming
                extra[on].append(first - second)
                warm[on].append(second)
    for on in (True, False):
        label = "warm-up on " if on else "warm-up off"
        print(
            f"{label}: first cell costs {statistics.median(extra[on]) * 1000:7.1f} ms more than "
            f"a warm one (median of {args.kernels} fresh kernels; warm cell "
            f"{statistics.median(warm[on]) * 1000:.1f} ms)" + (" (target <= 150 ms)" if on else "")
        )
    print(f"kernels still warming up when their first cell ran: {busy} of {args.kernels}")


if __name__ == "__main__":
    main()
