"""Wire-format helpers for the fake API: ids, error envelopes, models, usage, SSE events."""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from ..models.facts import BY_ID, ModelFacts
from ..models.facts import MODELS as FACTS

_ALNUM = string.ascii_letters + string.digits

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

ERROR_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit",
    "api_error": "Internal server error",
    "timeout_error": "Request timed out",
    "overloaded_error": "Overloaded",
}

# GET /v1/models lists the models of the one facts table, newest first; retired ones
# only when asked for (ModelListParams.lifecycle), and a request naming one is a 404.
MODELS = sorted(FACTS, key=lambda m: m.released, reverse=True)
MODEL_IDS = frozenset(m.id for m in MODELS if m.lifecycle != "retired")
IMAGE_TOKENS = 1600


def new_id(prefix: str, n: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(n))


def error_body(
    error_type: str,
    message: str | None,
    request_id: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The API's error envelope; ``details`` becomes ``error.details`` (the SDK reads
    ``error.details.error_code`` into ``err.error_code``)."""
    error: dict[str, Any] = {
        "type": error_type,
        "message": message or ERROR_MESSAGES.get(error_type, ""),
    }
    if details:
        error["details"] = details
    return {"type": "error", "error": error, "request_id": request_id}


def _support(ok: bool) -> dict[str, bool]:
    return {"supported": ok}


def _capabilities(row: ModelFacts) -> dict[str, Any]:
    """The SDK's ``ModelCapabilities`` (every key present, as its docstring says)."""
    return {
        "batch": _support(True),
        "citations": _support(True),
        "code_execution": _support(True),
        "context_management": {
            "supported": True,
            "clear_thinking_20251015": _support(True),
            "clear_tool_uses_20250919": _support(True),
            "compact_20260112": _support(True),
        },
        "effort": {
            "supported": True,
            **{level: _support(True) for level in ("low", "medium", "high", "max")},
            "xhigh": _support(not row.thinking_budget),  # the 5.x generation adds xhigh
        },
        "image_input": _support(True),
        "pdf_input": _support(True),
        "server_tools": {
            "supported": True,
            "code_execution": _support(True),
            "web_search": _support(True),
        },
        "structured_outputs": _support(True),
        "thinking": {
            "supported": True,
            "types": {
                # The fake accepts adaptive thinking everywhere; only a manual budget
                # depends on the model (facts table: thinking_budget).
                "adaptive": _support(True),
                "between_tools": _support(not row.thinking_budget),
                "disabled": _support(True),
                "enabled": _support(row.thinking_budget),
            },
        },
    }


def model_info(model_id: str) -> dict[str, Any] | None:
    """The SDK's ``ModelInfo`` (every field) for a model of the facts table."""
    row = BY_ID.get(model_id)
    if row is None:
        return None
    deprecated = row.lifecycle != "active"
    return {
        "type": "model",
        "id": row.id,
        "display_name": row.display_name,
        "created_at": f"{row.released}T00:00:00Z",
        "capabilities": _capabilities(row),
        "lifecycle": row.lifecycle,
        # The table keeps no deprecation date; the release date stands in (a past date).
        "deprecated_at": f"{row.released}T00:00:00Z" if deprecated else None,
        "retires_at": f"{row.retires}T00:00:00Z" if deprecated and row.retires else None,
        "line": row.line,
        "max_input_tokens": row.context_window,
        "max_tokens": row.max_output,
    }


class PageError(ValueError):
    """A list query the API refuses (400)."""


