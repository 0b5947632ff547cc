"""What the tools know about one pandas column: its kind, its numbers, its levels.

Shared by the frame, distribution and row tools.  pandas and numpy come from
``sys.modules`` (a tool only gets here after :mod:`.data` has imported pandas).
"""

from __future__ import annotations

import sys
from typing import Any

LOW_CARDINALITY = 50
WITHHELD = "(schema-only mode: values are withheld; counts, names and dtypes only)"


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
    unit = getattr(s.array, "unit", "ns")  # numpy dtypes carry no .unit
    tz = getattr(s.dtype, "tz", None)
    if kind(s) == "timedelta":
        return lambda v: pd.Timedelta(int(v), unit=unit)
    if tz is not None:
        return lambda v: pd.Timestamp(int(v), unit=unit, tz="UTC").tz_convert(tz)
    return lambda v: pd.Timestamp(int(v), unit=unit)


def floats_all(s: Any) -> Any:
    """A numeric or bool Series as float64 with NaN for nulls (same length)."""
    np = sys.modules["numpy"]
    return s.astype("float64").to_numpy(dtype="float64", na_value=np.nan)
