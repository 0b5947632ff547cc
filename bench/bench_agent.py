"""Tool-loop overhead: a 5-round investigation against the fake, in a real kernel.

    python bench/bench_agent.py [--repeats 7] [--rounds 5]

The fake answers with zero latency: five answers that each call one cheap
tool (``null_counts`` on a 4-row frame), then a final text.  Measured side by
side in the same kernel:

- ``ours``: ``%%claude --tools`` — the loop, the step display, the streamed
  view, caching marks, usage tally, the tool dispatch and the tool itself;
- ``bare``: the SDK alone doing the same requests on the same client
  (``messages.stream`` with the same tool definitions, the transcript grown by hand, a fixed tool
  result string, nothing displayed).

Our code's wall time per round = (ours - bare) / requests.  Target <= 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuroryuu_magic.testing import FakeAnthropic, Reply  # noqa: E402
from tests.kernels import kernel_env, start_kernel  # noqa: E402

MODEL = "claude-sonnet-5-5"

SETUP = """
import time, pandas as pd
from kuroryuu_magic.ask.client import get_client
from kuroryuu_magic.tools import tool_definitions
df = pd.DataFrame({'a': [1, 2, None, 4], 'b': list('wxyz')})
_client = get_client(timeout=600.0, max_retries=2)  # the very client the magic uses
_tools = tool_definitions()
"""

OURS = """
_t = time.perf_counter()
get_ipython().run_cell_magic('claude', '--tools --no-history -m {model}', 'bench')
print('SECONDS', time.perf_counter() - _t)
"""

BARE = """
_t = time.perf_counter()
_msgs = [{{'role': 'user', 'content': 'bench'}}]
while True:
    with _client.messages.stream(model={model!r}, max_tokens=4096, messages=_msgs,
                                 tools=_tools) as _s:
        for _e in _s:
            pass
        _m = _s.get_final_message()
    _uses = [b for b in _m.content if b.type == 'tool_use']
    if not _uses:
        break
    _msgs.append({{'role': 'assistant', 'content': [b.to_dict() for b in _m.content]}})
    _msgs.append({{'role': 'user', 'content': [
        {{'type': 'tool_result', 'tool_use_id': u.id, 'content': 'a: 1 null'}} for u in _uses]}})
print('SECONDS', time.perf_counter() - _t)
"""


def script(fake: FakeAnthropic, rounds: int) -> None:
    for _ in range(rounds):
        fake.enqueue(Reply.call("null_counts", {"name": "df"}, text="Checking the nulls."))
    fake.enqueue(Reply(text="Column a has one null; nothing else is odd."))


def seconds(run) -> float:
    for line in run.text().splitlines():
        if line.startswith("SECONDS"):
            return float(line.split()[1])
    raise RuntimeError(run.text()[-800:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    requests = args.rounds + 1
    with FakeAnthropic() as fake, tempfile.TemporaryDirectory() as home:
        env = kernel_env(Path(home), fake.env())
        with start_kernel(env) as kernel:
            kernel.ok("%load_ext kuroryuu_magic\n%config ClaudeMagics.warm_up = False")
            kernel.ok(SETUP)
            ours, bare = [], []
            for i in range(args.repeats + 1):  # the first pair warms imports and connections
                script(fake, args.rounds)
                o = seconds(kernel.ok(OURS.format(model=MODEL)))
                script(fake, args.rounds)
                b = seconds(kernel.ok(BARE.format(model=MODEL)))
                if i:
                    ours.append(o)
                    bare.append(b)
            assert not fake.errors, fake.errors
    o, b = statistics.median(ours), statistics.median(bare)
    print(
        f"{args.rounds} tool rounds + final answer = {requests} requests, median of {args.repeats}"
    )
    print(
        f"  ours (%%claude --tools): {o * 1000:7.1f} ms  ({o / requests * 1000:.1f} ms per request)"
    )
    print(
        f"  bare SDK loop:           {b * 1000:7.1f} ms  ({b / requests * 1000:.1f} ms per request)"
    )
    per_round = (o - b) / requests * 1000
    print(f"  our code per round:      {per_round:7.1f} ms  (target <= 20 ms)  ratio {o / b:.2f}")


if __name__ == "__main__":
    main()
