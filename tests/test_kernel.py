"""`%%claude` in a real ipykernel, talking to the fake API over loopback."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from kuroryuu_magic.testing import FakeAnthropic, Fault, Reply
from tests.kernels import Kernel

pytestmark = pytest.mark.kernel


@pytest.fixture(autouse=True)
def clean(fresh_kernel: Kernel) -> None:
    """Each test starts with a reset fake and no threads (conftest's ``fresh_kernel``)."""


def alternates(messages: list[dict]) -> bool:
    roles = [m["role"] for m in messages]
    return (
        roles[0] == "user"
        and roles[-1] == "user"
        and all(a != b for a, b in itertools.pairwise(roles))
    )


def test_streamed_answer_renders_markdown_with_footer(
    server: FakeAnthropic, kernel: Kernel
) -> None:
    server.enqueue(Reply(text="**Bold** answer about {x}", deltas=40, delta_delay=0.01))
    run = kernel.ok("x = 41\n")
    run = kernel.ok("%%claude -m claude-sonnet-4-6\nWhat is {x}?")
    markdown = run.text("text/markdown")
    assert "**Bold** answer about {x}" in markdown
    assert "▍" not in markdown  # the streaming cursor is gone from the final state
    assert "claude-sonnet-4-6" in markdown and " in / " in markdown and " s" in markdown
    assert run.updates >= 1  # it really streamed into the same display
    assert server.messages_requests()[-1].body["messages"][-1]["content"] == "What is 41?"


def test_display_updates_are_coalesced(server: FakeAnthropic, kernel: Kernel) -> None:
    server.enqueue(Reply(text="word " * 300, deltas=300, delta_delay=0.002))
    run = kernel.ok("%%claude --no-history\nlong please")
    # 300 deltas over ~0.6 s+ at 10 updates/s: a handful of updates, never one per delta.
    assert run.updates <= run.seconds * 10 + 5, (run.updates, run.seconds)
    assert run.text("text/markdown").count("word") == 300


def test_interrupt_keeps_partial_answer_and_conversation(
    server: FakeAnthropic, kernel: Kernel
) -> None:
    server.enqueue(Reply(text="slow " * 100, deltas=100, delta_delay=0.1))
    threads_before = kernel.ok("import threading; print(threading.active_count())").text()
    disconnects_before = server.disconnects
    first_update = threading.Event()

    def watch(msg: dict) -> None:
        if msg["msg_type"] == "update_display_data":
            first_update.set()

    def interrupt() -> None:
        first_update.wait(10)
        time.sleep(0.3)
        kernel.km.interrupt_kernel()

    stopper = threading.Thread(target=interrupt)
    stopper.start()
    started = time.monotonic()
    run = kernel.run("%%claude\nTell me a long story", timeout=30, on_output=watch)
    interrupted_after = time.monotonic() - started
    stopper.join()
    assert run.status == "error" and "KeyboardInterrupt" in run.error["ename"] + run.error[
        "evalue"
    ] + str(run.error["traceback"])
    assert (
        interrupted_after < 8
    )  # the full answer would take 10 s; it stopped right after the interrupt
    assert "Interrupted" in run.text("text/markdown")
    assert "slow" in run.text("text/markdown")
    deadline = time.monotonic() + 3
    while server.disconnects == disconnects_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.disconnects > disconnects_before  # the server saw the connection close
    assert kernel.ok("import threading; print(threading.active_count())").text() == threads_before

    kernel.ok("%%claude\nAnd then?")
    messages = server.messages_requests()[-1].body["messages"]
    assert alternates(messages)
    assert "[answer interrupted]" in messages[1]["content"]
    assert (
        kernel.ok("import asyncio\nawait asyncio.sleep(0)\nprint('loop ok')").text().strip()
        == "loop ok"
    )


def test_midstream_error_keeps_partial_and_reports_request_id(
    server: FakeAnthropic, kernel: Kernel
) -> None:
    server.enqueue(Reply(text="partial words here and more", deltas=5))
    server.enqueue(Fault("midstream_error", after_deltas=2))
    run = kernel.run("%%claude\nfirst")
    assert run.status == "ok"
    run = kernel.run("%%claude\nsecond")
    assert run.status == "error"
    assert run.error["ename"] == "ClaudeAPIError"
    assert "overloaded_error" in run.error["evalue"] and "request id req_" in run.error["evalue"]
    assert len(run.error["traceback"]) == 1  # one short message, no traceback
    assert "Incomplete" in run.text("text/markdown")
    kernel.ok("%%claude\nthird")
    messages = server.messages_requests()[-1].body["messages"]
    assert alternates(messages) and len(messages) == 5


def test_rate_limit_is_retried_by_the_sdk(server: FakeAnthropic, kernel: Kernel) -> None:
    server.enqueue(Fault("status", status=429, retry_after=0.1, times=1))
    run = kernel.ok("%%claude --no-history\nhello")
    assert "Fake Claude" in run.text("text/markdown")
    assert len(server.messages_requests()) == 2


def test_auth_error_is_one_line_and_not_retried(server: FakeAnthropic, kernel: Kernel) -> None:
    server.enqueue(Fault("status", status=401, times=3))
    run = kernel.run("%%claude --no-history\nhello")
    assert run.status == "error" and run.error["ename"] == "ClaudeAPIError"
    assert (
        "401 authentication_error" in run.error["evalue"] and "%claude setup" in run.error["evalue"]
    )
    assert len(server.messages_requests()) == 1


def test_code_format_fills_the_next_cell(server: FakeAnthropic, kernel: Kernel) -> None:
    server.enqueue(Reply(text="Here:\n```python\nprint('hi')\n```\n"))
    run = kernel.ok("%%claude -f code -o snippet\nprint hi")
    assert any(
        p.get("source") == "set_next_input" and p.get("text") == "print('hi')" for p in run.payload
    )
    assert (
        kernel.ok("print(snippet == _claude.text, _claude.code)").text().strip()
        == "True print('hi')"
    )


def test_json_format_parses_into_out_variable(server: FakeAnthropic, kernel: Kernel) -> None:
    server.enqueue(Reply(text='```json\n{"rows": 3, "ok": true}\n```'))
    kernel.ok("%%claude -f json -o info\nsummarise")
    assert kernel.ok("print(info['rows'], info['ok'])").text().strip() == "3 True"


def test_usage_errors_are_one_line(kernel: Kernel) -> None:
    run = kernel.run("%%claude --bogus\nhi")
    # IPython prints a UsageError to stderr as one line instead of a traceback.
    stderr = "".join(
        o["text"] for o in run.outputs if o["type"] == "stream" and o["name"] == "stderr"
    )
    assert run.status == "error"
    assert (
        stderr.strip() == "UsageError: Unknown option --bogus. See `%claude help`."
        or stderr.startswith("UsageError: %%claude: unrecognized arguments: --bogus")
    ), stderr
    assert stderr.strip().count("\n") == 0 and "Traceback" not in stderr
