"""One offline-demo fake API per kernel, started on demand and stopped with the extension."""

from __future__ import annotations

import threading

from ..testing import FakeAnthropic
from .answers import demo_reply

DEMO_SOURCE = "offline demo (a local fake of the API; no request reaches Anthropic)"

_lock = threading.Lock()
_fake: FakeAnthropic | None = None


def start() -> FakeAnthropic:
    """The running demo fake, started on first call (binds 127.0.0.1 only)."""
    global _fake
    with _lock:
        if _fake is None:
            fake = FakeAnthropic()
            fake.answer_hook = demo_reply
            _fake = fake.start()
        return _fake


def running() -> FakeAnthropic | None:
    return _fake


def stop() -> bool:
    """Stop the demo fake; ``True`` if one was running."""
    global _fake
    with _lock:
        fake, _fake = _fake, None
    if fake is None:
        return False
    fake.stop()
    return True
