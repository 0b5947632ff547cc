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
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from anthropic.types import CacheControlEphemeralParam, MessageParam, ToolParam

MAX_BREAKPOINTS = 4  # the API refuses a fifth ("A maximum of 4 blocks with cache_control")


def _mark() -> CacheControlEphemeralParam:
    return {"type": "ephemeral"}


def mark_tools(tools: list[ToolParam]) -> list[ToolParam]:
    """A copy of ``tools`` with a breakpoint on the last definition."""
    marked = copy.deepcopy(tools)
    if marked:
        marked[-1]["cache_control"] = _mark()
    return marked


def _blocks(content: object) -> list[dict[str, object]]:
    """A message's content as copies of its blocks (a plain string is one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    # Block params (dicts) as the transcript holds them; dict() copies each one.
    return [dict(b) for b in cast("Iterable[Mapping[str, object]]", content)]


def mark_transcript(messages: Sequence[MessageParam], budget: int) -> list[dict[str, object]]:
    """The messages to send: one moving mark on the last block, at most ``budget`` marks in all.

    Works on shallow copies of the messages and blocks it touches, so the
    transcript the loop keeps never accumulates marks from earlier rounds.
    """
    out: list[dict[str, object]] = [dict(m) for m in messages]
    copied: dict[int, list[dict[str, object]]] = {}  # message index: its copied blocks
    marked: list[tuple[int, int]] = []
    for i, message in enumerate(out):
        content = message["content"]
        if isinstance(content, list) and any("cache_control" in b for b in content):
            copied[i] = _blocks(content)
            message["content"] = copied[i]
            marked += [(i, j) for j, b in enumerate(copied[i]) if "cache_control" in b]
    last = copied[len(out) - 1] = _blocks(out[-1]["content"])
    out[-1]["content"] = last
    if "cache_control" not in last[-1]:
        last[-1]["cache_control"] = _mark()
    else:
        marked.remove((len(out) - 1, len(last) - 1))
    # The moving mark counts one; earlier marks beyond the budget go, oldest first.
    for i, j in marked[: max(0, len(marked) - (budget - 1))]:
        del copied[i][j]["cache_control"]
    return out
