"""Numbers as a person skims them, and the numeric summary shared by frames and arrays.

numpy comes from ``sys.modules`` (callers only get here holding numpy data).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING, Any, SupportsFloat, SupportsInt, TypeVar, cast

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    # int64/uint64 columns; float64 values (finite unless said otherwise).
    IntArray = npt.NDArray[np.signedinteger[Any] | np.unsignedinteger[Any]]
    FloatArray = npt.NDArray[np.floating[Any]]

_T = TypeVar("_T")

FLOAT_TENTHS = 2**40  # float64 resolves tenths with room to spare below this (ulp ≈ 0.0001)


def fmt_number(x: object, extra: int = 0) -> str:
    """The one number style of summaries: whole numbers in full with thousands separators,
    other numbers from 1,000 up with one decimal (so a rounded value never reads as a whole
    one), smaller ones to four significant digits; exponents below 0.0001, from 1e15, and
    for fractions beyond 2**40, where float64 no longer resolves a tenth.
    ``extra`` adds digits (see :func:`distinct_texts`)."""
    if (isinstance(x, int) and not isinstance(x, bool)) or getattr(
        getattr(x, "dtype", None), "kind", ""
    ) in ("i", "u"):
        return f"{int(cast(SupportsInt, x)):,}"  # exact, however large: an int or numpy integer
    try:
        f = float(cast(SupportsFloat, x))  # what float() refuses is shown as str below
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if abs(f) < 1e15 and f.is_integer():
        return f"{round(f):,}"
    if 999.95 <= abs(f) < FLOAT_TENTHS:  # 999.95 rounds up to 1,000.0
        return f"{f:,.{1 + extra}f}"
    if FLOAT_TENTHS <= abs(f) < 1e15:
        return f"{f:.{10 + extra}g}"
    text = f"{f:.{4 + extra}g}"
    return text if any(c in text for c in ".e") else f"{f:.1f}"


def fmt_plus(base: int, x: float) -> str:
    """``base + x`` for an integer ``base`` beyond float64's exact range and a float offset
    (a sampled estimate, marked ``≈`` by the caller): integer digits in full, a tenth."""
    if x != x or x in (math.inf, -math.inf):
        return fmt_number(x)
    return fmt_exact(Fraction(base) + Fraction(x), fmt_number, ",")


def int_mean(values: IntArray) -> Fraction:
    """The exact mean of an int64/uint64 array: high and low 32-bit halves summed apart, so
    no sum overflows (below 2**31 values) and no digit is rounded."""
    np = sys.modules["numpy"]
    high = values >> 32
    low = values & np.array(0xFFFFFFFF, dtype=values.dtype)
    return Fraction(int(high.sum()) * 2**32 + int(low.sum()), values.size)


def int_quantiles(values: IntArray, qs: Sequence[float]) -> list[Fraction]:
    """numpy's linear quantiles of an integer array, in exact fractions; one partition
    around the needed positions instead of a sort."""
    np = sys.modules["numpy"]
    n = len(values)
    at = []
    for q in qs:
        h = Fraction(float(q)) * (n - 1)
        at.append((h, math.floor(h), min(math.floor(h) + 1, n - 1)))
    part = np.partition(values, sorted({k for _, lo, hi in at for k in (lo, hi)}))
    out = []
    for h, lo, hi in at:
        a, b = int(part[lo]), int(part[hi])
        out.append(a + (b - a) * (h - lo))
    return out


def fmt_exact(x: Fraction, fmt: Callable[[float], str], sep: str = "") -> str:
    """An exact value as ``fmt`` would write it: through float where float64 holds it to the
    digits shown (below 2**40), else every integer digit and a correctly rounded tenth."""
    if abs(x) < FLOAT_TENTHS:
        return fmt(float(x))
    if x.denominator == 1:
        return f"{x.numerator:{sep}}"
    with localcontext() as ctx:
        ctx.prec = 60
        value = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.1"))
    return f"{value:{sep}}" if value != value.to_integral_value() else f"{int(value):{sep}}"


def mean_for(values: FloatArray, fmt: Callable[[float], str]) -> float:
    """The mean of finite float64 ``values``, right to the digits ``fmt`` shows.

    numpy's pairwise sum can lose every digit to cancellation (1e12, 0.001, -1e12 sums to
    0.00098); its error is below ``(log2 n + 130) · eps · Σ|x|``.  When the text reads the
    same across that bound the fast mean is exact at its shown precision; otherwise the
    correctly rounded ``math.fsum`` decides (rare, and one more pass)."""
    np = sys.modules["numpy"]
    n: int = values.size
    mean = float(values.sum()) / n
    # Summation error, plus the division's own rounding (half an ulp of the mean).
    bound = (math.log2(n) + 130) * 2.3e-16 * float(np.abs(values).sum()) / n
    bound += abs(mean) * 2.3e-16
    if fmt(mean - bound) == fmt(mean) == fmt(mean + bound):
        return mean
    return math.fsum(values.tolist()) / n


def distinct_texts(
    values: Sequence[_T], fmt: Callable[[_T, int], str], most: int = 12
) -> list[str]:
    """``fmt(v, 0)`` for each value, with more digits where two different values would
    otherwise read the same (11.2 and 11.2 become 11.2 and 11.2000001)."""
    texts = [fmt(v, 0) for v in values]
    for extra in range(1, most + 1):
        seen: dict[str, _T] = {}
        clash = False
        for v, t in zip(values, texts, strict=True):
            if t in seen and not _same(seen[t], v):
                clash = True
                break
            seen.setdefault(t, v)
        if not clash:
            break
        texts = [fmt(v, extra) for v in values]
    return texts


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b) or (a != a and b != b)  # NaN reads as nan twice, rightly
    except Exception:  # arrays and odd objects: treat as different, so digits are added
        return False


def numeric_summary(values: npt.ArrayLike) -> str:
    """``mean= std(ddof=0)= min= median= max=`` over the finite values, plus nan/±inf counts.

    ddof=0 as numpy's ``ndarray.std()``, named so it is never read as pandas' ddof=1."""
    np = sys.modules["numpy"]
    v = np.asarray(values, dtype="float64")
    finite_mask = np.isfinite(v)
    finite = v[finite_mask]
    extra = ""
    if not finite_mask.all():
        nan, pos, neg = int(np.isnan(v).sum()), int((v == np.inf).sum()), int((v == -np.inf).sum())
        extra = "".join(f" {k}={c:,}" for k, c in (("nan", nan), ("+inf", pos), ("-inf", neg)) if c)
    if finite.size == 0:
        return "no finite values" + extra
    g = fmt_number
    return (
        f"mean={g(finite.mean())} std(ddof=0)={g(finite.std())} min={g(finite.min())} "
        f"median={g(np.median(finite))} max={g(finite.max())}{extra}"
    )


# ISO dates and datetimes (optionally with a zone), and d/m/y or m/d/y with slashes.
_DATE_SHAPE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?"
)


def date_like(values: Iterable[object], probe: int = 20) -> bool:
    """True when the first ``probe`` non-null values are all strings shaped like dates."""
    seen = 0
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if not isinstance(v, str) or not _DATE_SHAPE.fullmatch(v.strip()):
            return False
        seen += 1
        if seen >= probe:
            break
    return seen > 0


def date_range(values: Sequence[object]) -> tuple[Any, Any, int] | None:
    """(earliest, latest, unparsed count) of date-like strings, or None when few parse.

    pandas comes from ``sys.modules`` (callers hold pandas or polars data).
    """
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    series = pd.Series(values, dtype=object)
    try:
        parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    except (ValueError, TypeError):  # offsets that differ (or naive mixed with aware): in UTC
        try:
            parsed = pd.to_datetime(series, errors="coerce", format="mixed", utc=True)
        except (ValueError, TypeError):
            return None
    ok = parsed.dropna()
    if len(ok) < max(1, len(values) // 2):
        return None
    return ok.min(), ok.max(), len(values) - len(ok)
