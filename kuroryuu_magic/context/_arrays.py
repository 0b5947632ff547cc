"""Summaries of numpy arrays for prompts: shape, dtype, sampled statistics, a few values.

Statistics come from at most ``SAMPLE_SIZE`` randomly chosen elements and the
printed values from numpy's own edge-item summarisation, so cost stays flat
however large the array is.  numpy comes from ``sys.modules``; never imported here.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .stats import fmt_number, numeric_summary
from .text import truncate

if TYPE_CHECKING:
    from numpy.typing import NDArray

SAMPLE_SIZE = 10_000
_SEED = 0


def _sample(a: NDArray[Any]) -> tuple[NDArray[Any], bool]:
    np = sys.modules["numpy"]
    if a.size <= SAMPLE_SIZE:
        return a.reshape(-1), False
    idx = np.random.default_rng(_SEED).integers(0, a.size, SAMPLE_SIZE)
    # .flat indexing gathers from non-contiguous views without copying the array.
    return a.flat[idx], True


def _stats(a: NDArray[Any]) -> str:
    np = sys.modules["numpy"]
    if a.size == 0:
        return ""
    values, sampled = _sample(a)
    note = f" (from {SAMPLE_SIZE:,} sampled elements)" if sampled else ""
    kind = a.dtype.kind
    if kind == "b":
        return f"stats{note}: true={fmt_number(values.mean() * 100)}%"
    if kind in "iuf":
        return f"stats{note}: " + numeric_summary(values)
    if kind in "mM":
        ok = values[~np.isnat(values)]
        return f"stats{note}: min={ok.min()} max={ok.max()}" if ok.size else ""
    return ""


def render_array(a: NDArray[Any], *, max_chars: int, schema_only: bool) -> str:
    """Summary of a numpy array (any dtype, any number of dimensions)."""
    np = sys.modules["numpy"]
    head = f"numpy.{type(a).__name__} shape={a.shape} dtype={a.dtype} ({a.nbytes:,} bytes)"
    if schema_only:
        return head
    try:
        stats = _stats(a)
    except Exception as exc:  # object arrays with incomparable values, and the like
        stats = f"stats failed: {type(exc).__name__}"
    lines = [head] + ([stats] if stats else [])
    used = sum(len(x) + 1 for x in lines)
    for edge, threshold in ((3, 60), (2, 20), (1, 6)):
        values = np.array2string(
            a, threshold=threshold, edgeitems=edge, max_line_width=100, precision=4
        )
        if used + len(values) + 8 <= max_chars:
            break
    return "\n".join([*lines, "values:", truncate(values, max(0, max_chars - used - 8))])
