"""Numbers as a person skims them, and the numeric summary shared by frames and arrays.

numpy comes from ``sys.modules`` (callers only get here holding numpy data).
"""

from __future__ import annotations

import math
import sys
from typing import Any


def fmt_number(x: Any) -> str:
    """Four significant digits; whole numbers in full with thousands separators."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f):
        return "nan"
    if f.is_integer() and abs(f) < 1e15:
        return f"{int(f):,}"
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
