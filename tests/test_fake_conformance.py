"""Conformance: the fake API behaves like the real one, checked with the real SDK (2.14).

Each test names where the expected behaviour comes from: an SDK type or module
(``anthropic.types.…``, ``anthropic/_base_client.py``) or a page of Anthropic's
API reference / docs (as summarised, with sources, in
docs/anthropic-facts.md "Added 2026-11-30").  Bodies are read off the wire
(``with_raw_response`` / ``with_streaming_response``) and compared with the SDK's
pydantic types field by field: nothing missing, nothing extra.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import struct
import time
import urllib.error
import urllib.request
import zlib
from typing import Any, get_args

import anthropic
import pydantic
import pytest
from anthropic.types import Message, MessageTokensCount, ModelInfo, RawMessageStreamEvent
from anthropic.types.image_dimensions_too_large_error_details import (
    ImageDimensionsTooLargeErrorDetails,
)
from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse
from anthropic.types.shared import (
    EnforcedSpendLimitReachedError,
    EnforcedSpendLimitReachedErrorDetails,
    ErrorResponse,
)

from kuroryuu_magic.models.facts import BY_ID, MODELS
from kuroryuu_magic.testing import FakeAnthropic, Fault, Reply, ToolCall
from tests.sdk_shapes import assert_shape, problems

MODEL = "claude-sonnet-4-6"  # 64K max output, manual thinking budget, 1024-token cache minimum
USER = [{"role": "user", "content": "Hello there"}]
SDK_MODEL_IDS = get_args(get_args(anthropic.types.Model)[0])


def client(fake: FakeAnthropic, **kw: Any) -> anthropic.Anthropic:
    kw.setdefault("api_key", fake.api_key)
    return anthropic.Anthropic(base_url=fake.base_url, **kw)


def aclient(fake: FakeAnthropic, **kw: Any) -> anthropic.AsyncAnthropic:
    kw.setdefault("api_key", fake.api_key)
    return anthropic.AsyncAnthropic(base_url=fake.base_url, **kw)


def create_json(c: anthropic.Anthropic, **kw: Any) -> tuple[dict[str, Any], Any]:
    """A plain create through the SDK: (the body as sent on the wire, the headers)."""
    kw.setdefault("model", MODEL)
    kw.setdefault("max_tokens", 1024)
    kw.setdefault("messages", USER)
    raw = c.messages.with_raw_response.create(**kw)
    return raw.http_response.json(), raw.http_response.headers


def stream_events(c: anthropic.Anthropic, **kw: Any) -> list[dict[str, Any]]:
    """A streamed create through the SDK: the SSE events as sent on the wire."""
    kw.setdefault("model", MODEL)
    kw.setdefault("max_tokens", 1024)
    kw.setdefault("messages", USER)
    with c.messages.with_streaming_response.create(stream=True, **kw) as resp:
        lines = list(resp.iter_lines())
    return [json.loads(line[5:]) for line in lines if line.startswith("data:")]


def assert_events(events: list[dict[str, Any]]) -> None:
    # anthropic.types.RawMessageStreamEvent (ping is not typed: the SDK skips it).
    for event in events:
        if event["type"] != "ping":
            assert_shape(event, RawMessageStreamEvent)


def api_error(exc_info: Any) -> dict[str, Any]:
    body = exc_info.value.body
    assert isinstance(body, dict)
    return body


# -- 1. every body matches the SDK's types --------------------------------------------------


def test_shape_helper_catches_missing_and_extra() -> None:
    # The helper itself must be able to fail (a check that cannot fail is a defect).
    good = {"input_tokens": 3}
    assert problems(good, MessageTokensCount) == []
    assert problems({"input_tokens": 3, "x": 1}, MessageTokensCount) == [
        "$.x: extra (not in MessageTokensCount)"
    ]
    assert problems({}, MessageTokensCount) == ["$.input_tokens: missing (MessageTokensCount)"]
    usage = {"input_tokens": 1, "output_tokens": 1}
    assert any("service_tier: missing" in p for p in problems(usage, anthropic.types.Usage))


@pytest.mark.parametrize(
    "reply",
    [
        None,
        Reply(text="plain"),
        Reply(text="thought through", thinking="hmm"),
        Reply.call("get_weather", {"city": "Paris"}, text="Let me look."),
        Reply(text="I can't help with that.", stop_reason="refusal"),
    ],
    ids=["default", "text", "thinking", "tool_use", "refusal"],
)
def test_plain_message_matches_sdk_message(fake: FakeAnthropic, reply: Reply | None) -> None:
    # anthropic.types.Message / Usage / CacheCreation / ServerToolUsage / ToolUseBlock /
    # RefusalStopDetails: every field present (null where empty), none extra.
    if reply is not None:
        fake.enqueue(reply)
    kw: dict[str, Any] = {}
    if reply is not None and reply.thinking:
        kw["thinking"] = {"type": "enabled", "budget_tokens": 1024}
        kw["max_tokens"] = 4096
    if reply is not None and reply.tool_calls:
        kw["tools"] = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    body, _ = create_json(client(fake), **kw)
    assert_shape(body, Message)
    usage = body["usage"]
    assert usage["service_tier"] == "standard"
    assert usage["server_tool_use"] == {"web_search_requests": 0, "web_fetch_requests": 0}
    assert set(usage["cache_creation"]) == {
        "ephemeral_5m_input_tokens",
        "ephemeral_1h_input_tokens",
    }
    assert body["container"] is None
    if body["stop_reason"] == "refusal":
        assert body["stop_details"]["type"] == "refusal"
    else:
        assert body["stop_details"] is None


def test_stream_events_match_sdk_types(fake: FakeAnthropic) -> None:
    # anthropic.types.RawMessageStreamEvent members, incl. MessageDeltaUsage and the
    # input_json_delta of a tool_use block (tool-use docs, "Streaming").
    fake.enqueue(Reply(text="streamed", thinking="hmm", deltas=3))
    events = stream_events(
        client(fake), thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=4096
    )
    assert_events(events)
    fake.enqueue(Reply.call("lookup", {"q": "x" * 40}, text="Checking."))
    events = stream_events(
        client(fake), tools=[{"name": "lookup", "input_schema": {"type": "object"}}]
    )
    assert_events(events)
    kinds = [e["delta"]["type"] for e in events if e["type"] == "content_block_delta"]
    assert "input_json_delta" in kinds
    assert events[-2]["delta"]["stop_reason"] == "tool_use"


def test_beta_requests_match_the_beta_types(fake: FakeAnthropic) -> None:
    # anthropic.types.beta.BetaMessage / BetaUsage / BetaRawMessageStreamEvent: a request
    # that names betas (client.beta.messages) gets their extra fields, null when unused.
    from anthropic.types.beta import BetaMessage, BetaRawMessageStreamEvent

    c = client(fake)
    kw: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 4096,
        "messages": USER,
        "betas": ["thinking-token-count-2026-05-13"],
        "tools": [{"name": "t", "input_schema": {"type": "object"}}],
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    fake.enqueue(Reply.call("t", {"a": 1}, text="x", thinking="hm"))
    assert_shape(c.beta.messages.with_raw_response.create(**kw).http_response.json(), BetaMessage)
    fake.enqueue(Reply.call("t", {"a": 1}, text="x", thinking="hm"))
    with c.beta.messages.with_streaming_response.create(stream=True, **kw) as resp:
        events = [json.loads(x[5:]) for x in resp.iter_lines() if x.startswith("data:")]
    for event in events:
        if event["type"] != "ping":
            assert_shape(event, BetaRawMessageStreamEvent)


def test_async_plain_and_stream_match(fake: FakeAnthropic) -> None:
    # Same types through AsyncAnthropic, both ways.
    async def run() -> tuple[dict[str, Any], list[dict[str, Any]], Message]:
        ac = aclient(fake)
        raw = await ac.messages.with_raw_response.create(model=MODEL, max_tokens=100, messages=USER)
        async with ac.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=USER, stream=True
        ) as resp:
            lines = [line async for line in resp.iter_lines()]
        async with ac.messages.stream(model=MODEL, max_tokens=100, messages=USER) as s:
            final = await s.get_final_message()
        await ac.close()
        events = [json.loads(x[5:]) for x in lines if x.startswith("data:")]
        return raw.http_response.json(), events, final

    body, events, final = asyncio.run(run())
    assert_shape(body, Message)
    assert_events(events)
    assert final.usage.cache_creation is not None and final.usage.service_tier == "standard"


def test_models_and_count_tokens_match(fake: FakeAnthropic) -> None:
    # anthropic.types.ModelInfo (incl. ModelCapabilities) and MessageTokensCount.
    c = client(fake)
    listing = c.models.with_raw_response.list(limit=1000).http_response.json()
    assert set(listing) == {"data", "has_more", "first_id", "last_id"}
    for item in listing["data"]:
        assert_shape(item, ModelInfo)
    retrieved = c.models.with_raw_response.retrieve(MODEL).http_response.json()
    assert_shape(retrieved, ModelInfo)
    assert retrieved["max_tokens"] == BY_ID[MODEL].max_output
    assert retrieved["max_input_tokens"] == BY_ID[MODEL].context_window
    counted = c.messages.with_raw_response.count_tokens(model=MODEL, messages=USER)
    assert_shape(counted.http_response.json(), MessageTokensCount)


def test_error_body_matches_error_response(fake: FakeAnthropic) -> None:
    # anthropic.types.shared.ErrorResponse: {type, error: {type, message}, request_id}.
    with pytest.raises(anthropic.BadRequestError) as info:
        client(fake).messages.create(model=MODEL, max_tokens=10**6, messages=USER, timeout=30)
    assert_shape(api_error(info), ErrorResponse)
    assert api_error(info)["request_id"] == info.value.request_id


# -- 2. models ------------------------------------------------------------------------------


def test_every_served_model_id_is_one_the_sdk_names(fake: FakeAnthropic) -> None:
    # anthropic.types.Model literal, one direction: every id the fake serves (the facts
    # table, less the retired) is one the SDK names; a newer SDK may name more.
    c = client(fake)
    listed = {m.id for m in c.models.list(limit=1000)}
    assert listed and listed <= set(SDK_MODEL_IDS)
    for model_id in listed:
        assert c.models.retrieve(model_id).id == model_id
    msg = c.messages.create(model="claude-haiku-4-5-20251001", max_tokens=10, messages=USER)
    assert msg.model == "claude-haiku-4-5-20251001"


@pytest.mark.parametrize("limit", [0, 1001, -5])
def test_models_limit_outside_1_to_1000_is_400(fake: FakeAnthropic, limit: int) -> None:
    # API reference, List Models: "limit … Defaults to 20. Ranges from 1 to 1000."
    with pytest.raises(anthropic.BadRequestError, match="limit"):
        client(fake).models.list(limit=limit)


def test_models_limit_bounds_and_unknown_cursors(fake: FakeAnthropic) -> None:
    # API reference, List Models: limit 1 and 1000 are valid; the default page is 20.
    c = client(fake)
    assert len(c.models.list(limit=1).data) == 1
    served = [m for m in MODELS if m.lifecycle != "retired"]  # retired: listed on request
    assert len(c.models.list(limit=1000).data) == len(served)
    assert len(c.models.list().data) == min(20, len(served))
    # ModelListParams.lifecycle filters by stage.
    deprecated = [m.id for m in c.models.list(lifecycle=["deprecated"], limit=1000).data]
    assert deprecated and set(deprecated) == {m.id for m in MODELS if m.lifecycle == "deprecated"}
    # The reference defines no error for a cursor naming no model: nothing lies after
    # or before it, so the fake answers an empty page (and the SDK stops paginating).
    for kw in ({"after_id": "claude-nope"}, {"before_id": "claude-nope"}):
        page = c.models.list(**kw)
        assert (page.data, page.has_more, page.first_id, page.last_id) == ([], False, None, None)


# -- 3. requests validated like the API -----------------------------------------------------


def test_consecutive_same_role_turns_are_accepted(fake: FakeAnthropic) -> None:
    # Messages reference: "consecutive user or assistant turns … will be combined".
    msgs = [
        {"role": "user", "content": "one"},
        {"role": "user", "content": "two"},
        {"role": "assistant", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "three"},
    ]
    assert client(fake).messages.create(model=MODEL, max_tokens=50, messages=msgs).content


def test_empty_final_assistant_turn_is_accepted_but_not_elsewhere(fake: FakeAnthropic) -> None:
    # Messages reference: all messages need non-empty content "except for the optional
    # final assistant message".
    c = client(fake)
    prefill = [*USER, {"role": "assistant", "content": ""}]
    assert c.messages.create(model=MODEL, max_tokens=50, messages=prefill).content
    middle = [*USER, {"role": "assistant", "content": ""}, {"role": "user", "content": "x"}]
    with pytest.raises(anthropic.BadRequestError, match="non-empty"):
        c.messages.create(model=MODEL, max_tokens=50, messages=middle)


@pytest.mark.parametrize("stream", [False, True])
def test_max_tokens_cuts_the_answer(fake: FakeAnthropic, stream: bool) -> None:
    # Messages reference: stop_reason "max_tokens" when the answer reaches max_tokens;
    # usage.output_tokens is then max_tokens.
    fake.enqueue(Reply(text="word " * 200))
    c = client(fake)
    if stream:
        with c.messages.stream(model=MODEL, max_tokens=10, messages=USER) as s:
            msg = s.get_final_message()
    else:
        msg = c.messages.create(model=MODEL, max_tokens=10, messages=USER)
    assert msg.stop_reason == "max_tokens"
    assert msg.usage.output_tokens == 10
    assert msg.content[0].text == ("word " * 200)[:40]  # the fake's 4 characters per token


def test_max_tokens_drops_a_tool_call_that_does_not_fit(fake: FakeAnthropic) -> None:
    fake.enqueue(Reply.call("lookup", {"q": "x" * 400}, text="Let me check."))
    msg = client(fake).messages.create(
        model=MODEL,
        max_tokens=20,
        messages=USER,
        tools=[{"name": "lookup", "input_schema": {"type": "object"}}],
    )
    assert msg.stop_reason == "max_tokens"
    assert [b.type for b in msg.content] == ["text"]


def test_max_tokens_above_the_model_limit_is_400(fake: FakeAnthropic) -> None:
    # Messages reference + facts table: "max_tokens: N > M, which is the maximum allowed
    # number of output tokens for <model>".
    limit = BY_ID[MODEL].max_output
    with pytest.raises(anthropic.BadRequestError) as info:
        # An explicit timeout: the SDK refuses non-streaming calls this large otherwise.
        client(fake).messages.create(model=MODEL, max_tokens=limit + 1, messages=USER, timeout=30)
    assert api_error(info)["error"]["message"] == (
        f"max_tokens: {limit + 1} > {limit}, which is the maximum allowed number of output "
        f"tokens for {MODEL}"
    )
    assert (
        client(fake)
        .messages.create(model=MODEL, max_tokens=limit, messages=USER, timeout=30)
        .content
    )


def test_thinking_budget_rules(fake: FakeAnthropic) -> None:
    # Extended-thinking docs: budget_tokens >= 1024 and < max_tokens; models that only
    # think adaptively (facts table: thinking_budget False) refuse a manual budget.
    c = client(fake)
    with pytest.raises(anthropic.BadRequestError, match=r"greater than `thinking\.budget_tokens`"):
        c.messages.create(
            model=MODEL,
            max_tokens=2048,
            messages=USER,
            thinking={"type": "enabled", "budget_tokens": 2048},
        )
    adaptive_only = next(m.id for m in MODELS if not m.thinking_budget)
    with pytest.raises(anthropic.BadRequestError, match="adaptive"):
        c.messages.create(
            model=adaptive_only,
            max_tokens=4096,
            messages=USER,
            thinking={"type": "enabled", "budget_tokens": 1024},
        )
    ok = c.messages.create(
        model=adaptive_only, max_tokens=4096, messages=USER, thinking={"type": "adaptive"}
    )
    assert ok.content[0].type == "thinking"


def _marked(text: str, **mark: Any) -> dict[str, Any]:
    return {"type": "text", "text": text, "cache_control": {"type": "ephemeral", **mark}}


def test_at_most_four_cache_breakpoints(fake: FakeAnthropic) -> None:
    # Prompt-caching docs: "A maximum of 4 blocks with cache_control may be provided. Found 5."
    c = client(fake)
    with pytest.raises(anthropic.BadRequestError) as info:
        c.messages.create(
            model=MODEL,
            max_tokens=10,
            system=[_marked(f"s{i}") for i in range(5)],
            messages=USER,
        )
    assert api_error(info)["error"]["message"] == (
        "A maximum of 4 blocks with cache_control may be provided. Found 5."
    )
    assert c.messages.create(
        model=MODEL, max_tokens=10, system=[_marked(f"s{i}") for i in range(4)], messages=USER
    ).content


def _png(width: int, height: int) -> str:
    """A PNG header of the given size (the fake reads sizes from the header only)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk
    data += struct.pack(">I", zlib.crc32(chunk))
    return base64.b64encode(data).decode()


