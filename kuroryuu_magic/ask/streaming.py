"""Send one request and feed the answer to a view: the hot path.

Interrupts and failures never lose what already arrived: the outcome keeps
the partial text and says how the request ended.  Retries are the SDK's own
(``max_retries``); nothing here retries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..core.redact import StreamRedactor, redact
from ..core.wire import joined_text
from .display import View
from .usage import Usage, partial_usage

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic
    from anthropic.types import Message, MessageDeltaUsage
    from anthropic.types import Usage as SDKUsage


@dataclass
class Outcome:
    text: str
    thinking: str
    model: str
    status: str  # "complete", "interrupted" or "failed"
    stop_reason: str | None = None
    usage: Usage | None = None
    error: BaseException | None = None
    elapsed: float = 0.0
    request_id: str | None = None
    usage_estimated: bool = False  # output tokens of a stopped answer, estimated by us
    # The SDK's final Message (the tool loop reads its blocks; the cache stores it).
    message: Message | None = None


def _request_id(obj: object) -> str | None:
    rid = getattr(obj, "_request_id", None)
    return rid if isinstance(rid, str) else None


class _Reader:
    """What is new in one kind of block (``text`` or ``thinking``) of a growing message.

    A cursor, not a copy: the block it read last and how far.  Blocks before it
    are finished (the API streams one block at a time), so each read costs the
    new text and the blocks started since, never the whole answer again.
    """

    def __init__(self, kind: str, emit: Callable[[str], None]) -> None:
        self.kind = kind
        self._block, self._offset = 0, 0
        # Masked like server text before the view (and so the thread, the result and
        # the next request) sees it: an answer may echo the key.  The redactor holds
        # back a partial word, so a key arriving in pieces is whole before it shows.
        self._redactor = StreamRedactor(emit)

    def read(self, message: Message) -> None:
        content, kind = message.content, self.kind
        new: list[str] = []
        for index in range(self._block, len(content)):
            block = content[index]
            if block.type == "text" and kind == "text":
                whole = block.text
            elif block.type == "thinking" and kind == "thinking":
                whole = block.thinking
            else:
                continue
            start = self._offset if index == self._block else 0
            if len(whole) > start:
                new.append(whole[start:])
            self._block, self._offset = index, len(whole)
        if new:
            self._redactor.feed("".join(new))

    def flush(self) -> None:
        self._redactor.flush()


class _Snapshotting(Protocol):
    """The SDK's ``MessageStream``, as far as the view reads it."""

    @property
    def current_message_snapshot(self) -> Message: ...


class _Follower:
    """Brings a view up to the stream's ``current_message_snapshot`` when it updates."""

    def __init__(self, stream: _Snapshotting, view: View) -> None:
        self._stream, self._view = stream, view
        self._text = _Reader("text", view.text.append)
        self._thinking = _Reader("thinking", view.thinking.append)
        self.started = False  # message_start arrived: the SDK has a snapshot

    def __call__(self) -> bool:
        """Read what is new; whether the view got anything to show."""
        if not self.started:
            return False
        view = self._view
        before = len(view.text) + len(view.thinking)
        snapshot = self._stream.current_message_snapshot
        self._thinking.read(snapshot)
        self._text.read(snapshot)
        return len(view.text) + len(view.thinking) > before

    def finish(self) -> bool:
        """Everything that arrived, held-back words included (the stream ended or stopped);
        whether the view got anything new."""
        view = self._view
        before = len(view.text) + len(view.thinking)
        self()
        self._text.flush()
        self._thinking.flush()
        return len(view.text) + len(view.thinking) > before


def stream_answer(client: Anthropic, request: dict[str, Any], view: View) -> Outcome:
    """Stream ``request`` into ``view``; never raises for API errors or Ctrl-C."""
    started = time.perf_counter()
    start_usage: SDKUsage | None = None
    delta_usage: MessageDeltaUsage | None = None
    status, error, message = "complete", None, None
    request_id = None
    follower: _Follower | None = None
    try:
        with client.messages.stream(**request) as stream:
            request_id = stream.response.headers.get("request-id")
            follower = _Follower(stream, view)
            view.follow(follower)
            tick = view.tick
            for event in stream:
                # The SDK has already added a delta to its snapshot when it yields the
                # event: the view only needs to know that time passed.
                kind = event.type
                if kind == "text" or kind == "thinking":
                    tick()
                elif event.type == "message_start":
                    follower.started = True
                    start_usage = event.message.usage
                elif event.type == "message_delta":
                    delta_usage = event.usage
            message = stream.get_final_message()
    except KeyboardInterrupt:
        status = "interrupted"  # leaving the `with` closed the connection
    except Exception as exc:
        status, error = "failed", exc
    view.follow(None)
    if follower is not None and follower.finish():
        view.tick()  # the last words, paced like any others before the final render
    elapsed = time.perf_counter() - started
    if message is not None:
        return Outcome(
            text="".join(view.text),
            thinking="".join(view.thinking),
            model=message.model,
            status=status,
            stop_reason=message.stop_reason,
            usage=message.usage,
            elapsed=elapsed,
            request_id=request_id or _request_id(message),
            message=message,
        )
    text, thinking = "".join(view.text), "".join(view.thinking)
    # Stopped early: count what Claude already sent, not message_start's placeholder.
    usage, estimated = partial_usage(start_usage, delta_usage, thinking + text)
    return Outcome(
        text=text,
        thinking=thinking,
        model=request["model"],
        status=status,
        usage=usage,
        usage_estimated=estimated,
        error=error,
        elapsed=elapsed,
        request_id=request_id or getattr(error, "request_id", None),
    )


def create_answer(client: Anthropic, request: dict[str, Any], view: View) -> Outcome:
    """The ``--no-stream`` path: one plain request, shown once."""
    started = time.perf_counter()
    try:
        message = client.messages.create(**request)
    except KeyboardInterrupt:
        return Outcome(
            "", "", request["model"], "interrupted", elapsed=time.perf_counter() - started
        )
    except Exception as exc:
        return Outcome(
            "",
            "",
            request["model"],
            "failed",
            error=exc,
            elapsed=time.perf_counter() - started,
            request_id=getattr(exc, "request_id", None),
        )
    text = redact(joined_text(message))
    thinking = redact(
        "".join(b.thinking for b in message.content if getattr(b, "type", None) == "thinking")
    )
    view.text.append(text)
    if thinking:
        view.thinking.append(thinking)
    return Outcome(
        text=text,
        thinking=thinking,
        model=message.model,
        status="complete",
        stop_reason=message.stop_reason,
        usage=message.usage,
        elapsed=time.perf_counter() - started,
        request_id=_request_id(message),
        message=message,
    )
