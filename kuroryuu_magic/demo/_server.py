"""One offline-demo fake API per kernel session, started on demand, stopped with the extension."""

from __future__ import annotations

import threading

from ..core.session import session_for
from ..testing import FakeAnthropic
from ._answers import demo_reply

DEMO_SOURCE = "offline demo (a local fake of the API; no request reaches Anthropic)"


class DemoServer:
    """The session's demo fake (``None`` until ``%claude demo``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fake: FakeAnthropic | None = None


def start() -> FakeAnthropic:
    """The running demo fake, started on first call (binds 127.0.0.1 only)."""
    state = session_for().state(DemoServer)
    with state.lock:
        if state.fake is None:
            fake = FakeAnthropic()
            fake.answer_hook = demo_reply
            state.fake = fake.start()
        return state.fake


def running() -> FakeAnthropic | None:
    state = session_for().peek(DemoServer)
    return state.fake if state is not None else None


def stop() -> bool:
    """Stop the demo fake; ``True`` if one was running."""
    state = session_for().peek(DemoServer)
    if state is None:
        return False
    with state.lock:
        fake, state.fake = state.fake, None
    if fake is None:
        return False
    fake.stop()
    return True
