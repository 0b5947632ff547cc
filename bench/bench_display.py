"""Display traffic of a streamed answer, in a real kernel against the fake API.

    python bench/bench_display.py [--rate 4000] [--sizes 2000,20000,200000]

For Markdown answers of 2 KB, 20 KB and 200 KB streamed at ``--rate``
characters a second in 16-character deltas, counts the iopub messages that
carry the answer (``display_data`` and ``update_display_data``) and their
bytes, and divides by the answer's final rendered size: the data of the
outputs left on the page at the end (what one display of the finished answer
would publish).  Target: iopub bytes <= 4x the final size, for every size.

Two byte counts are shown: ``content`` (the JSON of each message's content,
i.e. the data the design controls) and ``wire`` (header, parent header and
metadata too, as sent over ZMQ).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuroryuu_magic.testing import FakeAnthropic, Reply  # noqa: E402
from tests.kernels import kernel_env, start_kernel  # noqa: E402

DELTA_CHARS = 16
MODEL = "claude-sonnet-5-5"


def answer_of(size: int) -> str:
    """Markdown like a long answer: paragraphs, lists, code, tables, a little `$`."""
    blocks = [
        "## Section\n\nThe median price rose from $5 to $10 while the mean stayed near "
        + "the long-run level of the series, " * 6,
        "- first point about the data\n- second point, with `code`\n- third point",
        "```python\nsummary = df.groupby('region')['price'].agg(['mean', 'median'])\n"
        "summary.sort_values('mean')\n```",
        "| region | mean | median |\n|---|---|---|\n| north | $12.50 | $11 |\n| south | $9.80 | $9 |",
        "A formula for the spread: $\\sigma^2 = E[(X-\\mu)^2]$, and more prose follows here. " * 3,
    ]
    text, i = "", 0
    while len(text) < size:
        text += ("\n\n" if text else "") + blocks[i % len(blocks)]
        i += 1
    return text[:size].rstrip()


def measure(kernel: Any, fake: Any, size: int, rate: float) -> dict[str, float]:
    text = answer_of(size)
    deltas = max(1, len(text) // DELTA_CHARS)
    fake.enqueue(Reply(text=text, deltas=deltas, delta_delay=DELTA_CHARS / rate))
    counts = {"messages": 0, "content": 0, "wire": 0}

    def on_output(msg: dict[str, Any]) -> None:
        if msg["msg_type"] in ("display_data", "update_display_data"):
            counts["messages"] += 1
            counts["content"] += len(json.dumps(msg["content"]))
            counts["wire"] += sum(
                len(json.dumps(msg[k], default=str))
                for k in ("header", "parent_header", "metadata", "content")
            )

    run = kernel.run(
        # Above the default --max-tokens the fake (like the API) would cut a 200 KB answer short.
        f"%%claude -m {MODEL} --max-tokens 100000 --no-history\nbench",
        timeout=size / rate * 3 + 60,
        on_output=on_output,
    )
    if run.status != "ok":
        raise RuntimeError(run.text()[-500:])
    final = sum(len(json.dumps(out["data"])) for out in run.outputs if "data" in out)
    return {"size": len(text), "final": final, "seconds": run.seconds, **counts}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=4000.0, help="characters per second")
    parser.add_argument("--sizes", default="2000,20000,200000")
    args = parser.parse_args()
    with FakeAnthropic() as fake, tempfile.TemporaryDirectory() as home:
        env = kernel_env(Path(home), fake.env())
        with start_kernel(env) as kernel:
            kernel.ok("%load_ext kuroryuu_magic")
            kernel.ok(f"%claude -m {MODEL} --no-history warm up")
            print(f"streamed at {args.rate:,.0f} characters/s in {DELTA_CHARS}-character deltas")
            for size in (int(s) for s in args.sizes.split(",")):
                r = measure(kernel, fake, size, args.rate)
                print(
                    f"{r['size']:>8,} chars: {r['messages']:>5.0f} display messages in "
                    f"{r['seconds']:.1f} s; final output {r['final']:>9,.0f} B; "
                    f"iopub content {r['content']:>10,.0f} B = {r['content'] / r['final']:.2f}x, "
                    f"wire {r['wire']:>10,.0f} B = {r['wire'] / r['final']:.2f}x (target <= 4x)"
                )


if __name__ == "__main__":
    main()
