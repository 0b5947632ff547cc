"""What the tools know about one pandas column: its kind, its numbers, its levels.

Shared by the frame, distribution and row tools.  pandas and numpy come from
``sys.modules`` (a tool only gets here after :mod:`._data` has imported pandas).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]


class HasDtype(Protocol):
    """What some helpers read of a pandas Series: its dtype (numpy's, or pandas' own)."""

    @property
    def dtype(self) -> object: ...


class HasArray(HasDtype, Protocol):
    """A Series' dtype and its backing array (whose ``unit`` a datetime column carries)."""

    @property
    def array(self) -> object: ...


class HasValues(HasDtype, Protocol):
    """A Series' dtype and its values, in order."""

    def __iter__(self) -> Iterator[object]: ...


LOW_CARDINALITY = 50
WITHHELD = "(schema-only mode: values are withheld; counts, names and dtypes only)"


def _types() -> Any:
    return sys.modules["pandas"].api.types


def kind(s: HasDtype) -> str:
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


# s: a pandas Series (pandas ships no types and pandas-stubs is not a dependency)
def floats(s: Any) -> FloatArray:
    """Non-null values of a numeric Series as a float64 numpy array."""
    np = sys.modules["numpy"]
    v: FloatArray = s.to_numpy(dtype="float64", na_value=np.nan)
    ok: FloatArray = v[~np.isnan(v)]
    return ok


EXACT_FLOAT = 2**53  # integers beyond this lose digits as float64


def anchored(s: Any) -> tuple[int, FloatArray]:  # s: a pandas Series (untyped)
    """``(base, values - base)``: the non-null values of a numeric Series as float64 offsets
    from an integer base.  The base is 0 except for integer columns beyond 2**53, whose
    values float64 would round (2**53 + 1 becomes 2**53): their spread, mean and quantiles
    are computed on exact offsets from the minimum and added back as Python ints."""
    np = sys.modules["numpy"]
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and len(s):
        arr = s.to_numpy()
        lo, hi = int(arr.min()), int(arr.max())
        if max(abs(lo), abs(hi)) > EXACT_FLOAT and hi - lo < 2**63:
            # uint64 wraps the subtraction modulo 2**64: exact for any range below 2**64.
            off = arr.astype("uint64", copy=False) - np.uint64(lo % 2**64)
            return lo, off.astype("float64")
    return 0, floats(s)


def linear_quantiles(values: FloatArray, qs: Sequence[float]) -> list[float]:
    """Quantiles with linear interpolation (pandas' and numpy's default) over float values
    that may hold ±inf: an interpolation towards an infinite neighbour is that infinity
    (numpy's ``inf - inf`` gives NaN, so q=1 of ``[1, inf]`` would read NaN).  One partition
    around the needed positions, as ``np.quantile`` does, instead of a sort."""
    np = sys.modules["numpy"]
    n = values.size
    at = []
    for q in qs:
        h = (n - 1) * float(q)
        lo = int(np.floor(h))
        at.append((h - lo, lo, min(lo + 1, n - 1)))
    v = np.partition(values, sorted({k for _, lo, hi in at for k in (lo, hi)}))
    out = []
    for frac, lo, hi in at:
        a, b = float(v[lo]), float(v[hi])
        if frac == 0 or a == b or np.isinf(a):
            out.append(a)
        elif np.isinf(b):
            out.append(b)
        else:
            out.append(a + (b - a) * frac)
    return out


def counts(s: Any) -> Any:  # a pandas Series in and out (pandas is untyped)
    """``value_counts`` without nulls; categories that never occur are not values.

    Lists, arrays, dicts and sets (object columns, polars ``List`` columns once in pandas)
    are counted by their contents: pandas would hash numpy arrays by identity and count
    each row apart, and refuses lists."""
    if _nested(s):
        return _nested_counts(s)
    vc = s.value_counts(dropna=True, sort=True)
    return vc[vc > 0]


_CONTAINERS = (list, tuple, dict, set, frozenset)


def _nested(s: HasValues) -> bool:
    pd, np = sys.modules["pandas"], sys.modules["numpy"]
    if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) not in ("mixed",):
        return False
    return any(isinstance(x, (*_CONTAINERS, np.ndarray)) for x in s)


def _freeze(x: object) -> object:
    """A hashable key that is equal for equal contents (``[1, 2]`` and ``array([1, 2])``)."""
    np = sys.modules["numpy"]
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_freeze(v) for v in x))
    if isinstance(x, dict):
        return ("dict", tuple(sorted((repr(k), _freeze(v)) for k, v in x.items())))
    if isinstance(x, (set, frozenset)):
        return ("set", frozenset(_freeze(v) for v in x))
    try:
        hash(x)
    except TypeError:
        return ("repr", repr(x))
    return x


def _nested_counts(s: Any) -> Any:  # a pandas Series in and out (pandas is untyped)
    pd, np = sys.modules["pandas"], sys.modules["numpy"]
    tally: dict[object, int] = {}
    first: dict[object, object] = {}
    for x in s.dropna():
        key = _freeze(x)
        tally[key] = tally.get(key, 0) + 1
        if key not in first:
            first[key] = x.tolist() if isinstance(x, np.ndarray) else x
    keys = sorted(tally, key=lambda k: -tally[k])  # stable: ties keep first-seen order
    index = np.empty(len(keys), dtype=object)
    for i, k in enumerate(keys):
        index[i] = first[k]
    return pd.Series([tally[k] for k in keys], index=pd.Index(index, dtype=object), dtype="int64")


# s: a pandas Series (pandas is untyped)
def levels(s: Any, top: int = 10) -> tuple[int, list[tuple[object, int]]] | None:
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
    # Datetimes and timedeltas were counted as their int64 view: shown back as themselves.
    back = _from_int64(s) if arr.dtype.kind in "iu" and kind(s) != "number" else (lambda v: v)
    if arr.dtype.kind in "iu" and int(arr.max()) - int(arr.min()) <= min(1 << 20, 8 * arr.size):
        lo = int(arr.min())
        binned = np.bincount(arr - lo if lo else arr)
        present = np.flatnonzero(binned)
        order = present[np.argsort(-binned[present], kind="stable")[:top]]
        return present.size, [(back(lo + int(i)), int(binned[i])) for i in order]
    # Without return_index numpy can hash instead of a stable argsort: several times faster.
    values, cnt = np.unique(arr, return_counts=True)
    order = np.argsort(-cnt, kind="stable")[:top]
    return cnt.size, [(back(values[i]), int(cnt[i])) for i in order]


def _from_int64(s: HasArray) -> Callable[[int], object]:
    """Turn an ``asi8`` value of a datetime/timedelta column back into its Timestamp/Timedelta."""
    pd = sys.modules["pandas"]
    unit = getattr(s.array, "unit", "ns")  # numpy dtypes carry no .unit
    tz = getattr(s.dtype, "tz", None)
    if kind(s) == "timedelta":
        return lambda v: pd.Timedelta(int(v), unit=unit)
    if tz is not None:
        return lambda v: pd.Timestamp(int(v), unit=unit, tz="UTC").tz_convert(tz)
    return lambda v: pd.Timestamp(int(v), unit=unit)


def floats_all(s: Any) -> FloatArray:  # s: a pandas Series (untyped)
    """A numeric or bool Series as float64 with NaN for nulls (same length)."""
    np = sys.modules["numpy"]
    v: FloatArray = s.astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    return v
