"""What an endpoint body may do with the request it answers, and with the fake serving it.

``_routes`` and ``_answer`` are written against these protocols rather than the
concrete ``Handler`` and ``FakeAnthropic`` so that the handler can import them
without a circle (``_server`` imports the handler).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ._batches import BatchStore
from ._faults import Fault, RawResponse, Reply
from ._oauth import OAuthServer
from ._records import RecordedRequest
from ._threads import ThreadStore

_Item = TypeVar("_Item", Reply, Fault)


class Fake(Protocol):
    """The state of one ``FakeAnthropic`` that its endpoints read and update (its knobs,
    queue, stores and counters; see ``_server.FakeAnthropic`` for what each means)."""

    # Scripting and knobs.
    latency: float
    deltas: int | None
    delta_delay: float
    idle_timeout: float
    control_token: str
    organization_id: str
    rejected_keys: set[str]
    expired_tokens: set[str]
    oauth_org_not_allowed: bool
    oauth_scope_missing: bool
    oauth_missing_scope: str | None
    oauth_refusal: str | None
    oauth_deny: bool
    rate_limits: dict[str, int]
    rate_remaining: dict[str, int]
    models_fault: Fault | bool | None
    token_delay: float
    token_response_override: RawResponse | None
    answer_hook: Callable[[dict[str, Any]], Reply | None] | None
    # Stores and what the fake saw.
    oauth: OAuthServer
    batches: BatchStore
    threads: ThreadStore
    prompt_cache: set[str]
    tool_results: list[dict[str, Any]]
    errors: list[str]
    connections: set[socket.socket]

    @property
    def base_url(self) -> str: ...
    @property
    def requests(self) -> list[RecordedRequest]: ...
    @property
    def pending(self) -> list[Reply | Fault]: ...

    def record(self, req: RecordedRequest) -> None: ...
    def record_tool_results(self, results: list[dict[str, Any]]) -> None: ...
    def enqueue(self, item: Reply | Fault) -> None: ...
    def take(self, path: str, want: type[_Item]) -> _Item | None: ...
    def reset(self) -> None: ...
    def configure(self, **cfg: object) -> None: ...
    def enter(self) -> None: ...
    def leave(self) -> None: ...
    def count_disconnect(self) -> None: ...


class Exchange(Protocol):
    """One HTTP request being answered (implemented by ``_handler.Handler``)."""

    command: str
    path: str
    query: dict[str, str]
    raw_body: str
    request_id: str
    record: RecordedRequest
    close_connection: bool

    @property
    def fake(self) -> Fake: ...  # the FakeAnthropic serving this request

    def nap(self, seconds: float) -> None: ...
    def write(self, data: bytes) -> None: ...
    def chunk(self, data: bytes) -> None: ...
    def drop(self) -> None: ...
    def send_response(self, code: int, message: str | None = None) -> None: ...
    def send_header(self, keyword: str, value: str) -> None: ...
    def end_headers(self) -> None: ...
    def send_body(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None: ...
    def send_json(
        self, status: int, obj: object, headers: dict[str, str] | None = None
    ) -> None: ...  # obj: what json.dumps takes (SDK-shaped dicts and lists)
    def send_error_envelope(
        self,
        status: int,
        error_type: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None: ...
    def send_fault_status(self, fault: Fault) -> None: ...
