"""Wire-format helpers for the fake API: ids, error envelopes, models, usage, SSE events."""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from typing import Any

from ..models.facts import BY_ID
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

# GET /v1/models lists exactly the models of the one facts table, newest first.
MODELS = sorted(FACTS, key=lambda m: m.released, reverse=True)
MODEL_IDS = frozenset(m.id for m in MODELS)
IMAGE_TOKENS = 1600


def new_id(prefix: str, n: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(n))


def error_body(error_type: str, message: str | None, request_id: str) -> dict[str, Any]:
    """The API's error envelope."""
    return {
        "type": "error",
        "error": {"type": error_type, "message": message or ERROR_MESSAGES.get(error_type, "")},
        "request_id": request_id,
    }


def model_info(model_id: str) -> dict[str, Any] | None:
    """The SDK's ``ModelInfo`` fields for a model of the facts table."""
    row = BY_ID.get(model_id)
    if row is None:
        return None
    return {
        "type": "model",
        "id": row.id,
        "display_name": row.display_name,
        "created_at": f"{row.released}T00:00:00Z",
        "lifecycle": row.lifecycle,
        "line": row.line,
        "max_input_tokens": row.context_window,
        "max_tokens": row.max_output,
    }


def paginate(items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """Cursor pagination over ``items`` (already newest first) by ``limit/after_id/before_id``."""
    try:
        limit = max(1, min(1000, int(query.get("limit", "20"))))
    except ValueError:
        limit = 20
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


def _block_tokens(block: Any) -> int:
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


def _units(body: dict[str, Any]) -> list[tuple[Any, int]]:
    """Prompt blocks in cache order (tools, system, messages) with their token counts."""
    out: list[tuple[Any, int]] = []
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
    return max(1, sum(n for _, n in _units(body)))


def _cache_key_part(block: Any) -> str:
    # The marker is not part of the cached content: the same block with and
    # without `cache_control` hits the same cache entry, as with the real API.
    if isinstance(block, dict) and "cache_control" in block:
        block = {k: v for k, v in block.items() if k != "cache_control"}
    return json.dumps(block, sort_keys=True)


# The real API checks for hits at block boundaries up to 20 blocks before a breakpoint.
_LOOKBACK_BLOCKS = 20


def prompt_usage(body: dict[str, Any], cache: set[str]) -> dict[str, int]:
    """Input usage with prompt caching: a prefix ending at a ``cache_control`` block is
    written the first time it is seen; a later request reads the longest cached prefix
    that ends at a block boundary within 20 blocks before one of its breakpoints.
    Cached tokens are kept out of ``input_tokens`` as the real API does."""
    units = _units(body)
    total = max(1, sum(n for _, n in units))
    digest = hashlib.sha256()
    running = 0
    boundaries: list[tuple[str, int]] = []  # (prefix digest, tokens so far) after each block
    breakpoints: list[int] = []  # indexes into boundaries
    top_level = isinstance(body.get("cache_control"), dict)
    for block, n in units:
        digest.update(_cache_key_part(block).encode())
        running += n
        boundaries.append((digest.hexdigest(), running))
        if isinstance(block, dict) and isinstance(block.get("cache_control"), dict):
            breakpoints.append(len(boundaries) - 1)
    if top_level and units and (not breakpoints or breakpoints[-1] != len(boundaries) - 1):
        breakpoints.append(len(boundaries) - 1)
    read = 0
    for index in reversed(breakpoints):
        for j in range(index, max(-1, index - _LOOKBACK_BLOCKS), -1):
            if boundaries[j][0] in cache:
                read = max(read, boundaries[j][1])
                break
    written = boundaries[breakpoints[-1]][1] - read if breakpoints else 0
    cache.update(boundaries[i][0] for i in breakpoints)
    return {
        "input_tokens": max(0, total - read - written),
        "cache_creation_input_tokens": max(0, written),
        "cache_read_input_tokens": read,
    }


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


def message_object(
    msg_id: str,
    model: str,
    text: str,
    thinking: str | None,
    signature: str,
    stop_reason: str | None,
    usage: dict[str, int],
) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if thinking is not None:
        content.append({"type": "thinking", "thinking": thinking, "signature": signature})
    content.append({"type": "text", "text": text})
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage,
    }
