"""The answer cache's key: a hash of everything that determines an answer.

Two requests share a key exactly when the API would be asked the same thing.
Transport-only fields (streaming, metadata, headers, timeouts, prompt-cache
markers) are left out so they never cause a miss; credentials are never part
of the input, not even hashed.  Anything else a caller passes is included:
an unknown field that changes the answer must miss, never return a stale hit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["KEY_VERSION", "answer_key", "canonical_request"]

# Bump when the canonical form changes: old entries then simply stop matching.
KEY_VERSION = 1

# Fields that change how a request travels, not what comes back.
_TRANSPORT_ONLY = frozenset(
    {
        "stream",
        "metadata",
        "extra_headers",
        "extra_query",
        "timeout",
        "service_tier",
        "cache_control",  # prompt caching changes cost and latency, not the answer
    }
)
# Never hashed: a key derived from a secret is still derived from a secret.
_CREDENTIALS = frozenset(
    {"api_key", "auth_token", "authorization", "x-api-key", "headers", "default_headers"}
)
_SENTINELS = frozenset({"NotGiven", "Omit"})  # the SDK's "argument not given" markers


def _given(value: object) -> bool:
    return value is not None and type(value).__name__ not in _SENTINELS


def _plain(value: object) -> object:
    """JSON-ready data for SDK models and dataclasses; other unknown objects are refused."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True, exclude_none=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    # A repr would hash memory addresses (a miss every time); better to fail loudly.
    raise TypeError(f"answer_key cannot hash a {type(value).__name__} in the request")


def _blocks(content: object) -> object:
    """A bare string is the API's shorthand for one text block; key both forms alike."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [_strip_cache_control(b) for b in content]
    return content


def _strip_cache_control(block: object) -> object:
    if isinstance(block, Mapping) and "cache_control" in block:
        return {k: v for k, v in block.items() if k != "cache_control"}
    return block


def _messages(messages: object) -> object:
    if not isinstance(messages, list):
        return messages
    out = []
    for message in messages:
        if isinstance(message, Mapping):
            message = {**message, "content": _blocks(message.get("content"))}
        out.append(message)
    return out


def canonical_request(request_params: Mapping[str, Any], *, scope: str | None = None) -> str:
    """The canonical JSON that :func:`answer_key` hashes (sorted keys, no whitespace, ASCII)."""
    fields: dict[str, Any] = {}
    for name, value in request_params.items():
        if name in _TRANSPORT_ONLY or name.lower() in _CREDENTIALS or not _given(value):
            continue
        if name == "messages":
            value = _messages(value)
        elif name == "system":
            value = _blocks(value)
        elif name == "tools" and isinstance(value, list):
            value = [_strip_cache_control(t) for t in value]
        elif name == "extra_body" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k.lower() not in _CREDENTIALS}
        fields[name] = value
    envelope = {"v": KEY_VERSION, "scope": scope, "request": fields}
    # ensure_ascii: lone surrogates in a prompt must hash, not raise on encode.
    return json.dumps(
        envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=_plain
    )


def answer_key(request_params: Mapping[str, Any], *, scope: str | None = None) -> str:
    """Hex sha256 of the canonical request: model, system, messages, tools, output_config
    (schema and effort), thinking, max_tokens and any other field that shapes the answer.

    ``scope`` separates answers that must never be served for one another even
    for an identical request, e.g. ``"demo"`` for the built-in offline fake.
    """
    return hashlib.sha256(canonical_request(request_params, scope=scope).encode()).hexdigest()