def _image(source: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "role": "user",
            "content": [{"type": "image", "source": source}, {"type": "text", "text": "?"}],
        }
    ]


def test_image_sources_and_size_limit(fake: FakeAnthropic) -> None:
    # Vision docs: sources base64, url and file; over 8000 px on a side is a 400 whose
    # error.details is the SDK's ImageDimensionsTooLargeErrorDetails.
    c = client(fake)
    for source in (
        {"type": "url", "url": "https://example.com/cat.png"},
        {"type": "file", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"},
        {"type": "base64", "media_type": "image/png", "data": _png(8000, 10)},
    ):
        assert c.messages.create(model=MODEL, max_tokens=10, messages=_image(source)).content
    big = {"type": "base64", "media_type": "image/png", "data": _png(8001, 10)}
    with pytest.raises(anthropic.BadRequestError) as info:
        c.messages.create(model=MODEL, max_tokens=10, messages=_image(big))
    assert info.value.error_code == "image_dimensions_too_large"
    details = api_error(info)["error"]["details"]
    assert_shape(details, ImageDimensionsTooLargeErrorDetails)
    assert details["paths"] == ["messages.0.content.0"]
    assert details["max_side_length_pixels"] == 8000


def test_more_than_20_images_lowers_the_limit_to_2000(fake: FakeAnthropic) -> None:
    # Vision docs: 2000 px per side when a request has more than 20 images.
    small = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": _png(2001, 5)},
    }
    msgs = [{"role": "user", "content": [small] * 21 + [{"type": "text", "text": "?"}]}]
    with pytest.raises(anthropic.BadRequestError) as info:
        client(fake).messages.create(model=MODEL, max_tokens=10, messages=msgs)
    assert api_error(info)["error"]["details"]["max_side_length_pixels"] == 2000


