"""Numbers as a person skims them, and the numeric summary shared by frames and arrays.

numpy comes from ``sys.modules`` (callers only get here holding numpy data).
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any


def fmt_number(x: Any) -> str:
    """The one number style of summaries: whole numbers and anything from 1,000 up in full
    with thousands separators (rounded to a whole number), smaller ones to four significant
    digits; exponents only below 0.0001 or from 1e15."""
    if (isinstance(x, int) and not isinstance(x, bool)) or getattr(
        getattr(x, "dtype", None), "kind", ""
    ) in ("i", "u"):
        return f"{int(x):,}"  # exact, however large
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if abs(f) < 1e15 and (f.is_integer() or abs(f) >= 999.95):  # 999.95 rounds up to 1,000
        return f"{round(f):,}"
    return f"{f:.4g}"


def numeric_summary(values: Any) -> str:
    """``mean= std= min= median= max=`` over the finite values, plus nan/inf counts if any."""
    np = sys.modules["numpy"]
    v = np.asarray(values, dtype="float64")
    finite_mask = np.isfinite(v)
    finite = v[finite_mask]
    extra = ""
    if not finite_mask.all():
        nan, inf = int(np.isnan(v).sum()), int(np.isinf(v).sum())
        extra = (f" nan={nan:,}" if nan else "") + (f" inf={inf:,}" if inf else "")
    if finite.size == 0:
        return "no finite values" + extra
    g = fmt_number
    return (
        f"mean={g(finite.mean())} std={g(finite.std())} min={g(finite.min())} "
        f"median={g(np.median(finite))} max={g(finite.max())}{extra}"
    )


# ISO dates and datetimes (optionally with a zone), and d/m/y or m/d/y with slashes.
_DATE_SHAPE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?"
)


def date_like(values: Any, probe: int = 20) -> bool:
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


def date_range(values: Any) -> tuple[Any, Any, int] | None:
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
