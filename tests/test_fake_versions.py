"""The fake's rules by anthropic-version / anthropic-beta, model facts, forced tools, batch
delete, Host and connection hardening (issue 20, and the fake findings of issue 19).

Every answer is checked against the SDK's own types (``tests.sdk_shapes``).
"""

from __future__ import annotations

import http.client
import json
import threading
import typing
from typing import Any

import anthropic
import pytest
from anthropic.types import Message
from anthropic.types.beta import BetaMessage
from anthropic.types.messages import DeletedMessageBatch, MessageBatch

from kuroryuu_magic.models import facts
from kuroryuu_magic.testing import FakeAnthropic, Reply, ToolCall, _schema, _versions
from tests.sdk_shapes import assert_shape

OLD = {"anthropic-version": "2023-06-01"}
USER = [{"role": "user", "content": "hi"}]
MODEL = "claude-sonnet-4-6"


def _client(fake: FakeAnthropic, **headers: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=fake.api_key, base_url=fake.base_url, max_retries=0, default_headers=headers
    )


def _post(fake: FakeAnthropic, body: dict[str, Any], **headers: str) -> tuple[int, Any]:
    """A raw POST /v1/messages with exactly these headers (plus key and content type)."""
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=30)
    try:
        conn.request(
            "POST",
            "/v1/messages",
            json.dumps(body),
            {"x-api-key": fake.api_key, "content-type": "application/json", **headers},
        )
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


# -- the SDK's values copied into _versions.py ----------------------------------------------
def test_newest_version_is_the_one_the_sdk_sends() -> None:
    from anthropic._constants import ANTHROPIC_API_VERSION

    assert _versions.NEWEST == ANTHROPIC_API_VERSION
    assert _versions.NEWEST in _versions.VERSIONS


def test_every_beta_the_sdk_names_is_known() -> None:
    from anthropic.types.anthropic_beta_param import AnthropicBetaParam

    literal = next(
        a for a in typing.get_args(AnthropicBetaParam) if typing.get_origin(a) is typing.Literal
    )
    assert set(typing.get_args(literal)) <= _versions.KNOWN_BETAS


# -- anthropic-version ----------------------------------------------------------------------
def test_sampling_is_refused_under_the_newest_version(fake: FakeAnthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="temperature: Extra inputs"):
        _client(fake).messages.create(
            model=MODEL, max_tokens=10, messages=USER, extra_body={"temperature": 0.5}
        )


def test_sampling_is_accepted_with_ranges_under_2023_06_01(fake: FakeAnthropic) -> None:
    client = _client(fake, **OLD)
    raw = client.messages.with_raw_response.create(
        model=MODEL, max_tokens=10, messages=USER, extra_body={"temperature": 0.2, "top_k": 5}
    )
    assert_shape(raw.http_response.json(), Message)
    assert fake.messages_requests()[-1].headers["anthropic-version"] == "2023-06-01"
    for extra, words in [
        ({"temperature": 1.5}, "temperature: Input should be less than or equal to 1"),
        ({"top_p": -0.1}, "top_p: Input should be less than or equal to 1"),
        ({"top_k": "5"}, "top_k: Input should be a valid non-negative integer"),
        ({"temperature": 0.5, "top_p": 0.9}, "cannot both be specified"),
    ]:
        with pytest.raises(anthropic.BadRequestError, match=words):
            client.messages.create(model=MODEL, max_tokens=10, messages=USER, extra_body=extra)
    with pytest.raises(anthropic.BadRequestError, match="only be set to 1 when thinking"):
        client.messages.create(
            model=MODEL,
            max_tokens=4000,
            messages=USER,
            thinking={"type": "enabled", "budget_tokens": 1024},
            extra_body={"temperature": 0.3},
        )


@pytest.mark.parametrize("value", ["2023-06-0", "2024-10-22", "latest", "2023-06-01, 2023-06-01"])
def test_a_malformed_or_unknown_version_is_a_400(fake: FakeAnthropic, value: str) -> None:
    status, body = _post(
        fake, {"model": MODEL, "max_tokens": 5, "messages": USER}, **{"anthropic-version": value}
    )
    assert status == 400
    assert body["error"] == {
        "type": "invalid_request_error",
        "message": f'anthropic-version: "{value}" is not a valid version',
    }


def test_a_missing_version_is_a_400(fake: FakeAnthropic) -> None:
    status, body = _post(fake, {"model": MODEL, "max_tokens": 5, "messages": USER})
    assert status == 400 and "anthropic-version: header is required" in body["error"]["message"]