# -- 4. prompt caching ----------------------------------------------------------------------


def test_nothing_cached_below_the_model_minimum(fake: FakeAnthropic) -> None:
    # Prompt-caching docs: below the minimum cacheable length nothing is cached and there
    # is no error (facts table: min_cache_tokens, 1024 for Sonnet 4.6, 4096 for Opus 4.8).
    c = client(fake)
    system = [_marked("x" * 4 * 1000)]  # 1000 tokens
    for _ in range(2):
        u = c.messages.create(model=MODEL, max_tokens=10, system=system, messages=USER).usage
        assert (u.cache_creation_input_tokens, u.cache_read_input_tokens) == (0, 0)
    system = [_marked("y" * 4 * 2000)]  # 2000 tokens: enough for Sonnet, not for Opus 4.8
    u = c.messages.create(
        model="claude-opus-4-8", max_tokens=10, system=system, messages=USER
    ).usage
    assert u.cache_creation_input_tokens == 0
    u = c.messages.create(model=MODEL, max_tokens=10, system=system, messages=USER).usage
    assert u.cache_creation_input_tokens == 2000


def test_cache_writes_reads_and_lookback(fake: FakeAnthropic) -> None:
    # Prompt-caching docs: a write at each breakpoint; a later request reads the longest
    # cached prefix within 20 blocks before its breakpoint (lookback), even when the
    # breakpoint itself moved; cached tokens are not in input_tokens.
    c = client(fake)
    doc = {"type": "text", "text": "d" * 4 * 1200}
    first = [{"role": "user", "content": [{**doc, "cache_control": {"type": "ephemeral"}}]}]
    u1 = c.messages.create(model=MODEL, max_tokens=10, messages=first).usage
    assert (u1.cache_creation_input_tokens, u1.cache_read_input_tokens, u1.input_tokens) == (
        1200,
        0,
        0,
    )
    later = [
        {"role": "user", "content": [doc]},
        {"role": "assistant", "content": "ok"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "more", "cache_control": {"type": "ephemeral"}}],
        },
    ]
    u2 = c.messages.create(model=MODEL, max_tokens=10, messages=later).usage
    assert u2.cache_read_input_tokens == 1200
    assert u2.cache_creation_input_tokens == 2  # "ok" + "more", written past the read
    assert u2.input_tokens == 0
    # Caches are per model: the same prompt on another model writes again.
    u3 = c.messages.create(model="claude-sonnet-5", max_tokens=10, messages=first).usage
    assert u3.cache_read_input_tokens == 0 and u3.cache_creation_input_tokens == 1200


