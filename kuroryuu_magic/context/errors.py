"""The last exception as a prompt for ``%claude fix``.

It holds the exception type and message, a traceback trimmed to the user's own
frames (cells and files outside site-packages and the standard library, plus the
frame that raised), and the failing cell's source.  Frame locals are never read,
and anything shaped like an Anthropic key is masked, because this text is sent
to the API and shown by ``--dry-run``.
"""

from __future__ import annotations

import re
import sys
import sysconfig
import traceback
from types import TracebackType

from IPython.core.error import UsageError

from ..core.redact import redact
from ..core.shell import ShellLike
from .text import truncate

MAX_SOURCE_CHARS = 8000
MAX_FRAMES = 12
_LIB_DIRS = tuple(
    p
    for p in {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    if p
)

INSTRUCTIONS = (
    "A cell in my Jupyter notebook raised the error below. Explain briefly what went "
    "wrong, then give the whole corrected cell as one fenced ```python code block."
)


def _last_exception(
    shell: ShellLike | None,
) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    value = getattr(sys, "last_value", None)
    if value is None:
        value = getattr(sys, "last_exc", None)  # Python 3.12+
    if value is None:
        raise UsageError("no error to fix yet: run the failing cell first, then %claude fix")
    tb = getattr(sys, "last_traceback", None) or value.__traceback__
    return type(value), value, tb


def _cell_number(filename: str, shell: ShellLike | None) -> int | None:
    mapping = getattr(getattr(shell, "compile", None), "_filename_map", None) or {}
    if filename in mapping:
        return int(mapping[filename])
    m = re.match(r"<ipython-input-(\d+)-", filename)
    return int(m.group(1)) if m else None


def _is_library(filename: str) -> bool:
    return (
        filename.startswith(_LIB_DIRS)
        or "site-packages" in filename
        or filename.startswith("<frozen")
    )


def _frames(tb: TracebackType | None, shell: ShellLike | None) -> tuple[list[str], list[int]]:
    """Formatted user frames (no locals) and the cells they ran in, outermost first."""
    summary = traceback.extract_tb(tb)  # file, line, name and source text only: no locals
    numbers = [_cell_number(fs.filename, shell) for fs in summary]
    # Frames before the first cell are IPython running the cell: noise to the reader.
    start = next((i for i, n in enumerate(numbers) if n is not None), 0)
    lines: list[str] = []
    cells: list[int] = []
    skipped = 0
    for i in range(start, len(summary)):
        fs, n = summary[i], numbers[i]
        if n is None and _is_library(fs.filename) and i != len(summary) - 1:
            skipped += 1
            continue
        if skipped:
            lines.append(f"  … {skipped} library frame{'s' if skipped > 1 else ''} …")
            skipped = 0
        if n is not None:
            if n not in cells:
                cells.append(n)
            lines.append(f"  Cell In[{n}], line {fs.lineno}, in {fs.name}")
        else:
            lines.append(f'  File "{fs.filename}", line {fs.lineno}, in {fs.name}')
        if fs.line:
            lines.append("    " + fs.line.strip()[:200])
    if len(lines) > 2 * MAX_FRAMES:
        # The outermost frames show what the user called, the innermost why it failed.
        lines = [*lines[:4], "  …", *lines[-2 * (MAX_FRAMES - 2) :]]
    return lines, cells


def _cell_source(shell: ShellLike | None, n: int) -> str | None:
    history = shell.user_ns.get("In") if shell is not None else None
    if isinstance(history, list) and 0 < n < len(history):
        return str(history[n])
    return None


def _exception_line(etype: type[BaseException], value: BaseException) -> str:
    text = "".join(traceback.format_exception_only(etype, value)).strip()
    return truncate(text, 2000)


def _cause(value: BaseException) -> str:
    chained = value.__cause__ or (None if value.__suppress_context__ else value.__context__)
    if chained is None:
        return ""
    how = "caused by" if value.__cause__ is not None else "while handling"
    return f"\n({how}: {_exception_line(type(chained), chained)})"


def last_error_prompt(shell: ShellLike | None) -> str:
    """The prompt for ``%claude fix``: instructions, the failing cell(s) and the trimmed error."""
    etype, value, tb = _last_exception(shell)
    if isinstance(value, SyntaxError):
        # The traceback is only IPython compiling the cell; the message says where.
        frames: list[str] = []
        n = _cell_number(value.filename or "", shell)
        cells = [n] if n is not None else []
    else:
        frames, cells = _frames(tb, shell)
    parts = [INSTRUCTIONS, ""]
    # The cell that was run (the one to correct) and, if elsewhere, the cell that raised.
    for role, n in zip(("ran", "raised"), [cells[0], cells[-1]] if cells else [], strict=False):
        if role == "raised" and n == cells[0]:
            break
        source = _cell_source(shell, n)
        if source is not None:
            body = truncate(source.rstrip("\n"), MAX_SOURCE_CHARS)
            label = "the failing cell" if role == "ran" else "where it raised"
            parts += [f'<cell execution_count="{n}" role="{label}">', body, "</cell>", ""]
    parts.append("<error>")
    if frames:
        parts += ["Traceback (most recent call last, trimmed to my code):", *frames]
    error_line = _exception_line(etype, value)
    if isinstance(value, SyntaxError) and cells and value.filename:
        error_line = error_line.replace(f'File "{value.filename}"', f"Cell In[{cells[0]}]")
    parts.append(error_line + _cause(value))
    parts.append("</error>")
    return redact("\n".join(parts))
