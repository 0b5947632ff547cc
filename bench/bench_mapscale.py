"""Labelling at scale (issue 14), against the fake API (run: ``python bench/bench_mapscale.py``).

1. ``--map`` over 10,000 items with ``--schema`` (answers validated, stored in
   the answer cache, laid out as a DataFrame) beside a bare ``AsyncAnthropic``
   loop sending the same 10,000 requests at the same concurrency, in one run;
   target <= 1.2x.  Peak RSS of the ``--map`` run above its baseline (< 200 MB).
   The fake runs in a subprocess so it neither shares our GIL nor our memory.
2. Resume: a 2,000-item run interrupted (SIGINT) at about half; the re-run sends
   only the missing items (counted at the fake) in proportionally less time.
3. The ``--dry-run`` estimate of input tokens against the actual input tokens of
   1,000 items of varied length (target within 10 %).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import re
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_map import PeakRSS, make_shell, run, start_fake  # noqa: E402

SCHEMA_CELL = """
import pydantic, enum
class Sentiment(str, enum.Enum):
    pos = "pos"
    neg = "neg"
    mixed = "mixed"
class Label(pydantic.BaseModel):
    sentiment: Sentiment
    stars: int
    tags: list[str]
"""


def _reviews(n: int) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {"text": [f"review {i}: the battery lasts and the screen is fine" for i in range(n)]},
        index=pd.RangeIndex(1000, 1000 + n),
    )


def bench_schema_map(shell: Any, items: int, concurrency: int, latency: float) -> None:
    proc, url = start_fake(latency)
    try:
        os.environ["ANTHROPIC_BASE_URL"] = url
        shell.run_cell(SCHEMA_CELL).raise_error()
        shell.user_ns["warm"] = ["x"]
        run(shell, "%%claude --map warm -o _w --schema Label\nLabel {item}")
        shell.user_ns["reviews"] = _reviews(items)
        cell = (
            f"%%claude --map reviews -o labels --schema Label --concurrency {concurrency}\n"
            "Label this review: {row.text}"
        )
        with PeakRSS() as rss:
            baseline = rss.proc.memory_info().rss
            magic_wall = run(shell, cell)
        labels = shell.user_ns["labels"]
        assert len(labels) == items and labels["_error"].isna().all(), "every item labelled"
        # The bare loop: the same requests (taken from the magic's own building, so the
        # bodies are identical), the SDK's AsyncAnthropic, a semaphore of the same size.
        from kuroryuu_magic.ask.run import effective_settings
        from kuroryuu_magic.magic._options import parse_cell_line
        from kuroryuu_magic.magic._prompting import request_of
        from kuroryuu_magic.map.magic import ItemPrompts, MapInput

        magics = shell.magics_manager.registry["ClaudeMagics"]
        opts = request_of(
            magics,
            parse_cell_line(f"--map reviews -o labels --schema Label --concurrency {concurrency}"),
        )
        settings = effective_settings(shell, opts)
        model = labels.attrs.get("model") or shell.user_ns["_claude"].model
        prompts = ItemPrompts(shell, opts, "Label this review: {row.text}", settings, model)
        requests = [
            prompts.request(*p) for p in MapInput("reviews", shell.user_ns["reviews"]).pairs()
        ]
        bare_wall = asyncio.run(_bare_loop(requests, concurrency))
        print(
            f"--map {items:,} items with --schema, concurrency {concurrency}, latency {latency} s:"
        )
        print(
            f"  --map {magic_wall:.2f} s · bare AsyncAnthropic loop {bare_wall:.2f} s · "
            f"ratio {magic_wall / bare_wall:.2f}x (target <= 1.2x)"
        )
        print(f"  peak RSS {(rss.peak - baseline) / 2**20:.1f} MB above baseline (target < 200 MB)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _bare_loop(requests: list[dict[str, Any]], concurrency: int) -> float:
    import anthropic

    client = anthropic.AsyncAnthropic(max_retries=2)
    gate = asyncio.Semaphore(concurrency)

    async def one(request: dict[str, Any]) -> Any:
        async with gate:
            message = await client.messages.create(**request)
            return message.content[0].text

    start = time.perf_counter()
    answers = await asyncio.gather(*(one(r) for r in requests))
    wall = time.perf_counter() - start
    await client.close()
    assert len(answers) == len(requests)
    return wall


def bench_resume(shell: Any, items: int, concurrency: int) -> None:
    from kuroryuu_magic.testing import FakeAnthropic

    with FakeAnthropic() as fake:
        fake.configure(latency=0.01)
        os.environ.update(fake.env())
        shell.user_ns["docs"] = [f"document {i}" for i in range(items)]
        cell = f"%%claude --map docs -o out --concurrency {concurrency}\nSummarise {{item}}"

        def interrupt_at_half() -> None:
            while len(fake.messages_requests()) < items // 2:
                time.sleep(0.01)
            os.kill(os.getpid(), signal.SIGINT)

        threading.Thread(target=interrupt_at_half, daemon=True).start()
        start = time.perf_counter()
        shell.run_cell(cell, silent=True)  # ends in ClaudeInterrupted
        first = time.perf_counter() - start
        sent_first = len(fake.messages_requests())
        done_first = sum(isinstance(v, str) for v in shell.user_ns["out"])
        fake.reset()
        fake.configure(latency=0.01)
        again = run(shell, cell)
        sent_again = len(fake.messages_requests())
        out = shell.user_ns["out"]
        assert len(out) == items and all(isinstance(v, str) for v in out)
        fake.reset()
        fake.configure(latency=0.01)
        full = run(shell, cell.replace("-o out", "-o full --fresh"))
        print(f"resume: {items:,} items, concurrency {concurrency}, interrupted at about half:")
        print(
            f"  first run {first:.2f} s, sent {sent_first:,}, {done_first:,} finished; "
            f"re-run sent {sent_again:,} (missing {items - done_first:,}) in {again:.2f} s; "
            f"a full run takes {full:.2f} s (re-run {again / full:.0%} of it)"
        )
        for name in fake.env():
            os.environ.pop(name, None)


def bench_estimate(shell: Any, items: int) -> None:
    from kuroryuu_magic.testing import FakeAnthropic

    with FakeAnthropic() as fake:
        os.environ.update(fake.env())
        lengths = [20 + (i * 7919) % 3000 for i in range(items)]  # 20 to 3,000 characters
        shell.user_ns["texts"] = [("word " * (n // 5 + 1))[:n] for n in lengths]
        cell = "%%claude --map texts -o out --concurrency 16 {flag}\nClassify: {{item}}"
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            run(shell, cell.format(flag="--dry-run"))
        match = re.search(r"input tokens: ~([\d,]+)", buffer.getvalue())
        assert match, buffer.getvalue()
        estimate = int(match.group(1).replace(",", ""))
        counted = len([r for r in fake.requests if r.path.endswith("/count_tokens")])
        run(shell, cell.format(flag="--fresh"))
        actual = shell.user_ns["_claude"].usage["input_tokens"]
        error = abs(estimate - actual) / actual
        print(f"estimate: {items:,} items of 20-3,000 characters, {counted} token counts:")
        print(
            f"  estimated {estimate:,} input tokens, actual {actual:,}: "
            f"off by {error:.1%} (target within 10 %)"
        )
        for name in fake.env():
            os.environ.pop(name, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--resume-items", type=int, default=2_000)
    parser.add_argument("--estimate-items", type=int, default=1_000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="kuroryuu-bench-")
    os.environ["KURORYUU_CONFIG_DIR"] = home  # a fresh answer cache, never the user's
    os.environ["ANTHROPIC_API_KEY"] = "sk-ant-api03-bench-" + "0" * 32
    shell = make_shell()
    shell.run_line_magic("config", "ClaudeMagics.show_usage = False")
    shell.run_line_magic("config", "ClaudeMagics.warm_up = False")
    bench_schema_map(shell, args.items, args.concurrency, args.latency)
    bench_resume(shell, args.resume_items, 8)
    bench_estimate(shell, args.estimate_items)


if __name__ == "__main__":
    main()
