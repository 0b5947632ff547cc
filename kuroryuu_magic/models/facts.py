"""The one table of model facts: the model ids this release knows.

Aliases (``aliases``), the cost estimates and limits below (:func:`estimate_cost`,
:func:`context_window`, …), the thinking check, the ``-m`` help and the fake
API's ``/v1/models`` all read this table, so they cannot disagree.  A test checks one direction only: every id here that is not
retired is named by the installed SDK's ``anthropic.types.Model`` literal.  A
newer SDK may name models this table does not know (they get no price: "not
priced"), and drops ids once they retire (rows kept here, marked ``retired``,
so an old notebook's model still gets a clear "not found", not a guess).

Sources, checked on :data:`CHECKED`: Anthropic's model overview pages on
platform.claude.com (context window, max output, price per million tokens,
thinking mode, release date) and the prompt-caching page (minimum cacheable
prompt length).  Where a page gives no figure the row says so in ``note`` and
uses the figure of its line (Mythos shares Fable's specification and price,
as its page says).  Cache reads cost 0.1× input, 5-minute cache writes 1.25×,
1-hour writes 2×, and the Batches API halves input and output (pricing page).
Costs shown to users are estimates; a model with no price shows no cost.
"""

from __future__ import annotations

from dataclasses import dataclass

CHECKED = "2026-12-06"


@dataclass(frozen=True)
class ModelFacts:
    """What this project knows about one model id."""

    id: str
    display_name: str
    line: str  # the SDK's ModelLine: opus, sonnet, haiku, fable, mythos
    released: str  # ISO date
    context_window: int  # max input tokens
    max_output: int  # the largest max_tokens the API accepts
    thinking_budget: bool  # accepts thinking={"type": "enabled", "budget_tokens": N}
    min_cache_tokens: int  # below this a cache_control mark caches nothing
    input_price: float | None  # USD per million tokens; None: unpriced, no cost shown
    output_price: float | None
    lifecycle: str = "active"  # active | deprecated | retired (the SDK's ModelInfo)
    retires: str | None = None  # ISO date of end of life where announced (SDK DEPRECATED_MODELS)
    note: str = ""

    @property
    def cache_read_price(self) -> float | None:
        return None if self.input_price is None else self.input_price * 0.1

    @property
    def cache_write_price(self) -> float | None:
        """5-minute cache write (the default ``ephemeral`` TTL)."""
        return None if self.input_price is None else self.input_price * 1.25

    @property
    def cache_write_1h_price(self) -> float | None:
        return None if self.input_price is None else self.input_price * 2.0

    @property
    def batch_discount(self) -> float:
        """Factor on input and output prices through the Message Batches API."""
        return 0.5


def _m(
    id: str,
    name: str,
    line: str,
    released: str,
    context: int,
    output: int,
    budget: bool,
    min_cache: int,
    price: tuple[float, float] | None,
    **extra: str,
) -> ModelFacts:
    i, o = price if price else (None, None)
    return ModelFacts(id, name, line, released, context, output, budget, min_cache, i, o, **extra)


_1M, _200K = 1_000_000, 200_000
_128K, _64K = 128_000, 64_000

