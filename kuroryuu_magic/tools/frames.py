"""Column statistics tools: describe, value_counts, null_counts, duplicates, quantiles,
correlations, histogram.

Each is a plain function over the user's namespace that computes its answer
exactly with pandas/numpy operations on the named columns (never ``eval`` or
``DataFrame.query``) and returns bounded text through :func:`.outcome.tool`.
With ``schema_only`` no data value leaves the kernel: only counts, names and
dtypes.  Imports pandas/numpy lazily through :mod:`.data`; nothing from the
magic layer.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..context.stats import date_like, date_range
from .data import Table, colname, column, dtype_name, position, positions, table_of
from .outcome import ToolError, tool
from .text import Budget, num, pct, table
from .text import show as show_cell

DEFAULT_Q = (0, 0.01, 0.25, 0.5, 0.75, 0.99, 1)
LOW_CARDINALITY = 50
MAX_CORR_COLUMNS = 100
SPEARMAN_PAIR_ROWS = 20_000_000  # pair × row budget of pandas' pair-by-pair spearman
WITHHELD = "(schema-only mode: values are withheld; counts, names and dtypes only)"


def _pandas() -> Any:
    return sys.modules["pandas"]


def _types() -> Any:
    return sys.modules["pandas"].api.types


def kind(s: Any) -> str:
    """``bool``, ``number``, ``datetime``, ``timedelta`` or ``other`` for a pandas Series."""
    t = _types()
    dtype = s.dtype
    if t.is_bool_dtype(dtype):
        return "bool"
    if t.is_numeric_dtype(dtype) and not t.is_complex_dtype(dtype):
        return "number"
    if t.is_datetime64_any_dtype(dtype):
        return "datetime"
    if t.is_timedelta64_dtype(dtype):
        return "timedelta"
    return "other"


def floats(s: Any) -> Any:
    """Non-null values of a numeric Series as a float64 numpy array."""
    np = sys.modules["numpy"]
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    return v[~np.isnan(v)]


def counts(s: Any) -> Any:
    """``value_counts`` without nulls; categories that never occur are not values."""
    vc = s.value_counts(dropna=True, sort=True)
    return vc[vc > 0]


def levels(s: Any, top: int = 10) -> tuple[int, list[tuple[Any, int]]] | None:
    """Exact distinct count of non-null values and the ``top`` most frequent, most first;
    None when the values are unhashable.  numpy-backed numbers and datetimes go through one
    sort (or a bincount for small-range integers) instead of a hash table per value."""
    np = sys.modules["numpy"]
    ok = s.dropna()
    arr = None
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":
        arr = ok.to_numpy()
    elif kind(s) in ("datetime", "timedelta") and hasattr(ok.array, "asi8"):
        arr = ok.array.asi8
    if arr is None:
        try:
            vc = counts(s)
        except Exception:  # TypeError for lists, Arrow's own error for list/struct types
            return None
        return len(vc), [(v, int(c)) for v, c in vc.iloc[:top].items()]
    if not arr.size:
        return 0, []
    if arr.dtype.kind in "iu" and int(arr.max()) - int(arr.min()) <= min(1 << 20, 8 * arr.size):
        lo = int(arr.min())
        binned = np.bincount(arr - lo if lo else arr)
        present = np.flatnonzero(binned)
        order = present[np.argsort(-binned[present], kind="stable")[:top]]
        return present.size, [(lo + int(i), int(binned[i])) for i in order]
    # Without return_index numpy can hash instead of a stable argsort: several times faster.
    values, cnt = np.unique(arr, return_counts=True)
    order = np.argsort(-cnt, kind="stable")[:top]
    back = _from_int64(s) if arr.dtype.kind in "iu" and kind(s) != "number" else (lambda v: v)
    return cnt.size, [(back(values[i]), int(cnt[i])) for i in order]


def _from_int64(s: Any) -> Any:
    """Turn an ``asi8`` value of a datetime/timedelta column back into its Timestamp/Timedelta."""
    pd = sys.modules["pandas"]
    unit = getattr(s.dtype, "unit", "ns")
    tz = getattr(s.dtype, "tz", None)
    if kind(s) == "timedelta":
        return lambda v: pd.Timedelta(int(v), unit=unit)
    if tz is not None:
        return lambda v: pd.Timestamp(int(v), unit=unit, tz="UTC").tz_convert(tz)
    return lambda v: pd.Timestamp(int(v), unit=unit)


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
        np = sys.modules["numpy"]
        v = floats(s)
        finite = v[np.isfinite(v)]
        inf = v.size - finite.size
        lines.append(
            f"    min {num(ok.min())}  max {num(ok.max())}"
            + (
                f"  mean {num(finite.mean())}  std {num(finite.std(ddof=1)) if finite.size > 1 else 'NaN'}"
                if finite.size
                else ""
            )
            + (f"  inf {inf:,}" if inf else "")
        )
        if finite.size:
            q = np.quantile(finite, [0.25, 0.5, 0.75])
            zeros = int((finite == 0).sum())
            lines.append(
                f"    25% {num(q[0])}  50% {num(q[1])}  75% {num(q[2])}  zeros {zeros:,} ({pct(zeros, n - nulls)})"
            )
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
            shown = ", ".join(f"{show_cell(v, 30)} ({c:,})" for v, c in lv[1][:top])
            more = f", … {d - top:,} more" if d > top else ""
            lines.append(f"    top {shown}{more}")
    return lines


@tool
def describe(
    namespace: Mapping[str, Any],
    name: str,
    columns: Sequence[Any] | None = None,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Per column: dtype, non-null, distinct, exact min/max, mean/std/quartiles, zeros, top values."""
    t = table_of(namespace, name)
    cols = positions(t, columns)
    b = Budget(max_chars)
    b.add(t.header + (f" {WITHHELD}" if schema_only else ""))
    if not cols:
        b.add("no columns")
    done = 0
    for pos in cols:
        block = _describe_column(t, pos, schema_only)
        if not all(b.add(line) for line in block):
            break
        done += 1
    left = [colname(t, p) for p in cols[done:]]
    return b.text(f"… {len(left):,} more columns not described: {', '.join(left[:40])}"[:300])


