"""Let ``%claude Why is this slow?`` be a question, not a help request.

IPython reads a line ending in ``?`` as ``object?`` help, so a one-line
prompt would never reach the magic.  This cleanup transformer (it runs before
IPython's own transforms) rewrites such lines into a direct magic call.
"""

from __future__ import annotations

import re
from typing import Any

_LINE_PROMPT = re.compile(r"^(\s*)%claude\s+(.*?\S.*)$")


def claude_question_lines(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        body = line.rstrip("\n")
        match = _LINE_PROMPT.match(body)
        if match and body.endswith("?"):
            indent, rest = match.groups()
            newline = "\n" if line.endswith("\n") else ""
            line = f"{indent}get_ipython().run_line_magic('claude', {rest!r}){newline}"
        out.append(line)
    return out


def install(shell: Any) -> None:
    transforms = shell.input_transformers_cleanup
    if claude_question_lines not in transforms:
        transforms.append(claude_question_lines)


def uninstall(shell: Any) -> None:
    transforms = shell.input_transformers_cleanup
    while claude_question_lines in transforms:
        transforms.remove(claude_question_lines)
