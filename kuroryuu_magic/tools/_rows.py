"""Row tools: ``sample_rows`` with structured filters, and ``groupby`` aggregates.

Filters are ``[column, op, value]`` triples turned into boolean masks with
plain comparison operators on one column each: there is no expression string
anywhere, so nothing the model writes is ever evaluated.  Imports pandas and
numpy lazily through :mod:`._data`; nothing from the magic layer.
"""

from __future__ import annotations

import contextlib
import operator
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

from ._columns import WITHHELD, HasDtype, kind
from ._data import Table, colname, position, positions, quoted, table_of
from ._data import column as column_at  # groupby's `column` argument would shadow it
from .outcome import ToolError, tool
from .text import Budget, label, num, nums, show, table

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    BoolArray = npt.NDArray[np.bool_]

MAX_ROWS = 100
MAX_SHOWN_COLUMNS = 12
MAX_BY = 5
SHOWN_GROUPS = 2_000  # more rows than any budget shows
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "isnull", "notnull", "contains"]
Agg = Literal["count", "sum", "mean", "median", "min", "max", "nunique", "std"]
ALL_OPS: tuple[str, ...] = get_args(Op)  # the tool record's input model checks against these
AGGS: tuple[str, ...] = get_args(Agg)
_NUMERIC_AGGS = ("sum", "mean", "median", "std")


def _coerce(s: HasDtype, value: object) -> object:
    """``value`` as the column's kind of value: timestamps for datetimes, numbers for numbers."""
    pd = sys.modules["pandas"]
    k = kind(s)
    if value is None:
        return None
    if k == "datetime":
        ts = pd.Timestamp(value)
        tz = getattr(s.dtype, "tz", None)
        if tz is not None and ts.tzinfo is None:
            ts = ts.tz_localize(tz)
        return ts
    if k == "timedelta":
        return pd.Timedelta(value)
    if k == "number" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ToolError(f"{value!r} is not a number (column is {s.dtype})") from None
    return value


def _mask(t: Table, cond: object) -> tuple[BoolArray, str]:
    """A boolean mask (nulls False) for one ``[column, op, value]`` and how to print it."""
    if not isinstance(cond, (list, tuple)) or len(cond) not in (2, 3):
        raise ToolError(f"each where item is [column, op, value]; got {cond!r}")
    col, op = cond[0], cond[1]
    value = cond[2] if len(cond) == 3 else None
    if op not in ALL_OPS:
        raise ToolError(f"unknown op {op!r}; use one of {' '.join(ALL_OPS)}")
    s = column_at(t, position(t, col))
    shown = f"{label(col)} {op}" + ("" if op in ("isnull", "notnull") else f" {value!r}")
    if op == "isnull":
        return s.isna().to_numpy(dtype=bool), shown
    if op == "notnull":
        return s.notna().to_numpy(dtype=bool), shown
    if op in ("in", "not_in"):
        if not isinstance(value, (list, tuple)):
            raise ToolError(f"{op} needs a list of values")
        hit = s.isin([_coerce(s, v) for v in value]).to_numpy(dtype=bool)
        return (hit if op == "in" else ~hit & s.notna().to_numpy(dtype=bool)), shown
    if value is None:
        raise ToolError(f"{op} needs a value")
    if op == "contains":
        present = s.notna().to_numpy(dtype=bool)
        text = s.astype(str).str.contains(str(value), regex=False, na=False)
        return present & text.to_numpy(dtype=bool), shown
    try:
        result = OPS[op](s, _coerce(s, value))
    except TypeError as exc:
        raise ToolError(
            f"cannot compare column {label(col)!r} ({s.dtype}) with {value!r}: {exc}"
        ) from None
    return result.fillna(False).to_numpy(dtype=bool), shown


def filter_mask(t: Table, where: Sequence[object] | None) -> tuple[BoolArray, list[str]]:
    """All ``where`` conditions combined with AND."""
    np = sys.modules["numpy"]
    mask = np.ones(len(t.frame), dtype=bool)
    said = []
    for cond in where or []:
        m, text = _mask(t, cond)
        mask &= m
        said.append(text)
    return mask, said


