"""Shared layout of frame summaries: the one cell and number format, column picking for width,
the row sample, and the lines every summary may end with (left-out columns, identical columns,
duplicate rows of a numeric block).  Used by :mod:`._frames` (pandas) and :mod:`._polars_frames`.
numpy comes from ``sys.modules``; this module never imports it.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._columns import EXACT_ROWS, ColumnFacts
from .stats import fmt_number
from .text import shown_label, type_name

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ._columns import Positions

SAMPLE_ROWS = 10_000
DUP_EXACT_CELLS = 1_000_000
WIDE = 1_000  # columns above which row hashing goes through one numpy block
TOO_WIDE = 20_000  # columns above which even that block costs more than the whole summary
SEED = 0
CELL = 32
LEFT_OUT_NAMES = 240

# Layouts tried in order, richest first, until one fits the budget:
# (head rows, tail rows, columns in the column table, columns in head/tail).
LAYOUTS = (
    (3, 2, 40, 20),
    (3, 0, 30, 12),
    (2, 0, 20, 8),
    (1, 0, 12, 6),
    (0, 0, 8, 0),
)


def bytes_text(n: float) -> str:
    if n < 1000:
        return f"{n:,.0f} bytes"
    for unit in ("kB", "MB"):
        n /= 1000
        if n < 1000:
            return f"{n:,.1f} {unit}"
    return f"{n / 1000:,.1f} GB"


def whole_label(x: object) -> bool:
    """Labels that are wrong when cut: MultiIndex tuples and timestamps (their offset)."""
    return isinstance(x, tuple) or type(x).__name__ in ("Timestamp", "datetime")


def cell(x: object, width: int = CELL) -> str:
    try:
        text = str(x)
    except Exception:
        text = f"<{type_name(x)}>"
    text = text.replace("\n", "\\n")
    if whole_label(x):
        width = max(width, 80)
    return text if len(text) <= width else text[: width - 1] + "…"


def name_cell(x: object, width: int = 40, position: int | None = None) -> str:
    """A column label: ``repr`` when ``str`` would hide something (``'age '``), and its
    position when another column shares it (``age (position 3)``)."""
    text = cell(shown_label(x) if isinstance(x, str) else x, width)
    return text if position is None else f"{text} (position {position})"


# columns: pandas column labels (an Index: pandas ships no types) or polars' list of names.
def duplicated_positions(columns: Any) -> frozenset[int]:
    """Positions of pandas column labels that occur more than once (none in polars)."""
    if getattr(columns, "is_unique", True):
        return frozenset()
    return frozenset(int(i) for i in columns.duplicated(keep=False).nonzero()[0])


def value_text(v: object) -> str:
    """A data cell in the one number style of the profile; text cut, timestamps whole."""
    np = sys.modules.get("numpy")
    if isinstance(v, bool) or (np is not None and isinstance(v, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, float)) or (np is not None and isinstance(v, (np.integer, np.floating))):
        f = float(v)
        return "NaN" if math.isnan(f) else fmt_number(v)
    return cell(v, 24)


def aligned(header: list[str], rows: list[list[str]], right: bool = False) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    pad = str.rjust if right else str.ljust
    lines = [
        "  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    return "\n".join("  " + line for line in lines)


def pick(n: int, keep: int) -> list[int]:
    """Positions of the first and last columns to show when there are too many."""
    if n <= keep:
        return list(range(n))
    first = keep - max(1, keep // 4)
    return list(range(first)) + list(range(n - (keep - first), n))


def sample_positions(n: int) -> Positions:
    np = sys.modules["numpy"]
    rng = np.random.default_rng(SEED)
    positions: Positions  # int64: what choice() and integers() return
    if n <= 10_000_000:
        positions = np.sort(rng.choice(n, SAMPLE_ROWS, replace=False))
    else:
        # choice() without replacement slows down with n; at this size repeats are rare anyway.
        positions = np.unique(rng.integers(0, n, SAMPLE_ROWS))
    return positions


def sample_of(n: int) -> Positions | None:
    """Sample positions for a column of ``n`` values, or None when every value is used."""
    return None if n <= EXACT_ROWS else sample_positions(n)


def left_out(name_of: Callable[[int], str], shown: list[int], n_cols: int) -> str:
    """``… [N more columns not shown: a, b, …]``, naming as many as fit; names read lazily."""
    keep = set(shown)
    listed, size = [], 0
    for j in range(n_cols):
        if j in keep:
            continue
        name = name_of(j)
        size += len(name) + 2
        if size > LEFT_OUT_NAMES:
            listed.append("…")
            break
        listed.append(name)
    return f"\n  … [{n_cols - len(shown):,} more columns not shown: {', '.join(listed)}]"


def sample_note(sampled: int | None, object_estimate: bool, std: bool = False) -> str:
    ddof = "; std is the sample standard deviation (ddof=1, as pandas and polars)" if std else ""
    if sampled is None:
        return ddof
    note = f"; ≈ marks values from a {sampled:,}-row random sample, ≥ a distinct count it bounds"
    return note + ("; ~ estimated null counts" if object_estimate else "") + ddof


def identical(
    facts: dict[int, ColumnFacts],
    same: Callable[[int, int], bool],
    names: dict[int, str],
    partial: bool = False,
) -> str:
    """``identical columns: b = a`` for columns whose cheap facts match and whose values do."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for j, f in facts.items():
        if f.key is not None:
            groups.setdefault(f.key, []).append(j)
    pairs = []
    for js in groups.values():
        for j in js[1:]:
            with contextlib.suppress(Exception):
                if same(js[0], j):
                    pairs.append(f"{names[j]} = {names[js[0]]}")
    among = " (among the columns shown)" if partial else ""
    return f"identical columns{among}: {', '.join(pairs[:10])}" if pairs else ""


# ---------------------------------------------------------------- pandas


# A pandas DataFrame in and out: pandas ships no types (pandas-stubs is not a dependency).
def hashable_frame(frame: Any) -> Any:
    """``frame`` with unhashable cells (lists, dicts, arrays) replaced by their ``repr``, so
    rows can be hashed; a cost per cell, so callers keep it to small frames or samples."""
    out = frame.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype == object or "[pyarrow]" in str(col.dtype):
            out.isetitem(i, col.astype(object).map(_hashable_cell))
    return out


def _hashable_cell(x: object) -> object:
    np = sys.modules["numpy"]
    if isinstance(x, np.ndarray):
        return repr(x.tolist())
    try:
        hash(x)
    except TypeError:
        return repr(x)
    return x


def unique_rows(block: NDArray[np.bool_ | np.number[Any]]) -> int:
    """Distinct rows of one 2-D numeric array: each row viewed as one opaque value."""
    np = sys.modules["numpy"]
    block = np.ascontiguousarray(block)
    rows = block.view(np.dtype((np.void, block.dtype.itemsize * block.shape[1]))).ravel()
    return int(np.unique(rows).size)


def block_duplicates(block: NDArray[np.bool_ | np.number[Any]]) -> str:
    """``duplicated rows: N`` of one 2-D numeric array."""
    return f"duplicated rows: {block.shape[0] - unique_rows(block):,}"
