"""The last exception as a prompt for ``%claude fix``.

It holds the exception type and message, a traceback trimmed to the user's own
frames (cells and files outside site-packages and the standard library, plus the
frame that raised), and the failing cell's source.  Frame locals are never read,
and anything shaped like an Anthropic key is masked, because this text is sent
to the API and shown by ``--dry-run``.
"""

from __future__ import annotations

import linecache
import re
import sys
import sysconfig
import traceback
from types import TracebackType
from typing import Any

from IPython.core.error import UsageError

from ..masking import mask
from .render import truncate

MAX_SOURCE_CHARS = 8000
MAX_FRAMES = 12
_KEY = re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}")
_LIB_DIRS = tuple(
    p
    for p in {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    if p
)

INSTRUCTIONS = (
    "A cell in my Jupyter notebook raised the error below. Explain briefly what went "
    "wrong, then give the whole corrected cell as one fenced ```python code block."
)


def redact(text: str) -> str:
    """Mask anything that looks like an Anthropic key or token."""
    return _KEY.sub(lambda m: mask(m.group(0)), text)


def _last_exception(shell: Any) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    value = getattr(sys, "last_value", None)
    if value is None:
        value = getattr(sys, "last_exc", None)  # Python 3.12+
    if value is None:
        raise UsageError("no error to fix yet: run the failing cell first, then %claude fix")
    tb = getattr(sys, "last_traceback", None) or value.__traceback__
    return type(value), value, tb


def _cell_number(filename: str, shell: Any) -> int | None:
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


def _frames(tb: TracebackType | None, shell: Any) -> tuple[list[str], int | None]:
    """Formatted user frames (no locals) and the execution count of the failing cell."""
    summary = traceback.extract_tb(tb)  # a StackSummary: file, line, name, source text only
    lines: list[str] = []
    cell: int | None = None
    kept = 0
    skipped = 0
    for i, fs in enumerate(summary):
        n = _cell_number(fs.filename, shell)
        last = i == len(summary) - 1
        if n is None and _is_library(fs.filename) and not last:
            skipped += 1
            continue
        if skipped:
            lines.append(f"  … {skipped} library frame{'s' if skipped > 1 else ''} …")
            skipped = 0
        if n is not None:
            cell = n
            where = f"Cell In[{n}], line {fs.lineno}, in {fs.name}"
        else:
            where = f'File "{fs.filename}", line {fs.lineno}, in {fs.name}'
        lines.append("  " + where)
        if fs.line:
            lines.append("    " + fs.line.strip()[:200])
        kept += 1
    if kept > MAX_FRAMES:
        # The outermost frames show what the user called, the innermost why it failed.
        lines = [*lines[:4], "  …", *lines[-2 * (MAX_FRAMES - 2) :]]
    return lines, cell


def _cell_source(shell: Any, n: int | None, tb: TracebackType | None) -> str | None:
    history = shell.user_ns.get("In") if shell is not None else None
    if n is not None and isinstance(history, list) and 0 < n < len(history):
        return history[n]
    if n is None and tb is not None:
        # Last resort: the cell file IPython registered with linecache.
        filename = traceback.extract_tb(tb)[0].filename
        source = "".join(linecache.getlines(filename))
        return source or None
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


def last_error_prompt(shell: Any) -> str:
    """The prompt for ``%claude fix``: instructions, the failing cell and the trimmed error."""
    etype, value, tb = _last_exception(shell)
    frames, cell = _frames(tb, shell)
    if isinstance(value, SyntaxError) and cell is None:
        cell = _cell_number(value.filename or "", shell)
    source = _cell_source(shell, cell, tb)
    parts = [INSTRUCTIONS, ""]
    if source is not None:
        label = f' execution_count="{cell}"' if cell is not None else ""
        parts += [f"<cell{label}>", truncate(source.rstrip("\n"), MAX_SOURCE_CHARS), "</cell>", ""]
    parts.append("<error>")
    if frames:
        parts += ["Traceback (most recent call last, trimmed to my code):", *frames]
    parts.append(_exception_line(etype, value) + _cause(value))
    parts.append("</error>")
    return redact("\n".join(parts))
