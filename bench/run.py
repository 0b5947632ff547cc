"""Foundation benchmarks, measured side by side in one run on this machine.

    python bench/run.py [--repeats 5]

1. ``%load_ext kuroryuu_magic``: median wall time over fresh processes
   (target <= 50 ms), beside ``%load_ext autoreload`` as a floor.
2. A ``%%claude`` cell streaming a 2,500-delta answer from the fake, in a real
   kernel, divided by a bare SDK streaming loop that displays once, in the same
   kernel (target <= 1.10), and the number of front-end messages the cell sent
   (target: about 10 per second of streaming, never one per delta).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuroryuu_magic.testing import FakeAnthropic, Reply  # noqa: E402
from tests.kernels import kernel_env, start_kernel  # noqa: E402

LOAD_PROBE = """
import time
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
t = time.perf_counter()
ip.run_line_magic("load_ext", {ext!r})
print((time.perf_counter() - t) * 1000)
"""

BARE_LOOP = """
import time, anthropic
from IPython.display import Markdown, display
_t = time.perf_counter()
_client = anthropic.Anthropic()
with _client.messages.stream(model="claude-sonnet-5-5", max_tokens=4096,
                             messages=[{"role": "user", "content": "bench"}]) as _s:
    _parts = [t for t in _s.text_stream]
display(Markdown("".join(_parts)))
_elapsed = time.perf_counter() - _t
"""

# Timed inside the kernel, so both sides include publishing their display messages
# over ZMQ and neither includes this script's reading of them.
MAGIC_CELL = """
import time
_t = time.perf_counter()
get_ipython().run_cell_magic("claude", "-m claude-sonnet-5-5 --no-history", "bench")
_elapsed = time.perf_counter() - _t
"""
READ_ELAPSED = "print(_elapsed)"


def load_ext_ms(ext: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", LOAD_PROBE.format(ext=ext)],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def streaming(repeats: int, deltas: int) -> dict[str, float]:
    text = "word " * deltas
    with FakeAnthropic() as fake, tempfile.TemporaryDirectory() as home:
        env = kernel_env(Path(home), fake.env())
        with start_kernel(env) as kernel:
            kernel.ok("%load_ext kuroryuu_magic")
            kernel.ok("%claude -m claude-sonnet-5-5 --no-history warm up")
            bare, magic, updates = [], [], []
            for _ in range(repeats):  # interleaved, so drift hits both sides alike
                fake.enqueue(Reply(text=text, deltas=deltas))
                kernel.ok(BARE_LOOP)
                bare.append(float(kernel.ok(READ_ELAPSED).text()))
                fake.enqueue(Reply(text=text, deltas=deltas))
                run = kernel.ok(MAGIC_CELL)
                magic.append(float(kernel.ok(READ_ELAPSED).text()))
                updates.append(run.updates)
    m_bare, m_magic = statistics.median(bare), statistics.median(magic)
    return {
        "bare_s": m_bare,
        "magic_s": m_magic,
        "ratio": m_magic / m_bare,
        "updates": statistics.median(updates),
        "updates_per_s": statistics.median(updates) / m_magic,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--deltas", type=int, default=2500)
    args = parser.parse_args()

    ours = load_ext_ms("kuroryuu_magic", args.repeats)
    floor = load_ext_ms("autoreload", args.repeats)
    print(
        f"%load_ext kuroryuu_magic: {ours:.1f} ms median of {args.repeats} fresh processes (target <= 50 ms)"
    )
    print(f"%load_ext autoreload:      {floor:.1f} ms (IPython's own extension, for scale)")

    s = streaming(args.repeats, args.deltas)
    print(
        f"{args.deltas:,}-delta answer in a real kernel: %%claude {s['magic_s']:.3f} s, "
        f"bare SDK loop + one display {s['bare_s']:.3f} s, ratio {s['ratio']:.3f} (target <= 1.10)"
    )
    print(
        f"front-end messages for that answer: {s['updates']:.0f} display updates "
        f"({s['updates_per_s']:.1f} per second of streaming; target ~10/s, never one per delta)"
    )


if __name__ == "__main__":
    main()
