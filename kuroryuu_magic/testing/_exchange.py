"""What an endpoint body may do with the request it answers.

``_routes`` and ``_answer`` are written against this protocol rather than the
concrete ``Handler`` so that the handler can import them without a circle.
"""

from __future__ import annotations

from typing import Any, Protocol

from ._faults import Fault
from ._records import RecordedRequest


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
    def fake(self) -> Any: ...  # the FakeAnthropic serving this request

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
    def send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None: ...
    def send_error_envelope(
        self,
        status: int,
        error_type: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None: ...
    def send_fault_status(self, fault: Fault) -> None: ...
