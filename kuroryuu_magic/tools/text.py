"""Bounded, exact text for tool results: one number style, cut cells, budgeted lines.

Numbers keep enough digits to be the answer, not a gist of it: integers in
full, floats to six significant digits.  Imports only the standard library
and the prompt renderer's ``truncate`` (numpy and pandas values are handled
through duck typing, never imported).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import SupportsFloat, SupportsInt, TypeGuard, cast

from ..context.stats import FLOAT_TENTHS, distinct_texts
from ..context.text import shown_label, truncate

CELL_CHARS = 40


def bounded(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` with a visible marker when it does not fit."""
    return truncate(text, max_chars)


def num(x: object, extra: int = 0) -> str:
    """A number as a tool states it: ints in full, floats to 6 significant digits, no exponent
    below 1e15; a float that is not whole never prints as one (123456.7 is ``123456.7``, not
    ``123457``).  ``extra`` adds digits (see :func:`..context.stats.distinct_texts`)."""
    if isinstance(x, bool) or type(x).__name__ in ("bool_", "bool"):
        return str(bool(x))
    try:
        f = float(cast(SupportsFloat, x))  # what float() refuses is shown as str below
    except (TypeError, ValueError, OverflowError):
        return str(x)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if _is_int(x):
        return str(int(x))
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    if 1e6 <= abs(f) < FLOAT_TENTHS:
        return f"{f:.{1 + extra}f}"
    if FLOAT_TENTHS <= abs(f) < 1e15:  # float64 no longer resolves a tenth here
        return f"{f:.{12 + extra}g}"
    text = f"{f:.{6 + extra}g}"
    return text if any(c in text for c in ".en") else f"{f:.1f}"


def nums(values: Iterable[object]) -> list[str]:
    """:func:`num` of each value, with more digits where two different values would read alike."""
    return distinct_texts(list(values), num)


def _is_int(x: object) -> TypeGuard[SupportsInt]:
    """An int or a numpy integer (both convert to ``int`` exactly)."""
    if isinstance(x, int):
        return True
    kind = getattr(getattr(x, "dtype", None), "kind", "")
    return kind in ("i", "u")


def pct(part: float, whole: float) -> str:
    """``12.5%``; two decimals so small shares do not round to zero."""
    if not whole:
        return "0%"
    return f"{100 * part / whole:.2f}%".replace(".00%", "%")


def show(v: object, width: int = CELL_CHARS) -> str:
    """A data value on one line: strings quoted (so '' and ' x' stay visible), numbers via :func:`num`."""
    if v is None:
        return "None"
    if isinstance(v, str):
        text = repr(v)
    elif isinstance(v, (int, float)) or type(v).__name__.startswith(("int", "uint", "float")):
        return num(v)
    else:
        try:
            text = str(v)
        except Exception:
            text = f"<{type(v).__name__}>"
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def label(c: object) -> str:
    """A column or index label as the model should pass it back (strings bare, others via str).

    Strings whose ``str`` would hide something (edge whitespace, control characters) come
    as their ``repr``.  Tuples (MultiIndex labels) print their items as Python values, so
    numpy 2's ``np.int64(0)`` reprs never become part of a name the model must repeat.
    """
    if isinstance(c, str):
        return shown_label(c)
    if isinstance(c, tuple):
        return str(tuple(x.item() if hasattr(x, "item") else x for x in c))
    return str(c.item() if hasattr(c, "item") else c)


def table(header: list[str], rows: list[list[str]], right: list[bool] | None = None) -> list[str]:
    """Rows aligned in columns; ``right`` marks right-aligned (numeric) columns."""
    right = right or [False] * len(header)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [
            (c.rjust(w) if a else c.ljust(w)) for c, w, a in zip(r, widths, right, strict=True)
        ]
        out.append("  " + "  ".join(cells).rstrip())
    return out


class Budget:
    """Lines added until the next one would pass ``max_chars`` (a tail marker is reserved)."""

    def __init__(self, max_chars: int, reserve: int = 60) -> None:
        self.lines: list[str] = []
        self.left = max_chars - reserve
        self.full = False

    def add(self, line: str) -> bool:
        if self.full or len(line) + 1 > self.left:
            self.full = True
            return False
        self.lines.append(line)
        self.left -= len(line) + 1
        return True

    def text(self, more: str = "") -> str:
        """The lines, plus ``more`` (e.g. ``… 12 more groups``) when something was left out."""
        lines = self.lines + ([more] if self.full and more else [])
        return "\n".join(lines)
