"""Soak: many sequential ``%%claude --no-history`` cells in one kernel against the fake API.

    python bench/soak.py            # the full 500-cell measurement
    python bench/soak.py --cells 100 --json soak.json

Prints the kernel's RSS growth, OS thread and open-fd counts before/after, and the
median cell time of the first and last 50 cells with their ratio.  Memory is off, so
every request is the same size: any slowdown or growth is ours.
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

MODEL = "claude-sonnet-5-5"
CELL = f"%%claude --no-history -m {MODEL}\nSay something short about soak tests."
WARMUP = 10  # imports, client creation, first connections: not part of the measurement
WINDOW = 50


@dataclass
class SoakReport:
    cells: int
    rss_before_mb: float
    rss_after_mb: float
    rss_growth_mb: float
    threads_before: int
    threads_after: int
    py_threads_before: int
    py_threads_after: int
    fds_before: int
    fds_after: int
    median_first_s: float
    median_last_s: float
    ratio: float
    total_s: float
    requests: int
    failed_cells: int

    def lines(self) -> list[str]:
        return [
            f"cells                 {self.cells} (+{WARMUP} warm-up), {self.total_s:.1f} s",
            f"kernel RSS            {self.rss_before_mb:.1f} → {self.rss_after_mb:.1f} MB "
            f"(growth {self.rss_growth_mb:+.1f} MB)",
            f"OS threads            {self.threads_before} → {self.threads_after}",
            f"Python threads        {self.py_threads_before} → {self.py_threads_after}",
            f"open fds              {self.fds_before} → {self.fds_after}",
            f"median cell, first {WINDOW} {self.median_first_s * 1000:.1f} ms",
            f"median cell, last {WINDOW}  {self.median_last_s * 1000:.1f} ms "
            f"(ratio {self.ratio:.2f})",
            f"requests seen         {self.requests}; failed cells {self.failed_cells}",
        ]


class _Kernel:
    """Just enough of jupyter_client to run cells and time them."""

    def __init__(self, env: dict[str, str]) -> None:
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.kernel_spec.argv = [  # this interpreter, whatever the installed spec says
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ]
        self.km.start_kernel(env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    @property
    def pid(self) -> int:
        return int(self.km.provisioner.pid)  # type: ignore[union-attr]

    def run(self, code: str, timeout: float = 60) -> tuple[bool, str]:
        """Execute ``code``; (ok, stdout) once the kernel is idle again."""
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False)
        deadline = time.monotonic() + timeout
        ok, out = True, []
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"cell did not finish in {timeout}s") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "error":
                ok = False
            elif kind == "stream":
                out.append(content["text"])
            elif kind == "status" and content["execution_state"] == "idle":
                return ok, "".join(out)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def _kernel_env(home: Path, fake_env: dict[str, str]) -> dict[str, str]:
    from tests.kernels import kernel_env  # the suite's one definition of an isolated kernel

    return kernel_env(home, fake_env)


def _snapshot(kernel: _Kernel) -> tuple[float, int, int, int]:
    """(RSS MB, OS threads, Python threads, open fds) of the kernel after a GC."""
    import psutil

    ok, out = kernel.run("import gc, threading; gc.collect(); print(threading.active_count())")
    if not ok:
        raise RuntimeError("snapshot cell failed")
    proc = psutil.Process(kernel.pid)
    # Steady state: IPython's history thread briefly opens the SQLite journal, so one
    # sample can show a transient fd; take the lowest of a few.
    threads, fds = [], []
    for _ in range(5):
        threads.append(proc.num_threads())
        fds.append(proc.num_fds())
        time.sleep(0.1)
    return proc.memory_info().rss / 2**20, min(threads), int(out.strip()), min(fds)


def run_soak(cells: int = 500, window: int = WINDOW) -> SoakReport:
    """Run ``cells`` sequential cells (after a warm-up) and measure the kernel."""
    from kuroryuu_magic.testing import FakeAnthropic

    if cells < 2 * window:
        raise ValueError(f"need at least {2 * window} cells for two windows of {window}")
    with FakeAnthropic() as fake, tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        kernel = _Kernel(_kernel_env(Path(tmp), fake.env()))
        try:
            kernel.run("%load_ext kuroryuu_magic")
            for _ in range(WARMUP):
                kernel.run(CELL)
            rss0, thr0, py0, fd0 = _snapshot(kernel)
            fake.reset()
            times: list[float] = []
            failed = 0
            started = time.perf_counter()
            for _ in range(cells):
                t0 = time.perf_counter()
                ok, _ = kernel.run(CELL)
                times.append(time.perf_counter() - t0)
                failed += not ok
            total = time.perf_counter() - started
            rss1, thr1, py1, fd1 = _snapshot(kernel)
            requests = len(fake.messages_requests())
        finally:
            kernel.close()
    first, last = statistics.median(times[:window]), statistics.median(times[-window:])
    return SoakReport(
        cells=cells,
        rss_before_mb=rss0,
        rss_after_mb=rss1,
        rss_growth_mb=rss1 - rss0,
        threads_before=thr0,
        threads_after=thr1,
        py_threads_before=py0,
        py_threads_after=py1,
        fds_before=fd0,
        fds_after=fd1,
        median_first_s=first,
        median_last_s=last,
        ratio=last / first,
        total_s=total,
        requests=requests,
        failed_cells=failed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    report = run_soak(args.cells)
    print("\n".join(report.lines()))
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2))
    bad = (
        report.rss_growth_mb > 30
        or report.threads_after > report.threads_before
        or report.fds_after > report.fds_before
        or report.ratio > 1.2
        or report.failed_cells
    )
    print("verdict               " + ("OUTSIDE the targets" if bad else "within the targets"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