# ---------------------------------------------------------------- value_counts


@tool
def value_counts(
    namespace: Mapping[str, Any],
    name: str,
    column: Any = None,
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
        raise ToolError(f"column {colname(t, pos)!r} holds unhashable values ({exc})") from None
    head = (
        f"value_counts of {colname(t, pos)!r} in {t.name}: {n:,} rows, "
        f"{len(vc):,} distinct values, {nulls:,} null"
    )
    if schema_only:
        return f"{head}\n{WITHHELD}"
    b = Budget(max_chars)
    b.add(head + ("; shares of non-null rows" if normalize else ""))
    total = max(1, n - nulls)
    rows = []
    for v, c in vc.iloc[: int(top)].items():
        c = int(c)
        rows.append([show_cell(v, 60), num(c / total) if normalize else f"{c:,}", pct(c, total)])
    shown = 0
    for line in table(["value", "share" if normalize else "count", "%"], rows, [False, True, True]):
        if not b.add(line):
            break
        shown += 1
    shown = max(0, shown - 1)  # the header row
    if shown < len(vc):
        rest = int(vc.iloc[shown:].sum())
        b.full = False
        b.add(f"  … {len(vc) - shown:,} more values ({rest:,} rows, {pct(rest, total)})")
    return b.text()


# ---------------------------------------------------------------- null_counts


@tool
def null_counts(
    namespace: Mapping[str, Any], name: str, *, max_chars: int, schema_only: bool = False
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


def _hashable(frame: Any) -> Any:
    """``frame`` with unhashable cells (lists, dicts, arrays) replaced by their repr."""
    out = frame.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype == object or "[pyarrow]" in str(col.dtype):
            values = col.astype(object)
            out.isetitem(i, values.map(lambda x: x if _is_hashable(x) else repr(x)))
    return out


def _is_hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


@tool
def duplicates(
    namespace: Mapping[str, Any],
    name: str,
    subset: Sequence[Any] | None = None,
    show: int = 5,
    *,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Rows identical to an earlier row (over ``subset`` columns, or all), with a few examples."""
    if not 0 <= int(show) <= 50:
        raise ToolError("show must be between 0 and 50")
    pd = _pandas()
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
        frame = _hashable(frame)
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
    over = "all columns" if subset is None else ", ".join(repr(colname(t, c)) for c in cols)
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


# ---------------------------------------------------------------- quantiles


@tool
def quantiles(
    namespace: Mapping[str, Any],
    name: str,
    column: Any = None,
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
        raise ToolError(f"column {colname(t, pos)!r} is {s.dtype}, not numeric or datetime")
    ok = s.dropna()
    head = f"quantiles of {colname(t, pos)!r} in {t.name} ({len(ok):,} non-null of {len(s):,})"
    if schema_only:
        return f"{head}\n{WITHHELD}"
    if ok.empty:
        return head + ": no values"
    if k == "bool":
        ok = ok.astype(float)
    if k == "number":
        np = sys.modules["numpy"]
        values = np.quantile(floats(ok), qs)
        out = [num(v) for v in values]
    else:
        out = [str(v) for v in ok.quantile(qs)]
    b = Budget(max_chars)
    b.add(head + ":")
    for x, v in zip(qs, out, strict=True):
        b.add(f"  {num(x)}: {v}")
    return b.text("  …")


# ---------------------------------------------------------------- correlations


@tool
def correlations(
    namespace: Mapping[str, Any],
    name: str,
    columns: Sequence[Any] | None = None,
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
    present = data.notna().to_numpy(dtype="float64")
    pairs_n = present.T @ present
    if method == "pearson":
        r = pairwise_pearson(data.to_numpy(dtype="float64"), present, pairs_n)
    elif bool(present.all()):
        r = pairwise_pearson(data.rank().to_numpy(dtype="float64"), present, pairs_n)
    else:  # ranks depend on which rows each pair shares: pandas ranks per pair
        holes = int((~present.all(axis=0)).sum())
        per_pair = holes * (len(cols) - 1) * len(data)
        if per_pair > SPEARMAN_PAIR_ROWS:
            raise ToolError(
                f"spearman with nulls ranks each pair apart ({holes} columns have nulls, "
                f"{len(data):,} rows): pass fewer columns, or use pearson"
            )
        r = data.corr(method=method).to_numpy()
    pairs = [(i, j, float(r[i, j])) for i in range(len(cols)) for j in range(i + 1, len(cols))]
    pairs.sort(key=lambda p: -abs(p[2]) if p[2] == p[2] else 1.0)
    b = Budget(max_chars)
    note = f"; {skipped:,} more numeric columns left out" if skipped > 0 else ""
    b.add(f"{method} correlations in {t.name}, {len(pairs):,} pairs, strongest first{note}:")
    for i, j, v in pairs:
        if not b.add(f"  {names[i]} ~ {names[j]}: {num(v)} (n={int(pairs_n[i, j]):,})"):
            break
    return b.text(f"  … weaker pairs left out (of {len(pairs):,})")


def pairwise_pearson(x: Any, present: Any, n: Any) -> Any:
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
    return np.clip(r, -1.0, 1.0)


def floats_all(s: Any) -> Any:
    """A numeric or bool Series as float64 with NaN for nulls (same length)."""
    np = sys.modules["numpy"]
    return s.astype("float64").to_numpy(dtype="float64", na_value=np.nan)


# ---------------------------------------------------------------- histogram


@tool
def histogram(
    namespace: Mapping[str, Any],
    name: str,
    column: Any = None,
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
            f"column {colname(t, pos)!r} is {s.dtype}; use value_counts for non-numeric columns"
        )
    ok = s.dropna()
    head = f"histogram of {colname(t, pos)!r} in {t.name}: {len(ok):,} non-null of {len(s):,}"
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


def _nanoseconds(s: Any, k: str) -> tuple[Any, Any]:
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