def test_one_hour_ttl_is_reported_apart(fake: FakeAnthropic) -> None:
    # Prompt-caching docs: usage.cache_creation splits writes by TTL (SDK CacheCreation).
    c = client(fake)
    system = [_marked("a" * 4 * 1100, ttl="1h"), _marked("b" * 4 * 100)]
    u = c.messages.create(model=MODEL, max_tokens=10, system=system, messages=USER).usage
    assert u.cache_creation is not None
    assert u.cache_creation.ephemeral_1h_input_tokens == 1100
    assert u.cache_creation.ephemeral_5m_input_tokens == 100
    assert u.cache_creation_input_tokens == 1200


# -- 5. headers and errors -------------------------------------------------------------------

RATE_HEADERS = [
    f"anthropic-ratelimit-{kind}-{part}"
    for kind in ("requests", "tokens", "input-tokens", "output-tokens")
    for part in ("limit", "remaining", "reset")
]


def _assert_api_headers(headers: Any) -> None:
    # Rate-limits docs + API overview: every response, errors included.
    assert headers["request-id"].startswith("req_")
    assert headers["anthropic-organization-id"]
    for name in RATE_HEADERS:
        assert headers[name], name
    assert headers["anthropic-ratelimit-requests-reset"].endswith("Z")


def test_headers_on_every_kind_of_response(fake: FakeAnthropic) -> None:
    c = client(fake, max_retries=0)
    _assert_api_headers(create_json(c)[1])
    with c.messages.with_streaming_response.create(
        model=MODEL, max_tokens=10, messages=USER, stream=True
    ) as resp:
        _assert_api_headers(resp.headers)
    _assert_api_headers(c.models.with_raw_response.list().http_response.headers)
    for bad in ({"model": "claude-nope"}, {"max_tokens": 10**7}):
        with pytest.raises(anthropic.APIStatusError) as info:
            c.messages.create(
                **{"model": MODEL, "max_tokens": 10, "messages": USER, **bad}, timeout=30
            )
        _assert_api_headers(info.value.response.headers)
    fake.enqueue(Fault("status", status=429, retry_after=3))
    with pytest.raises(anthropic.RateLimitError) as info:
        c.messages.create(model=MODEL, max_tokens=10, messages=USER)
    headers = info.value.response.headers
    _assert_api_headers(headers)
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert headers["retry-after"] == "3"


