"""Scripted answers (`Reply`) and injected failures (`Fault`) for the fake API."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, fields
from typing import Any

FAULT_KINDS = ("status", "midstream_error", "drop", "slow_first_byte", "slow_deltas")


@dataclass
class Reply:
    """One scripted answer for the next ``POST /v1/messages``."""

    text: str | None = None
    thinking: str | None = None
    deltas: int | None = None
    delta_delay: float = 0.0
    first_byte_delay: float = 0.0
    stop_reason: str = "end_turn"
    model: str | None = None
    usage: dict[str, int] | None = None
    path: str = "/v1/messages"

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.path)


@dataclass
class Fault:
    """A failure served to the next ``times`` requests whose path matches ``path`` (glob)."""

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

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {FAULT_KINDS}")
        if self.kind == "status" and self.status is None:
            self.status = 500
        if self.times < 1:
            raise ValueError("times must be >= 1")

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


def _build(cls: type, data: Any) -> Any:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown {cls.__name__} fields: {sorted(unknown)}")
    return cls(**data)
