"""Prompt-caching breakpoints for a tool loop.

Two marks carry the loop: one on the last tool definition (tools come first in
the cached prefix, so every round reads them from the cache) and one on the
last block of the transcript, moved forward each round so the next round
reads everything before it.  Marks the prompt already carries (``--cache``,
the thread's newest turn) are kept while the total stays within the API's
four; the oldest give way first.
"""

from __future__ import annotations

import copy
from typing import Any

MAX_BREAKPOINTS = 4  # the API refuses a fifth ("A maximum of 4 blocks with cache_control")
MARK = {"type": "ephemeral"}


def mark_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of ``tools`` with a breakpoint on the last definition."""
    marked = copy.deepcopy(tools)
    if marked:
        marked[-1]["cache_control"] = dict(MARK)
    return marked


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] | str = message["content"]
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
        message["content"] = content
    return content


def mark_transcript(messages: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    """The messages to send: one moving mark on the last block, at most ``budget`` marks in all.

    Works on shallow copies of the messages and blocks it touches, so the
    transcript the loop keeps never accumulates marks from earlier rounds.
    """
    out = [dict(m) for m in messages]
    marked: list[tuple[int, int]] = []
    for i, message in enumerate(out):
        content = message["content"]
        if isinstance(content, list) and any("cache_control" in b for b in content):
            message["content"] = [dict(b) for b in content]
            marked += [(i, j) for j, b in enumerate(message["content"]) if "cache_control" in b]
    last = _blocks(out[-1])
    last = out[-1]["content"] = [dict(b) for b in last]
    if "cache_control" not in last[-1]:
        last[-1]["cache_control"] = dict(MARK)
    else:
        marked.remove((len(out) - 1, len(last) - 1))
    # The moving mark counts one; earlier marks beyond the budget go, oldest first.
    for i, j in marked[: max(0, len(marked) - (budget - 1))]:
        del out[i]["content"][j]["cache_control"]
    return out


def count_marks(request: dict[str, Any]) -> int:
    """Breakpoints in a request (tools, system blocks and message blocks)."""
    n = sum(1 for t in request.get("tools", []) if "cache_control" in t)
    system = request.get("system")
    if isinstance(system, list):
        n += sum(1 for b in system if "cache_control" in b)
    for m in request.get("messages", []):
        if isinstance(m["content"], list):
            n += sum(1 for b in m["content"] if isinstance(b, dict) and "cache_control" in b)
    return n
