"""Distribution tools: quantiles, histogram and correlations of numeric (and datetime) columns.

Exact answers with numpy/pandas operations on named columns, bounded text through
:func:`.outcome.tool`; ``schema_only`` withholds every value.  Imports pandas and
numpy lazily through :mod:`._data`; nothing from the magic layer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from ..context.stats import FLOAT_TENTHS, fmt_exact, int_quantiles
from ._columns import WITHHELD, floats, floats_all, kind, linear_quantiles
from ._data import colname, column, position, positions, quoted, table_of
from .outcome import ToolError, tool
from .text import Budget, num, nums

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    BoolArray = npt.NDArray[np.bool_]

DEFAULT_Q = (0, 0.01, 0.25, 0.5, 0.75, 0.99, 1)
Method = Literal["pearson", "spearman"]
MAX_CORR_COLUMNS = 100
SPEARMAN_PAIR_ROWS = 30_000_000  # rows × pairs with nulls: a few seconds of per-pair ranking


# ---------------------------------------------------------------- quantiles


@tool
def quantiles(
    namespace: Mapping[str, object],
    name: str,
    column: str | int | None = None,
    q: Sequence[float] = DEFAULT_Q,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Quantiles (linear interpolation, as pandas) of one numeric, datetime or timedelta column."""
    qs = [float(x) for x in q]
    if not qs or len(qs) > 101 or any(not 0 <= x <= 1 for x in qs):
        raise ToolError("q must be 1 to 101 numbers between 0 and 1")
    t = table_of(namespace, name)
    pos = position(t, column)
    s = t.frame.iloc[:, pos]
    k = kind(s)
    if k not in ("number", "datetime", "timedelta", "bool"):
        raise ToolError(f"column {quoted(t, pos)} is {s.dtype}, not numeric or datetime")
    ok = s.dropna()
    head = f"quantiles of {quoted(t, pos)} in {t.name} ({len(ok):,} non-null of {len(s):,})"
    if schema_only:
        return f"{head}\n{WITHHELD}"
    if ok.empty:
        return head + ": no values"
    np = sys.modules["numpy"]
    if k == "bool":
        ok = ok.astype(float)
    values = None
    if k == "number" and isinstance(ok.dtype, np.dtype) and ok.dtype.kind in "iu":
        exact = int_quantiles(ok.to_numpy(), qs)  # integers: exact fractions
        small = all(abs(x) < FLOAT_TENTHS for x in exact)
        out = nums([float(x) for x in exact]) if small else [fmt_exact(x, num) for x in exact]
    elif k == "number":
        values = floats(ok)
        out = nums(linear_quantiles(values, qs))
    else:
        out = [str(v) for v in ok.quantile(qs)]
    b = Budget(max_chars)
    b.add(head + ":")
    for x, v in zip(qs, out, strict=True):
        b.add(f"  {num(x)}: {v}")
    if values is not None and np_isinf_any(values):
        b.add(
            "  (±inf values count as the largest / smallest; a quantile between a finite "
            "value and inf is inf)"
        )
    return b.text("  …")


def np_isinf_any(values: FloatArray) -> bool:
    return bool(sys.modules["numpy"].isinf(values).any())


# ---------------------------------------------------------------- correlations


