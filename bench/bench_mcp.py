"""Benchmark: one MCP tool call's round trip vs the same tool called in-process.

A real kernel holds the ``longley`` data (statsmodels); the official MCP client
(``mcp.client.stdio``) calls ``describe`` and ``null_counts`` through
``python -m kuroryuu_magic.mcp`` N times, and the same ``run_tool`` calls run
in-process (in this process, on the same frame) N times, interleaved.  Reports
the medians and the difference: what MCP + the kernel's messaging add.

    python bench/bench_mcp.py [--calls 50]

Goal: at most 20 ms extra per call (median).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kuroryuu_magic.tools import run_tool
from tests.kernels import kernel_env, start_kernel

GOAL_MS = 20.0
CALLS = {"describe": {"name": "longley"}, "null_counts": {"name": "longley"}}
SETUP = "from statsmodels.datasets import longley\nlongley = longley.load_pandas().data"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--calls", type=int, default=50)
    n = p.parse_args().calls
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client
    from statsmodels.datasets import longley

    namespace = {"longley": longley.load_pandas().data}
    home = Path(__import__("tempfile").mkdtemp(prefix="bench-mcp-"))
    with start_kernel(kernel_env(home)) as kernel:
        kernel.ok(SETUP)
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "kuroryuu_magic.mcp", "--connection-file", kernel.km.connection_file],
        )
        timings: dict[str, dict[str, list[float]]] = {t: {"mcp": [], "local": []} for t in CALLS}

        async def run() -> None:
            async with stdio_client(params) as (r, w), ClientSession(r, w) as s:
                await s.initialize()
                for tool, args in CALLS.items():  # warm: imports in the kernel and here
                    await s.call_tool(tool, args)
                    run_tool(tool, args, namespace, max_chars=4000, schema_only=False)
                for _ in range(n):
                    for tool, args in CALLS.items():
                        t0 = time.perf_counter()
                        remote = await s.call_tool(tool, args)
                        t1 = time.perf_counter()
                        local = run_tool(tool, args, namespace, max_chars=4000, schema_only=False)
                        t2 = time.perf_counter()
                        assert remote.content[0].text == local.text, tool  # the same answer
                        timings[tool]["mcp"].append((t1 - t0) * 1000)
                        timings[tool]["local"].append((t2 - t1) * 1000)

        anyio.run(run)
    worst = 0.0
    for tool, t in timings.items():
        mcp_ms, local_ms = statistics.median(t["mcp"]), statistics.median(t["local"])
        extra = mcp_ms - local_ms
        worst = max(worst, extra)
        print(
            f"{tool:<12} MCP round trip median {mcp_ms:7.2f} ms   in-process {local_ms:7.2f} ms   "
            f"extra {extra:6.2f} ms   ({n} calls each)"
        )
    verdict = "within" if worst <= GOAL_MS else "OVER"
    print(f"worst extra {worst:.2f} ms: {verdict} the {GOAL_MS:g} ms goal")
    return 0 if worst <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
