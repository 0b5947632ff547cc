"""Send one request and feed the answer to a view: the hot path.

Interrupts and failures never lose what already arrived: the outcome keeps
the partial text and says how the request ended.  Retries are the SDK's own
(``max_retries``); nothing here retries again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.redact import StreamRedactor, redact
from ..core.wire import joined_text
from .display import View
from .usage import partial_usage

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic


@dataclass
class Outcome:
    text: str
    thinking: str
    model: str
    status: str  # "complete", "interrupted" or "failed"
    stop_reason: str | None = None
    usage: Any = None
    error: BaseException | None = None
    elapsed: float = 0.0
    request_id: str | None = None
    usage_estimated: bool = False  # output tokens of a stopped answer, estimated by us
    # The SDK's final Message (the tool loop reads its blocks; the cache stores it).
    message: Any = None


def _request_id(obj: Any) -> str | None:
    rid = getattr(obj, "_request_id", None)
    return rid if isinstance(rid, str) else None


def stream_answer(client: Anthropic, request: dict[str, Any], view: View) -> Outcome:
    """Stream ``request`` into ``view``; never raises for API errors or Ctrl-C."""
    started = time.perf_counter()
    # Model text is masked like server text before the view (and so the thread, the
    # result and the next request) sees it: an answer may echo the key.
    texts, thoughts = StreamRedactor(view.add_text), StreamRedactor(view.add_thinking)
    add_text, add_thinking = texts.feed, thoughts.feed
    start_usage: Any = None
    delta_usage: Any = None
    status, error, message = "complete", None, None
    request_id = None
    # The SDK's events are told apart by `.type`, read once per event; a type checker
    # cannot narrow their union through that local, so the loop variable is Any.
    event: Any
    try:
        with client.messages.stream(**request) as stream:
            request_id = stream.response.headers.get("request-id")
            for event in stream:
                kind = event.type
                if kind == "text":
                    add_text(event.text)
                elif kind == "thinking":
                    add_thinking(event.thinking)
                elif kind == "message_start":
                    start_usage = event.message.usage
                elif kind == "message_delta":
                    delta_usage = event.usage
            message = stream.get_final_message()
    except KeyboardInterrupt:
        status = "interrupted"  # leaving the `with` closed the connection
    except Exception as exc:
        status, error = "failed", exc
    texts.flush()
    thoughts.flush()
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
