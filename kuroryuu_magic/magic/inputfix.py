"""Let ``%claude Why is this slow?`` be a question, not a help request.

IPython reads a line ending in ``?`` as ``object?`` help, so a one-line
prompt would never reach the magic.  This is a *token* transformer, IPython's
own machinery for special syntax: it sees Python tokens, so it only ever
touches a ``%claude …?`` line magic at the top level of Python code — never
text inside a string, and never the body of a ``%%`` cell (IPython has turned
the whole cell into one ``run_cell_magic`` call before token transformers run).
It outranks IPython's ``HelpEnd`` at the same place, and leaves ``%claude?``
(help on the magic itself) alone.
"""

from __future__ import annotations

import tokenize
from typing import TYPE_CHECKING, Any

from IPython.core.inputtransformer2 import (
    TokenTransformBase,
    assemble_continued_line,
    find_end_of_continued_line,
)

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell


class ClaudeQuestion(TokenTransformBase):
    """``%claude TEXT?`` → ``get_ipython().run_line_magic('claude', 'TEXT?')``."""

    priority = 4  # before HelpEnd (5), which would make it ``pinfo``

    @classmethod
    def find(cls, tokens_by_line: list[list[Any]]) -> ClaudeQuestion | None:
        for line in tokens_by_line:
            ix = 0
            while ix < len(line) and line[ix].type in (tokenize.INDENT, tokenize.DEDENT):
                ix += 1
            if len(line) - ix < 4:  # %, claude, ?, NEWLINE at the least
                continue
            escape, name = line[ix], line[ix + 1]
            if (
                escape.string == "%"
                and name.string == "claude"
                and name.start == escape.end  # "%claude", not "% claude"
                and line[-2].string == "?"
                # "%claude?" and "%claude??" ask for the magic's own help
                and any(t.string != "?" for t in line[ix + 2 : -1])
            ):
                return cls(escape.start)
        return None

    def transform(self, lines: list[str]) -> list[str]:
        start_line, start_col = self.start_line, self.start_col
        indent = lines[start_line][:start_col]
        end_line = find_end_of_continued_line(lines, start_line)
        line = assemble_continued_line(lines, (start_line, start_col), end_line)
        text = line[len("%claude") :].strip()
        call = f"get_ipython().run_line_magic('claude', {text!r})"
        return [*lines[:start_line], indent + call + "\n", *lines[end_line + 1 :]]


def install(shell: InteractiveShell) -> None:
    transformers = shell.input_transformer_manager.token_transformers
    if ClaudeQuestion not in transformers:
        transformers.insert(0, ClaudeQuestion)


def uninstall(shell: InteractiveShell) -> None:
    transformers = shell.input_transformer_manager.token_transformers
    while ClaudeQuestion in transformers:
        transformers.remove(ClaudeQuestion)