def test_retry_after_is_whole_seconds(fake: FakeAnthropic) -> None:
    # Rate-limits docs: retry-after in whole seconds.  A fractional scripted wait rounds
    # up and also goes out as retry-after-ms, which the SDK reads first
    # (anthropic/_base_client.py _parse_retry_after_header), so tests stay fast.
    fake.enqueue(Fault("status", status=429, retry_after=0.05))
    with pytest.raises(anthropic.RateLimitError) as info:
        client(fake, max_retries=0).messages.create(model=MODEL, max_tokens=10, messages=USER)
    headers = info.value.response.headers
    assert headers["retry-after"] == "1" and headers["retry-after-ms"] == "50"


def test_spend_limit_429_is_not_retried(fake: FakeAnthropic) -> None:
    # SDK 2.14: _base_client._should_retry obeys x-should-retry before the status, and
    # _error_classes maps (429, "enforced_spend_limit_reached") to
    # EnforcedSpendLimitReachedError; err.error_code reads error.details.error_code.
    fake.enqueue(Fault.spend_limit(times=3))
    with pytest.raises(EnforcedSpendLimitReachedError) as info:
        client(fake, max_retries=2).messages.create(model=MODEL, max_tokens=10, messages=USER)
    assert info.value.error_code == "enforced_spend_limit_reached"
    assert_shape(api_error(info)["error"]["details"], EnforcedSpendLimitReachedErrorDetails)
    assert info.value.response.headers["x-should-retry"] == "false"
    assert len(fake.messages_requests()) == 1
    # A plain 429 (no x-should-retry) is retried by the SDK.
    fake.reset()
    fake.enqueue(Fault("status", status=429, retry_after=0.01))
    assert client(fake, max_retries=1).messages.create(model=MODEL, max_tokens=10, messages=USER)
    assert len(fake.messages_requests()) == 2


# -- 6. tool use ------------------------------------------------------------------------------

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"tools": [{**WEATHER, "name": "get weather!"}]}, "String should match pattern"),
        ({"tools": [{**WEATHER, "name": "x" * 129}]}, "String should match pattern"),
        ({"tools": [{"name": "t"}]}, "input_schema: Field required"),
        ({"tools": [WEATHER, WEATHER]}, "Tool names must be unique"),
        (
            {"tool_choice": {"type": "any"}},
            "tool_choice may only be specified while providing tools",
        ),
        ({"tools": [WEATHER], "tool_choice": {"type": "tool", "name": "nope"}}, "nope"),
    ],
)
def test_tool_definitions_are_validated(fake: FakeAnthropic, extra: dict, needle: str) -> None:
    # Tool-use docs / Messages reference: name ^[a-zA-Z0-9_-]{1,128}$, input_schema
    # required, unique names, tool_choice needs tools.
    with pytest.raises(anthropic.BadRequestError, match=needle):
        client(fake).messages.create(model=MODEL, max_tokens=10, messages=USER, **extra)


def _result(tool_use_id: str, content: str = "sunny") -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_use_id, "content": content}


def test_tool_result_needs_its_tool_use_and_vice_versa(fake: FakeAnthropic) -> None:
    # Tool-use docs: each tool_result answers a tool_use of the previous assistant turn;
    # each tool_use is answered in the next user turn.
    c = client(fake)
    use = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}
    orphan = [{"role": "user", "content": [_result("toolu_1")]}]
    with pytest.raises(anthropic.BadRequestError, match="corresponding `tool_use` block"):
        c.messages.create(model=MODEL, max_tokens=10, messages=orphan, tools=[WEATHER])
    unanswered = [
        *USER,
        {"role": "assistant", "content": [use]},
        {"role": "user", "content": "and?"},
    ]
    with pytest.raises(anthropic.BadRequestError, match="corresponding `tool_result` block"):
        c.messages.create(model=MODEL, max_tokens=10, messages=unanswered, tools=[WEATHER])
    good = [
        *USER,
        {"role": "assistant", "content": [use]},
        {"role": "user", "content": [_result("toolu_1")]},
    ]
    assert c.messages.create(model=MODEL, max_tokens=10, messages=good, tools=[WEATHER]).content


@pytest.mark.parametrize("stream", [False, True])
def test_scripted_tool_loop(fake: FakeAnthropic, stream: bool) -> None:
    # "Call tool X with input Y, then answer Z": stop_reason tool_use, the input arrives
    # whole (streamed as input_json_delta), and the fake records the tool_result it got.
    fake.enqueue(Reply.call("get_weather", {"city": "Paris"}, text="Let me check."))
    fake.enqueue(Reply(text="It is sunny in Paris."))
    c = client(fake)

    def ask(messages: list[dict[str, Any]]) -> Message:
        kw = {"model": MODEL, "max_tokens": 500, "messages": messages, "tools": [WEATHER]}
        if stream:
            with c.messages.stream(**kw) as s:
                return s.get_final_message()
        return c.messages.create(**kw)

    history: list[dict[str, Any]] = [{"role": "user", "content": "Weather in Paris?"}]
    first = ask(history)
    assert first.stop_reason == "tool_use"
    call = first.content[-1]
    assert (call.type, call.name, call.input) == ("tool_use", "get_weather", {"city": "Paris"})
    history += [first.to_param(), {"role": "user", "content": [_result(call.id, "22°C, sunny")]}]
    second = ask(history)
    assert second.content[0].text == "It is sunny in Paris."
    assert second.stop_reason == "end_turn"
    assert fake.tool_results == [
        {
            "tool_use_id": call.id,
            "name": "get_weather",
            "input": {"city": "Paris"},
            "content": "22°C, sunny",
            "is_error": False,
        }
    ]


def test_several_tool_calls_and_fixed_ids(fake: FakeAnthropic) -> None:
    fake.enqueue(Reply(text="", tool_calls=[ToolCall("a", {"n": 1}, id="toolu_a"), ToolCall("b")]))
    tools = [{"name": n, "input_schema": {"type": "object"}} for n in ("a", "b")]
    msg = client(fake).messages.create(model=MODEL, max_tokens=100, messages=USER, tools=tools)
    assert [(b.type, b.name) for b in msg.content] == [("tool_use", "a"), ("tool_use", "b")]
    assert msg.content[0].id == "toolu_a"


