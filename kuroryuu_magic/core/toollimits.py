"""How much a tool's answer may say in this kernel, read live from the layer that configures it.

The magic layer owns the two settings (its ``object_chars`` and ``schema_only``
traits) and registers a reader of them here when it starts; code below it that
runs a tool outside a prompt — an MCP call evaluated inside the kernel — asks
this per-kernel state instead of looking the magics object up.  The reader is
called on each call, so a ``%config`` made later counts.  Nothing registered (the
extension is not loaded): the caller's defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class ToolLimits(NamedTuple):
    """The bounds of one tool call: characters of the answer, and values withheld or not."""

    max_chars: int
    schema_only: bool


class ToolLimitsSource:
    """Per-kernel state (``session_for(shell).state(ToolLimitsSource)``): who says the limits."""

    def __init__(self) -> None:
        self._read: Callable[[], ToolLimits] | None = None

    def provide(self, read: Callable[[], ToolLimits] | None) -> None:
        """Register the reader (``None`` when the magic is unloaded)."""
        self._read = read

    def current(self) -> ToolLimits | None:
        """The limits now, or ``None`` when nobody provides them or the reader fails."""
        read = self._read  # one read of the attribute: an unload meanwhile can't split it
        if read is None:
            return None
        try:
            return read()
        except Exception:  # a half-torn-down magic: the caller's defaults are the safe answer
            return None