@tool
def correlations(
    namespace: Mapping[str, object],
    name: str,
    columns: Sequence[str | int] | None = None,
    method: str = "pearson",
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Pairwise correlations of numeric columns, strongest first, each with its pair count."""
    if method not in ("pearson", "spearman"):
        raise ToolError("method must be 'pearson' or 'spearman'")
    t = table_of(namespace, name)
    cols = [p for p in positions(t, columns) if kind(column(t, p)) in ("number", "bool")]
    skipped = len(cols) - MAX_CORR_COLUMNS
    cols = cols[:MAX_CORR_COLUMNS]
    if len(cols) < 2:
        raise ToolError("correlations need at least two numeric columns")
    pd = sys.modules["pandas"]
    names = [colname(t, p) for p in cols]
    data = pd.DataFrame({i: floats_all(column(t, p)) for i, p in enumerate(cols)})
    if schema_only:
        return f"{t.header}: {len(cols)} numeric columns: {', '.join(names)}\n{WITHHELD}"
    np = sys.modules["numpy"]
    infinite = np.isinf(data.to_numpy(dtype="float64")).sum(axis=0)
    inf_note = ""
    if method == "pearson" and infinite.any():
        # r of a column holding inf is NaN (inf - inf); say so, and correlate the finite rows.
        data = data.mask(np.isinf(data))
        listed = ", ".join(f"{names[i]} ({int(c):,})" for i, c in enumerate(infinite) if c)
        inf_note = (
            f"±inf values left out (pearson needs finite values; n counts finite pairs): {listed}"
        )
    present = data.notna().to_numpy(dtype="float64")
    pairs_n = present.T @ present
    if method == "pearson":
        r = pairwise_pearson(data.to_numpy(dtype="float64"), present, pairs_n)
    else:
        k, full = len(cols), int(present.all(axis=0).sum())
        per_pair = (k * (k - 1) - full * (full - 1)) // 2 * len(data)
        if per_pair > SPEARMAN_PAIR_ROWS:
            raise ToolError(
                f"spearman ranks each pair with nulls apart ({k - full} of {k} columns have "
                f"nulls, {len(data):,} rows): pass fewer columns, or use pearson"
            )
        r = pairwise_spearman(data.to_numpy(dtype="float64"), present > 0)
    pairs = [(i, j, float(r[i, j])) for i in range(len(cols)) for j in range(i + 1, len(cols))]
    pairs.sort(key=lambda p: -abs(p[2]) if p[2] == p[2] else 1.0)
    b = Budget(max_chars)
    note = f"; {skipped:,} more numeric columns left out" if skipped > 0 else ""
    b.add(f"{method} correlations in {t.name}, {len(pairs):,} pairs, strongest first{note}:")
    if inf_note:
        b.add(inf_note)
    for i, j, v in pairs:
        n_ij = int(pairs_n[i, j])
        why = (
            ""
            if v == v
            else (" (fewer than 2 shared rows)" if n_ij < 2 else " (a constant column)")
        )
        if not b.add(f"  {names[i]} ~ {names[j]}: {num(v)}{why} (n={n_ij:,})"):
            break
    return b.text(f"  … weaker pairs left out (of {len(pairs):,})")


def pairwise_pearson(x: FloatArray, present: FloatArray, n: FloatArray) -> FloatArray:
    """Pearson r of every column pair over the rows where both are present, as df.corr().

    Matrix products instead of pandas' pair-by-pair loop (seconds on a million rows): with
    ``m`` the presence mask and ``x`` centred and zero where missing, each pair's sums over
    shared rows are entries of ``xᵀx``, ``xᵀm`` and ``(x²)ᵀm``.
    """
    np = sys.modules["numpy"]
    x = np.where(present > 0, x - np.nanmean(x, axis=0), 0.0)  # centring keeps precision
    sxy = x.T @ x
    sx = x.T @ present  # sx[i, j]: sum of column i over rows where j is present too
    sxx = (x * x).T @ present
    with np.errstate(all="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        r = cov / np.sqrt(var_i * var_i.T)
    r[n < 2] = np.nan
    out: FloatArray = np.clip(r, -1.0, 1.0)
    return out


def pairwise_spearman(x: FloatArray, present: BoolArray) -> FloatArray:
    """Spearman rho of every column pair as df.corr("spearman"): ranks (ties averaged) taken
    over the rows the pair shares.

    Each column is sorted once.  A value's rank within a pair is its rank in the whole column
    less the values that drop out because the other column is null there; counting those is
    a cumulative sum over the column's sorted order, so no pair is sorted again.  Pairs where
    neither column has nulls share one rank matrix and one matrix product.
    """
    np = sys.modules["numpy"]
    k = x.shape[1]
    order, lo, eq = [], [], []  # per column: sorted order of present rows; per row: less / equal
    for i in range(k):
        rows = np.flatnonzero(present[:, i])
        o = rows[np.argsort(x[rows, i])]
        ranked = x[o, i]
        # Tie groups in sorted order: each position's group start (values less) and group size.
        new = np.concatenate(([True], ranked[1:] != ranked[:-1])) if ranked.size else ranked
        starts = np.flatnonzero(new)
        group = np.cumsum(new) - 1
        sizes = np.diff(np.append(starts, ranked.size))
        below = np.zeros(len(x), dtype="int64")
        same = np.zeros(len(x), dtype="int64")
        below[o] = starts[group]
        same[o] = sizes[group]
        order.append(o)
        lo.append(below)
        eq.append(same)
    r = np.full((k, k), np.nan)
    full = [i for i in range(k) if present[:, i].all()]
    if len(full) > 1:  # no nulls: the ranks are the same for every pair
        ranks = np.column_stack([lo[i] + (eq[i] + 1) / 2 for i in full])
        ones = np.ones_like(ranks)
        r[np.ix_(full, full)] = pairwise_pearson(ranks, ones, ones.T @ ones)

    def pair_ranks(i: int, j: int, shared: BoolArray) -> FloatArray:
        less, ties = lo[i][shared], eq[i][shared]
        # gone[p]: values among the first p of column i's sorted order whose row lacks column j.
        gone = np.concatenate(([0], np.cumsum(~present[order[i], j])))
        ranks: FloatArray = (less - gone[less]) + (ties - (gone[less + ties] - gone[less]) + 1) / 2
        return ranks

    for i in range(k):
        for j in range(i + 1, k):
            if i in full and j in full:
                continue
            shared = present[:, i] & present[:, j]
            if np.count_nonzero(shared) < 2:
                continue
            a, c = pair_ranks(i, j, shared), pair_ranks(j, i, shared)
            with np.errstate(all="ignore"):
                r[i, j] = r[j, i] = np.corrcoef(a, c)[0, 1]
    np.fill_diagonal(r, 1.0)
    out: FloatArray = np.clip(r, -1.0, 1.0)
    return out


# ---------------------------------------------------------------- histogram


@tool
def histogram(
    namespace: Mapping[str, object],
    name: str,
    column: str | int | None = None,
    bins: int = 20,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Counts in ``bins`` equal-width bins over the finite values (numbers, datetimes, bools)."""
    if not 1 <= int(bins) <= 200:
        raise ToolError("bins must be between 1 and 200")
    np = sys.modules["numpy"]
    t = table_of(namespace, name)
    pos = position(t, column)
    s = t.frame.iloc[:, pos]
    k = kind(s)
    if k not in ("number", "datetime", "timedelta", "bool"):
        raise ToolError(
            f"column {quoted(t, pos)} is {s.dtype}; use value_counts for non-numeric columns"
        )
    ok = s.dropna()
    head = f"histogram of {quoted(t, pos)} in {t.name}: {len(ok):,} non-null of {len(s):,}"
    if schema_only:
        return f"{head}\n{WITHHELD}"
    if k in ("datetime", "timedelta"):
        values, edges_of = _nanoseconds(ok, k)
    else:
        values = floats(ok.astype("float64") if k == "bool" else ok)
        edges_of = num
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return head + ": no finite values"
    if finite.min() == finite.max():  # numpy widens a zero range by ±0.5, too fine for datetimes
        return f"{head}: all {finite.size:,} values equal {edges_of(finite[0])}"
    try:
        hist, edges = np.histogram(finite, bins=int(bins))
    except ValueError as exc:  # a range too narrow for float64 to split into that many bins
        raise ToolError(f"{exc}; try fewer bins") from None
    peak = max(1, int(hist.max()))
    b = Budget(max_chars)
    extra = f", {values.size - finite.size:,} inf left out" if values.size > finite.size else ""
    b.add(head + extra + f"; {int(bins)} equal-width bins [left, right), last bin closed:")
    for c, lo, hi in zip(hist, edges[:-1], edges[1:], strict=True):
        bar = "#" * round(20 * int(c) / peak)
        b.add(f"  {edges_of(lo)} … {edges_of(hi)}: {int(c):,} {bar}".rstrip())
    return b.text("  …")


def _nanoseconds(s: object, k: str) -> tuple[FloatArray, Callable[[float], str]]:
    """Datetimes or timedeltas as float nanoseconds, and how to print a bin edge back."""
    pd = sys.modules["pandas"]
    if k == "timedelta":
        ns = pd.TimedeltaIndex(s).as_unit("ns").asi8.astype("float64")
        return ns, lambda e: str(pd.Timedelta(int(e), unit="ns"))
    index = pd.DatetimeIndex(s).as_unit("ns")
    tz = index.tz
    ns = index.asi8.astype("float64")  # UTC-based when tz-aware

    def edge(e: float) -> str:
        ts = pd.Timestamp(int(e), unit="ns", tz="UTC" if tz is not None else None)
        return str(ts.tz_convert(tz) if tz is not None else ts)

    return ns, edge