def test_reply_refuses_stop_reasons_the_sdk_rejects() -> None:
    # anthropic.types.StopReason literal.
    with pytest.raises(ValueError, match="stop_reason"):
        Reply(text="x", stop_reason="length")
    for reason in get_args(anthropic.types.StopReason):
        assert Reply(text="x", stop_reason=reason).stop_reason == reason


# -- 7. structured outputs -------------------------------------------------------------------


class Answer(pydantic.BaseModel):
    city: str
    degrees: int


def test_output_schema_shape_is_validated(fake: FakeAnthropic) -> None:
    # SDK anthropic/lib/_parse/_transform.py: objects need additionalProperties false;
    # unsupported keywords (e.g. minimum) are refused.
    c = client(fake)
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(anthropic.BadRequestError, match="additionalProperties"):
        c.messages.create(
            model=MODEL,
            max_tokens=100,
            messages=USER,
            output_config={"format": {"type": "json_schema", "schema": loose}},
        )
    ranged = {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }
    with pytest.raises(anthropic.BadRequestError, match="minimum"):
        c.messages.create(
            model=MODEL,
            max_tokens=100,
            messages=USER,
            output_config={"format": {"type": "json_schema", "schema": ranged}},
        )


def test_parse_with_default_and_scripted_answers(fake: FakeAnthropic) -> None:
    # client.messages.parse(output_format=Model) builds output_config.format (SDK 2.14).
    c = client(fake)
    default = c.messages.parse(model=MODEL, max_tokens=200, messages=USER, output_format=Answer)
    assert isinstance(default.parsed_output, Answer)  # the fake's example matches the schema
    fake.enqueue(Reply(json={"city": "Paris", "degrees": 22}))
    parsed = c.messages.parse(model=MODEL, max_tokens=200, messages=USER, output_format=Answer)
    assert parsed.parsed_output == Answer(city="Paris", degrees=22)


def test_scripted_answer_off_schema(fake: FakeAnthropic) -> None:
    c = client(fake, max_retries=0)
    # A script that breaks the schema by mistake is refused loudly (a 500 naming it) ...
    fake.enqueue(Reply(json={"city": "Paris"}))
    with pytest.raises(anthropic.InternalServerError, match="degrees"):
        c.messages.parse(model=MODEL, max_tokens=200, messages=USER, output_format=Answer)
    assert fake.errors and "does not match" in fake.errors[0]
    fake.errors.clear()
    # ... and sent when the test means it: the SDK's own parsing then fails.
    fake.enqueue(Reply(json={"city": "Paris"}, off_schema=True))
    with pytest.raises(pydantic.ValidationError):
        c.messages.parse(model=MODEL, max_tokens=200, messages=USER, output_format=Answer)


# -- 8. OAuth answers --------------------------------------------------------------------------


def _oauth_call(fake: FakeAnthropic, token: str = "sk-ant-oat01-test") -> anthropic.APIStatusError:
    c = anthropic.Anthropic(
        base_url=fake.base_url,
        auth_token=token,
        default_headers={"anthropic-beta": "oauth-2025-04-20"},
        max_retries=0,
    )
    with pytest.raises(anthropic.APIStatusError) as info:
        c.messages.create(model=MODEL, max_tokens=1, messages=USER)
    return info.value


@pytest.mark.parametrize(
    ("refusal", "status", "error_type", "message"),
    [
        (
            "revoked",
            403,
            "permission_error",
            "OAuth token has been revoked. Please obtain a new token.",
        ),
        (
            "invalid_token",
            401,
            "authentication_error",
            "Invalid OAuth token. The provided token was not found or is malformed.",
        ),
        ("invalid_bearer", 401, "authentication_error", "Invalid bearer token"),
        (
            "not_supported",
            401,
            "authentication_error",
            "OAuth authentication is currently not supported.",
        ),
        ("not_allowed", 403, "forbidden", "Request not allowed"),
    ],
)
def test_oauth_failure_answers(
    fake: FakeAnthropic, refusal: str, status: int, error_type: str, message: str
) -> None:
    # anthropic-facts.md "More OAuth answers" (public Claude Code issue threads).
    fake.oauth_refusal = refusal
    err = _oauth_call(fake)
    assert err.status_code == status
    body = err.body
    assert isinstance(body, dict)
    assert (body["error"]["type"], body["error"]["message"]) == (error_type, message)


def test_oauth_scope_answer_names_the_scope(fake: FakeAnthropic) -> None:
    fake.oauth_missing_scope = "user:profile"
    err = _oauth_call(fake)
    assert err.status_code == 403
    assert (
        err.body["error"]["message"]
        == "OAuth token does not meet scope requirement\n  user:profile"
    )  # type: ignore[index]


@pytest.mark.parametrize(
    ("refusal", "needle"),
    [
        ("revoked", "revoked"),
        ("invalid_token", "does not know this OAuth token"),
        ("invalid_bearer", "bearer token"),
        ("not_supported", "not the only one"),
        ("not_allowed", "account or region policy"),
        ("expired", "expired"),
        ("org_not_allowed", "organization"),
        ("claude_code_only", "only for Claude Code"),
    ],
)
def test_diagnosis_has_a_verdict_per_oauth_answer(
    fake: FakeAnthropic, refusal: str, needle: str
) -> None:
    from kuroryuu_magic.oauth import _flow as flow
    from kuroryuu_magic.oauth.diagnose import diagnose

    attempt = flow.start_login("max")
    flow.complete_login(attempt, fake.approve(attempt.authorize_url))
    fake.oauth_refusal = refusal
    result = diagnose()
    assert needle in result.verdict
    assert not result.verdict.startswith("The API refused the token")  # not the generic one


def test_diagnosis_verdicts_are_distinct_and_scope_is_read(fake: FakeAnthropic) -> None:
    from kuroryuu_magic.oauth.diagnose import _ApiAnswer, classify
    from kuroryuu_magic.testing._validate import OAUTH_REFUSALS

    verdicts = set()
    for status, kind, message in OAUTH_REFUSALS.values():
        text = message.format(scope="user:profile")
        verdict = classify(
            _ApiAnswer(status=status, error_type=kind, message=" ".join(text.split())), "x"
        )[2]
        verdicts.add(verdict)
    assert len(verdicts) == len(OAUTH_REFUSALS)
    scope = classify(
        _ApiAnswer(
            status=403, message="OAuth token does not meet scope requirement org:create_api_key"
        ),
        "x",
    )[2]
    assert "org:create_api_key" in scope and "user:inference" not in scope


