"""Ctrl-C shown as one quiet line, not a ``KeyboardInterrupt`` traceback.

Its own module so that :mod:`.redact` (which :mod:`.errors` imports) can raise it
too: a Ctrl-C while a long server text is being masked must read like any other.
"""

from __future__ import annotations

__all__ = ["ClaudeInterrupted"]


class ClaudeInterrupted(KeyboardInterrupt):
    """Ctrl-C during a request: the partial answer was kept; shown as one line."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[33mKeyboardInterrupt: {self}\x1b[0m"]
