"""The fake Anthropic API, driven by the real `anthropic` SDK over loopback."""

from __future__ import annotations

import asyncio
import http.client
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

import anthropic
import pytest

from kuroryuu_magic.models.facts import MODELS as MODEL_FACTS
from kuroryuu_magic.testing import FakeAnthropic, Fault, Reply
from kuroryuu_magic.testing._wire import split_text

pytest_plugins = ["kuroryuu_magic.testing.pytest_plugin"]

MODEL = "claude-sonnet-4-6"
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@pytest.fixture
def fake(fake_anthropic: FakeAnthropic) -> FakeAnthropic:
    return fake_anthropic


def client(fake: FakeAnthropic, **kw: Any) -> anthropic.Anthropic:
    kw.setdefault("api_key", fake.api_key)
    return anthropic.Anthropic(base_url=fake.base_url, **kw)


def ask(c: anthropic.Anthropic, text: str = "Hello there", **kw: Any) -> Any:
    kw.setdefault("model", MODEL)
    kw.setdefault("max_tokens", 256)
    return c.messages.create(messages=[{"role": "user", "content": text}], **kw)


def raw(fake: FakeAnthropic, method: str, path: str, body: Any = None, headers=None):
    """A bare HTTP call: (status, headers, parsed JSON or text)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(fake.base_url + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if path.startswith("/_fake/"):
        for k, v in fake.control_headers.items():
            req.add_header(k, v)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, hdrs, payload = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, hdrs, payload = err.code, err.headers, err.read()
    try:
        return status, hdrs, json.loads(payload)
    except ValueError:
        return status, hdrs, payload.decode()


# -- messages ----------------------------------------------------------------------------


def test_stream_text_and_final_message(fake: FakeAnthropic) -> None:
    c = client(fake)
    with c.messages.stream(
        model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hello there"}]
    ) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    text = "".join(pieces)
    assert len(pieces) > 1
    assert text == "**Fake Claude** heard you.\n\nYou said: Hello there"
    assert final.content[-1].text == text
    assert final.stop_reason == "end_turn"
    assert final.model == MODEL
    assert final.id.startswith("msg_")
    assert final.usage.input_tokens == 3  # 11 chars / 4, rounded up
    assert final.usage.output_tokens == (len(text) + 3) // 4


def test_stream_event_order_on_the_wire(fake: FakeAnthropic) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    body = {
        "model": MODEL,
        "max_tokens": 2048,
        "stream": True,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [{"role": "user", "content": "hi"}],
    }
    conn.request(
        "POST",
        "/v1/messages",
        json.dumps(body),
        {"x-api-key": fake.api_key, "anthropic-version": "2023-06-01"},
    )
    resp = conn.getresponse()
    assert resp.getheader("Transfer-Encoding") == "chunked"
    assert resp.getheader("request-id").startswith("req_")
    assert resp.getheader("Content-Type").startswith("text/event-stream")
    events = [
        line.split(": ", 1)[1]
        for line in resp.read().decode().splitlines()
        if line.startswith("event:")
    ]
    assert events[:3] == ["message_start", "ping", "content_block_start"]
    assert events[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert events.count("content_block_start") == 2  # thinking, then text
    conn.close()


def test_async_client_streams(fake: FakeAnthropic) -> None:
    async def run() -> str:
        c = anthropic.AsyncAnthropic(base_url=fake.base_url, api_key=fake.api_key)
        async with c.messages.stream(
            model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "async"}]
        ) as stream:
            return "".join([t async for t in stream.text_stream])

    fake.enqueue(Reply(text="async answer", deltas=4))
    assert asyncio.run(run()) == "async answer"


def test_env_fixture_points_the_sdk_at_the_fake(fake_anthropic_env: FakeAnthropic) -> None:
    assert ask(anthropic.Anthropic()).content[0].text.endswith("Hello there")
    assert (
        fake_anthropic_env.messages_requests()[0]
        .headers["authorization"]
        .endswith(fake_anthropic_env.api_key)
    )


def test_thinking_only_when_asked(fake: FakeAnthropic) -> None:
    c = client(fake)
    fake.enqueue(Reply(text="Answer", thinking="Deep thought"))
    with c.messages.stream(
        model=MODEL,
        max_tokens=4096,
        thinking={"type": "adaptive"},
        messages=[{"role": "user", "content": "think"}],
    ) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert "thinking" in kinds and "signature" in kinds
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].thinking == "Deep thought"
    assert final.content[0].signature
    assert [b.type for b in ask(c).content] == ["text"]


def test_plain_create_with_scripted_reply(fake: FakeAnthropic) -> None:
    fake.enqueue(
        Reply(
            text="# Title",
            stop_reason="max_tokens",
            model="claude-opus-4-8",
            usage={"output_tokens": 99},
        )
    )
    msg = ask(client(fake))
    assert msg.content[0].text == "# Title"
    assert msg.stop_reason == "max_tokens"
    assert msg.model == "claude-opus-4-8"
    assert msg.usage.output_tokens == 99
    assert ask(client(fake), "again").content[0].text.endswith("You said: again")


def test_requests_are_recorded_with_headers(fake: FakeAnthropic) -> None:
    ask(client(fake), "record me", system="be brief")
    rec = fake.messages_requests()[0]
    assert rec.method == "POST" and rec.path == "/v1/messages"
    assert rec.body["system"] == "be brief"
    assert rec.headers["authorization"] == f"Bearer {fake.api_key}"
    assert rec.headers["user-agent"].startswith("Anthropic/Python")
    assert "anthropic-version" in rec.headers
    assert rec.status == 200 and not rec.client_closed
    fake.reset()
    assert fake.requests == []


@pytest.mark.spoof_probe
def test_spoofed_requests_are_flagged(fake: FakeAnthropic) -> None:
    ask(client(fake))
    assert fake.spoofed_requests() == []
    ask(client(fake, default_headers={"anthropic-beta": "claude-code-20250219"}))
    ask(client(fake, default_headers={"User-Agent": "claude-cli/2.0.0 (external, cli)"}))
    assert len(fake.spoofed_requests()) == 2


@pytest.mark.parametrize("n", [1, 7, 2500])
def test_deltas_count_is_exact(fake: FakeAnthropic, n: int) -> None:
    fake.enqueue(Reply(text="tiny", deltas=n))
    with client(fake).messages.stream(
        model=MODEL, max_tokens=2000, messages=[{"role": "user", "content": "go"}]
    ) as stream:
        pieces = list(stream.text_stream)
    assert len(pieces) == n
    assert all(pieces)


def test_split_text_pads_short_text() -> None:
    assert split_text("ab", 5) == ["a", "b", " ", "a", "b"]
    assert "".join(split_text("hello world", 3)) == "hello world"


def test_prompt_cache_write_then_read(fake: FakeAnthropic) -> None:
    c = client(fake)
    # 1100 tokens: above Sonnet's 1024-token minimum cacheable length.
    system = [{"type": "text", "text": "x" * 4400, "cache_control": {"type": "ephemeral"}}]
    first = ask(c, "one", system=system).usage
    second = ask(c, "two", system=system).usage
    assert first.cache_creation_input_tokens == 1100 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == 1100 and second.cache_creation_input_tokens == 0
    assert second.input_tokens == 1  # "two": the cached prefix is not counted again


def test_image_block_accepted_and_counted(fake: FakeAnthropic) -> None:
    content = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_1PX}},
        {"type": "text", "text": "what is it?"},
    ]
    msg = client(fake).messages.create(
        model=MODEL, max_tokens=50, messages=[{"role": "user", "content": content}]
    )
    assert msg.usage.input_tokens == 1600 + 3
    assert fake.messages_requests()[0].images[0]["media_type"] == "image/png"


# -- validation and auth -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}, 400, "model"),
        ({"model": MODEL, "messages": [{"role": "user", "content": "x"}]}, 400, "max_tokens"),
        ({"model": MODEL, "max_tokens": 5, "messages": []}, 400, "messages"),
        (
            {"model": MODEL, "max_tokens": 5, "messages": [{"role": "assistant", "content": "x"}]},
            400,
            "first",
        ),
        (
            {
                "model": MODEL,
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "a"}, {"role": "tool", "content": "b"}],
            },
            400,
            "role",
        ),
        (
            {"model": MODEL, "max_tokens": 5, "messages": [{"role": "user", "content": ""}]},
            400,
            "non-empty",
        ),
        (
            {
                "model": MODEL,
                "max_tokens": 5,
                "messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}],
            },
            400,
            "non-empty",
        ),
        (
            {
                "model": MODEL,
                "max_tokens": 5,
                "messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "content": "b "},
                ],
            },
            400,
            "whitespace",
        ),
        (
            {
                "model": MODEL,
                "max_tokens": 5,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image",
                                "source": {
                                    "type": "base64",
                                    "media_type": "image/bmp",
                                    "data": PNG_1PX,
                                },
                            }
                        ],
                    }
                ],
            },
            400,
            "media_type",
        ),
        (
            {
                "model": "claude-nope-1",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
            },
            404,
            "claude-nope-1",
        ),
    ],
)
def test_validation_errors(fake: FakeAnthropic, body: dict, status: int, needle: str) -> None:
    code, headers, answer = raw(
        fake,
        "POST",
        "/v1/messages",
        body,
        {"x-api-key": fake.api_key, "anthropic-version": "2023-06-01"},
    )
    assert code == status
    assert answer["type"] == "error"
    assert needle in answer["error"]["message"]
    assert answer["request_id"] == headers["request-id"]


def test_stop_sequence_cuts_the_answer(fake: FakeAnthropic) -> None:
    fake.enqueue(Reply(text="one two STOP three"))
    msg = ask(client(fake), stop_sequences=["three", "STOP"])
    assert msg.content[0].text == "one two "
    assert (msg.stop_reason, msg.stop_sequence) == ("stop_sequence", "STOP")


def test_validation_surfaces_as_sdk_errors(fake: FakeAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        ask(client(fake), model="claude-nope-1")
    assert info.value.request_id.startswith("req_")
    with pytest.raises(anthropic.BadRequestError):
        ask(client(fake), thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=1000)
    with pytest.raises(anthropic.BadRequestError, match="adaptive"):
        ask(
            client(fake),
            model="claude-opus-5-5",
            thinking={"type": "enabled", "budget_tokens": 1024},
        )
    with pytest.raises(anthropic.BadRequestError, match="temperature: Extra inputs"):
        ask(client(fake), extra_body={"temperature": 0.5})
    with pytest.raises(anthropic.BadRequestError, match="effort"):
        ask(client(fake), output_config={"effort": "huge"})
    assert ask(client(fake), output_config={"effort": "max"}).content


def test_auth_missing_rejected_and_both_header_styles(fake: FakeAnthropic) -> None:
    body = {"model": MODEL, "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
    version = {"anthropic-version": "2023-06-01"}
    assert raw(fake, "POST", "/v1/messages", body, version)[0] == 401
    assert raw(fake, "POST", "/v1/messages", body, {**version, "x-api-key": "k"})[0] == 200
    assert (
        raw(fake, "POST", "/v1/messages", body, {**version, "Authorization": "Bearer k"})[0] == 200
    )
    fake.rejected_keys.add("k")
    status, _, answer = raw(fake, "POST", "/v1/messages", body, {**version, "x-api-key": "k"})
    assert status == 401 and answer["error"]["type"] == "authentication_error"
    with pytest.raises(anthropic.AuthenticationError):
        ask(client(fake, api_key="sk-ant-api03-bad-key", max_retries=3))
    assert len(fake.messages_requests()) == 5  # 401 is not retried


# -- faults ----------------------------------------------------------------------------


def test_429_with_retry_after_is_retried_by_the_sdk(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("status", status=429, retry_after=0.05, times=2))
    msg = ask(client(fake, max_retries=2))
    assert msg.content[0].text.startswith("**Fake Claude**")
    assert [r.status for r in fake.messages_requests()] == [429, 429, 200]


def test_429_error_envelope_and_headers(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("status", status=529, retry_after=1))
    status, headers, body = raw(fake, "POST", "/v1/messages", {})
    assert status == 529
    assert headers["retry-after"] == "1"
    assert headers.get("x-should-retry") is None
    assert body["error"]["type"] == "overloaded_error"
    assert body["request_id"] == headers["request-id"]


def test_400_is_not_retried(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("status", status=400, message="bad thing", times=3))
    with pytest.raises(anthropic.BadRequestError, match="bad thing"):
        ask(client(fake, max_retries=3))
    assert len(fake.messages_requests()) == 1


def test_midstream_error_raises_api_status_error(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("midstream_error", after_deltas=3))
    seen: list[str] = []
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        client(fake).messages.stream(
            model=MODEL, max_tokens=99, messages=[{"role": "user", "content": "x"}]
        ) as s,
    ):
        seen.extend(s.text_stream)
    assert len(seen) == 3
    assert info.value.type == "overloaded_error"
    assert len(fake.messages_requests()) == 1  # mid-stream errors are not retried


def test_midstream_fault_on_plain_request_is_529_and_keeps_the_reply(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("midstream_error"))
    fake.enqueue(Reply(text="after retry"))
    msg = ask(client(fake, max_retries=1))
    assert msg.content[0].text == "after retry"
    assert [r.status for r in fake.messages_requests()] == [529, 200]


def test_drop_raises(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("drop", after_deltas=2))
    seen: list[str] = []
    with (
        pytest.raises(Exception, match="incomplete chunked read"),
        client(fake).messages.stream(
            model=MODEL, max_tokens=99, messages=[{"role": "user", "content": "x"}]
        ) as s,
    ):
        seen.extend(s.text_stream)
    assert len(seen) == 2


def test_drop_on_plain_request_is_a_connection_error(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("drop", times=5))
    with pytest.raises(anthropic.APIConnectionError):
        ask(client(fake, max_retries=0))


def test_slow_first_byte_and_slow_deltas(fake: FakeAnthropic) -> None:
    c = client(fake)
    fake.enqueue(Fault("slow_first_byte", delay=0.3))
    start = time.monotonic()
    ask(c)
    assert time.monotonic() - start >= 0.3
    fake.enqueue(Fault("slow_deltas", delay=0.05))
    start = time.monotonic()
    with c.messages.stream(
        model=MODEL, max_tokens=99, messages=[{"role": "user", "content": "x y z"}]
    ) as s:
        pieces = list(s.text_stream)
    assert time.monotonic() - start >= 0.05 * (len(pieces) - 1)


def test_client_closing_a_slow_stream_is_seen(fake: FakeAnthropic) -> None:
    fake.enqueue(Reply(text="slow", deltas=40, delta_delay=0.05))
    with client(fake).messages.stream(
        model=MODEL, max_tokens=99, messages=[{"role": "user", "content": "x"}]
    ) as stream:
        for i, _ in enumerate(stream.text_stream):
            if i == 2:
                break
    deadline = time.monotonic() + 2
    while fake.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.disconnects == 1
    assert fake.messages_requests()[0].client_closed
    assert fake.in_flight == 0


def test_concurrent_streams_are_not_serialized() -> None:
    with FakeAnthropic(latency=0.3) as fake:
        c = client(fake)
        errors: list[BaseException] = []

        def one() -> None:
            try:
                with c.messages.stream(
                    model=MODEL, max_tokens=9, messages=[{"role": "user", "content": "x"}]
                ) as s:
                    s.get_final_message()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=one) for _ in range(16)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
    assert not errors
    assert elapsed < 0.3 * 4
    assert fake.max_in_flight >= 8
    assert len(fake.messages_requests()) == 16


def test_keep_alive_for_plain_responses(fake: FakeAnthropic) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    for _ in range(2):
        conn.request(
            "GET", "/v1/models", headers={"x-api-key": "k", "anthropic-version": "2023-06-01"}
        )
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read()
    assert conn.sock is not None  # the same socket served both
    conn.close()


# -- models and count_tokens --------------------------------------------------------------


def test_models_list_pagination_and_retrieve(fake: FakeAnthropic) -> None:
    c = client(fake)
    listed = list(c.models.list())
    all_ids = [m.id for m in listed]
    created = [m.created_at for m in listed]
    assert created == sorted(created, reverse=True)  # newest first, as the API lists them
    assert len(all_ids) == sum(m.lifecycle != "retired" for m in MODEL_FACTS)
    page = c.models.list(limit=3)
    assert [m.id for m in page.data] == all_ids[:3]
    assert page.has_more and page.last_id == all_ids[2]
    assert [m.id for m in c.models.list(limit=3)] == all_ids  # auto-pagination via after_id
    before = c.models.list(before_id=all_ids[4], limit=2)
    assert [m.id for m in before.data] == all_ids[2:4]
    info = c.models.retrieve("claude-haiku-4-5")
    assert info.display_name == "Claude Haiku 4.5"
    with pytest.raises(anthropic.NotFoundError):
        c.models.retrieve("claude-nope")


def test_models_fault(fake: FakeAnthropic) -> None:
    c = client(fake, max_retries=0)
    fake.models_fault = True
    with pytest.raises(anthropic.InternalServerError):
        c.models.list()
    fake.models_fault = None
    fake.enqueue(Fault("status", status=403, path="/v1/models"))
    with pytest.raises(anthropic.PermissionDeniedError):
        c.models.list()
    assert c.models.list().data


def test_count_tokens(fake: FakeAnthropic) -> None:
    count = client(fake).messages.count_tokens(
        model=MODEL, system="s" * 8, messages=[{"role": "user", "content": "x" * 40}]
    )
    assert count.input_tokens == 12


# -- control and CLI ----------------------------------------------------------------------


def test_control_endpoints(fake: FakeAnthropic) -> None:
    assert (
        raw(fake, "POST", "/_fake/enqueue", {"kind": "status", "status": 529, "times": 1})[0] == 200
    )
    assert raw(fake, "POST", "/_fake/enqueue", {"text": "from outside", "deltas": 2})[0] == 200
    assert raw(fake, "POST", "/_fake/enqueue", {"kind": "bogus"})[0] == 400
    with pytest.raises(anthropic.InternalServerError):
        ask(client(fake, max_retries=0))
    assert ask(client(fake)).content[0].text == "from outside"
    status, _, listed = raw(fake, "GET", "/_fake/requests")
    assert status == 200 and [r["status"] for r in listed] == [529, 200]
    assert raw(fake, "POST", "/_fake/config", {"deltas": 3, "latency": 0})[2]["deltas"] == 3
    assert fake.deltas == 3
    assert raw(fake, "POST", "/_fake/reset")[0] == 200
    assert raw(fake, "GET", "/_fake/requests")[2] == []


def test_env_and_loopback_only() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FakeAnthropic(host="0.0.0.0")
    with FakeAnthropic() as fake:
        env = fake.env()
        assert env["ANTHROPIC_BASE_URL"] == fake.base_url
        assert env["ANTHROPIC_API_KEY"].startswith("sk-ant-api03-fake-")
        assert env["KURORYUU_OAUTH_TOKEN_URL"] == f"{fake.base_url}/v1/oauth/token"
        assert fake.base_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_url_and_serves(sig: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kuroryuu_magic.testing", "--deltas", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("export ANTHROPIC_BASE_URL=http://127.0.0.1:")
        base = line.split("=", 1)[1]
        exports = dict(
            proc.stdout.readline().strip().removeprefix("export ").split("=", 1) for _ in range(5)
        )
        assert exports["KURORYUU_OAUTH_TOKEN_URL"] == f"{base}/v1/oauth/token"
        assert exports["ANTHROPIC_API_KEY"].startswith("sk-ant-api03-fake-")
        assert {"KURORYUU_OAUTH_AUTHORIZE_URL", "KURORYUU_OAUTH_REDIRECT_URI"} <= set(exports)
        token = exports["KURORYUU_FAKE_CONTROL_TOKEN"]
        assert len(token) >= 32
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/_fake/requests", timeout=5)
        assert refused.value.code == 403
        req = urllib.request.Request(base + "/_fake/requests")
        req.add_header("x-fake-control-token", token)
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert json.loads(resp.read()) == []
    finally:
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "Traceback" not in err
