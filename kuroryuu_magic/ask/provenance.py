"""Output metadata: what produced an answer, recorded in the notebook next to it.

Every answer display (a prompt, the tool loop, the answer cache, the offline
demo) and every ``--map``/``--batch`` summary carries :func:`provenance` as the
display's ``metadata`` argument, with the SAME keys whatever the source, so a
saved ``.ipynb`` says which model, requests and source each output came from.
Only numbers, ids and names go in: never a prompt, an answer or a credential.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .usage import Usage, usage_numbers

__all__ = ["KEYS", "METADATA_KEY", "Provenance", "provenance", "usage_dict"]

METADATA_KEY = "kuroryuu_magic"  # the one key under an output's metadata
_USAGE_NAMES = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


def usage_dict(usage: Usage | None) -> dict[str, int]:
    """The four token counts as plain ints (an SDK ``Usage``, a dict or ``None``)."""
    if usage is None:
        return dict.fromkeys(_USAGE_NAMES, 0)
    return dict(zip(_USAGE_NAMES, usage_numbers(usage), strict=True))


@dataclass
class Provenance:
    """What one display records.  An answer is a run of one item; a ``--map`` run has many."""

    kind: str  # "answer" (one prompt's display) or "map" (a --map/--batch summary)
    route: str  # "prompt", "tools", "map" or "batch"
    source: str  # "api", "cache" or "demo"
    model: str
    usage: Usage | None
    cost: float | None
    elapsed: float
    status: str
    request_ids: Iterable[str | None] = ()
    stop_reasons: Iterable[str | None] = ()
    tool_calls: int = 0
    items: int = 1
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    from_cache: int = 0
    batch_ids: list[str] = field(default_factory=list)


def provenance(p: Provenance) -> dict[str, Any]:
    """``{"kuroryuu_magic": {...}}``: the keys are the same for every kind and source."""
    ids = [r for r in p.request_ids if isinstance(r, str) and r]
    reasons = [r for r in p.stop_reasons if isinstance(r, str) and r]
    return {
        METADATA_KEY: {
            "kind": p.kind,
            "route": p.route,
            "source": p.source,
            "model": str(p.model or ""),
            # the last request's id and stop reason (the one a single answer has) …
            "request_id": ids[-1] if ids else None,
            "stop_reason": reasons[-1] if reasons else None,
            # … and every request's: a tool loop sends one per round, a --map one per item
            "request_ids": ids,
            "stop_reasons": dict(Counter(reasons)),
            "usage": usage_dict(p.usage),
            "cost_usd_estimate": None if p.cost is None else round(float(p.cost), 6),
            "elapsed_s": round(float(p.elapsed), 3),
            "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "status": p.status,
            "tool_calls": int(p.tool_calls),
            "items": int(p.items),
            "succeeded": int(p.succeeded),
            "failed": int(p.failed),
            "cancelled": int(p.cancelled),
            "from_cache": int(p.from_cache),
            "batch_ids": [str(b) for b in p.batch_ids],
        }
    }


KEYS = frozenset(
    provenance(Provenance("answer", "prompt", "api", "", None, None, 0, ""))[METADATA_KEY]
)
