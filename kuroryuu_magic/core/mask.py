"""Show a secret without revealing it.

A masked secret is a known, non-secret prefix, an ellipsis and the last four
characters; its width never depends on the secret's length.  Secrets too short
to spare four characters show no characters at all.
"""

from __future__ import annotations

# Longest first: the first prefix that matches wins.
_KNOWN_PREFIXES = ("sk-ant-", "sk-")
_TAIL = 4
_MIN_LENGTH_FOR_TAIL = 20


def mask(secret: str | None) -> str:
    """``sk-ant-api03-…secret…wxyz`` → ``sk-ant-…wxyz``; ``None`` → ``(none)``."""
    if not secret:
        return "(none)"
    prefix = next((p for p in _KNOWN_PREFIXES if secret.startswith(p)), "")
    if len(secret) < _MIN_LENGTH_FOR_TAIL:
        return f"{prefix}…" + "*" * _TAIL
    tail = secret[-_TAIL:]
    if not tail.isascii() or not tail.isprintable():
        tail = "*" * _TAIL
    return f"{prefix}…{tail}"
