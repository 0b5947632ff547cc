"""Bounds on work driven by foreign input: bytes read from a body, JSON nesting depth.

A server (or a model's answer) decides how big and how deep what we read is;
these helpers decide how much of it we are willing to process, and fail with a
typed ``ValueError`` subclass instead of a ``MemoryError``/``RecursionError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_TOKEN_BODY_BYTES",
    "BodyTooLargeError",
    "JSONTooDeepError",
    "json_depth",
    "loads_bounded",
    "read_capped",
]

# A token endpoint answers with a few hundred bytes; 1 MB is far above any honest answer.
MAX_TOKEN_BODY_BYTES = 1_000_000
# Deep enough for any data a person wants back; shallow enough that the json module
# and the pretty printer never get near Python's recursion limit.
MAX_JSON_DEPTH = 100

# Strings are skipped when counting depth: brackets inside them do not nest.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class BodyTooLargeError(ValueError):
    """A body was longer than the bytes we agreed to read."""


class JSONTooDeepError(ValueError):
    """JSON nested deeper than :data:`MAX_JSON_DEPTH`."""


def json_depth(text: str, limit: int | None = None) -> int:
    """Deepest bracket nesting of ``text`` outside strings; stops counting past ``limit``."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    return deepest
        elif depth:
            depth -= 1
    return deepest


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that raises only ``ValueError`` (subclasses), never ``RecursionError``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if json_depth(text, max_depth) > max_depth:
        raise JSONTooDeepError(f"the JSON is nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError:  # belt and braces: a lower recursion limit than ours
        raise JSONTooDeepError("the JSON is nested too deeply to read") from None


def read_capped(chunks: Iterable[bytes], limit: int, declared: str | None = None) -> bytes:
    """Join ``chunks`` but stop as soon as more than ``limit`` bytes arrive.

    ``declared`` is the ``Content-Length`` header, refused up front when over the limit.
    """
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLargeError(f"the body is larger than {limit:,} bytes")
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(f"the body is larger than {limit:,} bytes")
        parts.append(chunk)
    return b"".join(parts)
