"""What the cache stores for one answer, and what it reports about itself."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK is imported on first use
    from anthropic.types import Message

__all__ = ["STORABLE_STOP_REASONS", "CacheStats", "CachedAnswer"]

# An answer that ran to a natural end (or a limit the key already encodes).
# ``refusal`` and ``pause_turn`` are left out: asking again may well give more.
STORABLE_STOP_REASONS = frozenset(
    {"end_turn", "max_tokens", "stop_sequence", "tool_use", "model_context_window_exceeded"}
)


@dataclass(frozen=True)
class CachedAnswer:
    """One stored answer: what a display, a ``--map`` result and provenance need."""

    text: str
    content: list[dict[str, Any]]
    usage: dict[str, Any]
    model: str
    stop_reason: str
    request_id: str | None = None
    created: float = field(default_factory=time.time)

    @classmethod
    def from_message(cls, message: Message, *, request_id: str | None = None) -> CachedAnswer:
        """From an SDK ``Message`` (``create`` or a stream's ``get_final_message()``).

        ``request_id``: pass the stream's own when the message carries none.
        """
        blocks = [block.to_dict(mode="json") for block in message.content]
        text = "".join(b.text for b in message.content if b.type == "text")
        usage = message.usage.to_dict(mode="json") if message.usage is not None else {}
        return cls(
            text=text,
            content=blocks,
            usage=usage,
            model=str(message.model),
            stop_reason=str(message.stop_reason),
            request_id=request_id or getattr(message, "_request_id", None),
        )


@dataclass(frozen=True)
class CacheStats:
    """``hits``/``misses``: lookups through this ``AnswerCache`` object (this session)."""

    path: Path
    entries: int
    bytes: int
    hits: int
    misses: int
