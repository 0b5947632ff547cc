"""Reading the Messages API's shapes: a message's text, an error body, the base URL.

One helper each, so the prompt path, ``--map``, batches, the OAuth diagnosis and
the offline demo read these the same way.  Works on SDK objects and plain dicts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

DEFAULT_BASE_URL = "https://api.anthropic.com"


def env_base_url() -> str:
    """``ANTHROPIC_BASE_URL`` (as the SDK reads it), else the API's own address."""
    return os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL


def _field(block: object, name: str) -> object:
    return block.get(name) if isinstance(block, dict) else getattr(block, name, None)


def joined_text(content: object, *, sep: str = "", placeholders: bool = False) -> str:
    """The text of a message or its content: a ``str``, or blocks (SDK objects or dicts).

    Blocks that are not text are skipped, or shown as ``[image]`` with ``placeholders``.
    A ``Message`` (anything with ``.content``) is read through its content.
    """
    if not isinstance(content, (str, list, tuple)) and hasattr(content, "content"):
        content = content.content
    if isinstance(content, str):
        return content
    if not isinstance(content, Iterable):  # None: no content yet
        return ""
    parts = []
    for block in content:
        kind = _field(block, "type")
        if kind == "text":
            parts.append(str(_field(block, "text") or ""))
        elif placeholders:
            parts.append(f"[{kind}]")
    return sep.join(parts)


def error_envelope(body: object) -> tuple[str | None, str | None]:
    """(error type, message) from an API error body ``{"error": {"type", "message"}}``
    (or the inner object itself); ``(None, None)`` for anything else."""
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    inner: dict[str, Any] = error if isinstance(error, dict) else body
    err_type = inner.get("type") if isinstance(inner.get("type"), str) else None
    message = inner.get("message") if isinstance(inner.get("message"), str) else None
    return err_type, message
