"""Response headers the API puts on every answer, errors and 429s included.

Rate-limits page of the API docs: ``anthropic-ratelimit-{requests,tokens,
input-tokens,output-tokens}-{limit,remaining,reset}`` (reset is an RFC 3339
time), ``retry-after`` in whole seconds on a 429; every response carries
``request-id`` and ``anthropic-organization-id``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from ._exchange import Exchange

KINDS = ("requests", "tokens", "input-tokens", "output-tokens")
DEFAULT_LIMITS = {
    "requests": 4000,
    "tokens": 2_400_000,
    "input-tokens": 2_000_000,
    "output-tokens": 400_000,
}


def _rfc3339(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def response_headers(h: Exchange, *, exhausted: bool = False) -> dict[str, str]:
    """``request-id``, the organization id and the rate-limit headers for one answer.

    ``exhausted`` (a 429) reports 0 remaining.  ``fake.rate_limits`` overrides the
    limits and ``fake.rate_remaining`` the remaining counts, per kind.
    """
    fake = h.fake
    reset = _rfc3339(datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=60))
    out = {"request-id": h.request_id, "anthropic-organization-id": fake.organization_id}
    for kind in KINDS:
        limit = int(fake.rate_limits.get(kind, DEFAULT_LIMITS[kind]))
        remaining = fake.rate_remaining.get(kind)
        if remaining is None:
            remaining = 0 if exhausted else limit - 1
        out[f"anthropic-ratelimit-{kind}-limit"] = str(limit)
        out[f"anthropic-ratelimit-{kind}-remaining"] = str(int(remaining))
        out[f"anthropic-ratelimit-{kind}-reset"] = reset
    return out


def retry_after(seconds: float) -> str:
    """The API sends whole seconds; a fraction rounds up so a client never retries early."""
    return str(max(0, math.ceil(seconds)))
