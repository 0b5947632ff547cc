"""The one table of model facts agrees with the SDK, the aliases, pricing and the fake."""

from __future__ import annotations

import typing

import anthropic
import pytest
from anthropic.types import Model

from kuroryuu_magic.models import aliases, facts
from kuroryuu_magic.testing import FakeAnthropic


def _sdk_model_ids() -> set[str]:
    literal = next(a for a in typing.get_args(Model) if typing.get_origin(a) is typing.Literal)
    return set(typing.get_args(literal))


def _not_in_sdk(rows: typing.Iterable[facts.ModelFacts], sdk_ids: set[str]) -> list[str]:
    return [m.id for m in rows if m.id not in sdk_ids and m.lifecycle != "retired"]


def test_every_model_we_list_is_one_the_sdk_names_or_retired() -> None:
    # One direction only: a newer SDK may name models this table does not know (they
    # are served unpriced), and drops a model once it retires (kept here as retired).
    assert _not_in_sdk(facts.MODELS, _sdk_model_ids()) == []
    assert len(facts.BY_ID) == len(facts.MODELS), "duplicate ids in the table"
    # The check can fail: an id the SDK does not name, not marked retired, is caught.
    made_up = facts.ModelFacts(
        "claude-made-up-1", "x", "opus", "2026-01-01", 1, 1, True, 1024, None, None
    )
    assert _not_in_sdk([made_up], _sdk_model_ids()) == ["claude-made-up-1"]


def test_a_model_the_sdk_names_but_the_table_does_not_is_explicitly_unpriced() -> None:
    # What a newer SDK release adds: no price, no guessed cost, the default window.
    for model_id in _sdk_model_ids() - set(facts.BY_ID) or {"claude-opus-9-9"}:
        assert facts.price_for(model_id) is None
        assert facts.estimate_cost(model_id, input_tokens=10, output_tokens=10) is None
        assert facts.context_window(model_id) == facts.DEFAULT_CONTEXT_WINDOW


@pytest.mark.parametrize("row", facts.MODELS, ids=lambda r: r.id)
def test_every_row_is_complete(row: facts.ModelFacts) -> None:
    assert row.line in typing.get_args(anthropic.types.ModelLine)
    assert row.context_window >= 200_000 and row.max_output >= 64_000
    assert row.min_cache_tokens in (1024, 2048, 4096)
    assert row.lifecycle in ("active", "deprecated", "retired")
    assert (row.input_price is None) == (row.output_price is None)


def test_deprecations_match_the_sdk() -> None:
    from anthropic._data.deprecated_models import DEPRECATED_MODELS

    # A model past its end-of-life date is "retired" here even where an older SDK still
    # lists it as deprecated (claude-sonnet-4-5 in 2.14); one the table lacks is unpriced.
    for model_id in DEPRECATED_MODELS:
        if model_id in facts.BY_ID:
            assert facts.BY_ID[model_id].lifecycle in ("deprecated", "retired"), model_id


@pytest.mark.parametrize("alias", aliases.ALIASES)
def test_every_alias_falls_back_to_a_priced_model_with_a_context_window(alias: str) -> None:
    model = aliases.FALLBACK[alias]
    assert facts.price_for(model) is not None, model
    assert facts.context_window(model) == facts.BY_ID[model].context_window
    assert facts.estimate_cost(model, input_tokens=1000, output_tokens=100) > 0


def test_every_alias_resolves_against_the_fake_to_a_priced_model(fake: FakeAnthropic) -> None:
    client = anthropic.Anthropic(api_key="sk-ant-api03-" + "x" * 90, base_url=fake.base_url)
    aliases.forget_listing()
    for alias in aliases.ALIASES:
        model, note = aliases.resolve_model(alias, client)
        assert note is None
        assert model.startswith(f"claude-{alias}-")
        assert facts.price_for(model) is not None, f"-m {alias} -> {model} has no price"


def test_the_fake_lists_exactly_the_models_in_the_table(fake: FakeAnthropic) -> None:
    client = anthropic.Anthropic(api_key="sk-ant-api03-" + "x" * 90, base_url=fake.base_url)
    listed = [m.id for m in client.models.list(limit=1000)]
    assert sorted(listed) == sorted(m.id for m in facts.CALLABLE)
    # ModelListParams.lifecycle: retired models appear only when asked for, and a
    # request naming one is a 404 like the API's.
    retired = {m.id for m in facts.MODELS if m.lifecycle == "retired"}
    assert retired and retired.isdisjoint(listed)
    asked = client.models.list(limit=1000, lifecycle=["retired"])
    assert {m.id for m in asked} == retired
    assert {m.lifecycle for m in asked} == {"retired"}
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(
            model=sorted(retired)[0], max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )
    info = client.models.retrieve("claude-haiku-4-5-20251001")
    assert info.max_tokens == facts.BY_ID["claude-haiku-4-5-20251001"].max_output


def test_snapshots_and_unknown_ids() -> None:
    assert facts.price_for("claude-opus-4-6@20260205") is facts.BY_ID["claude-opus-4-6"]
    assert facts.price_for("claude-unknown-9") is None
    assert facts.estimate_cost("claude-unknown-9", input_tokens=10) is None
    assert facts.context_window("claude-unknown-9") == facts.DEFAULT_CONTEXT_WINDOW
    assert not facts.accepts_thinking_budget("claude-sonnet-5-5")
    assert facts.accepts_thinking_budget("claude-haiku-4-5")
