"""Claude's ``$``: currency renders literally, real math is left to the typesetter.

:func:`guard_math` rewrites the Markdown that is *published*; ``_claude.text``
and ``text/plain`` keep the answer exactly as Claude wrote it.  Modes (the
``ClaudeMagics.math`` trait):

- ``on``: unchanged; the front end reads every ``$…$`` as math.
- ``off``: every ``$`` shows literally.
- ``auto`` (default): a ``$`` followed by a digit (``$5``, ``$1,200``, ``$.50``)
  is currency; ``$$…$$`` and ``$…$`` that look like TeX stay math (pandoc's
  rule: no space just inside the delimiters, the closing ``$`` not followed by
  a digit; inline math on one line and never across table cells); any other
  ``$`` is literal, and so is an escaped ``\\$``.

Code (fenced blocks and inline code spans) is never touched: front ends
already show ``$`` there literally.  A literal dollar is
:data:`~kuroryuu_magic.core.nomath.LITERAL_DOLLAR`, which contains no ``$``,
so guarding is idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..core.nomath import LITERAL_DOLLAR
from .codeblocks import closes, opening_fence

MODES = ("auto", "on", "off")

_CURRENCY = re.compile(r"[.,]?\d")
_TABLE_ROW = re.compile(r"^[ \t]*\|", re.M)


def guard_math(markdown: str, mode: str = "auto") -> str:
    """The Markdown to publish for ``markdown`` under ``mode`` (see the module docstring)."""
    if mode == "on" or "$" not in markdown:
        return markdown
    out: list[str] = []
    for is_code, chunk in _split_code(markdown):
        out.append(chunk if is_code else _guard_prose(chunk, mode))
    return "".join(out)


def _split_code(text: str) -> Iterator[tuple[bool, str]]:
    """(is_code, chunk) pieces that join back to ``text``: fenced blocks, code spans, prose."""
    lines = text.splitlines(keepends=True)
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fence = opening_fence(lines[i].rstrip("\r\n"))
        if fence is None:
            prose.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not closes(lines[j], fence):
            j += 1
        if prose:
            yield from _split_spans("".join(prose))
            prose = []
        yield True, "".join(lines[i : j + 1])  # an unclosed fence runs to the end
        i = j + 1
    if prose:
        yield from _split_spans("".join(prose))


split_code = _split_code  # also used by ``remote``: the same idea of what is code


def _split_spans(text: str) -> Iterator[tuple[bool, str]]:
    """Inline code spans (CommonMark: a run of N backticks closed by a run of exactly N)."""
    start = pos = 0
    while True:
        opening = text.find("`", pos)
        if opening < 0:
            break
        run = len(text) - opening - len(text[opening:].lstrip("`"))
        closer = re.compile(r"(?<!`)`{" + str(run) + r"}(?!`)")
        m = closer.search(text, opening + run)
        if m is None:
            pos = opening + run  # no closer: the backticks are literal
            continue
        if opening > start:
            yield False, text[start:opening]
        yield True, text[opening : m.end()]
        start = pos = m.end()
    if start < len(text):
        yield False, text[start:]


def _guard_prose(text: str, mode: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n:
            if text[i + 1] == "$":
                out.append(LITERAL_DOLLAR)  # Claude escaped it: it meant a dollar
            else:
                out.append(text[i : i + 2])  # keeps `\\` from escaping a following `$`
            i += 2
            continue
        if char != "$":
            out.append(char)
            i += 1
            continue
        end = -1 if mode == "off" else _math_end(text, i)
        if end < 0:
            out.append(LITERAL_DOLLAR)
            i += 1
        else:
            out.append(text[i:end])
            i = end
    return "".join(out)


def _math_end(text: str, i: int) -> int:
    """Where the math span opening at ``text[i] == "$"`` ends, or -1 if this ``$`` is literal."""
    if text.startswith("$$", i):
        close = _find_unescaped(text, "$$", i + 2, len(text))
        if close < 0 or not text[i + 2 : close].strip():
            return -1
        return close + 2
    after = text[i + 1 : i + 2]
    if not after or after.isspace() or _CURRENCY.match(text, i + 1):
        return -1
    line_end = text.find("\n", i)
    line_end = len(text) if line_end < 0 else line_end
    close = _find_unescaped(text, "$", i + 1, line_end)
    if close < 0 or text[close - 1].isspace() or text[close + 1 : close + 2].isdigit():
        return -1
    if text.startswith("$$", close):
        return -1
    line_start = text.rfind("\n", 0, i) + 1
    if _TABLE_ROW.match(text, line_start) and "|" in text[i:close].replace("\\|", ""):
        return -1  # a span from one table cell into the next is two amounts, not math
    return close + 1


def _find_unescaped(text: str, needle: str, start: int, stop: int) -> int:
    pos = start
    while True:
        found = text.find(needle, pos, stop)
        if found < 0:
            return -1
        back = found
        while back > 0 and text[back - 1] == "\\":
            back -= 1
        if (found - back) % 2 == 0:
            return found
        pos = found + 1
