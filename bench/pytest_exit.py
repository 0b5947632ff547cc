"""How long pytest takes to *exit* after printing its summary line.

    python bench/pytest_exit.py                       # tests/test_magic.py and friends
    python bench/pytest_exit.py tests/test_x.py ...   # any pytest arguments

Runs ``python -m pytest -q -p no:randomly ARGS`` in a subprocess, timestamps each
line of its output as it arrives, and prints three figures: the time to the
summary line (``N passed in …``), the time from that line to the process's exit,
and their ratio.  What runs after the summary is interpreter shutdown: ``atexit``
handlers (an IPython ``InteractiveShell`` registers one that resets the shell and
runs a full garbage collection) and finalizers.  The suite's own fixtures decide
how much of that there is; the figure is for comparing two trees side by side.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

DEFAULT = [
    "tests/test_magic.py",
    "tests/test_bounds_magic.py",
    "tests/test_inputfix.py",
    "tests/test_magic_context.py",
]
SUMMARY = re.compile(r"\b(passed|failed|error|errors|skipped|no tests ran)\b.* in [0-9.]+s")


def measure(args: list[str]) -> tuple[float, float, int]:
    """(seconds to the summary line, seconds from it to exit, pytest's exit code)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    summary_at = None
    for line in proc.stdout:
        if SUMMARY.search(line):
            summary_at = time.perf_counter()
        if summary_at is not None or line.startswith(("FAILED", "ERROR")):
            print(line.rstrip())  # what failed, the summary, and anything printed after it
    code = proc.wait()
    ended = time.perf_counter()
    if summary_at is None:
        raise SystemExit(f"pytest printed no summary line (exit code {code})")
    return summary_at - started, ended - summary_at, code


def main() -> None:
    args = sys.argv[1:] or DEFAULT
    to_summary, to_exit, code = measure(args)
    print(f"to summary: {to_summary:.1f} s; summary to exit: {to_exit:.1f} s", end="")
    print(f" ({to_exit / to_summary:.2f} of the run); pytest exit code {code}")


if __name__ == "__main__":
    main()
