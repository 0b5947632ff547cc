"""The tool loop and run_python's approval in a real ipykernel, against the fake.

The kernel is busy executing the cell while Claude's code waits for approval;
the approval is the kernel's stdin request (``input_request``), answered here
exactly as JupyterLab answers it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kuroryuu_magic.testing import Reply, ToolCall

SETUP = (
    "import pandas as pd\n"
    "df = pd.DataFrame({'id': [1, 2, 2, 3], 'grp': ['a', 'b', 'b', None], 'v': [0.5, 1.0, 1.0, 9.0]})\n"
)


def _code(sentinel: Path) -> str:
    return f"open({str(sentinel)!r}, 'w').write('ran')\nprint('approved run')\nlen(df)"


TALLY = (
    "_t = get_ipython().magics_manager.registry['ClaudeMagics'].session_usage.by_model.values()\n"
    "print('tally', sum(x.requests for x in _t), sum(x.output_tokens for x in _t))"
)


def _tally(kernel) -> tuple[int, int]:
    _, requests, output = kernel.ok(TALLY).text().split()
    return int(requests), int(output)


def test_loop_in_a_kernel_steps_results_usage_and_follow_up(fresh_kernel, server):
    fresh_kernel.ok(SETUP)
    before = _tally(fresh_kernel)
    server.enqueue(Reply.call("duplicates", {"name": "df"}, text="Checking duplicates."))
    server.enqueue(
        Reply(
            text="",
            tool_calls=[
                ToolCall("value_counts", {"name": "df", "column": "grp"}),
                ToolCall("quantiles", {"name": "df", "column": "missing_col"}),
            ],
        )
    )
    server.enqueue(Reply(text="Row 2 is duplicated; grp has a null."))
    run = fresh_kernel.ok("%%claude --tools\nWhat is odd in df?")
    markdown = run.text("text/markdown")
    # The steps display sits above the answer and shows each call collapsed.
    assert markdown.index("duplicates(name=") < markdown.index("Row 2 is duplicated")
    assert markdown.count("<details") == 3 and "error" in markdown
    assert "Checking duplicates." in markdown
    dup, counts, missing = server.tool_results
    assert "1" in dup["content"] and not dup["is_error"]
    assert "b" in counts["content"] and missing["is_error"]
    assert "missing_col" in missing["content"]
    assert "3 tool calls in 2 rounds" in run.text()
    after = _tally(fresh_kernel)
    answer_output = fresh_kernel.ok("print(_claude.usage['output_tokens'])").text().strip()
    assert after[0] - before[0] == 3  # every round counted in %claude usage
    assert after[1] - before[1] == int(answer_output) > 0
    server.enqueue(Reply(text="Yes, drop it."))
    fresh_kernel.ok("%%claude\nShould I drop the duplicate?")
    follow = server.messages_requests()[-1].body["messages"]
    assert [m["role"] for m in follow] == ["user", "assistant", "user"]
    assert "Row 2 is duplicated" in follow[1]["content"]


def test_max_rounds_in_a_kernel(fresh_kernel, server):
    fresh_kernel.ok(SETUP + "%config ClaudeMagics.max_tool_rounds = 1")
    server.enqueue(Reply.call("null_counts", {"name": "df"}))
    server.enqueue(Reply(text="Enough."))
    run = fresh_kernel.ok("%%claude --tools\nLook")
    fresh_kernel.ok("%config ClaudeMagics.max_tool_rounds = 12")
    assert "max_tool_rounds=1 reached" in run.text()
    assert server.messages_requests()[-1].body["tool_choice"] == {"type": "none"}


def test_interrupt_stops_within_two_seconds_and_keeps_the_words(fresh_kernel, server):
    fresh_kernel.ok(SETUP)
    server.enqueue(Reply.call("describe", {"name": "df"}, text="First I look."))
    server.enqueue(Reply(text="word " * 400, deltas=400, delta_delay=0.05))
    timer = threading.Timer(1.5, fresh_kernel.km.interrupt_kernel)
    started = time.monotonic()
    timer.start()
    run = fresh_kernel.run("%%claude --tools\nTell me everything", timeout=60)
    took = time.monotonic() - started
    assert took < 1.5 + 2.0 + 1.0, took
    assert "interrupted" in run.text().lower() and "Traceback" not in run.text()
    kept = fresh_kernel.ok("print(_claude.status, 'First I look.' in _claude.text)").text()
    assert "interrupted True" in kept


def test_run_python_approved_through_stdin_runs(fresh_kernel, server, tmp_path):
    fresh_kernel.ok(SETUP)
    sentinel = tmp_path / "approved.txt"
    server.enqueue(Reply.call("run_python", {"code": _code(sentinel)}))
    server.enqueue(Reply(text="It has 4 rows."))
    prompts: list[str] = []
    run = fresh_kernel.run(
        "%%claude --tools code\nCount rows", on_input=lambda p: prompts.append(p) or "y"
    )
    assert run.status == "ok", run.text()
    assert prompts == ["Run this code in your kernel? [y/N] "]
    assert sentinel.read_text() == "ran"
    plain = run.text("text/plain")
    assert _code(sentinel) in plain  # shown exactly, before the question
    # Claude's words after the approval are displayed below it, not above.
    assert plain.index("Claude wants to run") < plain.index("It has 4 rows.")
    [result] = server.tool_results
    assert "approved run" in result["content"] and "4" in result["content"]


def test_run_python_rejected_or_without_stdin_runs_nothing(fresh_kernel, server, tmp_path):
    fresh_kernel.ok(SETUP)
    rejected, no_stdin = tmp_path / "rejected.txt", tmp_path / "nostdin.txt"
    server.enqueue(Reply.call("run_python", {"code": _code(rejected)}))
    server.enqueue(Reply(text="Fine."))
    fresh_kernel.run("%%claude --tools code\nCount rows", on_input=lambda p: "n")
    server.enqueue(Reply.call("run_python", {"code": _code(no_stdin)}))
    server.enqueue(Reply(text="Fine."))
    fresh_kernel.ok("%%claude --tools code\nCount rows")  # allow_stdin=False, as nbclient runs
    assert not rejected.exists() and not no_stdin.exists()
    first, second = server.tool_results
    assert first["is_error"] and "declined by the user" in first["content"]
    assert second["is_error"] and "no stdin" in second["content"]
