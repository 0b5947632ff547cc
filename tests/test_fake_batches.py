"""Message Batches on the fake API, through the real SDK."""

from __future__ import annotations

import anthropic
import pytest

from kuroryuu_magic.testing import FakeAnthropic

pytest_plugins = ["kuroryuu_magic.testing.pytest_plugin"]
MODEL = "claude-haiku-4-5"


@pytest.fixture
def c(fake_anthropic: FakeAnthropic):
    fake = fake_anthropic
    return anthropic.Anthropic(base_url=fake.base_url, api_key=fake.api_key, max_retries=0), fake


def req(custom_id: str, text: str = "hi", model: str = MODEL) -> dict:
    return {
        "custom_id": custom_id,
        "params": {
            "model": model,
            "max_tokens": 20,
            "messages": [{"role": "user", "content": text}],
        },
    }


def test_round_trip(c) -> None:
    client, fake = c
    batch = client.messages.batches.create(
        requests=[req("a", "first"), req("b", model="claude-nope")]
    )
    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 2
    assert batch.results_url is None
    polled = client.messages.batches.retrieve(batch.id)
    assert polled.processing_status == "in_progress"
    polled = client.messages.batches.retrieve(batch.id)
    assert polled.processing_status == "ended"  # batch_polls_to_end defaults to 2
    assert polled.request_counts.succeeded == 1 and polled.request_counts.errored == 1
    assert polled.results_url.startswith(fake.base_url)
    results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
    assert results["a"].type == "succeeded"
    assert results["a"].message.content[0].text.endswith("You said: first")
    assert results["b"].type == "errored"
    assert results["b"].error.error.type == "not_found_error"


def test_results_before_end_and_unknown_batch(c) -> None:
    client, fake = c
    fake.batch_polls_to_end = 5
    batch = client.messages.batches.create(requests=[req("a")])
    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        client.messages.batches.results(batch.id)
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve("msgbatch_missing")


def test_cancel(c) -> None:
    client, _ = c
    batch = client.messages.batches.create(requests=[req("a"), req("b")])
    canceled = client.messages.batches.cancel(batch.id)
    assert canceled.processing_status == "canceling"
    assert canceled.cancel_initiated_at is not None
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.request_counts.canceled == 2
    assert {r.result.type for r in client.messages.batches.results(batch.id)} == {"canceled"}


def test_list_newest_first_with_pagination(c) -> None:
    client, _ = c
    ids = [client.messages.batches.create(requests=[req(str(i))]).id for i in range(3)]
    page = client.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == ids[::-1][:2]
    assert page.has_more
    assert [b.id for b in client.messages.batches.list(limit=2)] == ids[::-1]


def test_create_validation(c) -> None:
    client, _ = c
    with pytest.raises(anthropic.BadRequestError):
        client.messages.batches.create(requests=[])
    with pytest.raises(anthropic.BadRequestError, match="duplicate"):
        client.messages.batches.create(requests=[req("a"), req("a")])
