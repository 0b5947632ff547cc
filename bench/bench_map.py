"""Benchmarks for ``%%claude --map`` against the fake API (run: ``python bench/bench_map.py``).

1. 200 items, 0.2 s fake latency, concurrency 16: wall time against the ideal
   200 / 16 x 0.2 s = 2.5 s (target <= 1.2x), beside a sequential loop of the
   same 200 requests in the same run.
2. 10,000 short items, latency 0: peak RSS above the baseline (target < 200 MB).

The fake runs in a subprocess (``python -m kuroryuu_magic.testing``) so its
threads neither share our GIL nor count towards our memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from typing import Any

import psutil

# The fake's handler writes headers and body in two sends; with Nagle on, the
# client's delayed ACK adds ~40 ms to every response.  Real servers set
# TCP_NODELAY, so the bench does too (StreamRequestHandler's own switch).
_LAUNCH = (
    "import sys; from kuroryuu_magic.testing._handler import Handler; "
    "Handler.disable_nagle_algorithm = True; "
    "from kuroryuu_magic.testing.__main__ import main; sys.exit(main(sys.argv[1:]))"
)


def start_fake(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCH, "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip().removeprefix("export ")
    if not line.startswith("ANTHROPIC_BASE_URL="):
        proc.kill()
        raise RuntimeError(f"the fake did not start: {line!r}")
    return proc, line.split("=", 1)[1]


def make_shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryAccessor.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.run_line_magic("load_ext", "kuroryuu_magic")
    return shell


def run(shell: Any, source: str) -> float:
    start = time.perf_counter()
    result = shell.run_cell(source, silent=True)
    result.raise_error()
    return time.perf_counter() - start


class PeakRSS:
    """Samples this process's RSS every 20 ms in a thread."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def bench_wall(
    shell: Any, items: int, latency: float, concurrency: int, sequential: bool, repeats: int
) -> None:
    proc, url = start_fake(latency)
    try:
        os.environ["ANTHROPIC_BASE_URL"] = url
        shell.user_ns["reviews"] = [f"review number {i}: fine product" for i in range(items)]
        # Warm up: the SDK import, client, model listing and connection set-up are one-off costs.
        shell.user_ns["warm"] = ["x"]
        run(shell, "%%claude --map warm -o _w\nLabel {item}")
        ideal = items / concurrency * latency
        cell = f"%%claude --map reviews -o labels --concurrency {concurrency}\nLabel {{item}}"
        # Repeated, because the machine is shared: the best run is the least disturbed one.
        walls = sorted(run(shell, cell) for _ in range(repeats))
        labels = shell.user_ns["labels"]
        assert len(labels) == items and all(labels), "every item answered"
        best, wall = walls[0], walls[len(walls) // 2]
        print(f"--map {items} items, latency {latency} s, concurrency {concurrency}:")
        print(
            f"  wall best {best:.2f} s / median {wall:.2f} s of {repeats} runs; ideal {ideal:.2f} s;"
            f" ratio {best / ideal:.2f}x / {wall / ideal:.2f}x (target <= 1.2x)"
        )
        if sequential:
            seq = run(
                shell,
                "%%claude --map reviews -o seq --concurrency 1\nLabel {item}",
            )
            print(f"  sequential loop (concurrency 1): {seq:.2f} s, speed-up {seq / wall:.1f}x")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bench_memory(shell: Any, items: int, concurrency: int) -> None:
    import gc

    proc, url = start_fake(0.0)
    try:
        os.environ["ANTHROPIC_BASE_URL"] = url
        shell.user_ns["warm"] = ["x"]
        run(shell, "%%claude --map warm -o _w\nLabel {item}")
        shell.user_ns["short"] = [f"item {i}" for i in range(items)]
        gc.collect()
        with PeakRSS() as rss:
            baseline = rss.proc.memory_info().rss
            wall = run(shell, f"%%claude --map short -o out --concurrency {concurrency}\n{{item}}")
        above = (rss.peak - baseline) / 2**20
        out = shell.user_ns["out"]
        assert len(out) == items and all(out), "every item answered"
        print(f"--map {items:,} short items, latency 0, concurrency {concurrency}:")
        print(f"  peak RSS {above:.1f} MB above baseline (target < 200 MB), wall {wall:.1f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--memory-items", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of the concurrent map")
    parser.add_argument(
        "--no-sequential", action="store_true", help="skip the 40 s sequential loop"
    )
    args = parser.parse_args()
    os.environ["ANTHROPIC_API_KEY"] = "sk-ant-api03-bench-" + "0" * 32
    import tempfile

    os.environ.setdefault("KURORYUU_CONFIG_DIR", tempfile.mkdtemp(prefix="kuroryuu-bench-"))
    shell = make_shell()
    shell.run_line_magic("config", "ClaudeMagics.show_usage = False")
    # The repeats send the same requests: measure the fan-out, not answer-cache hits.
    shell.run_line_magic("config", 'ClaudeMagics.answer_cache = "off"')
    bench_wall(
        shell, args.items, args.latency, args.concurrency, not args.no_sequential, args.repeats
    )
    bench_memory(shell, args.memory_items, args.concurrency)


if __name__ == "__main__":
    main()