# -- 9. impersonation markers -----------------------------------------------------------------

CLAUDE_CODE_USER_ID = (
    "user_"
    + "a" * 64
    + "_account_"
    + "1" * 8
    + "-1111-1111-1111-"
    + "1" * 12
    + "_session_"
    + "2" * 8
    + "-2222-2222-2222-"
    + "2" * 12
)


@pytest.mark.spoof_probe
def test_fake_flags_every_marker(fake: FakeAnthropic) -> None:
    # anthropic-facts.md "Impersonation markers".
    c = client(fake)
    c.messages.create(model=MODEL, max_tokens=5, messages=USER, metadata={"user_id": "analyst-7"})
    assert fake.spoofed_requests() == []  # an ordinary user id is fine
    c.messages.create(
        model=MODEL, max_tokens=5, messages=USER, metadata={"user_id": CLAUDE_CODE_USER_ID}
    )
    c.messages.create(model=MODEL, max_tokens=5, messages=USER, extra_query={"beta": "true"})
    c.messages.create(
        model=MODEL,
        max_tokens=5,
        messages=USER,
        extra_headers={"x-anthropic-client-name": "claude-code"},
    )
    from kuroryuu_magic.testing._server import spoof_marker

    assert [spoof_marker(r) for r in fake.spoofed_requests()] == [
        "metadata.user_id",
        "?beta=true",
        "x-anthropic-client-name",
    ]


def test_guard_refuses_the_same_markers() -> None:
    import httpx2

    from kuroryuu_magic.oauth._guard import check_request, forbidden_reason
    from kuroryuu_magic.oauth.errors import ForbiddenHeaderError

    assert forbidden_reason([("x-anthropic-client-name", "claude-code")])
    ok = httpx2.Request(
        "POST", "https://api.anthropic.com/v1/messages", json={"metadata": {"user_id": "me"}}
    )
    check_request(ok)
    for bad in (
        httpx2.Request("POST", "https://api.anthropic.com/v1/messages?beta=true", json={}),
        httpx2.Request(
            "POST",
            "https://api.anthropic.com/v1/messages",
            json={"metadata": {"user_id": CLAUDE_CODE_USER_ID}},
        ),
        httpx2.Request(
            "POST", "https://x/v1/messages", headers={"x-anthropic-client-name": "claude-code"}
        ),
    ):
        with pytest.raises(ForbiddenHeaderError):
            check_request(bad)


# -- 10. batches --------------------------------------------------------------------------------


def _req(custom_id: str, text: str = "hi") -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "params": {
            "model": MODEL,
            "max_tokens": 50,
            "messages": [{"role": "user", "content": text}],
        },
    }


@pytest.mark.parametrize(
    ("ids", "needle"),
    [
        (["ok", "not ok"], "String should match pattern"),
        (["x" * 65], "pattern"),
        (["a", "a"], "duplicate"),
    ],
)
def test_batch_custom_ids(fake: FakeAnthropic, ids: list[str], needle: str) -> None:
    # Batches docs: custom_id ^[a-zA-Z0-9_-]{1,64}$, unique per batch.
    with pytest.raises(anthropic.BadRequestError, match=needle):
        client(fake).messages.batches.create(requests=[_req(i) for i in ids])  # type: ignore[misc]


def test_batch_cancel_keeps_finished_requests_and_types_match(fake: FakeAnthropic) -> None:
    # Batches docs: canceling ends unfinished requests as canceled; finished ones keep
    # their results.  SDK MessageBatch / MessageBatchIndividualResponse shapes.
    c = client(fake)
    fake.batch_polls_to_end = 4
    batch = c.messages.batches.with_raw_response.create(
        requests=[_req(f"r{i}") for i in range(4)]  # type: ignore[misc]
    ).http_response.json()
    assert_shape(batch, MessageBatch)
    c.messages.batches.retrieve(batch["id"])  # one poll of four: one request done
    c.messages.batches.cancel(batch["id"])
    ended = c.messages.batches.with_raw_response.retrieve(batch["id"]).http_response.json()
    assert_shape(ended, MessageBatch)
    assert ended["processing_status"] == "ended"
    assert ended["request_counts"] == {
        "processing": 0,
        "succeeded": 1,
        "errored": 0,
        "canceled": 3,
        "expired": 0,
    }
    with c.messages.batches.with_streaming_response.results(batch["id"]) as resp:
        lines = list(resp.iter_lines())
    results = [json.loads(x) for x in lines]
    for line in results:
        assert_shape(line, MessageBatchIndividualResponse)
    assert [r["result"]["type"] for r in results] == [
        "succeeded",
        "canceled",
        "canceled",
        "canceled",
    ]
    assert results[0]["result"]["message"]["usage"]["service_tier"] == "batch"


def test_batch_expired_results_and_size_limits(fake: FakeAnthropic) -> None:
    c = client(fake)
    fake.batches.expired.add("late")
    batch = c.messages.batches.create(requests=[_req("early"), _req("late")])  # type: ignore[misc]
    while c.messages.batches.retrieve(batch.id).processing_status != "ended":
        pass
    kinds = {r.custom_id: r.result.type for r in c.messages.batches.results(batch.id)}
    assert kinds == {"early": "succeeded", "late": "expired"}
    assert c.messages.batches.retrieve(batch.id).request_counts.expired == 1
    # Settable caps (the API's are 100,000 requests / 256 MB) for split tests.
    fake.batches.max_requests = 2
    with pytest.raises(anthropic.BadRequestError, match="at most 2 items"):
        c.messages.batches.create(requests=[_req(f"r{i}") for i in range(3)])  # type: ignore[misc]
    fake.batches.max_bytes = 2000
    with pytest.raises(anthropic.APIStatusError) as info:
        c.messages.batches.create(requests=[_req("big", "x" * 3000)])  # type: ignore[misc]
    assert info.value.status_code == 413


