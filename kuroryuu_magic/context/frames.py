"""Summaries of pandas and polars DataFrames and Series for prompts.

Cost is bounded as well as size: statistics and (for big frames) null counts
come from a fixed-size random sample of rows, and only the columns that will
be shown are ever touched, so a 1,000,000 × 20 frame or a 5,000-column frame
summarises in milliseconds.  The libraries come from ``sys.modules``; this
module never imports them.
"""

from __future__ import annotations

import contextlib
import math
import sys
from typing import Any

from .stats import fmt_number as _g
from .stats import numeric_summary
from .text import truncate, type_name

SAMPLE_ROWS = 10_000
# Above this many rows, null counts are estimated from the sample too.
EXACT_NULLS_MAX_ROWS = 200_000
_SEED = 0
_CELL = 32

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


def _cell(x: Any, width: int = _CELL) -> str:
    try:
        text = str(x)
    except Exception:
        text = f"<{type_name(x)}>"
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


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
    if n <= SAMPLE_ROWS:
        return np.arange(n)
    rng = np.random.default_rng(_SEED)
    if n <= 10_000_000:
        return np.sort(rng.choice(n, SAMPLE_ROWS, replace=False))
    # choice() without replacement slows down with n; at this size repeats are rare anyway.
    return np.unique(rng.integers(0, n, SAMPLE_ROWS))


# ---------------------------------------------------------------- pandas


def _pd_column(column: Any, positions: Any, exact: bool, pd: Any) -> tuple[str, str]:
    """Null count and summary of one column, from the sample rows when the frame is big."""
    np = sys.modules["numpy"]
    sampled = len(positions) < len(column)
    scale = len(column) / max(1, len(positions))
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        # Plain numpy columns: index the array directly, skipping pandas' per-call overhead.
        values = column.to_numpy()
        sample = values[positions] if sampled else values
        if dtype.kind != "f":
            nulls = "0"
        elif exact:
            nulls = f"{int(np.isnan(values).sum()):,}"
        else:
            nulls = f"~{round(int(np.isnan(sample).sum()) * scale):,}"
        if not sample.size:
            return nulls, ""
        if dtype.kind == "b":
            return nulls, f"true={_g(sample.mean() * 100)}%"
        return nulls, numeric_summary(sample[~np.isnan(sample)] if dtype.kind == "f" else sample)
    sample = column.take(positions) if sampled else column
    if exact:
        nulls = f"{int(column.isna().sum()):,}"
    else:
        nulls = f"~{round(int(sample.isna().sum()) * scale):,}"
    return nulls, _pd_other_stats(sample.dropna(), pd)


def _pd_other_stats(s: Any, pd: Any) -> str:
    """Summary of non-null sampled values of an extension/object/datetime column."""
    types = pd.api.types
    dtype = s.dtype
    if len(s) == 0:
        return ""
    if types.is_bool_dtype(dtype):
        return f"true={_g(s.astype(bool).mean() * 100)}%"
    if types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype):
        return numeric_summary(s.to_numpy(dtype="float64", na_value=float("nan")))
    if types.is_datetime64_any_dtype(dtype) or types.is_timedelta64_dtype(dtype):
        return f"min={s.min()} max={s.max()}"
    try:
        counts = s.value_counts(dropna=True)
    except TypeError:  # unhashable values (lists, dicts) in an object column
        return "unhashable values"
    if counts.empty:
        return ""
    top = _cell(counts.index[0], 24)
    categories = getattr(dtype, "categories", None)
    extra = f" categories={len(categories):,}" if categories is not None else ""
    return f"distinct={len(counts):,} top={top} ({counts.iloc[0]:,}×){extra}"


def _pd_index_line(index: Any, pd: Any, schema_only: bool) -> str:
    names = [n for n in index.names if n is not None]
    named = f" names={names}" if names else ""
    if isinstance(index, pd.MultiIndex):
        return f"index: MultiIndex, {index.nlevels} levels{named}"
    if isinstance(index, pd.RangeIndex):
        return (
            f"index: RangeIndex(start={index.start}, stop={index.stop}, step={index.step}){named}"
        )
    line = f"index: {type(index).__name__} dtype={index.dtype}{named}"
    if not schema_only and len(index):
        line += f" from {_cell(index[0], 30)} to {_cell(index[-1], 30)}"
    return line


def _value(v: Any) -> str:
    """A data cell as a person would read it: floats to 4 significant digits, text cut."""
    np = sys.modules.get("numpy")
    if isinstance(v, float) or (np is not None and isinstance(v, np.floating)):
        f = float(v)
        return "NaN" if math.isnan(f) else f"{f:.4g}"
    return _cell(v, 24)


