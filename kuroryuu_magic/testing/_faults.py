"""Scripted answers (`Reply`, `ToolCall`) and injected failures (`Fault`) for the fake API."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

FAULT_KINDS = ("status", "midstream_error", "drop", "slow_first_byte", "slow_deltas")
# The SDK's ``anthropic.types.StopReason`` literal (2.14): a Message with any other
# stop_reason fails the SDK's own parsing, so a Reply may not script one.
STOP_REASONS = (
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "pause_turn",
    "refusal",
    "model_context_window_exceeded",
)


@dataclass
class ToolCall:
    """One ``tool_use`` block the scripted answer carries: call ``name`` with ``input``.

    ``id`` defaults to a fresh ``toolu_…`` id; set it to refer to the call later.
    """

    name: str
    input: dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.input, dict):
            raise TypeError("ToolCall input must be a dict (the API sends a JSON object)")


@dataclass
class Reply:
    """One scripted answer for the next ``POST /v1/messages``.

    ``text`` is the answer (``None``: the fake's default echo; ``""`` with tool calls:
    no text block).  ``tool_calls`` add ``tool_use`` blocks after the text and make the
    stop reason ``tool_use``.  ``json`` is an object sent as the text (structured
    outputs); set ``off_schema=True`` to send an answer that does not match the
    request's ``output_config.format`` schema on purpose.  Tool calls must name a
    declared tool (and fit ``tool_choice``); ``off_tools=True`` sends a call the model
    should not make (an undeclared name, a call under ``tool_choice: none``) on purpose.
    """

    text: str | None = None
    thinking: str | None = None
    deltas: int | None = None
    delta_delay: float = 0.0
    first_byte_delay: float = 0.0
    stop_reason: str | None = None  # None: end_turn, or tool_use when tool_calls are given
    model: str | None = None
    usage: dict[str, int] | None = None
    path: str = "/v1/messages"
    tool_calls: list[ToolCall] = field(default_factory=list)
    json: object = None  # any JSON value; sent as the text
    off_schema: bool = False
    off_tools: bool = False
    # Streamed after `ping`: events of a type the API may add later ({"type": NAME, …}).
    # The API's versioning policy lets it add event types; clients must ignore them.
    extra_events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if any(not isinstance(e, dict) or not e.get("type") for e in self.extra_events):
            raise ValueError('each extra event is a JSON object with a "type"')
        if self.stop_reason is not None and self.stop_reason not in STOP_REASONS:
            raise ValueError(
                f"stop_reason {self.stop_reason!r} is not one the SDK accepts: {STOP_REASONS}"
            )
        # Dicts come from /_fake/enqueue JSON.
        self.tool_calls = [c if isinstance(c, ToolCall) else ToolCall(**c) for c in self.tool_calls]
        if self.json is not None:
            if self.text is not None:
                raise ValueError("give either text or json, not both")
            self.text = json.dumps(self.json)
        if self.stop_reason is None:
            self.stop_reason = "tool_use" if self.tool_calls else "end_turn"

    @classmethod
    def call(
        cls,
        name: str,
        input: dict[str, Any] | None = None,
        **kw: Any,  # Any: forwarded unchanged to Reply(), whose dataclass signature checks them
    ) -> Reply:
        """An answer that calls one tool: ``Reply.call("get_weather", {"city": "Paris"})``."""
        kw.setdefault("text", "")
        return cls(tool_calls=[ToolCall(name, input or {}, kw.pop("id", None))], **kw)

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.path)


@dataclass
class Fault:
    """A failure served to the next ``times`` requests whose path matches ``path`` (glob).

    ``error_code`` adds ``error.details.error_code`` to the body (the SDK exposes it as
    ``err.error_code`` and picks a subclass such as ``EnforcedSpendLimitReachedError``);
    ``should_retry`` sets ``x-should-retry``, the header the SDK obeys before any status.
    """

    kind: str
    status: int | None = None
    error_type: str | None = None
    message: str | None = None
    retry_after: float | None = None
    after_deltas: int = 0
    delay: float = 0.0
    path: str = "/v1/messages"
    times: int = 1
    should_retry: bool | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None
    details: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {FAULT_KINDS}")
        if self.kind == "status" and self.status is None:
            self.status = 500
        if self.times < 1:
            raise ValueError("times must be >= 1")

    @classmethod
    def spend_limit(cls, **kw: Any) -> Fault:  # Any: forwarded unchanged to Fault()
        """The 429 of an organization over its monthly spend limit: not to be retried."""
        kw.setdefault("message", "You have reached your specified API usage limits.")
        return cls(
            "status",
            status=429,
            error_type="rate_limit_error",
            error_code="enforced_spend_limit_reached",
            should_retry=False,
            **kw,
        )

    def error_details(self) -> dict[str, Any] | None:
        if self.details is None and self.error_code is None:
            return None
        details = dict(self.details or {})
        if self.error_code is not None:
            details["error_code"] = self.error_code
        return details

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.path)


@dataclass
class RawResponse:
    """A verbatim response body, e.g. a malformed OAuth token answer."""

    body: str | bytes = ""
    status: int = 200
    content_type: str = "application/json"


def from_json(data: dict[str, Any]) -> Reply | Fault:
    """Build a Reply or Fault from the JSON posted to ``/_fake/enqueue``.

    ``{"fault": {...}}`` or any object with a ``kind`` is a Fault; ``{"reply": {...}}``
    or anything else is a Reply.
    """
    if "fault" in data:
        return _build(Fault, data["fault"])
    if "reply" in data:
        return _build(Reply, data["reply"])
    if "kind" in data:
        return _build(Fault, data)
    return _build(Reply, data)


_T = TypeVar("_T", "Reply", "Fault")


def _build(cls: type[_T], data: object) -> _T:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown {cls.__name__} fields: {sorted(unknown)}")
    return cls(**data)
