"""Bounded, secret-free text helpers shared by every renderer in this package.

May import only the standard library and ``core``.
"""

from __future__ import annotations

import unicodedata


def truncate(text: str, max_chars: int) -> str:
    """``text`` when it fits, else its head plus a visible marker; never over ``max_chars``."""
    max_chars = max(0, int(max_chars))
    if len(text) <= max_chars:
        return text
    keep = max_chars
    # The marker's width depends on the number it reports; settle it in two passes.
    for _ in range(3):
        marker = f"… [truncated {len(text) - keep:,} more characters]"
        keep = max(0, max_chars - len(marker))
    if keep == 0:
        return text[:max_chars]
    return text[:keep] + f"… [truncated {len(text) - keep:,} more characters]"


def type_name(obj: object) -> str:
    """``pandas.DataFrame``, ``numpy.ndarray``, ``dict``: top-level package plus class name."""
    cls = type(obj)
    module = (getattr(cls, "__module__", "") or "").split(".")[0]
    name = getattr(cls, "__qualname__", cls.__name__)
    return name if module in ("builtins", "") else f"{module}.{name}"


def safe_repr(obj: object, max_chars: int) -> str:
    """``repr(obj)`` bounded; a ``__repr__`` that raises gives a placeholder, not an error."""
    try:
        text = repr(obj)
    except Exception as exc:  # a user's broken __repr__ must not break the prompt
        return truncate(f"<{type_name(obj)} object; repr() raised {type(exc).__name__}>", max_chars)
    if not isinstance(text, str):
        text = f"<{type_name(obj)} object>"
    return truncate(text, max_chars)


def hides(text: str) -> bool:
    """True when printing ``text`` bare would hide part of it from a reader: nothing at all,
    whitespace at either end, or control, format or separator characters inside."""
    if not text or text != text.strip():
        return True
    return any(
        (ch.isspace() and ch != " ") or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        for ch in text
    )


def shown_label(x: object) -> str:
    """A column or index label as a reader must see it: ``str`` unless that hides something
    (``'age '`` with its trailing space, ``'a\\tb'``), then ``repr``."""
    text = x if isinstance(x, str) else str(x)
    return repr(text) if hides(text) else text
