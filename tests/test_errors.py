"""API failures become one short line: status, type, meaning, fix, request id."""

from __future__ import annotations

import anthropic
import pytest

from kuroryuu_magic.core.errors import ClaudeAPIError, api_error_from, describe_api_error
from kuroryuu_magic.testing import FakeAnthropic, Fault


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


def test_a_dropped_stream_is_named_as_such(fake: FakeAnthropic) -> None:
    fake.enqueue(Fault("drop", after_deltas=2))
    client = anthropic.Anthropic(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
    request = {
        "model": "claude-haiku-4-5",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "hi"}],
    }
    # httpx2 raises its own class here: the SDK does not wrap a stream that breaks.
    with pytest.raises(Exception) as info, client.messages.stream(**request) as stream:
        for _ in stream:
            pass
    assert describe_api_error(info.value).startswith("Claude API connection dropped mid-answer")
    err = api_error_from(info.value, request_id="req_stream123")
    assert err.request_id == "req_stream123" and str(err).endswith("(request id req_stream123)")
