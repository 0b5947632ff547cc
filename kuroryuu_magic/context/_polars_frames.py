"""Summaries of polars DataFrames, Series and LazyFrames for prompts (what ``{df}`` sends).

The same facts and layout as the pandas summary (:mod:`._frames`), computed with polars'
own operations on a narrow frame of the columns that can be shown, so a 5,000-column
frame costs what a 40-column one does.  A LazyFrame is never collected.  polars is
imported only inside the functions, which run once the caller holds a polars object (so
it is loaded already).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._columns import EXACT_ROWS, ColumnFacts, polars_column
from .layout import (
    DUP_EXACT_CELLS,
    LAYOUTS,
    SAMPLE_ROWS,
    TOO_WIDE,
    WIDE,
    aligned,
    block_duplicates,
    identical,
    left_out,
    name_cell,
    pick,
    sample_note,
    sample_of,
    sample_positions,
    value_text,
)
from .text import type_name

if TYPE_CHECKING:
    import polars


def _pl_duplicates(df: polars.DataFrame) -> str:
    n, m = df.shape
    if n < 2 or m == 0:
        return ""
    whole = n * m <= DUP_EXACT_CELLS or n <= SAMPLE_ROWS  # a sample would be every row
    try:
        if m > TOO_WIDE:
            return f"duplicated rows: not checked ({m:,} columns)"
        if whole and m > WIDE:
            # Row hashing across thousands of columns is slow; one numeric block is not.
            block = df.to_numpy()  # numbers stay numbers; anything else comes back as objects
            if block.dtype.kind in "iufb":
                return block_duplicates(block)
            return f"duplicated rows: not checked ({m:,} columns of mixed types)"
        if whole:
            return f"duplicated rows: {n - df.n_unique():,}"
        sample = df[sample_positions(n)]
        dup = sample.height - sample.n_unique()
    except Exception:  # Object dtype columns: polars cannot hash Python objects
        return "duplicated rows: not checked (Python object columns)"
    where = (
        f"within a {SAMPLE_ROWS:,}-row sample; exact count skipped above {DUP_EXACT_CELLS:,} cells"
    )
    return f"duplicated rows: ≥{dup:,} ({where})" if dup else f"duplicated rows: none {where}"


def _pl_rows(df: polars.DataFrame, at: list[int], cols: list[str], head: int, tail: int) -> str:
    """Head and tail rows of the columns at positions ``at`` of ``df``, headed ``cols``."""
    import polars as pl  # loaded already: the caller holds a polars object

    out = []
    # By position, not name: polars renames a Series called "" when it builds a frame.
    df = pl.DataFrame([df.to_series(k) for k in at])  # narrow first: head/tail copy every column
    for label, part in (("head", df.head(head)), ("tail", df.tail(tail))):
        n = part.height if (label == "head" and head) or (label == "tail" and tail) else 0
        if not n:
            continue
        rows = [[value_text(v) for v in row] for row in part.iter_rows()]
        out.append(f"{label}({n}):\n" + aligned([name_cell(c, 24) for c in cols], rows))
    return "\n".join(out)


def render_polars(
    obj: polars.DataFrame | polars.Series | polars.LazyFrame, *, max_chars: int, schema_only: bool
) -> str:
    """Summary of a polars DataFrame, Series, or LazyFrame (schema only: it is never collected)."""
    import polars as pl  # loaded already: the caller holds a polars object

    if isinstance(obj, pl.Series):
        obj = obj.to_frame()
        obj_name = "polars.Series"
    else:
        obj_name = type_name(obj)
    if isinstance(obj, pl.LazyFrame):
        schema = obj.collect_schema()
        rows = [[name_cell(k, 40), str(v)] for k, v in schema.items()]
        return f"{obj_name} (not collected): {len(rows):,} columns\n" + aligned(
            ["column", "dtype"], rows
        )
    n_rows, n_cols = obj.shape
    all_names = obj.columns
    header = f"{obj_name}: {n_rows:,} rows × {n_cols:,} columns"
    widest = max(layout[2] for layout in LAYOUTS)
    table_cols = pick(n_cols, widest)
    # Everything below reads this narrow frame: dtypes of 5,000 columns are never listed, and
    # it is built from Series by position (select() plans a query over every column).
    sub = pl.DataFrame([obj.to_series(j) for j in table_cols])
    dtypes = dict(zip(table_cols, map(str, sub.dtypes), strict=True))
    names = {j: name_cell(all_names[j], 40) for j in table_cols}
    pos = {j: k for k, j in enumerate(table_cols)}  # column position -> position in ``sub``
    facts: dict[int, ColumnFacts] = {}
    notes, extra = "", []
    if not schema_only and n_cols:
        for k, j in enumerate(table_cols):
            try:
                facts[j] = polars_column(sub.to_series(k), sample_of)
            except Exception as exc:
                facts[j] = ColumnFacts(
                    f"{sub.to_series(k).null_count():,}", [f"stats failed: {type(exc).__name__}"]
                )
        std = any("std" in f.summary for f in facts.values())
        notes = sample_note(SAMPLE_ROWS if n_rows > EXACT_ROWS else None, False, std)
        extra.append(_pl_duplicates(obj))
        extra.append(
            identical(
                facts,
                lambda a, b: sub.to_series(pos[a]).equals(sub.to_series(pos[b]), check_names=False),
                names,
            )
        )
    text = ""
    for head, tail, ncols, rowcols in LAYOUTS:
        cols = [j for j in table_cols if j in set(pick(n_cols, ncols))]
        if schema_only:
            table = aligned(["column", "dtype"], [[names[j], dtypes[j]] for j in cols])
        else:
            rows = [[names[j], dtypes[j], facts[j].nulls, facts[j].summary] for j in cols]
            table = aligned(["column", "dtype", "nulls", "summary"], rows)
        if len(cols) < n_cols:
            table += left_out(lambda j: name_cell(all_names[j], 40), cols, n_cols)
        parts = [header, f"columns{notes}:\n{table}" if n_cols else "no columns", *extra]
        if not schema_only and n_rows and head and n_cols:
            shown = pick(n_cols, rowcols)
            at = [pos[j] for j in shown]
            parts.append(_pl_rows(sub, at, [all_names[j] for j in shown], head, tail))
        text = "\n".join(p for p in parts if p)
        if len(text) <= max_chars:
            break
    return text
