"""Summaries of pandas DataFrames, Series and Indexes for prompts (what ``{df}`` sends).

What is cheap is exact: null counts, min/max, zeros, and (for integer codes,
categoricals and bools) distinct counts and top values come from one
vectorised pass over the column (see :mod:`._columns`).  What is not is taken
from a fixed-size random sample of rows and marked on the value itself
(``≈``, ``≥``, ``~``).  Below ``EXACT_ROWS`` rows nothing is sampled.  Duplicate
rows are counted exactly up to ``DUP_EXACT_CELLS`` cells and bounded from the
sample above; identical columns are flagged; only the columns that can be
shown are touched, so a 100,000-column frame costs what a 40-column one does.
polars frames: :mod:`._polars_frames`; shared layout: :mod:`.layout`.  numpy comes from
``sys.modules``; pandas is imported inside the functions, which run only once the caller
holds a pandas object (so it is loaded already).  pandas ships no types (pandas-stubs is
not a dependency), so its frames, Series and Indexes are annotated ``Any`` here.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

from ._columns import ColumnFacts, pandas_column
from .layout import (
    DUP_EXACT_CELLS,
    LAYOUTS,
    SAMPLE_ROWS,
    TOO_WIDE,
    WIDE,
    aligned,
    bytes_text,
    cell,
    duplicated_positions,
    hashable_frame,
    identical,
    left_out,
    name_cell,
    pick,
    sample_note,
    sample_of,
    sample_positions,
    unique_rows,
    value_text,
)
from .stats import fmt_number
from .text import truncate, type_name

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ._columns import Positions


# pandas ships no types (pandas-stubs is not a dependency): its frames, Series and Indexes are Any.
def _pd_same(df: Any, a: int, b: int) -> bool:
    np = sys.modules["numpy"]
    x, y = df.iloc[:, a], df.iloc[:, b]
    if isinstance(x.dtype, np.dtype) and x.dtype == y.dtype and x.dtype.kind in "iufbmM":
        return bool(np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=x.dtype.kind == "f"))
    return bool(x.reset_index(drop=True).equals(y.reset_index(drop=True)))


def _strictly_monotonic(values: NDArray[Any], positions: Positions) -> bool:
    np = sys.modules["numpy"]

    def strict(v: NDArray[Any]) -> bool:
        return bool(np.all(v[1:] > v[:-1]) or np.all(v[1:] < v[:-1]))

    return strict(values[positions]) and strict(values)  # the sample rules most columns out


# pandas ships no types (pandas-stubs is not a dependency): its frames, Series and Indexes are Any.
def _pd_unique_column(df: Any, positions: Positions) -> str | None:
    """A column whose values never repeat (strictly monotonic), proving no duplicate rows."""
    np = sys.modules["numpy"]
    import pandas as pd  # loaded already: the caller holds a pandas object

    candidates = []
    dtypes = df.dtypes.iloc[:40]  # df.dtypes builds a Series per call: once, not per column
    for j in range(len(dtypes)):
        dtype = dtypes.iloc[j]
        if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
            candidates.append((dtype.kind == "f", j))  # ids and timestamps first: likelier keys
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            candidates.append((False, j))
    for _, j in sorted(candidates):
        s = df.iloc[:, j]
        values = s.array.asi8 if hasattr(s.array, "asi8") else s.to_numpy()
        if _strictly_monotonic(values, positions):
            return cell(df.columns[j], 40)
    return None


def _wide_duplicates(df: Any) -> str:  # a pandas DataFrame: untyped, as above
    """Duplicate rows of a wide frame: hashing column by column costs seconds at 100,000 columns,
    so only a frame that is one numeric block (one ``to_numpy``) is counted."""
    kinds = {getattr(d, "kind", "O") for d in df.dtypes.unique()}
    if not kinds <= set("iufb") or len(df.dtypes.unique()) != 1:
        return f"duplicated rows: not checked ({df.shape[1]:,} columns of mixed types)"
    return f"duplicated rows: {len(df) - unique_rows(df.to_numpy()):,}"


# df: a pandas DataFrame (untyped, as above).
def _pd_duplicates(df: Any, unique: str | None = None, positions: Positions | None = None) -> str:
    """Duplicated rows: exact when small (or when the sample would be the whole frame), else
    proved absent by a column whose values never repeat (``unique``, or a strictly monotonic
    one), else bounded from the row sample.  Unhashable cells (lists, dicts) are compared by
    their ``repr`` where that costs little: up to ``SAMPLE_ROWS`` rows, or in the sample."""
    n, m = df.shape
    if n < 2 or m == 0:
        return ""
    if unique is not None and n * m > DUP_EXACT_CELLS:
        return f"duplicated rows: 0 ({unique} never repeats)"
    if m > TOO_WIDE:
        return f"duplicated rows: not checked ({m:,} columns)"
    whole = n * m <= DUP_EXACT_CELLS or n <= SAMPLE_ROWS  # a sample would be every row
    if whole and m > WIDE:
        return _wide_duplicates(df)
    if whole:
        return f"duplicated rows: {_pd_count_duplicates(df):,}"
    positions = sample_positions(n) if positions is None else positions
    proof = _pd_unique_column(df, positions)
    if proof is not None:
        return f"duplicated rows: 0 ({proof} never repeats)"
    dup = _pd_count_duplicates(df.iloc[positions])
    where = f"within a {len(positions):,}-row sample; exact count skipped above {DUP_EXACT_CELLS:,} cells"
    return f"duplicated rows: ≥{dup:,} ({where})" if dup else f"duplicated rows: none {where}"


def _pd_count_duplicates(df: Any) -> int:  # a pandas DataFrame: untyped, as above
    """Rows equal to an earlier row; one numeric block goes through numpy, unhashable cells
    (lists, dicts, arrays) through their ``repr``."""
    import pandas as pd  # loaded already: the caller holds a pandas object

    kinds = {getattr(d, "kind", "O") for d in df.dtypes}
    if kinds <= set("iufb") and df.dtypes.nunique() == 1 and len(df) <= SAMPLE_ROWS:
        return len(df) - unique_rows(df.to_numpy())
    try:
        hashes = pd.util.hash_pandas_object(df, index=False)
    except TypeError:  # unhashable cells
        hashes = pd.util.hash_pandas_object(hashable_frame(df), index=False)
    return int(hashes.duplicated().sum())


# s: a pandas Series (untyped, as above).
def _pd_facts(s: Any, positions: Positions | None) -> ColumnFacts:
    try:
        return pandas_column(s, positions)
    except Exception as exc:  # one odd column must not sink the summary, nor lose its nulls
        nulls = "?"
        with contextlib.suppress(Exception):
            nulls = f"{int(s.isna().sum()):,}"
        return ColumnFacts(nulls, [f"stats failed: {type(exc).__name__}"])


def _pd_index_line(index: Any, schema_only: bool) -> str:  # a pandas Index: untyped
    import pandas as pd  # loaded already: the caller holds a pandas object

    names = [n for n in index.names if n is not None]
    named = f" names={names}" if names else ""
    if isinstance(index, pd.MultiIndex):
        line = f"index: MultiIndex, {index.nlevels} levels{named}"
    elif isinstance(index, pd.RangeIndex):
        return (
            f"index: RangeIndex(start={index.start}, stop={index.stop}, step={index.step}){named}"
        )
    else:
        line = f"index: {type(index).__name__} dtype={index.dtype}{named}"
    if not schema_only and len(index):
        line += f" from {cell(index[0], 40)} to {cell(index[-1], 40)}"
    # is_unique is one hash pass, cached by pandas; df.loc[label] may give several rows.
    with contextlib.suppress(Exception):
        if not index.is_unique:
            line += f"; {int(index.duplicated().sum()):,} duplicated labels (not unique)"
    return line


# df: a pandas DataFrame (untyped, as above).
def _pd_edges(df: Any, n_cols: int) -> tuple[list[int], dict[int, list[str]]]:
    """Head/tail cells of the widest row layout, formatted once for every layout tried."""
    n = len(df)
    head, tail, _, rowcols = LAYOUTS[0]
    rows = sorted(set(range(min(head, n))) | set(range(max(0, n - tail), n)))
    # One small frame: itertuples over a million-row frame's slices costs per layout.
    part = df.iloc[rows].iloc[
        :, pick(n_cols, rowcols)
    ]  # rows first: a 5-row take, not a column copy
    cells = {
        r: [cell(t[0], 24), *map(value_text, t[1:])]
        for r, t in zip(rows, part.itertuples(name=None), strict=True)
    }
    return pick(n_cols, rowcols), cells


def _pd_rows(
    df: Any,  # a pandas DataFrame: untyped, as above
    edges: tuple[list[int], dict[int, list[str]]],
    positions: list[int],
    head: int,
    tail: int,
) -> str:
    # Formatted by hand: DataFrame.to_string costs ~8 ms per call on wide frames.
    n_rows, n_cols = df.shape
    widest, cells = edges
    at = [0, *(1 + widest.index(j) for j in positions)]
    dups = duplicated_positions(df.columns)
    header = ["", *(name_cell(df.columns[j], 24, j if j in dups else None) for j in positions)]
    note = f", {len(positions)} of {n_cols:,} columns" if len(positions) < n_cols else ""
    tail = max(0, min(tail, n_rows - head))
    parts = []
    for label, rows in (("head", range(min(head, n_rows))), ("tail", range(n_rows - tail, n_rows))):
        if len(rows):
            table = [[cells[r][i] for i in at] for r in rows]
            parts.append(f"{label}({len(rows)}{note}):\n" + aligned(header, table, right=True))
    return "\n".join(parts)


# df: a pandas DataFrame (untyped, as above).
def _render_pd_frame(df: Any, max_chars: int, schema_only: bool) -> str:
    import pandas as pd  # loaded already: the caller holds a pandas object

    n_rows, n_cols = df.shape
    header = f"{type_name(df)}: {n_rows:,} rows × {n_cols:,} columns"
    # memory_usage() walks every column (seconds at 100,000 columns): a nicety, so skip it there.
    if n_cols <= 1_000:
        with contextlib.suppress(Exception):  # exotic extension arrays
            header += f"; memory ≈ {bytes_text(df.memory_usage(index=True, deep=False).sum())}"
    lines_head = [header, _pd_index_line(df.index, schema_only)]
    if isinstance(df.columns, pd.MultiIndex):
        lines_head.append(f"columns: MultiIndex, {df.columns.nlevels} levels")
    widest = max(layout[2] for layout in LAYOUTS)
    table_cols = pick(n_cols, widest)
    # Only the columns that can be shown are looked at: a frame may have 100,000 of them.
    all_dtypes = df.dtypes  # built per call, so once
    dtypes = {j: all_dtypes.iloc[j] for j in table_cols}
    dups = duplicated_positions(df.columns)
    names = {j: name_cell(df.columns[j], 40, j if j in dups else None) for j in table_cols}

    notes, facts, extra = "", {}, []
    if not schema_only and n_cols:
        positions = sample_of(n_rows)
        for j in table_cols:
            facts[j] = _pd_facts(df.iloc[:, j], positions)
        estimated = any(f.nulls.startswith("~") for f in facts.values())
        std = any("std" in f.summary for f in facts.values())
        notes = sample_note(None if positions is None else len(positions), estimated, std)
        unique = next((names[j] for j, f in facts.items() if f.unique), None)
        extra.append(_pd_duplicates(df, unique, positions))
        same = lambda a, b: _pd_same(df, a, b)  # noqa: E731
        extra.append(identical(facts, same, names, partial=len(table_cols) < n_cols))

    best = ""
    edges = None
    for head, tail, ncols, rowcols in LAYOUTS:
        cols = [j for j in table_cols if j in set(pick(n_cols, ncols))]
        if schema_only:
            rows = [[names[j], str(dtypes[j])] for j in cols]
            table = aligned(["column", "dtype"], rows)
        else:
            rows = [[names[j], str(dtypes[j]), facts[j].nulls, facts[j].summary] for j in cols]
            table = aligned(["column", "dtype", "nulls", "summary"], rows)
        if len(cols) < n_cols:
            table += left_out(lambda j: name_cell(df.columns[j], 40), cols, n_cols)
        parts = [*lines_head, f"columns{notes}:\n{table}" if n_cols else "no columns", *extra]
        if not schema_only and n_rows and head and n_cols:
            edges = edges or _pd_edges(df, n_cols)
            parts.append(_pd_rows(df, edges, pick(n_cols, rowcols), head, tail))
        text = "\n".join(p for p in parts if p)
        best = text
        if len(text) <= max_chars:
            break
    return best


# s: a pandas Series (untyped, as above).
def _render_pd_series(s: Any, max_chars: int, schema_only: bool) -> str:
    name = "" if s.name is None else f" {cell(s.name, 40)!r}"
    lines = [f"{type_name(s)}{name}: {len(s):,} values, dtype {s.dtype}"]
    lines.append(_pd_index_line(s.index, schema_only))
    if schema_only or len(s) == 0:
        return "\n".join(lines)
    positions = sample_of(len(s))
    facts = _pd_facts(s, positions)
    lines.append(f"nulls: {facts.nulls}" + (" (estimated)" if facts.nulls.startswith("~") else ""))
    note = sample_note(None if positions is None else len(positions), False).lstrip("; ")
    lines.append("summary" + (f" ({note})" if note else "") + f": {facts.summary}")
    text = ""
    for n in (5, 3, 1):
        if len(s) <= 2 * n:
            values = s.to_string(float_format=fmt_number)
        else:
            values = "\n".join(
                [
                    s.head(n).to_string(float_format=fmt_number, name=False, dtype=False),
                    f"… [{len(s) - 2 * n:,} more values]",
                    s.tail(n).to_string(float_format=fmt_number, name=False, dtype=False),
                ]
            )
        text = "\n".join([*lines, "values:", values])
        if len(text) <= max_chars:
            break
    return text


# obj: a pandas DataFrame, Series or Index (untyped, as above).
def render_pandas(obj: Any, *, max_chars: int, schema_only: bool) -> str:
    """Summary of a pandas DataFrame, Series or Index."""
    import pandas as pd  # loaded already: the caller holds a pandas object

    if isinstance(obj, pd.DataFrame):
        return _render_pd_frame(obj, max_chars, schema_only)
    if isinstance(obj, pd.Series):
        return _render_pd_series(obj, max_chars, schema_only)
    line = f"{type_name(obj)}: {len(obj):,} entries, dtype {obj.dtype}"
    if schema_only:
        return line
    return line + "\n" + truncate(repr(obj), max(0, max_chars - len(line) - 1))