# -- 11. control endpoints (security.md 27, issue 11 item 15) -----------------------------------


def _control(
    fake: FakeAnthropic,
    path: str,
    *,
    token: str | None = None,
    host: str | None = None,
    body: Any = None,
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(fake.base_url + path, data=data, method="POST" if data else "GET")
    req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("x-fake-control-token", token)
    if host is not None:
        req.add_header("Host", host)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def test_control_needs_the_token_and_a_loopback_host(fake: FakeAnthropic) -> None:
    assert fake.env()["KURORYUU_FAKE_CONTROL_TOKEN"] == fake.control_token
    assert _control(fake, "/_fake/requests")[0] == 403
    assert _control(fake, "/_fake/requests", token="wrong")[0] == 403
    assert _control(fake, "/_fake/enqueue", body={"text": "evil"})[0] == 403
    assert fake.pending == []
    status, _ = _control(fake, "/_fake/requests", token=fake.control_token, host="evil.example:80")
    assert status == 403  # DNS rebinding: right token, foreign Host
    assert _control(fake, "/_fake/requests", token=fake.control_token)[0] == 200
    assert (
        _control(fake, "/_fake/requests", token=fake.control_token, host=f"localhost:{fake.port}")[
            0
        ]
        == 200
    )


def test_recorded_requests_over_http_are_redacted(fake: FakeAnthropic) -> None:
    secret = fake.api_key
    client(fake).messages.create(
        model=MODEL, max_tokens=5, messages=[{"role": "user", "content": f"key {secret}"}]
    )
    status, listed = _control(fake, "/_fake/requests", token=fake.control_token)
    assert status == 200 and listed
    text = json.dumps(listed)
    assert secret not in text and fake.control_token not in text
    assert listed[0]["headers"]["authorization"] == "Bearer [redacted]"
    assert fake.requests[0].headers["authorization"] == f"Bearer {secret}"  # in-process: intact


def test_content_length_is_capped(fake: FakeAnthropic) -> None:
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as s:
        s.sendall(
            b"POST /_fake/enqueue HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"x-fake-control-token: {fake.control_token}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{"
        )
        head = s.recv(200)
    assert head.startswith(b"HTTP/1.1 413")


def test_idle_connections_time_out() -> None:
    with (
        FakeAnthropic(idle_timeout=0.3) as fake,
        socket.create_connection(("127.0.0.1", fake.port), timeout=5) as s,
    ):
        s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        start = time.monotonic()
        assert s.recv(100) == b""  # the server closed it
        assert time.monotonic() - start < 3


# -- the SDK's tool runner and Message Threads (beta) ------------------------------------------


@anthropic.beta_tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"22°C and sunny in {city}"


@pytest.mark.parametrize("stream", [False, True])
def test_sdk_tool_runner_with_threads(fake: FakeAnthropic, stream: bool) -> None:
    # SDK 2.14 client.beta.messages.tool_runner sends thread create/continue with the
    # message-threads beta (lib/threads/_thread_state.py); a continue carries only the
    # new turn and no system/tools, which the fake restores from the held thread.
    fake.enqueue(Reply.call("get_weather", {"city": "Paris"}))
    fake.enqueue(Reply(text="It is sunny in Paris."))
    runner = client(fake).beta.messages.tool_runner(
        model=MODEL,
        max_tokens=500,
        system="Be brief.",
        tools=[get_weather],
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        stream=stream,
    )
    final = runner.until_done()
    assert final.content[0].text == "It is sunny in Paris."
    sent = fake.messages_requests()
    assert [r.body["thread"]["type"] for r in sent] == ["create", "continue"]
    assert "tools" not in sent[1].body and len(sent[1].body["messages"]) == 1
    assert [r.status for r in sent] == [200, 200]
    assert fake.tool_results[0]["content"] == "22°C and sunny in Paris"


def test_thread_errors_the_sdk_recovers_from(fake: FakeAnthropic) -> None:
    # ThreadNotFoundError (404) makes the SDK replay the whole history under a new
    # thread; thread_unsupported_request (400) makes it continue without a thread.
    c = client(fake)
    fake.enqueue(Reply.call("get_weather", {"city": "Oslo"}))
    fake.enqueue(Reply(text="Cold."))
    runner = c.beta.messages.tool_runner(
        model=MODEL, max_tokens=500, tools=[get_weather], messages=USER
    )
    first = next(iter(runner))
    fake.threads.clear()  # the server lost the thread
    assert first.stop_reason == "tool_use"
    assert runner.until_done().content[0].text == "Cold."
    assert [r.status for r in fake.messages_requests()] == [200, 404, 200]
    assert fake.messages_requests()[-1].body["thread"]["type"] == "create"
    fake.reset()
    fake.threads.unsupported = ["thinking"]
    runner = c.beta.messages.tool_runner(
        model=MODEL, max_tokens=500, tools=[get_weather], messages=USER
    )
    assert runner.until_done().content
    assert [r.status for r in fake.messages_requests()] == [400, 200]
    assert "thread" not in fake.messages_requests()[-1].body


def test_a_response_is_continued_once(fake: FakeAnthropic) -> None:
    c = client(fake)
    betas = ["message-threads-2026-08-12"]
    first = c.beta.messages.create(
        model=MODEL, max_tokens=50, messages=USER, thread={"type": "create"}, betas=betas
    )
    more = [{"role": "user", "content": "and then?"}]
    cont = {"type": "continue", "previous_message_id": first.id}
    assert c.beta.messages.create(
        model=MODEL, max_tokens=50, messages=more, thread=cont, betas=betas
    )
    with pytest.raises(anthropic.BadRequestError) as info:
        c.beta.messages.create(model=MODEL, max_tokens=50, messages=more, thread=cont, betas=betas)
    assert info.value.error_code == "thread_already_continued"
    # Without the beta, `thread` is an unknown field.
    with pytest.raises(anthropic.BadRequestError, match="thread: Extra inputs"):
        c.beta.messages.create(model=MODEL, max_tokens=50, messages=USER, thread={"type": "create"})
