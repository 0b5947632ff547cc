"""Request settings that the magic surface and the prompt path share.

May import ``core`` only.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import UsageError


def parse_thinking(value: str) -> dict[str, Any]:
    """``adaptive`` | ``off`` | budget tokens → the request's ``thinking``; ``{}`` means off."""
    text = str(value).strip().lower()
    if text in ("off", "none", "0", ""):
        return {}
    if text == "adaptive":
        return {"type": "adaptive"}
    try:
        budget = int(text)
    except ValueError:
        raise UsageError(
            f"--thinking takes adaptive, off or a token budget, not {value!r}."
        ) from None
    if budget < 1024:
        raise UsageError("--thinking budget must be at least 1024 tokens (or use adaptive).")
    return {"type": "enabled", "budget_tokens": budget}
