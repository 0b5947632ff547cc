"""Nothing breaks when the API or a newer SDK *adds* something: a model, an event type.

Driven by the fake with the real SDK, so these run on both ends of the declared
range (the floor run in ``.ci/run`` includes this file).
"""

from __future__ import annotations

import anthropic
import pytest

from kuroryuu_magic.models import facts
from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.conftest import run_cell

NEW_MODEL = "claude-opus-9-9"  # a model no release of this table knows
FUTURE_EVENTS = [
    {"type": "future_event", "detail": {"anything": [1, 2, 3]}},
    {"type": "usage_update", "usage": {"output_tokens": 3}},
]


def test_new_model_id_is_unknown_to_the_table() -> None:
    assert NEW_MODEL not in facts.BY_ID and facts.facts_for(NEW_MODEL) is None


def test_an_answer_from_an_unpriced_model_shows_no_cost(
    ip, fake: FakeAnthropic, capsys: pytest.CaptureFixture[str]
) -> None:
    # The API may answer with a model id newer than this release (an alias moved on).
    fake.enqueue(Reply(text="Hello from the future", model=NEW_MODEL))
    run_cell(ip, "%%claude --no-history\nhi")
    out = capsys.readouterr().out
    assert out.startswith("Hello from the future\n")
    footer = next(line for line in out.splitlines() if line.startswith("── "))
    assert footer.startswith(f"── {NEW_MODEL} · ") and "$" not in footer  # no guessed cost
    result = ip.user_ns["_claude"]
    assert result.model == NEW_MODEL and result.cost is None and result.complete
    run_cell(ip, "%claude usage")
    usage = capsys.readouterr().out
    row = next(line for line in usage.splitlines() if NEW_MODEL in line)
    assert "cost unknown" in row and "$" not in row


def test_unknown_stream_events_are_ignored_by_the_sdk(fake: FakeAnthropic) -> None:
    fake.enqueue(Reply(text="Hello there", extra_events=FUTURE_EVENTS))
    client = anthropic.Anthropic(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
    request = {
        "model": "claude-haiku-4-5",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with client.messages.stream(**request) as stream:
        kinds = [event.type for event in stream]
        message = stream.get_final_message()
    assert "future_event" in kinds and "usage_update" in kinds  # they really were sent
    assert [b.text for b in message.content if b.type == "text"] == ["Hello there"]


def test_unknown_stream_events_are_ignored_by_the_magic(
    ip, fake: FakeAnthropic, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.enqueue(Reply(text="Hello *there*", deltas=3, extra_events=FUTURE_EVENTS))
    run_cell(ip, "%%claude --no-history\nhi")
    out = capsys.readouterr().out
    assert out.startswith("Hello *there*\n── ")
    assert "future_event" not in out and "usage_update" not in out
    result = ip.user_ns["_claude"]
    assert result.text == "Hello *there*" and result.complete


def test_extra_events_must_be_typed() -> None:
    with pytest.raises(ValueError, match="type"):
        Reply(extra_events=[{"no": "type"}])