def _pd_rows(frame: Any, positions: list[int], head: int, tail: int) -> str:
    # Formatted by hand: DataFrame.to_string costs ~8 ms per call on wide frames.
    header = ["", *(_cell(c, 24) for c in frame.columns[positions])]
    note = (
        f", {len(positions)} of {frame.shape[1]:,} columns"
        if len(positions) < frame.shape[1]
        else ""
    )
    tail = max(0, min(tail, len(frame) - head))
    parts = []
    for label, n, part in (("head", head, frame.iloc[:head]), ("tail", tail, frame.iloc[-tail:])):
        if n:
            rows = [
                [_cell(r[0], 24), *map(_value, r[1:])]
                for r in part.iloc[:, positions].itertuples(name=None)
            ]
            parts.append(f"{label}({n}{note}):\n" + _table(header, rows, right=True))
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
    dtypes = {j: df.dtypes.iloc[j] for j in table_cols}
    names = {j: _cell(df.columns[j], 40) for j in table_cols}

    nulls_note, stats = "", {}
    if not schema_only and n_cols:
        positions = _sample_positions(n_rows)
        exact = n_rows <= EXACT_NULLS_MAX_ROWS
        for j in table_cols:
            try:
                stats[j] = _pd_column(df.iloc[:, j], positions, exact, pd)
            except Exception as exc:  # one odd column must not sink the summary
                stats[j] = ("?", f"stats failed: {type(exc).__name__}")
        if not exact:
            nulls_note = f" (nulls estimated from a {len(positions):,}-row sample)"
        if len(positions) < n_rows:
            nulls_note += f"; stats from a {len(positions):,}-row random sample"

    best = ""
    for head, tail, ncols, rowcols in _LAYOUTS:
        cols = [j for j in table_cols if j in set(_pick(n_cols, ncols))]
        if schema_only:
            rows = [[names[j], str(dtypes[j])] for j in cols]
            table = _table(["column", "dtype"], rows)
        else:
            rows = [[names[j], str(dtypes[j]), _cell(stats[j][0]), stats[j][1]] for j in cols]
            table = _table(["column", "dtype", "nulls", "summary"], rows)
        if len(cols) < n_cols:
            table += f"\n  … [{n_cols - len(cols):,} more columns not shown]"
        parts = [*lines_head, f"columns{nulls_note}:\n{table}" if n_cols else "no columns"]
        if not schema_only and n_rows and head and n_cols:
            parts.append(_pd_rows(df, _pick(n_cols, rowcols), head, tail))
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
    positions = _sample_positions(len(s))
    exact = len(s) <= EXACT_NULLS_MAX_ROWS
    nulls, summary = _pd_column(s, positions, exact, pd)
    lines.append(f"nulls: {nulls}" + ("" if exact else " (estimated)"))
    note = f" (from a {len(positions):,}-value sample)" if len(positions) < len(s) else ""
    lines.append(f"summary{note}: {summary}")
    text = ""
    for n in (5, 3, 1):
        if len(s) <= 2 * n:
            values = s.to_string(float_format=_g)
        else:
            values = "\n".join(
                [
                    s.head(n).to_string(float_format=_g, name=False, dtype=False),
                    f"… [{len(s) - 2 * n:,} more values]",
                    s.tail(n).to_string(float_format=_g, name=False, dtype=False),
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


def _pl_stats(s: Any) -> str:
    if s.len() == 0:
        return ""
    dtype = s.dtype
    if dtype.is_numeric():
        v = s.drop_nulls().cast(float)
        fs = v.filter(v.is_finite())
        if fs.len() == 0:
            return "no finite values"
        return (
            f"mean={_g(fs.mean())} std={_g(fs.std())} min={_g(fs.min())} "
            f"median={_g(fs.median())} max={_g(fs.max())}"
        )
    if dtype.is_temporal():
        return f"min={s.min()} max={s.max()}"
    try:
        counts = s.drop_nulls().value_counts(sort=True)
    except Exception:  # nested or object dtypes
        return ""
    if counts.height == 0:
        return ""
    return f"distinct={counts.height:,} top={_cell(counts.row(0)[0], 24)} ({counts.row(0)[1]:,}×)"


def _pl_rows(df: Any, cols: list[str], head: int, tail: int) -> str:
    out = []
    for label, part in (("head", df.head(head)), ("tail", df.tail(tail))):
        n = part.height if (label == "head" and head) or (label == "tail" and tail) else 0
        if not n:
            continue
        rows = [[_cell(v, 24) for v in row] for row in part.select(cols).iter_rows()]
        out.append(f"{label}({n}):\n" + _table(cols, rows))
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
    names = obj.columns
    header = f"{obj_name}: {n_rows:,} rows × {n_cols:,} columns"
    widest = max(layout[2] for layout in _LAYOUTS)
    table_cols = _pick(n_cols, widest)
    stats: dict[int, tuple[str, str]] = {}
    note = ""
    if not schema_only and n_cols:
        sub = obj.select([names[j] for j in table_cols])
        nulls = sub.null_count().row(0)  # kept as metadata by polars: no scan
        sample = sub if n_rows <= SAMPLE_ROWS else sub.sample(n=SAMPLE_ROWS, seed=_SEED)
        if n_rows > SAMPLE_ROWS:
            note = f"; stats from a {SAMPLE_ROWS:,}-row random sample"
        for k, j in enumerate(table_cols):
            try:
                st = _pl_stats(sample.to_series(k))
            except Exception as exc:
                st = f"stats failed: {type(exc).__name__}"
            stats[j] = (f"{nulls[k]:,}", st)
    text = ""
    for head, tail, ncols, rowcols in _LAYOUTS:
        cols = [j for j in table_cols if j in set(_pick(n_cols, ncols))]
        if schema_only:
            table = _table(
                ["column", "dtype"], [[_cell(names[j], 40), str(obj.dtypes[j])] for j in cols]
            )
        else:
            rows = [[_cell(names[j], 40), str(obj.dtypes[j]), *stats[j]] for j in cols]
            table = _table(["column", "dtype", "nulls", "summary"], rows)
        if len(cols) < n_cols:
            table += f"\n  … [{n_cols - len(cols):,} more columns not shown]"
        parts = [header, f"columns{note}:\n{table}" if n_cols else "no columns"]
        if not schema_only and n_rows and head and n_cols:
            parts.append(_pl_rows(obj, [names[j] for j in _pick(n_cols, rowcols)], head, tail))
        text = "\n".join(p for p in parts if p)
        if len(text) <= max_chars:
            break
    return text