# -- anthropic-beta ---------------------------------------------------------------------------
def test_an_unknown_beta_gets_the_apis_400(fake: FakeAnthropic) -> None:
    client = _client(fake)
    with pytest.raises(anthropic.BadRequestError) as err:
        client.beta.messages.create(
            model=MODEL, max_tokens=5, messages=USER, betas=["no-such-beta-2099-01-01"]
        )
    assert err.value.status_code == 400
    assert "Unexpected value(s) `no-such-beta-2099-01-01` for the `anthropic-beta` header" in str(
        err.value
    )
    raw = client.beta.messages.with_raw_response.create(
        model=MODEL, max_tokens=5, messages=USER, betas=["interleaved-thinking-2025-05-14"]
    )
    assert_shape(raw.http_response.json(), BetaMessage)


def test_fields_a_beta_enables_are_accepted_only_under_it(fake: FakeAnthropic) -> None:
    client = _client(fake, **OLD)
    edits = {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]}
    with pytest.raises(anthropic.BadRequestError, match="context_management: Extra inputs"):
        client.messages.create(
            model=MODEL, max_tokens=5, messages=USER, extra_body={"context_management": edits}
        )
    raw = client.beta.messages.with_raw_response.create(
        model=MODEL,
        max_tokens=5,
        messages=USER,
        betas=["context-management-2025-06-27"],
        context_management=edits,  # type: ignore[arg-type]
    )
    assert_shape(raw.http_response.json(), BetaMessage)
    fmt = {"type": "json_schema", "schema": {"type": "object", "properties": {}}}
    with pytest.raises(anthropic.BadRequestError, match="output_format: Extra inputs"):
        client.messages.create(
            model=MODEL, max_tokens=50, messages=USER, extra_body={"output_format": fmt}
        )
    status, _ = _post(
        fake,
        {"model": MODEL, "max_tokens": 50, "messages": USER, "output_format": fmt},
        **OLD,
        **{"anthropic-beta": "structured-outputs-2025-11-13"},
    )
    assert status == 200


def test_a_mid_conversation_system_message_needs_its_beta(fake: FakeAnthropic) -> None:
    messages = [*USER, {"role": "system", "content": "Agents: none."}]
    status, body = _post(fake, {"model": MODEL, "max_tokens": 5, "messages": messages}, **OLD)
    assert status == 400 and "messages.1.role" in body["error"]["message"]
    status, body = _post(
        fake,
        {"model": MODEL, "max_tokens": 5, "messages": messages},
        **OLD,
        **{"anthropic-beta": "mid-conversation-system-2026-04-07"},
    )
    assert status == 200, body
    assert_shape(body, BetaMessage)


# -- model facts ------------------------------------------------------------------------------
def test_retired_models_are_listed_but_not_served(fake: FakeAnthropic) -> None:
    client = _client(fake)
    retired = [m.id for m in facts.MODELS if m.lifecycle == "retired"]
    assert "claude-sonnet-4-5" in retired
    for model in retired:
        assert client.models.retrieve(model).lifecycle == "retired"
        with pytest.raises(anthropic.NotFoundError, match=f"model: {model}"):
            client.messages.create(model=model, max_tokens=5, messages=USER)


def test_retired_rows_are_the_ones_past_their_date_or_gone_from_the_sdk() -> None:
    from anthropic._data.deprecated_models import DEPRECATED_MODELS

    sdk_ids = set(typing.get_args(typing.get_args(anthropic.types.Model)[0]))
    for row in facts.MODELS:
        if row.lifecycle == "retired":
            assert row.id not in sdk_ids and row.retires and row.retires <= facts.CHECKED
        else:
            assert row.id in sdk_ids, f"{row.id}: the SDK no longer names it; mark it retired"
    # The SDK still names its deprecated models, so the API still serves them (its
    # ModelInfo docs: a past date on a deprecated model is an overdue retirement).
    assert all(facts.BY_ID[m].lifecycle == "deprecated" for m in DEPRECATED_MODELS)


@pytest.mark.parametrize(
    "row", [m for m in facts.MODELS if m.lifecycle != "retired"], ids=lambda r: r.id
)
def test_max_tokens_cap_is_the_tables(fake: FakeAnthropic, row: facts.ModelFacts) -> None:
    body = {"model": row.id, "max_tokens": row.max_output + 1, "messages": USER}
    status, answer = _post(fake, body, **OLD)
    assert status == 400
    assert f"> {row.max_output}, which is the maximum allowed" in answer["error"]["message"]
    status, answer = _post(fake, {**body, "max_tokens": row.max_output}, **OLD)
    assert status == 200, answer


