"""How the fake answers ``POST /v1/messages``: plan the answer, then send it plain or as SSE."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from .exchange import Exchange
from .faults import Fault, Reply
from .wire import (
    default_answer,
    last_user_text,
    message_object,
    new_id,
    prompt_usage,
    split_text,
    sse,
    tokens,
    wants_thinking,
)


@dataclass
class Plan:
    """Everything one answer needs, decided before the first byte is sent."""

    msg_id: str
    model: str
    text: str
    thinking: str | None
    signature: str
    stop_reason: str
    stop_sequence: str | None
    usage: dict[str, int]
    pieces: list[str]
    delta_delay: float
    first_byte_delay: float


def plan(body: dict[str, Any], reply: Reply | None, fake: Any, fault: Fault | None) -> Plan:
    hook = getattr(fake, "answer_hook", None)
    reply = reply or (hook(body) if hook is not None else None) or Reply()
    text = reply.text if reply.text is not None else default_answer(body)
    stop_reason, stop_sequence = reply.stop_reason, None
    hits = [(text.find(s), s) for s in body.get("stop_sequences") or [] if s and s in text]
    if hits:  # the model stops before the earliest stop sequence
        cut, stop_sequence = min(hits)
        text, stop_reason = text[:cut], "stop_sequence"
    n = reply.deltas if reply.deltas is not None else fake.deltas
    pieces = split_text(text, n)
    striking = fault is not None and fault.kind in ("midstream_error", "drop")
    if striking and len(pieces) <= fault.after_deltas:  # it must strike mid-stream
        pieces = split_text(text, fault.after_deltas + 1)
    thinking = None
    if wants_thinking(body):
        thinking = reply.thinking or f"Thinking about: {last_user_text(body)[:80]}"
    sent_text = "".join(pieces)
    usage = prompt_usage(body, fake.prompt_cache)
    usage["output_tokens"] = max(1, tokens(sent_text) + tokens(thinking or ""))
    usage.update(reply.usage or {})
    delta_delay = reply.delta_delay or fake.delta_delay
    if fault is not None and fault.kind == "slow_deltas":
        delta_delay = fault.delay
    return Plan(
        msg_id=new_id("msg_"),
        model=reply.model or body["model"],
        text=sent_text,
        thinking=thinking,
        signature=base64.b64encode(secrets.token_bytes(48)).decode(),
        stop_reason=stop_reason,
        stop_sequence=stop_sequence,
        usage=usage,
        pieces=pieces,
        delta_delay=delta_delay,
        first_byte_delay=reply.first_byte_delay,
    )


def as_message(p: Plan) -> dict[str, Any]:
    message = message_object(
        p.msg_id, p.model, p.text, p.thinking, p.signature, p.stop_reason, p.usage
    )
    message["stop_sequence"] = p.stop_sequence
    return message


def send_plain(h: Exchange, p: Plan) -> None:
    if p.first_byte_delay:
        h.nap(p.first_byte_delay)
    h.send_json(200, as_message(p))


def send_stream(h: Exchange, p: Plan, fault: Fault | None) -> None:
    """Stream ``p`` as SSE over chunked encoding, so a drop differs from a clean end."""
    if p.first_byte_delay:
        h.nap(p.first_byte_delay)
    h.record.status = 200
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream; charset=utf-8")
    h.send_header("Cache-Control", "no-cache")
    h.send_header("Transfer-Encoding", "chunked")
    h.send_header("request-id", h.request_id)
    h.end_headers()
    start_usage = dict(p.usage, output_tokens=1)
    start = message_object(p.msg_id, p.model, "", None, "", None, start_usage)
    start["content"] = []
    h.chunk(sse("message_start", {"type": "message_start", "message": start}))
    h.chunk(sse("ping", {"type": "ping"}))
    index = 0
    if p.thinking is not None:
        _thinking_block(h, p)
        index = 1
    h.chunk(
        sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "text", "text": ""},
            },
        )
    )
    for i, piece in enumerate(p.pieces):
        if fault is not None and i == fault.after_deltas and _strike(h, fault):
            return
        if i and p.delta_delay:
            h.nap(p.delta_delay)
        h.chunk(
            sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "text_delta", "text": piece},
                },
            )
        )
    h.chunk(sse("content_block_stop", {"type": "content_block_stop", "index": index}))
    h.chunk(
        sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": p.stop_reason, "stop_sequence": p.stop_sequence},
                "usage": {"output_tokens": p.usage["output_tokens"]},
            },
        )
    )
    h.chunk(sse("message_stop", {"type": "message_stop"}))
    h.write(b"0\r\n\r\n")


def _thinking_block(h: Exchange, p: Plan) -> None:
    h.chunk(
        sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            },
        )
    )
    for piece in split_text(p.thinking or "", None):
        h.chunk(
            sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "thinking_delta", "thinking": piece},
                },
            )
        )
    h.chunk(
        sse(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "signature_delta", "signature": p.signature},
            },
        )
    )
    h.chunk(sse("content_block_stop", {"type": "content_block_stop", "index": 0}))


def _strike(h: Exchange, fault: Fault) -> bool:
    """Apply a mid-stream fault; True when the stream is over."""
    if fault.kind == "midstream_error":
        error = {
            "type": "error",
            "error": {
                "type": fault.error_type or "overloaded_error",
                "message": fault.message or "Overloaded",
            },
        }
        h.chunk(sse("error", error))
        h.write(b"0\r\n\r\n")
        h.close_connection = True
        return True
    if fault.kind == "drop":
        h.drop()
        return True
    return False