@tool
def sample_rows(
    namespace: Mapping[str, object],
    name: str,
    n: int = 10,
    where: Sequence[object] | None = None,
    columns: Sequence[str | int] | None = None,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Up to ``n`` rows that satisfy every ``where`` condition (a seeded random pick, in row order)."""
    import numpy as np  # loaded already: the table came from pandas/polars/numpy data

    if not 0 <= int(n) <= MAX_ROWS:
        raise ToolError(f"n must be between 0 and {MAX_ROWS}")
    t = table_of(namespace, name)
    mask, said = filter_mask(t, where)
    cols = positions(t, columns)
    matches = np.flatnonzero(mask)
    cond = f" where {' and '.join(said)}" if said else ""
    head = f"{t.header}: {matches.size:,} rows match{cond}"
    if schema_only:
        return f"{head}\n{WITHHELD}"
    if matches.size > int(n):
        pick = np.sort(np.random.default_rng(0).choice(matches, int(n), replace=False))
        head += f"; {int(n)} picked at random (seed 0), in row order"
    else:
        pick = matches
    left_out = cols[MAX_SHOWN_COLUMNS:] if columns is None else []
    cols = cols[:MAX_SHOWN_COLUMNS] if columns is None else cols
    b = Budget(max_chars)
    b.add(head + ":")
    if left_out:
        names = ", ".join(colname(t, p) for p in left_out[:40])
        b.add(f"({len(left_out):,} columns not shown, pass columns=[…] to pick: {names[:300]})")
    if not pick.size:
        return b.text()
    part = t.frame.iloc[pick, cols]
    rows = [
        # Tuple labels (MultiIndex) whole: cut, ('north', 'sales-2024-q…' names no row.
        [label(lab) if isinstance(lab, tuple) else show(lab, 30), *(show(v, 30) for v in values)]
        for lab, values in zip(part.index, part.itertuples(index=False, name=None), strict=True)
    ]
    header = ["index", *(colname(t, p)[:30] for p in cols)]
    numeric = [False, *(kind(column_at(t, p)) == "number" for p in cols)]
    for line in table(header, rows, numeric):
        if not b.add(line):
            break
    return b.text("  … more rows left out for length")


@tool
def groupby(
    namespace: Mapping[str, object],
    name: str,
    by: str | int | Sequence[str | int] | None = None,
    column: str | int | None = None,
    agg: str = "mean",
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """``agg`` of ``column`` per group of ``by`` (one column or a list), largest first."""
    if agg not in AGGS:
        raise ToolError(f"agg must be one of {' '.join(AGGS)}")
    by_list = list(by) if isinstance(by, (list, tuple)) else [by]
    if not by_list or by_list == [None] or len(by_list) > MAX_BY:
        raise ToolError(f"by must be one column or a list of 1 to {MAX_BY} columns")
    t = table_of(namespace, name)
    keys = [position(t, b) for b in by_list]
    pos = position(t, column)
    s = column_at(t, pos)
    k = kind(s)
    if (
        agg in _NUMERIC_AGGS
        and k not in ("number", "bool", "timedelta")
        and not (k == "datetime" and agg in ("mean", "median"))
    ):
        raise ToolError(f"{agg} needs a numeric column; {quoted(t, pos)} is {s.dtype}")
    if str(s.dtype) == "object" and agg in ("min", "max") and s.dropna().map(type).eq(str).all():
        # pandas 2 compares None with str in object min/max; its string dtype skips nulls.
        s = s.astype("string")
    key_series = [column_at(t, p).rename(f"_k{i}") for i, p in enumerate(keys)]
    grouped = s.groupby(key_series, dropna=False, observed=True, sort=True)
    pd = sys.modules["pandas"]
    # One frame so each value keeps its group size through the sort (NaN keys included).
    try:
        res = pd.DataFrame({"value": grouped.agg(agg), "rows": grouped.size()})
    except Exception as exc:  # list/struct keys or values: pandas and Arrow cannot group them
        raise ToolError(f"cannot group these values ({type(exc).__name__}: {exc})") from None
    by_text = ", ".join(quoted(t, p) for p in keys)
    head = f"{agg} of {quoted(t, pos)} by {by_text} in {t.name}: {len(res):,} groups"
    if schema_only:
        return f"{head}\n{WITHHELD}"
    with contextlib.suppress(TypeError):  # values of mixed types keep the key order
        res = res.sort_values("value", ascending=False, na_position="last", kind="stable")
    b = Budget(max_chars)
    b.add(head + ", largest value first:")
    rows = []
    values = list(res["value"])
    # Values that would read alike get more digits (only the rows a budget can show).
    texts = _agg_values(values[:SHOWN_GROUPS]) + [_agg_value(v) for v in values[SHOWN_GROUPS:]]
    for key, text, size in zip(res.index, texts, res["rows"], strict=True):
        key_t = key if isinstance(key, tuple) else (key,)
        rows.append([*(_key(x) for x in key_t), text, f"{int(size):,}"])
    header = [*(colname(t, p)[:30] for p in keys), "std(ddof=1)" if agg == "std" else agg, "rows"]
    right = [False] * len(keys) + [True, True]
    shown = 0
    for line in table(header, rows, right):
        if not b.add(line):
            break
        shown += 1
    return b.text(f"  … {len(rows) - max(0, shown - 1):,} more groups")


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) or type(v).__name__.startswith(("int", "uint", "float"))


def _agg_value(v: object) -> str:
    return num(v) if _is_number(v) else show(v, 30)


def _agg_values(values: list[object]) -> list[str]:
    if values and all(_is_number(v) for v in values):
        return nums(values)
    return [_agg_value(v) for v in values]


def _key(x: object) -> str:
    """A group key; the null group (``dropna=False``) reads ``<null>`` whatever the dtype."""
    pd = sys.modules["pandas"]
    with contextlib.suppress(TypeError, ValueError):
        if x is None or bool(pd.isna(x)):
            return "<null>"
    return show(x, 30)