def paginate(items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """Cursor pagination over ``items`` (already newest first) by ``limit/after_id/before_id``.

    API reference, List Models: ``limit`` defaults to 20 and ranges from 1 to 1000
    (outside: 400).  The reference defines no error for a cursor that names no object;
    the fake answers an empty page for it (nothing lies after or before an unknown id).
    """
    raw = query.get("limit", "20")
    try:
        limit = int(raw)
    except ValueError:
        raise PageError(f"limit: Input should be a valid integer, got {raw!r}") from None
    if not 1 <= limit <= 1000:
        raise PageError(
            f"limit: Input should be {'greater' if limit < 1 else 'less'} than or equal "
            f"to {1 if limit < 1 else 1000}"
        )
    ids = [it["id"] for it in items]
    if "after_id" in query:
        start = ids.index(query["after_id"]) + 1 if query["after_id"] in ids else len(ids)
        page = items[start : start + limit]
        has_more = start + limit < len(items)
    elif "before_id" in query:
        end = ids.index(query["before_id"]) if query["before_id"] in ids else 0
        page = items[max(0, end - limit) : end]
        has_more = end - limit > 0
    else:
        page = items[:limit]
        has_more = limit < len(items)
    return {
        "data": page,
        "has_more": has_more,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    }


def tokens(text: str) -> int:
    """Rough token estimate: one token per four characters."""
    return (len(text) + 3) // 4


def _block_tokens(block: object) -> int:
    if isinstance(block, str):
        return tokens(block)
    if not isinstance(block, dict):
        return 0
    kind = block.get("type")
    if kind == "image":
        return IMAGE_TOKENS
    if kind == "text":
        return tokens(str(block.get("text", "")))
    if kind == "thinking":
        return tokens(str(block.get("thinking", "")))
    return tokens(json.dumps(block, sort_keys=True))


def units(body: dict[str, Any]) -> list[tuple[object, int]]:
    """Prompt blocks in cache order (tools, system, messages) with their token counts."""
    out: list[tuple[object, int]] = []
    for tool in body.get("tools") or []:
        out.append((tool, tokens(json.dumps(tool, sort_keys=True))))
    system = body.get("system")
    if isinstance(system, str):
        out.append((system, tokens(system)))
    elif isinstance(system, list):
        out.extend((b, _block_tokens(b)) for b in system)
    for msg in body.get("messages") or []:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, str):
            out.append((content, tokens(content)))
        elif isinstance(content, list):
            out.extend((b, _block_tokens(b)) for b in content)
    return out


def input_tokens(body: dict[str, Any]) -> int:
    return max(1, sum(n for _, n in units(body)))


def last_user_text(body: dict[str, Any]) -> str:
    for msg in reversed(body.get("messages") or []):
        if not isinstance(msg, dict) or msg.get("role") != "user":
            continue
        content = msg.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "\n".join(
                str(b.get("text", ""))
                for b in content
                if isinstance(b, dict) and b.get("type") == "text"
            )
    return ""


def default_answer(body: dict[str, Any]) -> str:
    """The deterministic answer given when no Reply is queued."""
    return f"**Fake Claude** heard you.\n\nYou said: {last_user_text(body)[:300]}"


def wants_thinking(body: dict[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def split_text(text: str, n: int | None) -> list[str]:
    """Split ``text`` into ``n`` non-empty pieces (repeating it when too short), or into
    word-sized pieces when ``n`` is None."""
    if n is None:
        pieces: list[str] = []
        for word in text.split(" "):
            if pieces and len(pieces[-1]) < 6:
                pieces[-1] += " " + word
            else:
                pieces.append(word if not pieces else " " + word)
        return [p for p in pieces if p] or [text or " "]
    n = max(1, n)
    base = text or "."
    while len(base) < n:
        base += " " + (text or ".")
    size, extra = divmod(len(base), n)
    out, pos = [], 0
    for i in range(n):
        step = size + (1 if i < extra else 0)
        out.append(base[pos : pos + step])
        pos += step
    return out


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def usage_object(
    prompt: dict[str, Any],
    output_tokens: int,
    thinking_tokens: int,
    body: dict[str, Any],
    tier: str = "standard",
) -> dict[str, Any]:
    """Every field of the SDK's ``Usage`` (2.14), as the API sends them."""
    return {
        "input_tokens": prompt["input_tokens"],
        "cache_creation_input_tokens": prompt["cache_creation_input_tokens"],
        "cache_read_input_tokens": prompt["cache_read_input_tokens"],
        "cache_creation": dict(prompt["cache_creation"]),
        "output_tokens": output_tokens,
        "output_tokens_details": {"thinking_tokens": thinking_tokens},
        "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
        "service_tier": tier,
        "inference_geo": body.get("inference_geo") or "global",
        "speed": body.get("speed") or "standard",
    }


def message_object(
    msg_id: str,
    model: str,
    content: list[dict[str, Any]],
    stop_reason: str | None,
    stop_sequence: str | None,
    usage: dict[str, Any],
) -> dict[str, Any]:
    """Every field of the SDK's ``Message`` (2.14)."""
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        # RefusalStopDetails: only a refusal has details to report.
        "stop_details": (
            {"type": "refusal", "category": None, "explanation": None}
            if stop_reason == "refusal"
            else None
        ),
        "container": None,  # non-null only when a container tool ran
        "diagnostics": None,  # null unless the request asked for diagnostics
        "usage": usage,
    }
