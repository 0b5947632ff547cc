"""Output metadata: what produced an answer, recorded in the notebook next to it.

Every answer display passes :func:`answer_metadata` as the display's
``metadata`` argument, so a saved ``.ipynb`` says which model, request and
source (the API, the answer cache or the offline demo) each output came from.
Only numbers, ids and names go in: never a prompt, an answer or a credential.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from .usage import usage_numbers

__all__ = ["METADATA_KEY", "Source", "answer_metadata", "run_metadata", "usage_dict"]

METADATA_KEY = "kuroryuu_magic"  # the one key under an output's metadata
Source = Literal["api", "cache", "demo"]
_USAGE_NAMES = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


def usage_dict(usage: Any) -> dict[str, int]:
    """The four token counts as plain ints (an SDK ``Usage``, a dict or ``None``)."""
    if usage is None:
        return dict.fromkeys(_USAGE_NAMES, 0)
    return dict(zip(_USAGE_NAMES, usage_numbers(usage), strict=True))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _cost(cost: float | None) -> float | None:
    return None if cost is None else round(float(cost), 6)


def answer_metadata(
    *,
    model: str,
    request_id: str | None,
    stop_reason: str | None,
    usage: Any,
    cost: float | None,
    elapsed: float,
    source: Source,
) -> dict[str, Any]:
    """``{"kuroryuu_magic": {...}}`` for one answer's display."""
    return {
        METADATA_KEY: {
            "kind": "answer",
            "model": str(model or ""),
            "request_id": request_id if isinstance(request_id, str) else None,
            "stop_reason": stop_reason,
            "usage": usage_dict(usage),
            "cost_usd_estimate": _cost(cost),
            "elapsed_s": round(float(elapsed), 3),
            "time": _now(),
            "source": source,
        }
    }


def run_metadata(
    *,
    model: str,
    total: int,
    succeeded: int,
    failed: int,
    cancelled: int,
    cached: int,
    usage: Any,
    cost: float | None,
    elapsed: float,
    batch_ids: list[str],
    status: str,
    source: Source = "api",
) -> dict[str, Any]:
    """``{"kuroryuu_magic": {...}}`` for a ``--map`` summary: the run's totals and batch ids."""
    return {
        METADATA_KEY: {
            "kind": "map",
            "model": str(model or ""),
            "items": int(total),
            "succeeded": int(succeeded),
            "failed": int(failed),
            "cancelled": int(cancelled),
            "from_cache": int(cached),
            "usage": usage_dict(usage),
            "cost_usd_estimate": _cost(cost),
            "elapsed_s": round(float(elapsed), 3),
            "time": _now(),
            "batch_ids": [str(b) for b in batch_ids],
            "status": status,
            "source": source,
        }
    }
