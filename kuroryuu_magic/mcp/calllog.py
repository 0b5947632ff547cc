"""The kernel's record of MCP tool calls, shown by ``%claude mcp log``.

Kept in the kernel (the per-shell :class:`~kuroryuu_magic.core.session.Session`),
written by :mod:`._inkernel` as each call runs, bounded to the last
:data:`MAX_ENTRIES` calls.  Entries hold the tool, the time, the variable and
columns named in the input (never values, never code) and how it ended.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..core.redact import redact

MAX_ENTRIES = 200
_NAME_CHARS = 80
# Inputs that name variables or columns: what "on which variables" means in the log.
_COLUMN_KEYS = ("column", "columns", "by", "subset")


@dataclass(frozen=True)
class Entry:
    at: float  # time.time() when the kernel ran (or skipped) the call
    tool: str
    target: str  # e.g. "df[price]"; "" when the tool takes no variable
    outcome: str  # "ok", "error", "expired", "cancelled", "restarted"


def _short(value: object) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    text = redact(text[: _NAME_CHARS * 2])
    return text if len(text) <= _NAME_CHARS else text[: _NAME_CHARS - 1] + "…"


def target_of(tool: str, tool_input: object) -> str:
    """What a call was about, from its input: the variable, then the columns in brackets."""
    if not isinstance(tool_input, Mapping):
        return ""
    if tool == "run_python":
        code = tool_input.get("code")
        lines = len(str(code).splitlines()) if code is not None else 0
        return f"code ({lines} line{'s' * (lines != 1)})"
    if tool == "cell":
        return f"In[{_short(tool_input.get('n', '?'))}]"
    name = _short(tool_input["name"]) if "name" in tool_input else ""
    cols = [_short(tool_input[k]) for k in _COLUMN_KEYS if k in tool_input]
    return f"{name}[{'; '.join(cols)}]" if cols else name


class CallLog:
    """The last :data:`MAX_ENTRIES` MCP calls of this kernel, oldest first."""

    def __init__(self) -> None:
        self._entries: collections.deque[Entry] = collections.deque(maxlen=MAX_ENTRIES)
        self._lock = threading.Lock()
        self.total = 0

    def record(self, tool: str, tool_input: object, outcome: str) -> None:
        entry = Entry(time.time(), _short(tool), target_of(tool, tool_input), outcome)
        with self._lock:
            self._entries.append(entry)
            self.total += 1

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)


def render(entries: Iterable[Entry], total: int) -> str:
    """The text of ``%claude mcp log``: one line per call, local time."""
    rows = list(entries)
    if not rows:
        return "No MCP tool calls in this kernel yet."
    lines = [
        f"{time.strftime('%H:%M:%S', time.localtime(e.at))}  {e.tool:<15} {e.target or '-':<40} {e.outcome}"
        for e in rows
    ]
    head = f"MCP tool calls in this kernel ({total} in all"
    head += f", the last {len(rows)} shown):" if total > len(rows) else "):"
    return "\n".join([head, *lines])
