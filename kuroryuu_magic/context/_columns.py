"""Per-column facts for the ``{df}`` profile: exact where a vectorised pass is cheap, sampled
(and marked so on the value) where it is not.

Exact on every size: null counts; min and max of numbers and datetimes; share
of zeros; distinct counts and top values of integer-coded columns (one
``bincount``), categoricals (counting only categories that occur), bools and
string columns with few values (one hash pass).  From the row sample, marked
``≈`` on the value (or ``≥`` for a distinct count the sample can only bound):
mean, std, median, and distinct counts of many-valued columns; their top
values only where the sample saw them ``MIN_SAMPLED`` times, marked "sampled
from N rows".  Below ``EXACT_ROWS`` rows everything is exact.  The rule every
number follows is in ``docs/data-facts.md``.  numpy comes from ``sys.modules``; pandas,
pyarrow and polars are imported only inside functions that already hold their objects
(so they are loaded): nothing here imports a library that is not.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, SupportsInt, cast

from .stats import (
    date_like,
    date_range,
    distinct_texts,
    fmt_exact,
    fmt_number,
    fmt_plus,
    int_mean,
    int_quantiles,
    mean_for,
)
from .text import shown_label

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars

    from .stats import FloatArray, IntArray

    # A plain numpy column (dtype kind b, i, u or f), and sample row positions.
    NumericArray = npt.NDArray[np.bool_ | np.number[Any]]
    Positions = npt.NDArray[np.int64]

EXACT_ROWS = 200_000
LOW_CARDINALITY = 50
TOP_SHOWN = 5
_BINCOUNT_RANGE = 1 << 20
EXACT_FLOAT = 2**53  # integers beyond this lose digits as float64
MIN_SAMPLED = 20  # sample hits below which a share estimate is noise: not shown


@dataclass
class ColumnFacts:
    """What the profile says about one column; ``key`` groups candidate identical columns."""

    nulls: str
    parts: list[str] = field(default_factory=list)
    key: tuple[object, ...] | None = None
    # Every row holds a different value (exactly counted): no two rows can be duplicates.
    unique: bool = False

    @property
    def summary(self) -> str:
        return " ".join(self.parts)


def _g(x: object) -> str:
    return fmt_number(x)


def _share(part: float, whole: float) -> str:
    return _g(100 * part / whole) + "%" if whole else "0%"


def _cut(x: object, width: int = 24) -> str:
    text = shown_label(x) if isinstance(x, str) else str(x)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def _top(
    values: Sequence[object], counts: npt.NDArray[np.integer[Any]], total: int, exact: bool
) -> str:
    """``top=4 (207×), 8 (108×), …`` exact counts, or, from a sample, only the values seen
    often enough there for a share to mean something:
    ``top(sampled from 10,000 rows)=Oslo ≈20%, …``."""
    np = sys.modules["numpy"]
    order = np.argsort(-np.asarray(counts), kind="stable")[:TOP_SHOWN]
    if exact:
        shown = [f"{_cut(values[i])} ({int(counts[i]):,}×)" for i in order]
    else:
        # A value seen a handful of times in the sample says next to nothing about its share.
        order = [i for i in order if counts[i] >= MIN_SAMPLED]
        if not order:
            return f"top: no value occurs {MIN_SAMPLED} times in {total:,} sampled rows"
        shown = [f"{_cut(values[i])} ≈{_share(counts[i], total)}" for i in order]
    more = f", …+{len(counts) - len(order)}" if len(counts) > len(order) else ""
    head = "top=" if exact else f"top(sampled from {total:,} rows)="
    return head + ", ".join(shown) + more


def _numbers_top(values: Iterable[object], counts: npt.NDArray[np.integer[Any]], total: int) -> str:
    """Exact top values of numbers, written with enough digits to tell them apart."""
    return _top(distinct_texts(list(values), fmt_number), counts, total, exact=True)


def _moments(
    sample: FloatArray,
    exact: bool,
    base: int = 0,
    ints: IntArray | None = None,
    ordered: FloatArray | None = None,
) -> list[str]:
    """mean/std/median of finite float values; ``≈`` when they come from the sample.

    ``base`` is added back to mean and median: integers beyond 2**53 arrive as exact offsets
    from their minimum, so the spread is not lost to float64 rounding.  ``ints``: the whole
    integer column (exact mean and median); ``ordered``: ``sample`` sorted, when the caller
    sorted it already (the median is read off it)."""
    np = sys.modules["numpy"]
    finite = sample[np.isfinite(sample)]
    if not finite.size:
        return []
    eq = "=" if exact else "≈"

    def at(x: float) -> str:
        return fmt_plus(base, x) if base else _g(x)

    if exact and ints is not None:  # integers: mean and median as exact fractions
        mean_t = fmt_exact(int_mean(ints), _g, ",")
        median_t = fmt_exact(int_quantiles(ints, [0.5])[0], _g, ",")
    else:
        mean_t = at(mean_for(finite, at) if exact else float(finite.mean()))
        if ordered is not None and finite.size == sample.size:
            mid = (sample.size - 1) / 2
            median_t = at((ordered[math.floor(mid)] + ordered[math.ceil(mid)]) / 2)
        else:
            median_t = at(np.median(finite))
    return [
        f"mean{eq}{mean_t}",
        # ddof=1 as pandas' Series.std(), so the profile agrees with what the user would compute.
        f"std{eq}{_g(finite.std(ddof=1)) if finite.size > 1 else 'nan'}",
        f"median{eq}{median_t}",
    ]


def _infs(values: NumericArray) -> list[str]:
    """``+inf=2 -inf=1``: each sign apart, so a lone ``-inf`` never reads as ``inf=1``."""
    np = sys.modules["numpy"]
    pos, neg = int(np.count_nonzero(values == np.inf)), int(np.count_nonzero(values == -np.inf))
    return ([f"+inf={pos:,}"] if pos else []) + ([f"-inf={neg:,}"] if neg else [])


def _levels(ints: NumericArray, lo: int, total: int) -> tuple[int, str]:
    """Exact distinct count and, for low cardinality, top values of small-range integers."""
    np = sys.modules["numpy"]
    shifted = ints if lo == 0 and ints.dtype.kind in "iu" else ints - lo
    counts = np.bincount(shifted.astype("int64", copy=False))
    present = np.flatnonzero(counts)
    top = ""
    if present.size <= LOW_CARDINALITY:
        top = _numbers_top([lo + int(i) for i in present], counts[present], total)
    return int(present.size), top


def numpy_numeric(values: NumericArray, positions: Positions | None) -> ColumnFacts:
    """A plain numpy int/uint/float/bool column: one vectorised pass per statistic.

    ``positions`` are the sample rows for mean/std/median, or None to use every row.
    """
    np = sys.modules["numpy"]
    n = values.size
    kind = values.dtype.kind
    if not n:
        return ColumnFacts("0", [])
    if kind == "b":
        true = int(np.count_nonzero(values))
        levels = int(true > 0) + int(true < n)
        return ColumnFacts("0", [f"true={_share(true, n)}", f"distinct={levels}"], ("b", true))
    # No masked copy of the column: fmin/fmax skip NaN, and NaN == 0 is False for zeros.
    if kind == "f":
        # min propagates NaN: a number back proves the column has none, and is the exact min.
        # A NaN in the sample already proves there are some: skip that pass then.
        seen_nan = positions is not None and bool(np.isnan(values[positions]).any())
        lo = np.nan if seen_nan else values.min()
        if np.isnan(lo):
            nulls = int(np.count_nonzero(np.isnan(values)))
            lo, hi = np.fmin.reduce(values), np.fmax.reduce(values)
        else:
            nulls, hi = 0, values.max()
    else:
        nulls = 0
        lo, hi = values.min(), values.max()
    if nulls == n:
        return ColumnFacts(f"{nulls:,}", ["no finite values"], None)
    extra: list[str] = []
    # The whole column; NaN rows are only dropped where a statistic needs it.
    present: NumericArray | None = values
    if kind == "f" and not (np.isfinite(lo) and np.isfinite(hi)):
        finite = np.isfinite(values)
        extra += _infs(values)
        present = values[finite]
        if not present.size:
            return ColumnFacts(f"{nulls:,}", ["no finite values", *extra], None)
        lo, hi = present.min(), present.max()
    elif nulls:
        present = None  # built lazily below, only for whole-number floats
    parts: list[str] = []
    parts += [
        f"min={t}" if i == 0 else f"max={t}"
        for i, t in enumerate(distinct_texts([lo, hi], fmt_number))
    ]
    sampled = positions is not None
    picked = values[positions] if sampled else values
    base = 0
    if kind in "iu" and max(abs(int(lo)), abs(int(hi))) > EXACT_FLOAT:
        # float64 would round these integers: exact offsets from the minimum instead.
        base = int(lo)
        picked = picked.astype("uint64", copy=False) - np.uint64(base % 2**64)
    sample = picked.astype("float64", copy=False)
    sample = sample[~np.isnan(sample)]
    # One sort of the sample serves the median and the distinct bound.
    ordered = np.sort(sample) if sampled else None
    ints = cast("IntArray", values) if kind in "iu" else None  # dtype kind i/u: integers
    parts += _moments(sample, not sampled, base, ints, ordered)
    # min and max already rule zeros out for most columns: count only when 0 lies in range.
    zeros = int(np.count_nonzero(values == 0)) if lo <= 0 <= hi else 0
    if zeros:
        parts.append(f"zeros={_share(zeros, n)}")
    # A bincount pays for the range, so only when the range is not much wider than the column.
    small_range = float(hi) - float(lo) <= min(_BINCOUNT_RANGE, 8 * n + 1024)
    # Whole-number floats (0/1/2 codes) count like ints; the sample rules most columns out cheaply.
    integral = kind in "iu" or (small_range and np.array_equal(sample, np.floor(sample)))
    if integral and present is None:
        present = values[~np.isnan(values)]
    if integral and sampled and kind == "f":
        integral = np.array_equal(present, np.floor(present))
    distinct = -1
    if integral and small_range:
        assert present is not None  # built above whenever integral
        distinct, top = _levels(present, int(lo), present.size)
        parts.append(f"distinct={distinct:,}")
        if top:
            parts.append(top)
    elif not sampled:
        levels, counts = np.unique(values if kind in "iu" else sample, return_counts=True)
        parts.append(f"distinct={levels.size:,}")
        if levels.size <= LOW_CARDINALITY:
            parts.append(_numbers_top(levels, counts, sample.size))
    else:
        assert ordered is not None  # sorted above whenever sampled
        seen = 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1])) if ordered.size else 0
        parts.append(f"distinct≥{seen:,}")
    key = ("n", str(values.dtype), nulls, float(lo), float(hi), zeros)
    unique = integral and small_range and distinct == n
    return ColumnFacts(f"{nulls:,}", parts + extra, key, unique)


# pandas Series: pandas ships no types and pandas-stubs is not a dependency.
def datetimes(s: Any, positions: Positions | None) -> ColumnFacts:
    """datetime64 (naive or tz-aware) and timedelta64 columns through their int64 view."""
    np = sys.modules["numpy"]
    import pandas as pd  # loaded already: the caller holds a pandas Series

    arr = s.array
    ints = arr.asi8
    nat = np.iinfo("int64").min
    if not ints.size:
        return ColumnFacts("0", [], None)
    # NaT is the smallest int64: a minimum above it proves there is none, in one pass.
    lowest = ints.min()
    nulls = int(np.count_nonzero(ints == nat)) if lowest == nat else 0
    present = ints[ints != nat] if nulls else ints
    if not present.size:
        return ColumnFacts(f"{nulls:,}", [], None)
    unit = getattr(s.array, "unit", "ns")  # numpy dtypes carry no .unit
    tz = getattr(s.dtype, "tz", None)

    def show(v: SupportsInt) -> str:
        # In full, offset included: "2024-03-01 00:00:00+01:00" is a different instant without it.
        if s.dtype.kind == "m":
            return str(pd.Timedelta(int(v), unit=unit))
        if tz is not None:
            return str(pd.Timestamp(int(v), unit=unit, tz="UTC").tz_convert(tz))
        return str(pd.Timestamp(int(v), unit=unit))

    lo, hi = (present.min() if nulls else lowest), present.max()
    parts = [f"min={show(lo)}", f"max={show(hi)}"]
    sampled = positions is not None
    sample = ints[positions] if sampled else ints
    seen = np.unique(sample[sample != nat]).size
    parts.append(f"distinct{'≥' if sampled else '='}{seen:,}")
    return ColumnFacts(f"{nulls:,}", parts, ("t", str(s.dtype), nulls, int(lo), int(hi)))


def categorical(s: Any) -> ColumnFacts:  # a pandas Series: pandas ships no types
    """Codes counted with one ``bincount``: distinct counts categories that occur."""
    np = sys.modules["numpy"]
    codes = s.cat.codes.to_numpy()
    cats = s.cat.categories
    if len(cats) <= 64:
        # One compare per category over the small int8 codes beats widening them for bincount.
        counts = np.array([np.count_nonzero(codes == k) for k in range(len(cats))], dtype="int64")
    else:
        counts = np.bincount(codes[codes >= 0].astype("int64"), minlength=len(cats))
    valid_n = int(counts.sum())
    nulls = codes.size - valid_n
    present = np.flatnonzero(counts)
    parts = [f"distinct={present.size:,}"]
    if present.size:
        parts.append(_top([cats[i] for i in present], counts[present], valid_n, exact=True))
    parts.append(f"categories={len(cats):,}")
    return ColumnFacts(f"{nulls:,}", parts, None)


# pandas Series: pandas ships no types and pandas-stubs is not a dependency.
def other(s: Any, positions: Positions | None) -> ColumnFacts:
    """Nullable/Arrow numbers, strings, objects, nested Arrow types."""
    import pandas as pd  # loaded already: the caller holds a pandas Series

    types = pd.api.types
    n = len(s)
    big = positions is not None
    dtype = s.dtype
    sample = s.take(positions) if big else s
    nulls = f"{int(s.isna().sum()):,}"  # one C loop even over a million Python objects
    if types.is_bool_dtype(dtype):
        ok = s.dropna().astype(bool)
        true = int(ok.sum())
        return ColumnFacts(nulls, [f"true={_share(true, len(ok))}"] if len(ok) else [])
    if types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype):
        np = sys.modules["numpy"]
        ok = s.dropna()
        if ok.empty:
            return ColumnFacts(nulls, [])
        parts = [f"min={_g(ok.min())}", f"max={_g(ok.max())}"]
        values = sample.to_numpy(dtype="float64", na_value=np.nan)
        parts += _moments(values[~np.isnan(values)], not big)
        zeros = int((ok == 0).sum())
        if zeros:
            parts.append(f"zeros={_share(zeros, n)}")
        seen = int(sample.nunique())
        parts.append(f"distinct{'≥' if big else '='}{seen:,}")
        return ColumnFacts(nulls, parts, ("x", str(dtype), nulls, " ".join(parts)))
    try:
        counts = sample.value_counts(dropna=True)
        counts = counts[counts > 0]
        if big and len(counts) <= LOW_CARDINALITY and hasattr(s.array, "_pa_array"):
            # Few values in an Arrow column: counting every row is one vectorised pass, so
            # distinct count and top counts are exact.  Many values (100+ ms a million), or
            # Python objects (one hash per object), and the sample stands in, marked.
            full = _arrow_counts(s.array._pa_array, counts.index)
            if full is not None:
                counts, big = full, False
    except Exception:  # lists/dicts in object columns, Arrow list and struct types
        return ColumnFacts(nulls, ["nested or unhashable values"])
    if counts.empty:
        return ColumnFacts(nulls, [])
    parts = [f"distinct{'≥' if big else '='}{len(counts):,}"]
    if len(counts) <= LOW_CARDINALITY or int(counts.iloc[0]) > 1:
        parts.append(_top(list(counts.index), counts.to_numpy(), int(counts.sum()), exact=not big))
    head = sample.dropna().iloc[:20]
    if date_like(head):
        rng = date_range(list(sample.dropna()))
        if rng is not None:
            parts.append(f"dates{'≈' if big else '='}{rng[0]}…{rng[1]}")
    return ColumnFacts(nulls, parts, ("x", str(dtype), nulls, " ".join(parts)))


# arr: a pyarrow ChunkedArray (pyarrow ships no types); the answer is a pandas Series.
def _arrow_counts(arr: Any, seen: Sequence[object]) -> Any:
    """Exact counts of an Arrow column whose sample showed only the values ``seen``: each
    row's index in ``seen`` (one vectorised lookup, cheaper than hashing every row) and one
    ``bincount``; None when some row holds a value the sample missed (the caller counts it
    the full way)."""
    np = sys.modules["numpy"]
    import pandas as pd  # loaded already: the caller holds a pandas Series
    import pyarrow as pa  # present: the column is Arrow-backed
    import pyarrow.compute as pc

    values = pa.array(list(seen), type=arr.type)
    where = pc.index_in(arr, value_set=values)
    if where.null_count != arr.null_count:  # a value outside the sample, not only nulls
        full = pd.Series(pd.arrays.ArrowExtensionArray(arr)).value_counts(dropna=True)
        return full[full > 0]
    found = where.to_numpy(zero_copy_only=False)
    counts = np.bincount(
        found[~np.isnan(found)].astype("int64") if where.null_count else found.astype("int64"),
        minlength=len(values),
    )
    order = np.argsort(-counts, kind="stable")
    return pd.Series(counts[order], index=pd.Index([seen[i] for i in order], dtype=object))


# pandas Series: pandas ships no types and pandas-stubs is not a dependency.
def pandas_column(s: Any, positions: Positions | None) -> ColumnFacts:
    """Facts about one pandas column; ``positions`` are the sample rows, None for every row."""
    np = sys.modules["numpy"]
    import pandas as pd  # loaded already: the caller holds a pandas Series

    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        return numpy_numeric(s.to_numpy(), positions)
    temporal = pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(
        dtype
    )
    if temporal and hasattr(s.array, "asi8"):
        return datetimes(s, positions)
    if isinstance(dtype, pd.CategoricalDtype):
        return categorical(s)
    return other(s, positions)


def _pl_category_counts(
    ok: polars.Series, sample: polars.Series
) -> tuple[list[object], npt.NDArray[np.int64]] | None:
    """Exact counts of a polars Categorical/Enum through its physical codes (one
    ``bincount``, no string hashing), named by the values the sample saw for each code;
    None when a code occurs that the sample never saw."""
    np = sys.modules["numpy"]
    binned = np.bincount(ok.to_physical().to_numpy().astype("int64"))
    named = dict(zip(sample.to_physical().to_list(), sample.to_list(), strict=True))
    present = np.flatnonzero(binned)
    if any(int(code) not in named for code in present):
        return None
    order = present[np.argsort(-binned[present], kind="stable")]
    return [named[int(code)] for code in order], binned[order]


def polars_column(s: polars.Series, sample_of: Callable[[int], Positions | None]) -> ColumnFacts:
    """Facts about one polars Series; ``sample_of(n)`` gives sample positions or None."""
    import polars as pl  # loaded already: the caller holds a polars Series

    dtype = s.dtype
    nulls = s.null_count()  # kept as metadata by polars: no scan
    if dtype == pl.Boolean:
        ok = s.drop_nulls()
        true = int(ok.sum() or 0)
        parts = [f"true={_share(true, ok.len())}"] if ok.len() else []
        return ColumnFacts(f"{nulls:,}", parts, ("b", nulls, true))
    if dtype.is_numeric():
        # drop_nulls runs a query plan per call: skip it when polars' metadata says there are none.
        column = (s.drop_nulls() if nulls else s).to_numpy()
        if column.dtype.kind not in "iuf":  # decimals and the like
            column = column.astype("float64")
        facts = numpy_numeric(column, sample_of(column.size))
        nan = facts.nulls
        facts.nulls = f"{nulls:,}"
        if nan != "0":  # NaN is a value in polars, not a null: say so apart
            facts.parts.append(f"nan={nan}")
        facts.key = (*facts.key, nulls) if facts.key else None
        return facts
    if dtype.is_temporal():
        ok = s.drop_nulls()
        if not ok.len():
            return ColumnFacts(f"{nulls:,}", [])
        positions = sample_of(ok.len())
        sample = ok if positions is None else ok.gather(positions)
        eq = "=" if positions is None else "≥"
        parts = [f"min={ok.min()!s}", f"max={ok.max()!s}", f"distinct{eq}{sample.n_unique():,}"]
        return ColumnFacts(
            f"{nulls:,}", parts, ("t", str(dtype), nulls, str(ok.min()), str(ok.max()))
        )
    ok = s.drop_nulls()
    positions = sample_of(ok.len())
    big = positions is not None
    sample = ok if positions is None else ok.gather(positions)
    values: list[object]
    numbers: npt.NDArray[Any]  # polars' counts column, as numpy: its integer dtype varies
    exact: tuple[list[object], npt.NDArray[Any]] | None
    try:
        counts = sample.value_counts(sort=True)
        if not counts.height:
            return ColumnFacts(f"{nulls:,}", [])
        values, numbers = counts.to_series(0).to_list(), counts.to_series(1).to_numpy()
        if big and counts.height <= LOW_CARDINALITY:  # few values: exact, as for pandas
            exact = _pl_category_counts(ok, sample) if dtype in (pl.Categorical, pl.Enum) else None
            if exact is None:
                full = ok.value_counts(sort=True)
                exact = full.to_series(0).to_list(), full.to_series(1).to_numpy()
            (values, numbers), big = exact, False
    except Exception:  # nested and object dtypes
        return ColumnFacts(f"{nulls:,}", ["nested or unhashable values"] if ok.len() else [])
    parts = [f"distinct{'≥' if big else '='}{len(values):,}"]
    if len(values) <= LOW_CARDINALITY or int(numbers[0]) > 1:
        parts.append(_top(values, numbers, int(numbers.sum()), exact=not big))
    if dtype == pl.String and date_like(sample.head(20).to_list()):
        rng = date_range(sample.to_list())
        if rng is not None:
            parts.append(f"dates{'≈' if big else '='}{rng[0]}…{rng[1]}")
    return ColumnFacts(f"{nulls:,}", parts, ("x", str(dtype), nulls, " ".join(parts)))
