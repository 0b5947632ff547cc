"""A local fake of the Anthropic API (and Claude OAuth) for tests and demos.

It answers like the real API as the installed SDK types it: every body validates
against the SDK's pydantic types (``Message``, ``Usage``, ``ModelInfo``, stream
events, batches) with no field missing or extra; requests are checked as the API
reference describes (see ``_validate``, ``tools``, ``_images``, ``_cache``,
``_schema``).  Stdlib only; binds 127.0.0.1.  Run it standalone with
``python -m kuroryuu_magic.testing``.

Scripting answers
-----------------
::

    from kuroryuu_magic.testing import FakeAnthropic, Fault, Reply, ToolCall

    with FakeAnthropic() as fake:
        os.environ.update(fake.env())           # base URL, a fake key, OAuth, control token
        fake.enqueue(Reply(text="Hello", deltas=5))          # the next /v1/messages answer
        fake.enqueue(Reply(text="x" * 9000))    # cut at the request's max_tokens (stop_reason max_tokens)

Each ``enqueue`` is consumed by the next request (FIFO); with nothing queued the
fake echoes the prompt (``**Fake Claude** heard you…``), or, when the request
asks for ``output_config.format``, sends a small JSON value matching its schema.

Tool use (an agent loop)::

    fake.enqueue(Reply.call("get_weather", {"city": "Paris"}, text="Let me check."))
    fake.enqueue(Reply(text="It is 22 °C in Paris."))
    # 1st request -> text + tool_use block, stop_reason "tool_use" (streamed as
    #                input_json_delta, like the API);
    # 2nd request (carrying the tool_result) -> the text.
    fake.tool_results   # [{"tool_use_id", "name", "input", "content", "is_error"}, ...]

Several calls in one answer: ``Reply(text="", tool_calls=[ToolCall("a", {...}),
ToolCall("b", {...}, id="toolu_fixed")])``.  The fake validates tool
definitions, ``tool_choice`` and the tool_use/tool_result pairing like the API,
so a loop that forgets a ``tool_result`` fails here as it would there.

The SDK's own loop works too: ``client.beta.messages.tool_runner(tools=[...])``
sends Message Threads (``thread`` create/continue, beta
``message-threads-2026-08-12``), which the fake holds like the API
(``_threads.py``; ``fake.threads.clear()`` simulates a lost thread).

Batch answers: ``Reply(text=..., path="/v1/messages/batches")`` scripts the
next request of the next created batch.

Structured outputs: ``Reply(json={"city": "Paris"})`` sends the object as text;
it must match the request's schema, or the fake answers 500 and records the
mistake in ``fake.errors``; ``Reply(json=..., off_schema=True)`` sends a
non-matching answer on purpose.  ``Reply(stop_reason=...)`` accepts only the
SDK's ``StopReason`` values.

Failures::

    fake.enqueue(Fault("status", status=429, retry_after=2))   # retried by the SDK
    fake.enqueue(Fault.spend_limit())      # 429 enforced_spend_limit_reached, x-should-retry: false
    fake.enqueue(Fault("status", status=400, error_code="...", details={...}))
    fake.enqueue(Fault("midstream_error", after_deltas=3))  # an SSE error event
    fake.enqueue(Fault("drop", after_deltas=2))              # the connection drops

Knobs (plain attributes): ``oauth_refusal`` (a key of
``_validate.OAUTH_REFUSALS``: revoked, invalid_token, invalid_bearer,
not_supported, not_allowed, expired, org_not_allowed, scope, claude_code_only),
``oauth_missing_scope``, ``rate_limits`` / ``rate_remaining`` (the
``anthropic-ratelimit-*`` headers), ``batches.expired`` (custom ids that end
``expired``), ``batches.max_requests`` / ``batches.max_bytes``,
``batch_polls_to_end``, ``models_fault``, ``rejected_keys``.

What it saw: ``fake.requests`` / ``messages_requests()`` (headers, body,
status), ``fake.tool_results``, ``fake.spoofed_requests()`` (requests posing as
Claude Code), ``fake.errors`` (the fake's own failures and script mistakes).

Over HTTP (another process): ``/_fake/enqueue|reset|config`` (POST),
``/_fake/requests|tool_results`` (GET, credentials redacted), each with the
header ``x-fake-control-token: $KURORYUU_FAKE_CONTROL_TOKEN`` and a loopback
``Host``.
"""

from __future__ import annotations

from ._faults import Fault, RawResponse, Reply, ToolCall
from ._records import RecordedRequest
from ._server import FakeAnthropic, fake_anthropic

__all__ = [
    "FakeAnthropic",
    "Fault",
    "RawResponse",
    "RecordedRequest",
    "Reply",
    "ToolCall",
    "fake_anthropic",
]
