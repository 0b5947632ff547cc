"""Where a streaming Markdown answer can be cut so each piece renders as it would in the whole.

While an answer streams, its finished top-level blocks are published once and
never resent (``display.RichView``); only the open tail is updated.  A cut is
safe only between top-level blocks whose rendering does not depend on each
other, so :func:`safe_cut` cuts only

- at a blank line outside any code fence, before a line that starts a new
  block at the left margin (not indented: that could continue a list item or
  an indented code block);
- not between two items of one list (a blank line between items makes the
  whole list "loose");
- not inside ``$$ … $$`` display math, nor after an HTML block that may span
  blank lines or hold the blocks below it (``<details>``, ``<pre>``, ``<!--``).

Link reference definitions (``[x]: url``) and footnotes can change a block
far above them; :func:`needs_whole` tells the view to publish the finished
answer as one document when an answer has them.
"""

from __future__ import annotations

import re

from .codeblocks import closes, opening_fence

_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_HTML_BLOCK = re.compile(r"^ {0,3}<[A-Za-z!?/]")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.M)


def needs_whole(markdown: str) -> bool:
    """True when a block's rendering may depend on text far below it (references, footnotes)."""
    return _REFERENCE.search(markdown) is not None


def safe_cut(markdown: str) -> int:
    """The largest offset ``n`` such that ``markdown[:n]`` is complete top-level blocks that
    render the same alone as inside ``markdown``; 0 when there is none.

    ``markdown`` must itself start at a top-level block (the previous cut).  Only
    complete lines are read: the last line may still be growing.
    """
    cut = 0
    fence: str | None = None
    blank_before = False
    list_open = False  # the current top-level block is a list
    display_math = False
    pos = 0
    end = markdown.rfind("\n") + 1  # the text after the last newline is still open
    while pos < end:
        nl = markdown.index("\n", pos)
        line = markdown[pos:nl]
        if fence is not None:
            if closes(line, fence):
                fence = None
            pos = nl + 1
            continue
        if not line.strip():
            blank_before = True
            pos = nl + 1
            continue
        starts_block = blank_before and not display_math and line[:1] not in (" ", "\t")
        item = _LIST_ITEM.match(line) is not None
        if starts_block and pos > 0 and not (item and list_open):
            cut = pos
        if starts_block or pos == 0:
            list_open = item or (list_open and line[:1] in (" ", "\t"))
        elif blank_before and line[:1] in (" ", "\t"):
            pass  # an indented continuation keeps whatever block was open
        blank_before = False
        if _HTML_BLOCK.match(line):
            return cut  # such a block may run across blank lines: never cut after it
        opening = opening_fence(line)
        if opening is not None:
            fence = opening
        elif line.count("$$") % 2:
            display_math = not display_math
        pos = nl + 1
    return cut
