"""Tokens and estimated cost for this kernel session, per model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from ..models.facts import cache_saving, estimate_cost

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic.types import MessageDeltaUsage
    from anthropic.types import Usage as SDKUsage

# Token counts as the SDK reports them, or the same four names in a dict (a tool loop's
# sum, a stored answer's).
Usage: TypeAlias = "SDKUsage | Mapping[str, int]"


@dataclass
class Tally:
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost: float | None = 0.0
    saved: float | None = 0.0


def usage_numbers(usage: Usage | MessageDeltaUsage) -> tuple[int, int, int, int]:
    """(input, output, cache read, cache write) from an SDK ``Usage`` or a dict."""

    def get(name: str) -> int:
        value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
        return int(value or 0)

    return (
        get("input_tokens"),
        get("output_tokens"),
        get("cache_read_input_tokens"),
        get("cache_creation_input_tokens"),
    )


class SessionUsage:
    def __init__(self) -> None:
        self.by_model: dict[str, Tally] = {}

    def add(
        self, model: str, usage: Usage, *, batch: bool = False, demo: bool = False
    ) -> float | None:
        """Count one request; returns its estimated cost (``None`` if unpriced).

        Offline-demo answers (``demo``) are counted apart, as ``MODEL (offline demo)``,
        and cost nothing: no request reached the API.
        """
        inp, out, read, write = usage_numbers(usage)
        cost = estimate_cost(
            model,
            input_tokens=inp,
            output_tokens=out,
            cache_read_tokens=read,
            cache_write_tokens=write,
            batch=batch,
        )
        saved = cache_saving(model, read)
        if demo:
            model, cost, saved = f"{model} (offline demo)", 0.0, 0.0
        tally = self.by_model.setdefault(model, Tally())
        tally.requests += 1
        tally.input_tokens += inp
        tally.output_tokens += out
        tally.cache_read_tokens += read
        tally.cache_write_tokens += write
        tally.cost = None if cost is None or tally.cost is None else tally.cost + cost
        tally.saved = None if saved is None or tally.saved is None else tally.saved + saved
        return cost

    def total_cost(self) -> float | None:
        costs = [t.cost for t in self.by_model.values()]
        if not costs or any(c is None for c in costs):
            return None
        return sum(c for c in costs if c is not None)


IMAGE_TOKENS = 1_600  # about what the API counts for an image at the size we send


def estimate_tokens(text: str | int, *, margin: float = 1.0) -> int:
    """The ONE rough count for text the API never counted: four characters a token.

    ``text`` may be the text or its length.  ``margin`` > 1 errs high where
    running over costs more than guessing high (a thread's context budget).
    """
    size = text if isinstance(text, int) else len(text)
    tokens = (size + 3) // 4
    return tokens if margin == 1.0 else int(tokens * margin)


def partial_usage(
    started: Usage | None, delta: Usage | MessageDeltaUsage | None, text: str
) -> tuple[dict[str, int] | None, bool]:
    """Usage of an answer that stopped early, and whether its output count is an estimate.

    ``started`` is ``message_start``'s usage (input and cache counts exact,
    output a placeholder), ``delta`` the last ``message_delta`` usage if one
    arrived (its counts are exact and cumulative).  Without ``delta`` the
    output is estimated from ``text``, everything Claude sent (answer and
    thinking).
    """
    if started is None and delta is None:
        return None, False
    names = (
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
    )
    usage = dict(
        zip(names, usage_numbers(started) if started is not None else (0, 0, 0, 0), strict=True)
    )
    if delta is not None:
        for name, value in zip(names, usage_numbers(delta), strict=True):
            if value:
                usage[name] = value
        return usage, False
    usage["output_tokens"] = max(usage["output_tokens"], estimate_tokens(text))
    return usage, True


def format_cost(cost: float | None) -> str:
    if cost is None:
        return "cost unknown"
    return f"~${cost:.4f}" if cost < 1 else f"~${cost:,.2f}"


def usage_footer(
    model: str,
    usage: Usage | None,
    cost: float | None,
    elapsed: float,
    *,
    cost_note: str = "",
    status: str | None = None,
    estimated: bool = False,
    priced: bool = True,
) -> str:
    """``model · 1,204 in / 311 out · cache 1,100 read (saved ~$0.0030) / 0 written · ~$0.0054 · 3.2 s``.

    ``priced=False`` (the offline demo) leaves out the cache saving: nothing was paid or saved.
    """
    inp, out, read, write = usage_numbers(usage) if usage is not None else (0, 0, 0, 0)
    approx = "~" if estimated else ""  # the output of a stopped answer, counted by us
    parts = [model or "?", f"{inp:,} in / {approx}{out:,} out"]
    if read or write:
        saved = cache_saving(model, read) if read and priced else None
        note = f" (saved {format_cost(saved)})" if saved else ""
        parts.append(f"cache {read:,} read{note} / {write:,} written")
    if cost is not None:
        parts.append(format_cost(cost) + cost_note)
    parts.append(f"{elapsed:.1f} s")
    if status:
        parts.append(status)
    return " · ".join(parts)
