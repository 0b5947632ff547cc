"""The fault matrix (security.md items 15–18), in a real ipykernel against the fake API.

Every fault the fake injects × streaming on/off × memory on/off, asserted on what the
user sees (outputs, the one-line error) and on what the fake received (retries, the
next request's messages).  One kernel serves the whole module to keep it fast.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass

import pytest

from kuroryuu_magic.testing import FakeAnthropic, Fault, Reply
from kuroryuu_magic.testing._wire import split_text
from tests.kernels import CellRun, Kernel

pytestmark = pytest.mark.kernel

MODEL = "claude-sonnet-5-5"
ANSWER = "Quokkas thrive on Rottnest Island, eating leaves and grasses at dusk."
DELTAS = 6
STRIKE_AT = 3  # mid-stream faults hit after this many deltas
PARTIAL = "".join(split_text(ANSWER, DELTAS)[:STRIKE_AT])
INCOMPLETE_MARK = "[answer incomplete: the stream failed]"


@dataclass(frozen=True)
class Case:
    """One injected fault and what the user must see with streaming on and off."""

    fault: Fault
    streamed: str  # "recover" | "error" | "partial" | "complete"
    plain: str
    requests: int = 1  # POST /v1/messages the fake sees when the SDK recovers by retrying


CASES: dict[str, Case] = {
    "429-retry-after": Case(
        Fault("status", status=429, retry_after=0.1), "recover", "recover", requests=2
    ),
    "529": Case(Fault("status", status=529), "recover", "recover", requests=2),
    "500": Case(Fault("status", status=500), "recover", "recover", requests=2),
    "400": Case(
        Fault(
            "status",
            status=400,
            error_type="invalid_request_error",
            message="messages.0: bad thing",
            times=3,
        ),
        "error",
        "error",
    ),
    "401": Case(
        Fault(
            "status",
            status=401,
            error_type="authentication_error",
            message="invalid x-api-key",
            times=3,
        ),
        "error",
        "error",
    ),
    # More failures than the SDK's retries (max_retries=2): the user sees the last one.
    "429-exhausted": Case(
        Fault(
            "status",
            status=429,
            error_type="rate_limit_error",
            message="Number of requests has exceeded your rate limit",
            retry_after=0.05,
            times=3,
        ),
        "error",
        "error",
        requests=3,
    ),
    "529-exhausted": Case(
        Fault(
            "status",
            status=529,
            error_type="overloaded_error",
            message="Overloaded",
            retry_after=0.05,
            times=3,
        ),
        "error",
        "error",
        requests=3,
    ),
    # A plain request can't fail mid-stream: the fake answers 529, which the SDK retries.
    "midstream-error": Case(
        Fault("midstream_error", after_deltas=STRIKE_AT), "partial", "recover", requests=2
    ),
    # Dropped before a plain answer: a connection error, which the SDK retries.
    "drop": Case(Fault("drop", after_deltas=STRIKE_AT), "partial", "recover", requests=2),
    "slow-first-byte": Case(Fault("slow_first_byte", delay=0.4), "complete", "complete"),
    "slow-deltas": Case(Fault("slow_deltas", delay=0.05), "complete", "complete"),
}


def _copy(f: Fault) -> Fault:
    # Faults are consumed (``times`` counts down): each case gets a fresh one.
    return Fault(**{k: getattr(f, k) for k in f.__dataclass_fields__})


@pytest.fixture(autouse=True)
def clean(fresh_kernel: Kernel) -> None:
    # Several updates per stream even at the fake's pace.
    fresh_kernel.ok("%config ClaudeMagics.update_interval = 0.02")


def _magic(stream: bool, history: bool) -> str:
    line = f"%%claude -m {MODEL}"
    if not stream:
        line += " --no-stream"
    if not history:
        line += " --no-history"
    return line


def _alternates(messages: list[dict]) -> bool:
    roles = [m["role"] for m in messages]
    return (
        roles[0] == "user"
        and roles[-1] == "user"
        and all(a != b for a, b in itertools.pairwise(roles))
    )


def _content_text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if isinstance(b, dict))


def _assert_one_line_error(run: CellRun, server: FakeAnthropic) -> str:
    assert run.status == "error", run.text()
    assert run.error is not None and run.error["ename"] == "ClaudeAPIError", run.error
    evalue = run.error["evalue"]
    assert "\n" not in evalue and "Traceback" not in evalue
    assert len(run.error["traceback"]) == 1  # one short message, no traceback
    assert "Fix:" in evalue
    return evalue


@pytest.mark.parametrize("history", [True, False], ids=["memory", "no-memory"])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "no-stream"])
@pytest.mark.parametrize("name", list(CASES))
def test_fault(
    name: str, stream: bool, history: bool, server: FakeAnthropic, kernel: Kernel
) -> None:
    case = CASES[name]
    expect = case.streamed if stream else case.plain
    server.enqueue(_copy(case.fault))
    # Twice: the fake's plain "mid-stream" 529 consumes one Reply before the SDK retries.
    server.enqueue(Reply(text=ANSWER, deltas=DELTAS))
    server.enqueue(Reply(text=ANSWER, deltas=DELTAS))
    run = kernel.run(f"{_magic(stream, history)}\nTell me about quokkas.", timeout=60)
    shown = run.text("text/markdown")
    sent = server.messages_requests()

    if expect in ("recover", "complete"):
        assert run.status == "ok", run.text()
        assert shown.count(ANSWER) == 1, shown  # the whole answer, once (no duplication)
        assert "Incomplete" not in shown and "Interrupted" not in shown
        assert f"{MODEL} · " in shown  # the footer
        assert len(sent) == (case.requests if expect == "recover" else 1)
        if case.fault.retry_after:
            assert run.seconds >= case.fault.retry_after  # the SDK waited as told
        if case.fault.kind == "slow_first_byte":
            assert run.seconds >= case.fault.delay
        if case.fault.kind == "slow_deltas" and stream:
            assert run.updates >= 2  # it really streamed, slowly, into one display
    elif expect == "error":
        evalue = _assert_one_line_error(run, server)
        status, etype = case.fault.status, case.fault.error_type
        assert f"Claude API error {status} {etype}" in evalue
        assert case.fault.message in evalue  # the API's own words
        assert f"request id {sent[-1].request_id}" in evalue  # the id the server really sent
        assert len(sent) == case.requests  # 400/401 never retried; 429/529 up to max_retries
        left = [f.times for f in server.pending if isinstance(f, Fault)]
        remaining = case.fault.times - case.requests
        assert left == ([remaining] if remaining else [])  # nothing retried beyond that
        assert ANSWER not in shown
    else:  # partial
        assert run.status == "error", run.text()
        assert shown.count(PARTIAL) == 1, shown  # kept, exactly once
        assert ANSWER not in shown  # nothing after the strike was invented
        assert "Incomplete" in shown  # visibly marked
        assert len(sent) == 1  # a stream that started is not retried
        evalue = _assert_one_line_error(run, server)
        if case.fault.kind == "midstream_error":
            assert "overloaded_error" in evalue and f"request id {sent[0].request_id}" in evalue
        else:  # a dropped connection is named as such, not as "could not connect"
            assert "dropped mid-answer" in evalue and "could not connect" not in evalue
        assert kernel.ok("print(repr(_claude.text))").text().strip() == repr(PARTIAL)

    # The next cell works and the conversation is consistent: no orphan user turn.
    server.reset()  # drops what is left of a ``times=3`` fault
    kernel.ok(f"%%claude -m {MODEL}\nAnd then?")
    follow = server.messages_requests()[-1].body["messages"]
    assert _alternates(follow), follow
    if not history or expect == "error":
        assert len(follow) == 1  # nothing was recorded
    else:
        assert len(follow) == 3
        remembered = _content_text(follow[1])
        if expect == "partial":
            assert remembered.count(PARTIAL) == 1 and INCOMPLETE_MARK in remembered
        else:
            assert remembered == ANSWER


def test_no_request_carries_another_tools_identity(server: FakeAnthropic, kernel: Kernel) -> None:
    server.enqueue(Fault("status", status=529))
    kernel.ok(f"{_magic(True, True)}\nhello")
    kernel.ok(f"{_magic(False, True)}\nhello again")
    assert len(server.requests) >= 3
    for req in server.requests:
        ua = req.headers.get("user-agent", "").lower()
        beta = req.headers.get("anthropic-beta", "").lower()
        assert "claude-code" not in ua and "claude-cli" not in ua, ua
        assert "claude-code" not in beta and "oauth" not in beta, beta


def _threads(kernel: Kernel) -> int:
    return int(kernel.ok("import threading; print(threading.active_count())").text().strip())


def _interrupt_when(kernel: Kernel, ready: threading.Event, stamp: list[float]) -> threading.Thread:
    def go() -> None:
        ready.wait(15)
        time.sleep(0.3)
        stamp.append(time.monotonic())
        kernel.km.interrupt_kernel()

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "no-stream"])
def test_interrupt_returns_fast_closes_connection_and_next_cell_works(
    stream: bool, server: FakeAnthropic, kernel: Kernel
) -> None:
    kernel.ok(f"{_magic(True, True)}\nwarm up")  # pooled connection, client built
    baseline = _threads(kernel)
    disconnects = server.disconnects
    if stream:
        server.enqueue(Reply(text="slow " * 100, deltas=100, delta_delay=0.1))
    else:
        server.enqueue(Reply(text=ANSWER, first_byte_delay=10))
    ready, stamp = threading.Event(), []

    def watch(msg: dict) -> None:
        # Streaming: wait for the first streamed update; plain: the "Asking…" placeholder.
        wanted = "update_display_data" if stream else "display_data"
        if msg["msg_type"] == wanted:
            ready.set()

    stopper = _interrupt_when(kernel, ready, stamp)
    run = kernel.run(f"{_magic(stream, True)}\nTell me a long story", timeout=30, on_output=watch)
    ended = time.monotonic()
    stopper.join(5)
    assert stamp, "the cell ended before it could be interrupted"
    assert ended - stamp[0] < 2.0  # security.md 17
    assert run.status == "error" and "KeyboardInterrupt" in str(run.error["traceback"])
    assert len(run.error["traceback"]) == 1
    shown = run.text("text/markdown")
    if stream:
        assert "slow" in shown and "Interrupted" in shown  # partial kept and marked
    # The server saw the connection close.
    deadline = time.monotonic() + 3
    last = server.messages_requests()[-1]
    while time.monotonic() < deadline:
        last = server.messages_requests()[-1]
        if last.client_closed and (not stream or server.disconnects > disconnects):
            break
        time.sleep(0.05)
    assert last.client_closed
    if stream:
        assert server.disconnects > disconnects
    # No leaked thread; the next cell works and the conversation stays consistent.
    assert _threads(kernel) == baseline
    run = kernel.ok(f"{_magic(True, True)}\nAnd then?")
    assert "Fake Claude" in run.text("text/markdown")
    assert _alternates(server.messages_requests()[-1].body["messages"])
    # security.md 18: the user's own await cells still work in ipykernel's loop.
    out = kernel.ok("import asyncio\nawait asyncio.sleep(0)\nprint('loop ok')").text()
    assert out.strip() == "loop ok"


def test_async_cells_around_requests(server: FakeAnthropic, kernel: Kernel) -> None:
    """security.md 18: the magic works while the kernel's loop runs user coroutines."""
    kernel.ok("import asyncio\nasync def later():\n    await asyncio.sleep(0.01)\n    return 7")
    assert kernel.ok("print(await later())").text().strip() == "7"
    run = kernel.ok(f"{_magic(True, False)}\nhi")
    assert re.search(r"Fake Claude", run.text("text/markdown"))
    run = kernel.ok(
        "x = await later()\nfrom IPython import get_ipython\n"
        "get_ipython().run_cell_magic('claude', '--no-history', 'x is {x}')"
    )
    assert server.messages_requests()[-1].body["messages"][-1]["content"] == "x is 7"
    assert kernel.ok("print(await later())").text().strip() == "7"
