"""Code out of a Markdown answer: fenced blocks, their language tags, the code to run.

Follows CommonMark fences: three or more backticks or tildes, indented at most
three spaces, closed by a fence of the same character at least as long; an
unclosed fence runs to the end (an answer cut off mid-block still yields code).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
_PYTHONISH = {"", "python", "py", "python3", "ipython", "ipython3", "pycon", "jupyter"}


def opening_fence(line: str) -> str | None:
    """The fence (a run of backticks or tildes) that ``line`` opens, else ``None``."""
    m = _OPEN.match(line)
    if not m or (m["fence"][0] == "`" and "`" in m["info"]):
        return None  # a backtick fence's info string may not hold a backtick
    return m["fence"]


def closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes ``fence``: the same character, at least as long, nothing after."""
    stripped = line.rstrip(" \t\r\n")
    body = stripped.lstrip(" ")
    return (
        len(stripped) - len(body) <= 3 and len(body) >= len(fence) and body == fence[0] * len(body)
    )


class CodeBlock(NamedTuple):
    """One fenced block: its language tag (lower-case, may be empty) and its code."""

    lang: str
    code: str


def code_blocks(markdown: str) -> list[CodeBlock]:
    """All fenced code blocks, in order."""
    blocks: list[CodeBlock] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        fence = opening_fence(lines[i])
        if fence is None:
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        info = lines[i].lstrip(" ")[len(fence) :].strip()
        lang = info.split(" ")[0].strip("{}.").lower() if info else ""
        body: list[str] = []
        i += 1
        while i < len(lines) and not closes(lines[i], fence):
            # Content lines lose up to the opening fence's indentation, as CommonMark says.
            line = lines[i]
            strip = min(indent, len(line) - len(line.lstrip(" ")))
            body.append(line[strip:])
            i += 1
        i += 1
        blocks.append(CodeBlock(lang, "\n".join(body)))
    return blocks


def extract_code(markdown: str) -> str | None:
    """The code to run: the first Python (or untagged) block, else the first block."""
    blocks = code_blocks(markdown)
    if not blocks:
        return None
    for block in blocks:
        if block.lang in _PYTHONISH:
            return block.code
    return blocks[0].code


def strip_fences(text: str) -> str:
    """``text`` as plain code for ``-f code``: the fenced blocks' code, or the text itself.

    With several blocks, the Python/untagged ones are joined (an answer often
    splits imports from the work); a shell block alone is kept as it is.
    """
    blocks = code_blocks(text)
    if not blocks:
        return text.strip("\n")
    python = [b.code for b in blocks if b.lang in _PYTHONISH]
    return "\n\n".join(python or [b.code for b in blocks]).strip("\n")
