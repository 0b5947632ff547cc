"""Model facts kept as data: prices, context windows, thinking support.

Prices are USD per million tokens as published by Anthropic (checked
2026-11-27).  A cost shown to users is an *estimate*; a model missing from this
table shows no cost at all rather than a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_CHECKED = "2026-11-27"


@dataclass(frozen=True)
class Price:
    input: float
    output: float

    @property
    def cache_read(self) -> float:  # 0.1x input
        return self.input * 0.1

    @property
    def cache_write(self) -> float:  # 5-minute cache write: 1.25x input
        return self.input * 1.25


# Matched by id prefix, longest first, so dated snapshots price like their family.
_PRICES: dict[str, Price] = {
    "claude-opus-5-5": Price(4.0, 20.0),
    "claude-sonnet-5-5": Price(2.0, 10.0),
    "claude-opus-5": Price(5.0, 25.0),
    "claude-sonnet-5": Price(2.0, 10.0),
    "claude-opus-4-8": Price(5.0, 25.0),
    "claude-opus-4-7": Price(5.0, 25.0),
    "claude-opus-4-6": Price(5.0, 25.0),
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-sonnet-4-6": Price(3.0, 15.0),
    "claude-sonnet-4-5": Price(3.0, 15.0),
    "claude-haiku-4-5": Price(1.0, 5.0),
}

_CONTEXT_WINDOWS: dict[str, int] = {
    "claude-opus-5": 1_000_000,
    "claude-sonnet-5": 1_000_000,
    "claude-haiku-5": 200_000,
}
DEFAULT_CONTEXT_WINDOW = 200_000

# Families that reject a manual thinking budget (they only think adaptively).
_ADAPTIVE_ONLY = ("claude-opus-5", "claude-sonnet-5", "claude-fable-5")


def _lookup(table: dict[str, object], model: str) -> object | None:
    for prefix in sorted(table, key=len, reverse=True):
        if model == prefix or model.startswith(prefix + "-") or model.startswith(prefix + "@"):
            return table[prefix]
    return None


def price_for(model: str) -> Price | None:
    found = _lookup(_PRICES, model)  # type: ignore[arg-type]
    return found if isinstance(found, Price) else None


def context_window(model: str) -> int:
    found = _lookup(_CONTEXT_WINDOWS, model)  # type: ignore[arg-type]
    return found if isinstance(found, int) else DEFAULT_CONTEXT_WINDOW


def accepts_thinking_budget(model: str) -> bool:
    return not any(model == p or model.startswith(p + "-") for p in _ADAPTIVE_ONLY)


def estimate_cost(
    model: str,
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    batch: bool = False,
) -> float | None:
    """Estimated USD for one request's usage, or ``None`` for an unpriced model."""
    price = price_for(model)
    if price is None:
        return None
    cost = (
        input_tokens * price.input
        + output_tokens * price.output
        + cache_read_tokens * price.cache_read
        + cache_write_tokens * price.cache_write
    ) / 1_000_000
    return cost / 2 if batch else cost


def cache_saving(model: str, cache_read_tokens: int) -> float | None:
    """What reading ``cache_read_tokens`` from the cache saved against full input price."""
    price = price_for(model)
    if price is None:
        return None
    return cache_read_tokens * (price.input - price.cache_read) / 1_000_000
