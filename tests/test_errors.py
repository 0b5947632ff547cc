"""API failures become one short line: status, type, meaning, fix, request id."""

from __future__ import annotations

import socket
from typing import Any

import anthropic
import pytest

from kuroryuu_magic.core.errors import (
    ClaudeAPIError,
    api_error_from,
    classify,
    describe_api_error,
)
from kuroryuu_magic.testing import FakeAnthropic, Fault

REQUEST: dict[str, Any] = {
    "model": "claude-haiku-4-5",
    "max_tokens": 5,
    "messages": [{"role": "user", "content": "hi"}],
}


def sdk_error(fake: FakeAnthropic, fault: Fault) -> Exception:
    fake.enqueue(fault)
    client = anthropic.Anthropic(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
    with pytest.raises(anthropic.APIError) as info:
        client.messages.create(
            model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )
    return info.value


@pytest.mark.parametrize(
    ("status", "kind", "fix"),
    [
        (401, "authentication_error", "%claude setup"),
        (403, "permission_error", "model access"),
        (404, "not_found_error", "%claude models"),
        (429, "rate_limit_error", "wait"),
        (529, "overloaded_error", "again"),
        (500, "api_error", "again"),
    ],
)
def test_status_errors(fake: FakeAnthropic, status: int, kind: str, fix: str) -> None:
    message = describe_api_error(sdk_error(fake, Fault("status", status=status)))
    assert message.startswith(f"Claude API error {status} {kind}:")
    assert fix in message and "(request id req_" in message and "\n" not in message


def test_connection_error_names_the_base_url() -> None:
    client = anthropic.Anthropic(
        api_key="sk-ant-api03-x", base_url="http://127.0.0.1:9", max_retries=0
    )
    with pytest.raises(anthropic.APIConnectionError) as info:
        client.models.list()
    message = describe_api_error(info.value, base_url="http://127.0.0.1:9")
    assert message.startswith("Claude API unreachable") and "http://127.0.0.1:9" in message


def test_rendered_traceback_is_one_line(fake: FakeAnthropic) -> None:
    err = api_error_from(sdk_error(fake, Fault("status", status=400, message="bad thing")))
    assert (
        isinstance(err, ClaudeAPIError) and err.status == 400 and err.request_id.startswith("req_")
    )
    lines = err._render_traceback_()
    assert len(lines) == 1 and '"bad thing"' in lines[0]


def _stream_error(fake: FakeAnthropic, fault: Fault, **client_kw: Any) -> BaseException:
    """What a streamed request raises when ``fault`` strikes: the SDK's own exception."""
    fake.enqueue(fault)
    client = anthropic.Anthropic(
        api_key=fake.api_key, base_url=fake.base_url, max_retries=0, **client_kw
    )
    # SDK 2.14 lets httpx2's own class out of a stream that breaks; 2.17 wraps it in
    # APIConnectionError: both are caught here, and both must classify the same.
    with pytest.raises(Exception) as info, client.messages.stream(**REQUEST) as stream:
        for _ in stream:
            pass
    return info.value


def _unused_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- one test per category, each driven by the fake with the real SDK ------------------------


def test_unreachable() -> None:
    base = f"http://127.0.0.1:{_unused_loopback_port()}"  # nothing listens there
    client = anthropic.Anthropic(api_key="sk-ant-api03-x", base_url=base, max_retries=0)
    with pytest.raises(anthropic.APIConnectionError) as info:
        client.messages.create(**REQUEST)
    assert classify(info.value) == "unreachable"
    message = describe_api_error(info.value, base_url=base)
    assert message.startswith(f"Claude API unreachable: could not connect to {base}")
    assert "(ConnectError)" in message  # httpx2's class, found by type under the SDK's


def test_a_dropped_stream_is_named_as_such(fake: FakeAnthropic) -> None:
    exc = _stream_error(fake, Fault("drop", after_deltas=2))
    assert classify(exc) == "dropped"
    # The stream's own request id (known once its response started) marks "mid-answer".
    message = describe_api_error(exc, request_id="req_stream123")
    assert message.startswith("Claude API connection dropped mid-answer (")
    assert "could not connect" not in message and "unreachable" not in message
    err = api_error_from(exc, request_id="req_stream123")
    assert err.request_id == "req_stream123" and str(err).endswith("(request id req_stream123)")


def test_a_connection_dropped_before_the_answer_is_not_unreachable(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("drop"))  # the fake reads the request, then hangs up without a word
    client = anthropic.Anthropic(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
    with pytest.raises(anthropic.APIConnectionError) as info:
        client.messages.create(**REQUEST)
    assert classify(info.value) == "dropped"
    message = describe_api_error(info.value, base_url=fake.base_url)
    assert message.startswith("Claude API connection dropped before the answer started (")
    assert "could not connect" not in message


def test_timed_out_before_the_first_byte(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("slow_first_byte", delay=3.0))
    client = anthropic.Anthropic(
        api_key=fake.api_key, base_url=fake.base_url, max_retries=0, timeout=0.3
    )
    with pytest.raises(anthropic.APITimeoutError) as info:
        client.messages.create(**REQUEST)
    assert classify(info.value) == "timed_out"
    message = describe_api_error(info.value, base_url=fake.base_url)
    assert message.startswith(f"Claude API timeout to {fake.base_url}: the request timed out")


def test_timed_out_mid_stream(fake: FakeAnthropic) -> None:
    # A stream that started and then stalled longer than the read timeout.
    exc = _stream_error(fake, Fault("slow_deltas", delay=3.0), timeout=0.5)
    assert classify(exc) == "timed_out"
    assert describe_api_error(exc).startswith("Claude API timeout: the request timed out")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 500])
def test_refused_by_status(fake: FakeAnthropic, status: int) -> None:
    exc = sdk_error(fake, Fault("status", status=status))
    assert isinstance(exc, anthropic.APIStatusError) and classify(exc) == "refused"
    assert describe_api_error(exc).startswith(f"Claude API error {status} ")


def test_overloaded(fake: FakeAnthropic) -> None:
    exc = sdk_error(fake, Fault("status", status=529))
    assert isinstance(exc, anthropic.OverloadedError) and classify(exc) == "overloaded"
    assert describe_api_error(exc).startswith("Claude API error 529 overloaded_error: ")


def test_overloaded_mid_stream(fake: FakeAnthropic) -> None:
    # An `error` event after the stream began: APIStatusError with status 200, not retried.
    exc = _stream_error(fake, Fault("midstream_error", after_deltas=1))
    assert isinstance(exc, anthropic.APIStatusError) and classify(exc) == "overloaded"
    message = describe_api_error(exc)
    assert message.startswith("Claude API error mid-stream overloaded_error: ")
    assert "already retried" not in message


def test_rate_limited(fake: FakeAnthropic) -> None:
    exc = sdk_error(fake, Fault("status", status=429))
    assert isinstance(exc, anthropic.RateLimitError) and classify(exc) == "rate_limited"
    assert describe_api_error(exc).startswith("Claude API error 429 rate_limit_error: ")


def test_the_classes_are_read_by_type_not_by_message_text(fake: FakeAnthropic) -> None:
    # An error whose text says "connection refused" / "timed out" is still what its type says.
    exc = sdk_error(fake, Fault("status", status=500, message="Connection refused; timed out"))
    assert classify(exc) == "refused"
    assert classify(RuntimeError("Request timed out")) == "unreachable"  # no transport cause
