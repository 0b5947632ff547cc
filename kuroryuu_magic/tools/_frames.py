"""Frame tools: describe, value_counts, null_counts, duplicates.

Each is a plain function over the user's namespace that computes its answer
exactly with pandas/numpy operations on the named columns (never ``eval`` or
``DataFrame.query``) and returns bounded text through :func:`.outcome.tool`.
With ``schema_only`` no data value leaves the kernel: only counts, names and
dtypes.  Imports pandas/numpy lazily through :mod:`._data`; nothing from the
magic layer.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..context.layout import hashable_frame
from ..context.stats import (
    FLOAT_TENTHS,
    date_like,
    date_range,
    fmt_exact,
    int_mean,
    int_quantiles,
    mean_for,
)
from ._columns import (
    LOW_CARDINALITY,
    WITHHELD,
    anchored,
    counts,
    kind,
    levels,
    linear_quantiles,
)
from ._data import Table, colname, column, dtype_name, position, positions, quoted, table_of
from .outcome import ToolError, tool
from .text import Budget, num, nums, pct, table
from .text import show as show_cell

# ---------------------------------------------------------------- describe


def _describe_column(t: Table, pos: int, schema_only: bool) -> list[str]:
    s = column(t, pos)
    n = len(s)
    nulls = int(s.isna().sum())
    lv = levels(s)
    d = None if lv is None else lv[0]
    head = (
        f"[{pos}] {colname(t, pos)}: {dtype_name(t, pos)}, non-null {n - nulls:,}/{n:,}"
        + (f" ({nulls:,} null)" if nulls else "")
        + (f", distinct {d:,}" if d is not None else ", unhashable values")
    )
    if schema_only or n == nulls:
        return [head]
    lines = [head]
    k = kind(s)
    ok = s.dropna()
    if k == "number":
        lines += _number_lines(s, ok, n - nulls)
    elif k == "bool":
        true = int(ok.astype(bool).sum())
        lines.append(f"    True {true:,} ({pct(true, len(ok))})  False {len(ok) - true:,}")
    elif k in ("datetime", "timedelta"):
        lines.append(f"    min {ok.min()}  max {ok.max()}")
    elif d is not None:
        strings = ok[ok.map(lambda x: isinstance(x, str))] if ok.dtype == object else ok.astype(str)
        if len(strings):
            lengths = strings.str.len()
            lines.append(
                f"    length min {num(lengths.min())}  mean {num(lengths.mean())}  max {num(lengths.max())}"
            )
        if len(strings) == len(ok) and date_like(strings.iloc[:50]):
            rng = date_range(list(strings))
            if rng is not None:
                lines.append(
                    f"    dates {rng[0]} … {rng[1]}" + (f" ({rng[2]:,} unparsed)" if rng[2] else "")
                )
    if lv is not None and k != "bool" and d:
        top = 10 if d <= LOW_CARDINALITY else 3
        if d <= LOW_CARDINALITY or lv[1][0][1] > 1:
            values = [v for v, _ in lv[1][:top]]
            texts = _cells(values, 30)
            shown = ", ".join(f"{t} ({c:,})" for t, (_, c) in zip(texts, lv[1][:top], strict=True))
            more = f", … {d - top:,} more" if d > top else ""
            lines.append(f"    top {shown}{more}")
    return lines


# s, ok: pandas Series (pandas ships no types and pandas-stubs is not a dependency)
def _number_lines(s: Any, ok: Any, present: int) -> list[str]:
    """min/max/mean/std/quartiles/zeros of a numeric column, each exact at its shown digits:
    integer columns in exact fractions (int64 beyond 2**53 keeps every digit), ±inf counted
    apart and left out of the moments, values that would read alike given more digits."""
    np = sys.modules["numpy"]
    base, v = anchored(s)
    finite = v[np.isfinite(v)]
    pos_inf = neg_inf = 0
    if finite.size < v.size:  # the two counts cost a pass each: only when there are any
        pos_inf = int(np.count_nonzero(v == np.inf))
        neg_inf = int(np.count_nonzero(v == -np.inf))
    lo, hi = ok.min(), ok.max()
    if not finite.size:
        texts = nums([lo, hi])
        inf = _infs(pos_inf, neg_inf)
        return [f"    min {texts[0]}  max {texts[1]}  no finite values{inf}"]
    ints = ok.to_numpy() if isinstance(ok.dtype, np.dtype) and ok.dtype.kind in "iu" else None
    if ints is not None:  # exact: means and quartiles of integers are fractions
        mean_t = fmt_exact(int_mean(ints), num)
        q_exact = int_quantiles(ints, [0.25, 0.5, 0.75])
        q_t = [fmt_exact(x, num) for x in q_exact]
        lo_t, hi_t = num(lo), num(hi)
        if all(abs(x) < FLOAT_TENTHS for x in q_exact):
            lo_t, *q_t, hi_t = nums([lo, *map(float, q_exact), hi])
    else:
        q = linear_quantiles(finite, [0.25, 0.5, 0.75])
        lo_t, *q_t, hi_t = nums([lo, *q, hi])
        mean_t = num(mean_for(finite, num))
    std = num(finite.std(ddof=1)) if finite.size > 1 else "NaN"
    zeros = int(np.count_nonzero(finite == -base)) if base else int((finite == 0).sum())
    return [
        f"    min {lo_t}  max {hi_t}  mean {mean_t}  std(ddof=1) {std}{_infs(pos_inf, neg_inf)}",
        f"    25% {q_t[0]}  50% {q_t[1]}  75% {q_t[2]}  zeros {zeros:,} ({pct(zeros, present)})"
        + ("  (mean, std and quartiles over finite values)" if pos_inf or neg_inf else ""),
    ]


def _infs(pos: int, neg: int) -> str:
    return (f"  +inf {pos:,}" if pos else "") + (f"  -inf {neg:,}" if neg else "")


def _cells(values: Sequence[object], width: int) -> list[str]:
    """:func:`.text.show` of each value; numbers that would read alike get more digits."""
    texts = [show_cell(v, width) for v in values]
    if any(type(v).__name__.startswith("float") or isinstance(v, float) for v in values):
        numeric = [
            i
            for i, v in enumerate(values)
            if isinstance(v, (int, float)) or type(v).__name__.startswith(("int", "uint", "float"))
        ]
        for i, t in zip(numeric, nums([values[i] for i in numeric]), strict=True):
            texts[i] = t
    return texts


@tool
def describe(
    namespace: Mapping[str, object],
    name: str,
    columns: Sequence[str | int] | None = None,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Per column: dtype, non-null, distinct, exact min/max, mean/std/quartiles, zeros, top values."""
    t = table_of(namespace, name)
    cols = positions(t, columns)
    reserve = min(300, max(60, max_chars // 4))  # room to name the columns left out
    b = Budget(max_chars, reserve=reserve)
    b.add(t.header + (f" {WITHHELD}" if schema_only else ""))
    if not cols:
        b.add("no columns")
    done = 0
    for pos in cols:
        block = _describe_column(t, pos, schema_only)
        if sum(len(line) + 1 for line in block) > b.left:  # whole columns only
            b.full = True
            break
        for line in block:
            b.add(line)
        done += 1
    left = [colname(t, p) for p in cols[done:]]
    tail = f"… {len(left):,} more columns not described: {', '.join(left[:40])}"
    return b.text(tail[: reserve - 2])


# ---------------------------------------------------------------- value_counts


@tool
def value_counts(
    namespace: Mapping[str, object],
    name: str,
    column: str | int | None = None,
    top: int = 20,
    normalize: bool = False,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """The ``top`` most frequent values of one column with counts (or shares) and the rest summed."""
    if not 1 <= int(top) <= 1000:
        raise ToolError("top must be between 1 and 1000")
    t = table_of(namespace, name)
    pos = position(t, column)
    s = t.frame.iloc[:, pos]
    n, nulls = len(s), int(s.isna().sum())
    try:
        vc = counts(s)
    except Exception as exc:  # TypeError for lists, Arrow's own error for list/struct types
        raise ToolError(f"column {quoted(t, pos)} holds unhashable values ({exc})") from None
    head = (
        f"value_counts of {quoted(t, pos)} in {t.name}: {n:,} rows, "
        f"{len(vc):,} distinct values, {nulls:,} null"
    )
    if schema_only:
        return f"{head}\n{WITHHELD}"
    b = Budget(max_chars)
    b.add(head + ("; shares of non-null rows" if normalize else ""))
    total = max(1, n - nulls)
    rows = []
    part = vc.iloc[: int(top)]
    texts = _cells(list(part.index), 60)
    for text, c in zip(texts, part.to_numpy(), strict=True):
        c = int(c)
        rows.append([text, num(c / total) if normalize else f"{c:,}", pct(c, total)])
    shown = 0
    for line in table(["value", "share" if normalize else "count", "%"], rows, [False, True, True]):
        if not b.add(line):
            break
        shown += 1
    shown = max(0, shown - 1)  # the header row
    if shown < len(vc):  # cut by ``top`` or by length: the rest is said either way
        rest = int(vc.iloc[shown:].sum())
        b.full = True  # the tail goes into the room Budget reserves, so it always fits
        return b.text(f"  … {len(vc) - shown:,} more values ({rest:,} rows, {pct(rest, total)})")
    return b.text()


# ---------------------------------------------------------------- null_counts


@tool
def null_counts(
    namespace: Mapping[str, object], name: str, *, max_chars: int, schema_only: bool = False
) -> str:
    """Null (None/NaN/NaT) count and share per column, columns with nulls first."""
    del schema_only  # counts are never values
    t = table_of(namespace, name)
    frame = t.frame
    n = len(frame)
    per = frame.isna().sum(axis=0).to_numpy()
    with_nulls = sorted((i for i in range(len(per)) if per[i]), key=lambda i: -per[i])
    b = Budget(max_chars)
    b.add(
        f"{t.header}: {len(with_nulls):,} columns have nulls, {int(per.sum()):,} null cells in all; "
        f"rows with any null: {int(frame.isna().any(axis=1).sum()):,}"
    )
    rows = [[colname(t, i), f"{int(per[i]):,}", pct(per[i], n)] for i in with_nulls]
    shown = 0
    for line in table(["column", "nulls", "share"], rows, [False, True, True]) if rows else []:
        if not b.add(line):
            break
        shown += 1
    text = b.text()
    if rows and shown - 1 < len(rows):
        text += f"\n  … {len(rows) - max(0, shown - 1):,} more columns with nulls"
    clean = len(per) - len(with_nulls)
    if clean:
        text += f"\n{clean:,} columns have no nulls"
    return text


# ---------------------------------------------------------------- duplicates


@tool
def duplicates(
    namespace: Mapping[str, object],
    name: str,
    subset: Sequence[str | int] | None = None,
    show: int = 5,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Rows identical to an earlier row (over ``subset`` columns, or all), with a few examples."""
    if not 0 <= int(show) <= 50:
        raise ToolError("show must be between 0 and 50")
    pd = sys.modules["pandas"]
    np = sys.modules["numpy"]
    t = table_of(namespace, name)
    cols = positions(t, subset)
    frame = t.frame.iloc[:, cols]
    frame.columns = range(len(cols))  # positional: duplicate labels are fine
    if not cols:
        raise ToolError("no columns to compare")
    try:
        hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    except Exception:  # unhashable cells: lists in object columns, Arrow list/struct columns
        frame = hashable_frame(frame)
        hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    # Rows can only be equal where their 64-bit hashes are; those few are compared exactly.
    candidates = np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())
    sub = frame.iloc[candidates]
    dup = np.zeros(len(frame), dtype=bool)
    involved = np.zeros(len(frame), dtype=bool)
    if candidates.size:
        dup[candidates] = sub.duplicated(keep="first").to_numpy()
        involved[candidates] = sub.duplicated(keep=False).to_numpy()
    n_dup = int(dup.sum())
    over = "all columns" if subset is None else ", ".join(quoted(t, c) for c in cols)
    head = (
        f"{t.header}: {n_dup:,} duplicated rows (identical to an earlier row over {over}); "
        f"{int(involved.sum()) - n_dup:,} distinct rows occur more than once; "
        f"{len(frame) - n_dup:,} distinct rows"
    )
    if schema_only or not n_dup or not int(show):
        return head + (f"\n{WITHHELD}" if schema_only and n_dup else "")
    b = Budget(max_chars)
    b.add(head)
    b.add(f"most repeated rows (up to {int(show)}):")
    # Rows grouped by a 64-bit hash of their values: one pass, any dtype, positions kept.
    where = np.flatnonzero(involved)
    keys = hashes[where]
    groups = pd.Series(where).groupby(keys, sort=False).indices
    ranked = sorted((where[ix] for ix in groups.values()), key=lambda ix: (-len(ix), ix[0]))
    labels = t.frame.index
    for ix in ranked[: int(show)]:
        first = ix[0]
        values = ", ".join(
            f"{colname(t, c)}={show_cell(t.frame.iat[first, c], 30)}" for c in cols[:12]
        )
        more = ", …" if len(cols) > 12 else ""
        at = ", ".join(str(labels[i]) for i in ix[:5]) + (", …" if len(ix) > 5 else "")
        if not b.add(f"  {len(ix):,}× at index [{at}]: {values}{more}"):
            break
    return b.text("  …")
