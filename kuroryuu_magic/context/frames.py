"""Summaries of pandas and polars DataFrames and Series for prompts (what ``{df}`` sends).

What is cheap is exact: null counts, min/max, zeros, and (for integer codes,
categoricals and bools) distinct counts and top values come from one
vectorised pass over the column (see :mod:`.columns`).  What is not is taken
from a fixed-size random sample of rows and marked on the value itself
(``≈``, ``≥``, ``~``).  Below ``EXACT_ROWS`` rows nothing is sampled.  Duplicate
rows are counted exactly up to ``DUP_EXACT_CELLS`` cells and bounded from the
sample above; identical columns are flagged; only the columns that can be
shown are touched, so a 100,000-column frame costs what a 40-column one does.
The libraries come from ``sys.modules``; this module never imports them.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable
from typing import Any

from .columns import EXACT_ROWS, ColumnFacts, pandas_column, polars_column
from .render import truncate, type_name
from .stats import fmt_number

SAMPLE_ROWS = 10_000
DUP_EXACT_CELLS = 1_000_000
_WIDE = 1_000  # columns above which row hashing goes through one numpy block
_TOO_WIDE = 20_000  # columns above which even that block costs more than the whole summary
_SEED = 0
_CELL = 32
_LEFT_OUT_NAMES = 240

# Layouts tried in order, richest first, until one fits the budget:
# (head rows, tail rows, columns in the column table, columns in head/tail).
_LAYOUTS = (
    (3, 2, 40, 20),
    (3, 0, 30, 12),
    (2, 0, 20, 8),
    (1, 0, 12, 6),
    (0, 0, 8, 0),
)


def _bytes(n: float) -> str:
    if n < 1000:
        return f"{n:,.0f} bytes"
    for unit in ("kB", "MB"):
        n /= 1000
        if n < 1000:
            return f"{n:,.1f} {unit}"
    return f"{n / 1000:,.1f} GB"


def _whole(x: Any) -> bool:
    """Labels that are wrong when cut: MultiIndex tuples and timestamps (their offset)."""
    return isinstance(x, tuple) or type(x).__name__ in ("Timestamp", "datetime")


def _cell(x: Any, width: int = _CELL) -> str:
    try:
        text = str(x)
    except Exception:
        text = f"<{type_name(x)}>"
    text = text.replace("\n", "\\n")
    if _whole(x):
        width = max(width, 80)
    return text if len(text) <= width else text[: width - 1] + "…"


def _value(v: Any) -> str:
    """A data cell in the one number style of the profile; text cut, timestamps whole."""
    np = sys.modules.get("numpy")
    if isinstance(v, bool) or (np is not None and isinstance(v, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, float)) or (np is not None and isinstance(v, (np.integer, np.floating))):
        f = float(v)
        return "NaN" if math.isnan(f) else fmt_number(v)
    return _cell(v, 24)


def _table(header: list[str], rows: list[list[str]], right: bool = False) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    pad = str.rjust if right else str.ljust
    lines = [
        "  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    return "\n".join("  " + line for line in lines)


def _pick(n: int, keep: int) -> list[int]:
    """Positions of the first and last columns to show when there are too many."""
    if n <= keep:
        return list(range(n))
    first = keep - max(1, keep // 4)
    return list(range(first)) + list(range(n - (keep - first), n))


def _sample_positions(n: int) -> Any:
    np = sys.modules["numpy"]
    rng = np.random.default_rng(_SEED)
    if n <= 10_000_000:
        return np.sort(rng.choice(n, SAMPLE_ROWS, replace=False))
    # choice() without replacement slows down with n; at this size repeats are rare anyway.
    return np.unique(rng.integers(0, n, SAMPLE_ROWS))


def _sample_of(n: int) -> Any:
    """Sample positions for a column of ``n`` values, or None when every value is used."""
    return None if n <= EXACT_ROWS else _sample_positions(n)


def _left_out(name_of: Callable[[int], str], shown: list[int], n_cols: int) -> str:
    """``… [N more columns not shown: a, b, …]``, naming as many as fit; names read lazily."""
    keep = set(shown)
    listed, size = [], 0
    for j in range(n_cols):
        if j in keep:
            continue
        name = name_of(j)
        size += len(name) + 2
        if size > _LEFT_OUT_NAMES:
            listed.append("…")
            break
        listed.append(name)
    return f"\n  … [{n_cols - len(shown):,} more columns not shown: {', '.join(listed)}]"


def _notes(sampled: int | None, object_estimate: bool) -> str:
    if sampled is None:
        return ""
    note = f"; ≈ marks values from a {sampled:,}-row random sample, ≥ a distinct count it bounds"
    return note + ("; ~ estimated null counts" if object_estimate else "")


def _identical(
    facts: dict[int, ColumnFacts], same: Any, names: dict[int, str], partial: bool = False
) -> str:
    """``identical columns: b = a`` for columns whose cheap facts match and whose values do."""
    groups: dict[Any, list[int]] = {}
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


def _pd_same(df: Any, a: int, b: int) -> bool:
    np = sys.modules["numpy"]
    x, y = df.iloc[:, a], df.iloc[:, b]
    if isinstance(x.dtype, np.dtype) and x.dtype == y.dtype and x.dtype.kind in "iufbmM":
        return bool(np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=x.dtype.kind == "f"))
    return bool(x.reset_index(drop=True).equals(y.reset_index(drop=True)))


def _strictly_monotonic(values: Any, positions: Any) -> bool:
    np = sys.modules["numpy"]

    def strict(v: Any) -> bool:
        return bool(np.all(v[1:] > v[:-1]) or np.all(v[1:] < v[:-1]))

    return strict(values[positions]) and strict(values)  # the sample rules most columns out


def _pd_unique_column(df: Any, positions: Any, pd: Any) -> str | None:
    """A column whose values never repeat (strictly monotonic), proving no duplicate rows."""
    np = sys.modules["numpy"]
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
            return _cell(df.columns[j], 40)
    return None


def _wide_duplicates(df: Any) -> str:
    """Duplicate rows of a wide frame: hashing column by column costs seconds at 100,000 columns,
    so only a frame that is one numeric block (one ``to_numpy``) is counted."""
    kinds = {getattr(d, "kind", "O") for d in df.dtypes.unique()}
    if not kinds <= set("iufb") or len(df.dtypes.unique()) != 1:
        return f"duplicated rows: not checked ({df.shape[1]:,} columns of mixed types)"
    return _block_duplicates(df.to_numpy())


def _block_duplicates(block: Any) -> str:
    """Duplicate rows of one 2-D numeric array: each row viewed as one opaque value."""
    np = sys.modules["numpy"]
    block = np.ascontiguousarray(block)
    rows = block.view(np.dtype((np.void, block.dtype.itemsize * block.shape[1]))).ravel()
    return f"duplicated rows: {block.shape[0] - np.unique(rows).size:,}"


def _pd_duplicates(df: Any, pd: Any, unique: str | None = None) -> str:
    """Duplicated rows: exact when small, else proved absent by a column whose values never
    repeat (``unique``, or a strictly monotonic one), else bounded from the row sample."""
    n, m = df.shape
    if n < 2 or m == 0:
        return ""
    if unique is not None and n * m > DUP_EXACT_CELLS:
        return f"duplicated rows: 0 ({unique} never repeats)"
    try:
        if m > _TOO_WIDE:
            return f"duplicated rows: not checked ({m:,} columns)"
        if n * m <= DUP_EXACT_CELLS and m > _WIDE:
            return _wide_duplicates(df)
        if n * m <= DUP_EXACT_CELLS:
            dup = int(pd.util.hash_pandas_object(df, index=False).duplicated().sum())
            return f"duplicated rows: {dup:,}"
        positions = _sample_positions(n)
        proof = _pd_unique_column(df, positions, pd)
        if proof is not None:
            return f"duplicated rows: 0 ({proof} never repeats)"
        sample = df.iloc[positions]
        dup = int(pd.util.hash_pandas_object(sample, index=False).duplicated().sum())
    except Exception:  # unhashable cells (lists, dicts, Arrow nested types)
        return "duplicated rows: not checked (unhashable values)"
    where = f"within a {len(positions):,}-row sample; exact count skipped above {DUP_EXACT_CELLS:,} cells"
    return f"duplicated rows: ≥{dup:,} ({where})" if dup else f"duplicated rows: none {where}"


def _pd_facts(s: Any, positions: Any, pd: Any) -> ColumnFacts:
    try:
        return pandas_column(s, positions, pd)
    except Exception as exc:  # one odd column must not sink the summary, nor lose its nulls
        nulls = "?"
        with contextlib.suppress(Exception):
            nulls = f"{int(s.isna().sum()):,}"
        return ColumnFacts(nulls, [f"stats failed: {type(exc).__name__}"])


def _pd_index_line(index: Any, pd: Any, schema_only: bool) -> str:
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
        line += f" from {_cell(index[0], 40)} to {_cell(index[-1], 40)}"
    return line


def _pd_edges(df: Any, n_cols: int) -> tuple[list[int], dict[int, list[str]]]:
    """Head/tail cells of the widest row layout, formatted once for every layout tried."""
    n = len(df)
    head, tail, _, rowcols = _LAYOUTS[0]
    rows = sorted(set(range(min(head, n))) | set(range(max(0, n - tail), n)))
    # One small frame: itertuples over a million-row frame's slices costs per layout.
    part = df.iloc[rows].iloc[
        :, _pick(n_cols, rowcols)
    ]  # rows first: a 5-row take, not a column copy
    cells = {
        r: [_cell(t[0], 24), *map(_value, t[1:])]
        for r, t in zip(rows, part.itertuples(name=None), strict=True)
    }
    return _pick(n_cols, rowcols), cells


def _pd_rows(
    df: Any,
    edges: tuple[list[int], dict[int, list[str]]],
    positions: list[int],
    head: int,
    tail: int,
) -> str:
    # Formatted by hand: DataFrame.to_string costs ~8 ms per call on wide frames.
    n_rows, n_cols = df.shape
    widest, cells = edges
    at = [0, *(1 + widest.index(j) for j in positions)]
    header = ["", *(_cell(df.columns[j], 24) for j in positions)]
    note = f", {len(positions)} of {n_cols:,} columns" if len(positions) < n_cols else ""
    tail = max(0, min(tail, n_rows - head))
    parts = []
    for label, rows in (("head", range(min(head, n_rows))), ("tail", range(n_rows - tail, n_rows))):
        if len(rows):
            table = [[cells[r][i] for i in at] for r in rows]
            parts.append(f"{label}({len(rows)}{note}):\n" + _table(header, table, right=True))
    return "\n".join(parts)


def _render_pd_frame(df: Any, pd: Any, max_chars: int, schema_only: bool) -> str:
    n_rows, n_cols = df.shape
    header = f"{type_name(df)}: {n_rows:,} rows × {n_cols:,} columns"
    # memory_usage() walks every column (seconds at 100,000 columns): a nicety, so skip it there.
    if n_cols <= 1_000:
        with contextlib.suppress(Exception):  # exotic extension arrays
            header += f"; memory ≈ {_bytes(df.memory_usage(index=True, deep=False).sum())}"
    lines_head = [header, _pd_index_line(df.index, pd, schema_only)]
    if isinstance(df.columns, pd.MultiIndex):
        lines_head.append(f"columns: MultiIndex, {df.columns.nlevels} levels")
    widest = max(layout[2] for layout in _LAYOUTS)
    table_cols = _pick(n_cols, widest)
    # Only the columns that can be shown are looked at: a frame may have 100,000 of them.
    all_dtypes = df.dtypes  # built per call, so once
    dtypes = {j: all_dtypes.iloc[j] for j in table_cols}
    names = {j: _cell(df.columns[j], 40) for j in table_cols}

    notes, facts, extra = "", {}, []
    if not schema_only and n_cols:
        positions = _sample_of(n_rows)
        for j in table_cols:
            facts[j] = _pd_facts(df.iloc[:, j], positions, pd)
        estimated = any(f.nulls.startswith("~") for f in facts.values())
        notes = _notes(None if positions is None else len(positions), estimated)
        unique = next((names[j] for j, f in facts.items() if f.unique), None)
        extra.append(_pd_duplicates(df, pd, unique))
        same = lambda a, b: _pd_same(df, a, b)  # noqa: E731
        extra.append(_identical(facts, same, names, partial=len(table_cols) < n_cols))

    best = ""
    edges = None
    for head, tail, ncols, rowcols in _LAYOUTS:
        cols = [j for j in table_cols if j in set(_pick(n_cols, ncols))]
        if schema_only:
            rows = [[names[j], str(dtypes[j])] for j in cols]
            table = _table(["column", "dtype"], rows)
        else:
            rows = [[names[j], str(dtypes[j]), facts[j].nulls, facts[j].summary] for j in cols]
            table = _table(["column", "dtype", "nulls", "summary"], rows)
        if len(cols) < n_cols:
            table += _left_out(lambda j: _cell(df.columns[j], 40), cols, n_cols)
        parts = [*lines_head, f"columns{notes}:\n{table}" if n_cols else "no columns", *extra]
        if not schema_only and n_rows and head and n_cols:
            edges = edges or _pd_edges(df, n_cols)
            parts.append(_pd_rows(df, edges, _pick(n_cols, rowcols), head, tail))
        text = "\n".join(p for p in parts if p)
        best = text
        if len(text) <= max_chars:
            break
    return best


def _render_pd_series(s: Any, pd: Any, max_chars: int, schema_only: bool) -> str:
    name = "" if s.name is None else f" {_cell(s.name, 40)!r}"
    lines = [f"{type_name(s)}{name}: {len(s):,} values, dtype {s.dtype}"]
    lines.append(_pd_index_line(s.index, pd, schema_only))
    if schema_only or len(s) == 0:
        return "\n".join(lines)
    positions = _sample_of(len(s))
    facts = _pd_facts(s, positions, pd)
    lines.append(f"nulls: {facts.nulls}" + (" (estimated)" if facts.nulls.startswith("~") else ""))
    note = _notes(None if positions is None else len(positions), False).lstrip("; ")
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


def render_pandas(obj: Any, *, max_chars: int, schema_only: bool) -> str:
    """Summary of a pandas DataFrame, Series or Index."""
    pd = sys.modules["pandas"]
    if isinstance(obj, pd.DataFrame):
        return _render_pd_frame(obj, pd, max_chars, schema_only)
    if isinstance(obj, pd.Series):
        return _render_pd_series(obj, pd, max_chars, schema_only)
    line = f"{type_name(obj)}: {len(obj):,} entries, dtype {obj.dtype}"
    if schema_only:
        return line
    return line + "\n" + truncate(repr(obj), max(0, max_chars - len(line) - 1))


# ---------------------------------------------------------------- polars


def _pl_duplicates(df: Any) -> str:
    n, m = df.shape
    if n < 2 or m == 0:
        return ""
    try:
        if m > _TOO_WIDE:
            return f"duplicated rows: not checked ({m:,} columns)"
        if n * m <= DUP_EXACT_CELLS and m > _WIDE:
            # Row hashing across thousands of columns is slow; one numeric block is not.
            block = df.to_numpy()  # numbers stay numbers; anything else comes back as objects
            if block.dtype.kind in "iufb":
                return _block_duplicates(block)
            return f"duplicated rows: not checked ({m:,} columns of mixed types)"
        if n * m <= DUP_EXACT_CELLS:
            return f"duplicated rows: {n - df.n_unique():,}"
        sample = df[_sample_positions(n)]
        dup = sample.height - sample.n_unique()
    except Exception:  # nested or object dtypes
        return "duplicated rows: not checked (unhashable values)"
    where = (
        f"within a {SAMPLE_ROWS:,}-row sample; exact count skipped above {DUP_EXACT_CELLS:,} cells"
    )
    return f"duplicated rows: ≥{dup:,} ({where})" if dup else f"duplicated rows: none {where}"


def _pl_rows(df: Any, cols: list[str], head: int, tail: int) -> str:
    out = []
    df = df.select(cols)  # narrow first: head/tail copy every column they are given
    for label, part in (("head", df.head(head)), ("tail", df.tail(tail))):
        n = part.height if (label == "head" and head) or (label == "tail" and tail) else 0
        if not n:
            continue
        rows = [[_value(v) for v in row] for row in part.iter_rows()]
        out.append(f"{label}({n}):\n" + _table([_cell(c, 24) for c in cols], rows))
    return "\n".join(out)


def render_polars(obj: Any, *, max_chars: int, schema_only: bool) -> str:
    """Summary of a polars DataFrame, Series, or LazyFrame (schema only: it is never collected)."""
    pl = sys.modules["polars"]
    if isinstance(obj, pl.Series):
        obj = obj.to_frame()
        obj_name = "polars.Series"
    else:
        obj_name = type_name(obj)
    if isinstance(obj, pl.LazyFrame):
        schema = obj.collect_schema()
        rows = [[_cell(k, 40), str(v)] for k, v in schema.items()]
        return f"{obj_name} (not collected): {len(rows):,} columns\n" + _table(
            ["column", "dtype"], rows
        )
    n_rows, n_cols = obj.shape
    all_names = obj.columns
    header = f"{obj_name}: {n_rows:,} rows × {n_cols:,} columns"
    widest = max(layout[2] for layout in _LAYOUTS)
    table_cols = _pick(n_cols, widest)
    # Everything below reads this narrow frame: dtypes of 5,000 columns are never listed, and
    # it is built from Series by position (select() plans a query over every column).
    sub = pl.DataFrame([obj.to_series(j) for j in table_cols])
    dtypes = dict(zip(table_cols, map(str, sub.dtypes), strict=True))
    names = {j: _cell(all_names[j], 40) for j in table_cols}
    facts: dict[int, ColumnFacts] = {}
    notes, extra = "", []
    if not schema_only and n_cols:
        for k, j in enumerate(table_cols):
            try:
                facts[j] = polars_column(sub.to_series(k), _sample_of)
            except Exception as exc:
                facts[j] = ColumnFacts(
                    f"{sub.to_series(k).null_count():,}", [f"stats failed: {type(exc).__name__}"]
                )
        notes = _notes(SAMPLE_ROWS if n_rows > EXACT_ROWS else None, False)
        extra.append(_pl_duplicates(obj))
        pos = {j: k for k, j in enumerate(table_cols)}
        extra.append(
            _identical(
                facts,
                lambda a, b: sub.to_series(pos[a]).equals(sub.to_series(pos[b]), check_names=False),
                names,
            )
        )
    text = ""
    for head, tail, ncols, rowcols in _LAYOUTS:
        cols = [j for j in table_cols if j in set(_pick(n_cols, ncols))]
        if schema_only:
            table = _table(["column", "dtype"], [[names[j], dtypes[j]] for j in cols])
        else:
            rows = [[names[j], dtypes[j], facts[j].nulls, facts[j].summary] for j in cols]
            table = _table(["column", "dtype", "nulls", "summary"], rows)
        if len(cols) < n_cols:
            table += _left_out(lambda j: _cell(all_names[j], 40), cols, n_cols)
        parts = [header, f"columns{notes}:\n{table}" if n_cols else "no columns", *extra]
        if not schema_only and n_rows and head and n_cols:
            parts.append(_pl_rows(sub, [all_names[j] for j in _pick(n_cols, rowcols)], head, tail))
        text = "\n".join(p for p in parts if p)
        if len(text) <= max_chars:
            break
    return text