def test_sonnet_4_6_takes_128k_as_published() -> None:
    assert facts.BY_ID["claude-sonnet-4-6"].max_output == 128_000


# -- forced tool use --------------------------------------------------------------------------
WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1},
            "note": {"type": "string"},
        },
        "required": ["city", "unit", "days"],
    },
}
OTHER = {"name": "other", "input_schema": {"type": "object", "properties": {}}}


@pytest.mark.parametrize("choice", [{"type": "tool", "name": "get_weather"}, {"type": "any"}])
@pytest.mark.parametrize("stream", [False, True])
def test_forced_tool_choice_with_nothing_scripted_calls_the_tool(
    fake: FakeAnthropic, choice: dict[str, str], stream: bool
) -> None:
    client = _client(fake)
    kwargs: dict[str, Any] = dict(
        model=MODEL, max_tokens=200, messages=USER, tools=[WEATHER, OTHER], tool_choice=choice
    )
    if stream:
        with client.messages.stream(**kwargs) as s:
            msg = s.get_final_message()
    else:
        raw = client.messages.with_raw_response.create(**kwargs)
        assert_shape(raw.http_response.json(), Message)
        msg = raw.parse()
    assert msg.stop_reason == "tool_use"
    assert [b.type for b in msg.content] == ["tool_use"]
    call = msg.content[0]
    assert call.type == "tool_use" and call.name == "get_weather"
    assert _schema.mismatch(call.input, WEATHER["input_schema"]) is None
    assert call.input["unit"] in ("celsius", "fahrenheit") and call.input["days"] >= 1


def test_forced_tool_choice_with_thinking_is_refused(fake: FakeAnthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="tool_choice forces tool use"):
        _client(fake).messages.create(
            model=MODEL,
            max_tokens=4000,
            messages=USER,
            tools=[WEATHER],
            tool_choice={"type": "any"},
            thinking={"type": "adaptive"},
        )


@pytest.mark.parametrize(
    ("script", "choice", "words"),
    [
        (Reply.call("nope", {}), {"type": "auto"}, "does not declare"),
        (Reply.call("get_weather", {"city": "x"}), {"type": "none"}, "tool_choice is none"),
        (
            Reply(text="", tool_calls=[ToolCall("other")]),
            {"type": "tool", "name": "get_weather"},
            "forces get_weather",
        ),
    ],
)
def test_scripted_calls_must_fit_the_declared_tools(
    fake: FakeAnthropic, script: Reply, choice: dict[str, str], words: str
) -> None:
    fake.enqueue(script)
    with pytest.raises(anthropic.InternalServerError, match=words):
        _client(fake).messages.create(
            model=MODEL,
            max_tokens=100,
            messages=USER,
            tools=[WEATHER, OTHER],
            tool_choice=choice,  # type: ignore[arg-type]
        )
    assert any(words in e for e in fake.errors)
    fake.errors.clear()
    fake.enqueue(Reply.call("nope", {}, off_tools=True))  # on purpose: sent as scripted
    msg = _client(fake).messages.create(model=MODEL, max_tokens=100, messages=USER, tools=[OTHER])
    assert msg.content[-1].type == "tool_use" and msg.content[-1].name == "nope"


# -- batches ----------------------------------------------------------------------------------
def test_delete_a_batch_only_once_it_has_ended(fake: FakeAnthropic) -> None:
    client = _client(fake)
    fake.batch_polls_to_end = 2
    req = {"custom_id": "a", "params": {"model": MODEL, "max_tokens": 5, "messages": USER}}
    batch = client.messages.batches.create(requests=[req])  # type: ignore[list-item]
    with pytest.raises(anthropic.BadRequestError, match="cancel it"):
        client.messages.batches.delete(batch.id)
    while client.messages.batches.retrieve(batch.id).processing_status != "ended":
        pass
    raw = client.messages.batches.with_raw_response.delete(batch.id)
    assert_shape(raw.http_response.json(), DeletedMessageBatch)
    assert raw.parse().id == batch.id
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve(batch.id)
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.delete(batch.id)
    assert_shape(
        client.messages.batches.with_raw_response.create(requests=[req]).http_response.json(),  # type: ignore[list-item]
        MessageBatch,
    )