# Newest first within each line; dated snapshots are rows of their own because
# the API lists and accepts them as ids of their own.  One row a line, aligned as
# a table: kept out of `ruff format`, which would put every field on a line of its own.
# fmt: off
MODELS: tuple[ModelFacts, ...] = (
    _m("claude-opus-5-5", "Claude Opus 5.5", "opus", "2026-10-21", _1M, _128K, False, 4096, (4.0, 20.0)),
    _m("claude-sonnet-5-5", "Claude Sonnet 5.5", "sonnet", "2026-10-14", _1M, _128K, False, 1024, (2.0, 10.0)),
    _m("claude-haiku-5-5", "Claude Haiku 5.5", "haiku", "2026-10-07", _1M, _128K, False, 4096, (0.10, 0.50),
       note="priced 'from $0.10 / $0.50'; the lowest tier is used"),
    _m("claude-fable-5-2", "Claude Fable 5.2", "fable", "2026-11-10", _1M, _128K, False, 4096, (10.0, 50.0),
       note="no page seen; figures of the Fable line"),
    _m("claude-mythos-5-2", "Claude Mythos 5.2", "mythos", "2026-11-10", _1M, _128K, False, 4096, (10.0, 50.0),
       note="invitation only; shares Fable's specification and price"),
    _m("claude-fable-5-1", "Claude Fable 5.1", "fable", "2026-09-15", _1M, _128K, False, 4096, (10.0, 50.0)),
    _m("claude-mythos-5-1", "Claude Mythos 5.1", "mythos", "2026-09-15", _1M, _128K, False, 4096, (10.0, 50.0),
       note="invitation only; shares Fable's specification and price"),
    _m("claude-sonnet-5", "Claude Sonnet 5", "sonnet", "2026-07-24", _1M, _128K, False, 1024, (2.0, 10.0)),
    _m("claude-opus-5", "Claude Opus 5", "opus", "2026-07-24", _1M, _128K, False, 4096, (5.0, 25.0)),
    _m("claude-fable-5", "Claude Fable 5", "fable", "2026-06-09", _1M, _128K, False, 4096, (10.0, 50.0)),
    _m("claude-mythos-5", "Claude Mythos 5", "mythos", "2026-06-09", _1M, _128K, False, 4096, (10.0, 50.0),
       note="invitation only; shares Fable's specification and price"),
    _m("claude-opus-4-8", "Claude Opus 4.8", "opus", "2026-05-28", _1M, _128K, True, 4096, (5.0, 25.0)),
    _m("claude-opus-4-7", "Claude Opus 4.7", "opus", "2026-04-16", _1M, _128K, False, 4096, (5.0, 25.0),
       note="adaptive thinking only (budget_tokens is a 400), as its model card says"),
    _m("claude-mythos-preview", "Claude Mythos Preview", "mythos", "2026-04-07", _1M, _128K, True, 4096,
       (10.0, 50.0), lifecycle="deprecated", retires="2026-06-30",
       note="preview; price of the Mythos line"),
    _m("claude-opus-4-6", "Claude Opus 4.6", "opus", "2026-02-05", _1M, _128K, True, 4096, (5.0, 25.0)),
    _m("claude-sonnet-4-6", "Claude Sonnet 4.6", "sonnet", "2026-02-17", _1M, _128K, True, 1024, (3.0, 15.0)),
    _m("claude-haiku-4-5", "Claude Haiku 4.5", "haiku", "2025-10-15", _200K, _64K, True, 4096, (1.0, 5.0)),
    _m("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "haiku", "2025-10-15", _200K, _64K, True, 4096,
       (1.0, 5.0)),
    _m("claude-opus-4-5", "Claude Opus 4.5", "opus", "2025-11-24", _200K, _64K, True, 4096, (5.0, 25.0),
       lifecycle="deprecated", retires="2027-01-22"),
    _m("claude-opus-4-5-20251101", "Claude Opus 4.5", "opus", "2025-11-24", _200K, _64K, True, 4096,
       (5.0, 25.0), lifecycle="deprecated", retires="2027-01-22"),
    # Retired on 2026-11-30 (SDK 2.14's DEPRECATED_MODELS); SDK 2.17 no longer names it.
    _m("claude-sonnet-4-5", "Claude Sonnet 4.5", "sonnet", "2025-09-29", _200K, _64K, True, 1024, (3.0, 15.0),
       lifecycle="retired", retires="2026-11-30"),
    _m("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "sonnet", "2025-09-29", _200K, _64K, True, 1024,
       (3.0, 15.0), lifecycle="retired", retires="2026-11-30"),
)
# fmt: on

BY_ID: dict[str, ModelFacts] = {m.id: m for m in MODELS}
# What the API still answers: a retired model is listed only on request, and a
# request naming it is a 404 (the SDK's ModelInfo.lifecycle).
CALLABLE: tuple[ModelFacts, ...] = tuple(m for m in MODELS if m.lifecycle != "retired")

# Built-in aliases: the newest *active* model of each line. ``-m haiku`` etc.
# resolve against the API's listing first (aliases.py); these are the fallback
# and what the fake serves as newest.
LINES = ("opus", "sonnet", "haiku")

# For an id this table does not name (a newer snapshot, a Bedrock-style id):
# fall back to the row whose id it extends, so ``claude-opus-4-6@2026`` prices
# like ``claude-opus-4-6``; nothing for an id that extends no row.
DEFAULT_CONTEXT_WINDOW = 200_000


def facts_for(model: str) -> ModelFacts | None:
    """The row for ``model``, or for the table id it extends (``id-…``/``id@…``); else None."""
    found = BY_ID.get(model)
    if found is not None:
        return found
    for row in sorted(MODELS, key=lambda m: len(m.id), reverse=True):
        if model.startswith((row.id + "-", row.id + "@")):
            return row
    return None


def newest(line: str) -> ModelFacts:
    """The newest active model of ``line`` in this table."""
    rows = [m for m in MODELS if m.line == line and m.lifecycle == "active"]
    return max(rows, key=lambda m: (m.released, -len(m.id)))


# -- what the table says about one model: limits and cost estimates --------------------
# A cost shown to users is an *estimate*; a model missing from the table shows
# no cost at all rather than a wrong one.


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
