"""How the fake answers ``POST /v1/messages``: plan the answer, then send it plain or as SSE.

The plan decides everything before the first byte: the content blocks (thinking,
text, tool_use), where ``stop_sequences`` and ``max_tokens`` cut the output, and
the usage.  Both the plain and the streamed answer are built from the same plan,
so they cannot disagree.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from . import tools
from ._cache import prompt_usage
from ._exchange import Exchange, Fake
from ._faults import Fault, Reply, ToolCall
from ._headers import response_headers
from ._schema import example_for, output_schema
from ._wire import (
    default_answer,
    last_user_text,
    message_object,
    new_id,
    split_text,
    sse,
    tokens,
    usage_object,
    wants_thinking,
)

CHARS_PER_TOKEN = 4  # the fake's token estimate (wire.tokens)


@dataclass
class ToolBlock:
    id: str
    name: str
    input: dict[str, Any]


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
    usage: dict[str, Any]
    pieces: list[str]
    delta_delay: float
    first_byte_delay: float
    tools: list[ToolBlock] = field(default_factory=list)
    text_block: bool = True
    beta: bool = False  # the request named betas: answer with the Beta* types' fields
    thinking_count: bool = False  # BetaThinkingDelta.estimated_tokens: "present whenever
    # the thinking-token-count-2026-05-13 beta is set" (null unless display is omitted)
    extra_events: list[dict[str, Any]] = field(default_factory=list)  # Reply.extra_events


# Fields the SDK's BetaMessage / BetaUsage / BetaRawMessageDeltaEvent add to the GA
# types (2.14); null unless the beta feature behind them ran.
BETA_MESSAGE_FIELDS = {"context_management": None, "input_transformations": None}
BETA_USAGE_FIELDS = {"fallback_credit": None, "iterations": None}


def _beta_message(p: Plan, message: dict[str, Any]) -> dict[str, Any]:
    if not p.beta:
        return message
    return {**message, **BETA_MESSAGE_FIELDS, "usage": {**message["usage"], **BETA_USAGE_FIELDS}}


def _cut(text: str, budget: int) -> str:
    return text[: max(0, budget) * CHARS_PER_TOKEN]


def forced_call(body: dict[str, Any]) -> Reply | None:
    """With ``tool_choice`` any/tool and nothing scripted, the API still calls a tool.

    Tool-use docs: a forced choice prefills the turn, so the answer is just a
    ``tool_use`` block (no text) for the named tool, or for the first client tool under
    ``any``; its input is a minimal value valid against the tool's ``input_schema``.
    """
    if not tools.forced(body):
        return None
    choice = body["tool_choice"]
    declared = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    if choice["type"] == "tool":
        tool = next((t for t in declared if t.get("name") == choice.get("name")), None)
    else:
        tool = next((t for t in declared if "input_schema" in t), declared[0] if declared else None)
    if tool is None:
        return None
    schema = tool.get("input_schema")
    value = example_for(schema) if isinstance(schema, dict) else {}
    return Reply(text="", tool_calls=[ToolCall(str(tool.get("name")), value or {})])


def plan(
    body: dict[str, Any],
    reply: Reply | None,
    fake: Fake,
    fault: Fault | None,
    tier: str = "standard",
) -> Plan:
    hook = fake.answer_hook
    reply = reply or (hook(body) if hook is not None else None) or forced_call(body) or Reply()
    text = reply.text
    if text is None:
        schema = output_schema(body)
        text = json.dumps(example_for(schema)) if schema is not None else default_answer(body)
    stop_reason, stop_sequence = str(reply.stop_reason), None
    tools = [ToolBlock(c.id or new_id("toolu_"), c.name, c.input) for c in reply.tool_calls]
    hits = [(text.find(s), s) for s in body.get("stop_sequences") or [] if s and s in text]
    if hits:  # the model stops before the earliest stop sequence
        cut, stop_sequence = min(hits)
        text, stop_reason, tools = text[:cut], "stop_sequence", []
    thinking = None
    if wants_thinking(body):
        thinking = reply.thinking or f"Thinking about: {last_user_text(body)[:80]}"
    # Messages reference: output stops at max_tokens with stop_reason "max_tokens";
    # thinking counts toward it, and a tool call that does not fit is not sent.
    limit = int(body.get("max_tokens") or 0) or None
    tool_cost = sum(tokens(json.dumps(t.input)) + tokens(t.name) for t in tools)
    wanted = tokens(thinking or "") + tokens(text) + tool_cost
    truncated = limit is not None and wanted > limit
    if truncated and limit is not None:
        if thinking is not None:
            thinking = _cut(thinking, limit)
        text = _cut(text, limit - tokens(thinking or ""))
        tools = []
        stop_reason, stop_sequence = "max_tokens", None
    n = reply.deltas if reply.deltas is not None else fake.deltas
    has_text = bool(text) or not tools
    pieces = split_text(text, n) if has_text else []
    striking = fault if fault is not None and fault.kind in ("midstream_error", "drop") else None
    if striking is not None and has_text and len(pieces) <= striking.after_deltas:  # mid-stream
        pieces = split_text(text, striking.after_deltas + 1)
    sent_text = "".join(pieces)
    thinking_tokens = tokens(thinking or "")
    output = max(1, tokens(sent_text) + thinking_tokens + (tool_cost if tools else 0))
    if truncated and limit is not None:
        output = limit
    usage = usage_object(prompt_usage(body, fake.prompt_cache), output, thinking_tokens, body, tier)
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
        tools=tools,
        text_block=has_text,
        extra_events=list(reply.extra_events),
    )


def _tool_use(t: ToolBlock, input: dict[str, Any]) -> dict[str, Any]:
    # ToolUseBlock (SDK 2.14): caller is DirectCaller for a tool the client runs.
    return {
        "type": "tool_use",
        "id": t.id,
        "name": t.name,
        "input": input,
        "caller": {"type": "direct"},
        "toolset_name": None,
    }


def content_blocks(p: Plan) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if p.thinking is not None:
        blocks.append({"type": "thinking", "thinking": p.thinking, "signature": p.signature})
    if p.text_block:
        blocks.append({"type": "text", "text": p.text, "citations": None})
    blocks.extend(_tool_use(t, t.input) for t in p.tools)
    return blocks


def as_message(p: Plan) -> dict[str, Any]:
    message = message_object(
        p.msg_id, p.model, content_blocks(p), p.stop_reason, p.stop_sequence, p.usage
    )
    return _beta_message(p, message)


def send_plain(h: Exchange, p: Plan) -> None:
    if p.first_byte_delay:
        h.nap(p.first_byte_delay)
    h.send_json(200, as_message(p))


def _event(h: Exchange, name: str, data: dict[str, Any]) -> None:
    h.chunk(sse(name, {"type": name, **data}))


def _delta(h: Exchange, index: int, delta: dict[str, Any]) -> None:
    _event(h, "content_block_delta", {"index": index, "delta": delta})


def send_stream(h: Exchange, p: Plan, fault: Fault | None) -> None:
    """Stream ``p`` as SSE over chunked encoding, so a drop differs from a clean end."""
    if p.first_byte_delay:
        h.nap(p.first_byte_delay)
    h.record.status = 200
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream; charset=utf-8")
    h.send_header("Cache-Control", "no-cache")
    h.send_header("Transfer-Encoding", "chunked")
    for name, value in response_headers(h).items():
        h.send_header(name, value)
    h.end_headers()
    # message_start carries the input usage and output_tokens 1, as the API sends it.
    start_usage = dict(p.usage, output_tokens=1, output_tokens_details={"thinking_tokens": 0})
    start = _beta_message(p, message_object(p.msg_id, p.model, [], None, None, start_usage))
    _event(h, "message_start", {"message": start})
    _event(h, "ping", {})
    for extra in p.extra_events:
        h.chunk(sse(str(extra["type"]), extra))
    index = 0
    if p.thinking is not None:
        _thinking_block(h, p)
        index = 1
    if p.text_block:
        _event(
            h,
            "content_block_start",
            {"index": index, "content_block": {"type": "text", "text": "", "citations": None}},
        )
        for i, piece in enumerate(p.pieces):
            if fault is not None and i == fault.after_deltas and _strike(h, fault):
                return
            if i and p.delta_delay:
                h.nap(p.delta_delay)
            _delta(h, index, {"type": "text_delta", "text": piece})
        _event(h, "content_block_stop", {"index": index})
        index += 1
    for t in p.tools:
        # Tool-use docs: the input arrives as input_json_delta pieces of a JSON text.
        _event(h, "content_block_start", {"index": index, "content_block": _tool_use(t, {})})
        raw = json.dumps(t.input)
        for piece in split_text(raw, max(1, min(4, len(raw) // 8))):
            _delta(h, index, {"type": "input_json_delta", "partial_json": piece})
        _event(h, "content_block_stop", {"index": index})
        index += 1
    usage = p.usage
    beta_usage = BETA_USAGE_FIELDS if p.beta else {}
    _event(
        h,
        "message_delta",
        {
            **(BETA_MESSAGE_FIELDS if p.beta else {}),
            "delta": {
                "stop_reason": p.stop_reason,
                "stop_sequence": p.stop_sequence,
                "stop_details": as_message(p)["stop_details"],
                "container": None,
            },
            # MessageDeltaUsage: cumulative counts.
            "usage": {
                "input_tokens": usage["input_tokens"],
                "cache_creation_input_tokens": usage["cache_creation_input_tokens"],
                "cache_read_input_tokens": usage["cache_read_input_tokens"],
                "output_tokens": usage["output_tokens"],
                "output_tokens_details": usage["output_tokens_details"],
                "server_tool_use": usage["server_tool_use"],
                **beta_usage,
            },
        },
    )
    _event(h, "message_stop", {})
    h.write(b"0\r\n\r\n")


def _thinking_block(h: Exchange, p: Plan) -> None:
    _event(
        h,
        "content_block_start",
        {"index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
    )
    for piece in split_text(p.thinking or "", None):
        delta: dict[str, Any] = {"type": "thinking_delta", "thinking": piece}
        if p.thinking_count:
            delta["estimated_tokens"] = None
        _delta(h, 0, delta)
    _delta(h, 0, {"type": "signature_delta", "signature": p.signature})
    _event(h, "content_block_stop", {"index": 0})


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
