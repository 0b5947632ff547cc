"""A stored row read back: foreign input, validated before it becomes a :class:`CachedAnswer`.

The cache file travels with notebooks (replay), so a row may have been written by
anything: JSON nested thousands deep, strings where numbers belong, a ``content``
that is not a list.  :func:`answer_from_row` checks every field's type and bounds
and raises :class:`BadRow` (one short reason) for anything else; the store treats
that row as a miss and warns once.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ._answer import STORABLE_STOP_REASONS, CachedAnswer

__all__ = ["BadRow", "answer_from_row"]

MAX_DEPTH = 16  # real content blocks nest four or five levels (tool_use input a few more)
MAX_JSON_CHARS = 16_000_000  # the largest answer the API writes is far smaller
MAX_TEXT_CHARS = 8_000_000
_COUNTS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


class BadRow(ValueError):
    """A stored row that is not an answer this package wrote; the message says why."""


def _depth_ok(value: object, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth_ok(v, depth + 1) for v in value)
    return True


def _json(raw: object, field: str) -> object:
    if not isinstance(raw, str):
        raise BadRow(f"{field} is {type(raw).__name__}, not JSON text")
    if len(raw) > MAX_JSON_CHARS:
        raise BadRow(f"{field} is {len(raw):,} characters")
    # The parser itself stops JSON nested past the recursion limit; the walk below
    # bounds what it lets through.
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRow(f"{field} is not valid JSON (or nested too deeply)") from None
    if not _depth_ok(value):
        raise BadRow(f"{field} nests deeper than {MAX_DEPTH} levels")
    return value


def _count(value: object, field: str) -> None:
    if value is None:
        return
    if type(value) is not int or value < 0:  # not bool, not "12", not -1
        raise BadRow(f"usage.{field} is {type(value).__name__} {str(value)[:20]!r}, not a count")


def answer_from_row(row: tuple[Any, ...]) -> CachedAnswer:
    """The answer in ``row`` (``key, text, content, usage, model, stop_reason, request_id,
    created``); :class:`BadRow` when any field is not what this package writes."""
    if len(row) != 8:
        raise BadRow(f"{len(row)} columns, not 8")
    _, text, content_raw, usage_raw, model, stop_reason, request_id, created = row
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        raise BadRow("text is not a string of a sane length")
    content = _json(content_raw, "content")
    if not isinstance(content, list) or not all(
        isinstance(b, dict) and isinstance(b.get("type"), str) for b in content
    ):
        raise BadRow("content is not a list of content blocks")
    if any(
        b["type"] in ("text", "thinking") and not isinstance(b.get(b["type"]), str) for b in content
    ):
        raise BadRow("a text or thinking block holds no string")
    usage = _json(usage_raw, "usage")
    if not isinstance(usage, dict):
        raise BadRow("usage is not an object")
    for name in _COUNTS:
        _count(usage.get(name), name)
    if not isinstance(model, str) or not 0 < len(model) <= 200:
        raise BadRow("model is not a model id")
    if stop_reason not in STORABLE_STOP_REASONS:
        raise BadRow(f"stop_reason {str(stop_reason)[:40]!r} is not one that is stored")
    if request_id is not None and (not isinstance(request_id, str) or len(request_id) > 200):
        raise BadRow("request_id is not a request id")
    if type(created) not in (int, float) or not math.isfinite(created):
        raise BadRow("created is not a time")
    return CachedAnswer(
        text=text,
        content=content,
        usage=usage,
        model=model,
        stop_reason=stop_reason,
        request_id=request_id,
        created=float(created),
    )
