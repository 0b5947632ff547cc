"""``%load_ext kuroryuu_magic`` in two trees, interleaved in one run.

    python bench/load_ext_side_by_side.py OLD_TREE NEW_TREE [--rounds 25]

Each round starts one fresh process per tree, alternating, with the tree as the
working directory (so ``import kuroryuu_magic`` finds that tree first); the
medians are compared as a ratio, so the machine's load falls on both alike.
Make OLD_TREE with ``git worktree add --detach /tmp/old REV``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

PROBE = """
import time
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
t = time.perf_counter()
ip.run_line_magic("load_ext", "kuroryuu_magic")
print((time.perf_counter() - t) * 1000)
"""


def once(tree: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tree, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    times: dict[str, list[float]] = {args.old: [], args.new: []}
    for _ in range(args.rounds):
        for tree in times:
            times[tree].append(once(tree))
    old, new = (statistics.median(times[t]) for t in (args.old, args.new))
    for tree, label in ((args.old, "old"), (args.new, "new")):
        print(f"{label} {tree}: median {statistics.median(times[tree]):.1f} ms")
    print(f"new / old: {new / old:.2f} (target: new <= 50 ms)")


if __name__ == "__main__":
    main()
