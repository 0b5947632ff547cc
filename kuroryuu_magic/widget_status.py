"""The status line both panels share: one template, one palette, messages that can't leak."""

from __future__ import annotations

import html

_TEMPLATE = '<span style="color:{color}">{text}</span>'
_COLORS = {"info": "inherit", "ok": "#1a7f37", "error": "#cf222e", "busy": "#9a6700"}


def status_html(text: str, level: str = "info") -> str:
    return _TEMPLATE.format(color=_COLORS[level], text=html.escape(text))


def safe_message(exc: BaseException, typed: tuple[type[BaseException], ...], fallback: str) -> str:
    """A status-line message for ``exc``.

    Only our own typed errors (``typed``) are quoted: their messages are written
    to be shown.  Anything else may carry request data, so it is named by class.
    """
    if isinstance(exc, typed):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{fallback}: {exc.strerror or type(exc).__name__}{where}."
    return f"{fallback} ({type(exc).__name__})."
