"""Cost estimates and limits, read from the one table of model facts (``facts``).

A cost shown to users is an *estimate*; a model missing from the table shows
no cost at all rather than a wrong one.
"""

from __future__ import annotations

from .facts import DEFAULT_CONTEXT_WINDOW, ModelFacts, facts_for


def price_for(model: str) -> ModelFacts | None:
    """The facts row of a priced model, or None when no price is known."""
    row = facts_for(model)
    return row if row is not None and row.input_price is not None else None


def context_window(model: str) -> int:
    row = facts_for(model)
    return row.context_window if row is not None else DEFAULT_CONTEXT_WINDOW


def accepts_thinking_budget(model: str) -> bool:
    """False for models that only think adaptively (a manual budget is a 400 there)."""
    row = facts_for(model)
    return row.thinking_budget if row is not None else True


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
    row = price_for(model)
    if row is None:
        return None
    assert row.input_price is not None and row.output_price is not None
    cost = (
        input_tokens * row.input_price
        + output_tokens * row.output_price
        + cache_read_tokens * (row.cache_read_price or 0.0)
        + cache_write_tokens * (row.cache_write_price or 0.0)
    ) / 1_000_000
    return cost * row.batch_discount if batch else cost


def cache_saving(model: str, cache_read_tokens: int) -> float | None:
    """What reading ``cache_read_tokens`` from the cache saved against full input price."""
    row = price_for(model)
    if row is None or row.input_price is None:
        return None
    return cache_read_tokens * (row.input_price - (row.cache_read_price or 0.0)) / 1_000_000