# -- hardening (issue 19) ---------------------------------------------------------------------
def _headers_only(fake: FakeAnthropic, method: str, path: str, headers: dict[str, str]) -> Any:
    """Send a request line and exactly ``headers`` (no body, no automatic Host)."""
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True)
        for name, value in {
            "x-api-key": fake.api_key,
            "anthropic-version": _versions.NEWEST,
            **headers,
        }.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


LOOPBACK = {"Host": "127.0.0.1"}


@pytest.mark.parametrize("host", ["evil.example:80", "127.0.0.1.evil.example", ""])
def test_api_endpoints_refuse_a_non_loopback_host(fake: FakeAnthropic, host: str) -> None:
    status, body = _headers_only(fake, "GET", "/v1/models", {"Host": host} if host else {})
    assert status == 403 and body["error"]["type"] == "permission_error"
    status, body = _headers_only(fake, "GET", "/v1/models", LOOPBACK)
    assert status == 200 and body["data"]


def test_a_body_over_32_mb_is_413_before_it_is_read(fake: FakeAnthropic) -> None:
    too_big = {"content-type": "application/json", "content-length": str(32 * 1024 * 1024 + 1)}
    status, body = _headers_only(fake, "POST", "/v1/messages", {**LOOPBACK, **too_big})
    assert status == 413 and body["error"]["type"] == "request_too_large"


def test_a_thousand_concurrent_sdk_clients_are_served_by_a_bounded_pool() -> None:
    n = 1000
    with FakeAnthropic(workers=32, latency=0.05) as fake:
        client = anthropic.Anthropic(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
        before = threading.active_count()
        go = threading.Barrier(n)
        errors: list[BaseException] = []

        def one(i: int) -> None:
            try:
                go.wait()
                msg = client.messages.create(
                    model=MODEL, max_tokens=20, messages=[{"role": "user", "content": f"n{i}"}]
                )
                assert f"n{i}" in msg.content[0].text  # type: ignore[union-attr]
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:3]
        assert len(fake.messages_requests()) == n
        assert fake.max_in_flight <= 32  # never more requests at once than workers
        workers = [t for t in threading.enumerate() if t.name.startswith("fake-worker")]
        assert len(workers) <= 32
        assert threading.active_count() - before <= 32 + 2
        assert not fake.errors


@pytest.mark.spoof_probe  # Claude Code's shapes and betas, as it sends them
def test_claude_code_side_requests_get_valid_answers(fake: FakeAnthropic) -> None:
    """Token counting and a tiny Haiku probe, with Claude Code's betas and version."""
    betas = "claude-code-20250219,context-management-2025-06-27,mid-conversation-system-2026-04-07"
    client = _client(fake, **OLD, **{"anthropic-beta": betas})
    messages = [*USER, {"role": "system", "content": "Reminder."}]
    edits = {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]}
    raw = client.messages.with_raw_response.count_tokens(
        model=MODEL,
        messages=messages,  # type: ignore[arg-type]
        extra_body={"context_management": edits},
    )
    assert raw.http_response.status_code == 200 and raw.parse().input_tokens > 0
    probe = client.messages.with_raw_response.create(
        model="claude-haiku-4-5-20251001",
        max_tokens=1,
        messages=[{"role": "user", "content": "quota"}],
        extra_body={"temperature": 0},
    )
    assert_shape(probe.http_response.json(), BetaMessage)
    assert probe.parse().stop_reason == "max_tokens"


def test_idle_keep_alive_connections_hold_no_thread() -> None:
    """600 clients in this process (1,200 descriptors: past select()'s 1,023) each send a
    request and stay connected; the server holds no thread for them while they idle."""
    with FakeAnthropic(workers=8) as fake:
        before = threading.active_count()
        conns = []
        try:
            for _ in range(600):
                conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=30)
                conn.request("GET", "/v1/models", headers=_auth(fake))
                resp = conn.getresponse()
                assert resp.status == 200 and json.loads(resp.read())["data"]
                conns.append(conn)
            assert threading.active_count() - before <= 8  # the pool's workers at most
            for conn in conns[:50]:  # and each idle connection is still served on reuse
                conn.request("GET", "/v1/models", headers=_auth(fake))
                assert conn.getresponse().status == 200
        finally:
            for conn in conns:
                conn.close()
        assert not fake.errors, fake.errors[:3]


def _auth(fake: FakeAnthropic) -> dict[str, str]:
    return {"x-api-key": fake.api_key, "anthropic-version": _versions.NEWEST}
