"""A local fake of the Anthropic API (and Claude OAuth) for tests and demos.

    from kuroryuu_magic.testing import FakeAnthropic, Fault, Reply

    with FakeAnthropic() as fake:
        os.environ.update(fake.env())
        fake.enqueue(Reply(text="Hello", deltas=5))

Stdlib only; binds 127.0.0.1. Run standalone with ``python -m kuroryuu_magic.testing``.
"""

from __future__ import annotations

from .faults import Fault, RawResponse, Reply, ToolCall
from .server import FakeAnthropic, RecordedRequest, fake_anthropic

__all__ = [
    "FakeAnthropic",
    "Fault",
    "RawResponse",
    "RecordedRequest",
    "Reply",
    "ToolCall",
    "fake_anthropic",
]
