"""HTTP plumbing of the fake server: quiet logging, JSON/SSE writing, routing."""

from __future__ import annotations

import contextlib
import json
import re
import select
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import _control, _routes, _validate, _versions
from ._exchange import Fake
from ._faults import Fault
from ._headers import response_headers, retry_after
from ._records import RecordedRequest
from ._wire import ERROR_TYPES, error_body, new_id

_BATCH = re.compile(r"^/v1/messages/batches/([^/]+)(/results|/cancel)?$")
# Body caps (Messages API: 32 MB per request; batches: their own cap, see BatchStore).
MAX_CONTROL_BYTES = 1024 * 1024
MAX_API_BYTES = 32 * 1024 * 1024


class ClientGone(Exception):
    """The client closed its connection while we were still answering."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the SDK reuses connections
    # Headers and body go out in separate sends; without TCP_NODELAY each response
    # waits ~40 ms for the delayed ACK, which hides real latency in benchmarks.
    disable_nagle_algorithm = True
    server_version = "FakeAnthropic/1.0"

    # -- quiet: tests read stdout/stderr, so the server never writes there ---------------
    def log_message(self, format: str, *args: object) -> None:
        return

    def setup(self) -> None:
        # An idle (or trickling) connection is closed after fake.idle_timeout seconds.
        # Per connection on purpose (socketserver reads self.timeout); typeshed calls it a ClassVar.
        self.timeout = self.fake.idle_timeout  # type: ignore[misc]
        super().setup()
        self.fake.connections.add(self.connection)

    def finish(self) -> None:
        self.fake.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        # One request per call: between requests a keep-alive connection waits in the
        # server's selector, not in a thread (pool.PooledHTTPServer).
        self.close_connection = True
        try:
            self.handle_one_request()
        except (ConnectionError, TimeoutError, ClientGone):
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    @property
    def fake(self) -> Fake:  # the FakeAnthropic that owns this server
        fake: Fake = self.server.fake  # type: ignore[attr-defined]  # set by FakeAnthropic.start()
        return fake

    # -- low-level I/O ------------------------------------------------------------------------
    def peer_closed(self) -> bool:
        """True when the client has closed its end (EOF or reset is pending)."""
        try:
            if hasattr(select, "poll"):
                # poll, not select: select() refuses descriptors above 1023, which a
                # process serving 1,000 connections (its clients in-process) reaches.
                poller = select.poll()
                poller.register(self.connection, select.POLLIN | select.POLLHUP | select.POLLERR)
                readable = bool(poller.poll(0))
            else:  # Windows: no poll, and no FD_SETSIZE limit on its select
                readable = bool(select.select([self.connection], [], [], 0)[0])
            if not readable:
                return False
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except (OSError, ValueError):
            return True

    def nap(self, seconds: float) -> None:
        """Sleep, but notice a client that hangs up meanwhile."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.peer_closed():
                raise ClientGone
            time.sleep(min(0.02, left))

    def write(self, data: bytes) -> None:
        if self.peer_closed():
            raise ClientGone
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, OSError):
            raise ClientGone from None

    def chunk(self, data: bytes) -> None:
        self.write(b"%x\r\n%s\r\n" % (len(data), data))

    def send_body(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.record.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith("/_fake/"):
            self.send_header("request-id", self.request_id)
        else:
            extra = response_headers(self, exhausted=status == 429)
            for name, value in extra.items():
                if name not in (headers or {}):
                    self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.write(body)

    def send_json(self, status: int, obj: object, headers: dict[str, str] | None = None) -> None:
        self.send_body(status, json.dumps(obj).encode(), "application/json", headers)

    def send_error_envelope(
        self,
        status: int,
        error_type: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        error_type = error_type or ERROR_TYPES.get(status, "api_error")
        body = error_body(error_type, message, self.request_id, details)
        self.send_json(status, body, headers)

    def send_fault_status(self, fault: Fault) -> None:
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["retry-after"] = retry_after(fault.retry_after)
            if fault.retry_after != int(fault.retry_after):
                # The API sends whole seconds; the SDK reads retry-after-ms first, so a
                # test can still ask for a short wait without waiting a whole second.
                headers["retry-after-ms"] = str(int(fault.retry_after * 1000))
        if fault.should_retry is not None:
            headers["x-should-retry"] = "true" if fault.should_retry else "false"
        self.send_error_envelope(
            int(fault.status or 500),
            fault.error_type,
            fault.message,
            headers,
            fault.error_details(),
        )

    def drop(self) -> None:
        """Close the socket abruptly, mid-response or before any byte."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- request intake ---------------------------------------------------------------------
    def _body_cap(self, path: str) -> int:
        if path.startswith("/_fake/"):
            return MAX_CONTROL_BYTES
        if path == "/v1/messages/batches":
            return max(MAX_API_BYTES, int(self.fake.batches.max_bytes) + 1)
        return MAX_API_BYTES

    def _read_body(self) -> tuple[str, object]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length > 0 else ""
        if not raw:
            return raw, None
        try:
            return raw, json.loads(raw)
        except ValueError:
            return raw, raw

    def _dispatch(self) -> None:

        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        self.query = dict(parse_qsl(url.query, keep_blank_values=True))
        self.request_id = new_id("req_")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > self._body_cap(path):
            # Refuse before reading: the body is never buffered.
            self.record: RecordedRequest = RecordedRequest(self.command, path, self.query, {}, None)
            self.close_connection = True
            if length < 0:
                self.send_error_envelope(400, "invalid_request_error", "Invalid Content-Length")
            else:
                self.send_error_envelope(413, "request_too_large")
            return
        self.raw_body, body = self._read_body()
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            # Repeated headers (e.g. two anthropic-beta lines) are joined, as HTTP allows.
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self.record = RecordedRequest(
            self.command, path, self.query, headers, body, request_id=self.request_id
        )
        if path.startswith("/_fake/"):
            self._control(path, body)
            return
        self.fake.record(self.record)
        if not _control.loopback_host(headers):
            # DNS rebinding: a web page that resolves its own name to 127.0.0.1 reaches
            # this port with its own Host; nothing here answers it.
            self.close_connection = True
            self.send_error_envelope(
                403, "permission_error", "the fake API answers only to a loopback Host"
            )
            return
        counted = path.startswith("/v1/") and path != "/v1/oauth/token"
        if counted:
            self.fake.enter()
        try:
            self._route(path, body)
        except ClientGone:
            self.record.client_closed = True
            self.close_connection = True
            if isinstance(body, dict) and body.get("stream"):
                self.fake.count_disconnect()
        except Exception as exc:
            # A bug in the fake itself: answer 500 (if still possible) and keep it for
            # tests to inspect instead of printing a traceback.
            self.fake.errors.append(f"{self.command} {path}: {exc!r}")
            self.close_connection = True
            if self.record.status is None:
                with contextlib.suppress(Exception):
                    self.send_error_envelope(500, "api_error", f"fake server error: {exc!r}")
        finally:
            if counted:
                self.fake.leave()

    def _route(self, path: str, body: object) -> None:

        fake, method = self.fake, self.command
        if method == "POST" and path == "/v1/messages" and fake.latency:
            self.nap(fake.latency)
        fault = fake.take(path, Fault)
        if fault is not None:
            if fault.kind == "status":
                if fault.delay:
                    self.nap(fault.delay)
                self.send_fault_status(fault)
                return
            if fault.kind == "slow_first_byte":
                self.nap(fault.delay)
            elif fault.kind == "drop" and not (isinstance(body, dict) and body.get("stream")):
                self.drop()
                return
        if path.startswith("/oauth/") or path == "/v1/oauth/token":
            _routes.oauth(self, path, body)
            return
        problem = _validate.check_auth(self.record.headers, fake) or _versions.check_headers(
            self.record.headers
        )
        if problem is not None:
            self.send_error_envelope(*problem)
            return
        if method == "POST" and path == "/v1/messages":
            _routes.messages(self, body, fault)
        elif method == "POST" and path == "/v1/messages/count_tokens":
            _routes.count_tokens(self, body)
        elif method == "GET" and (path == "/v1/models" or path.startswith("/v1/models/")):
            _routes.models(self, path)
        elif path == "/v1/messages/batches" or _BATCH.match(path):
            _routes.batches(self, method, path, body, _BATCH.match(path))
        else:
            self.send_error_envelope(404, "not_found_error", f"Not found: {method} {path}")

    def _control(self, path: str, body: object) -> None:
        try:
            refusal = _control.refused(self)
            if refusal is not None:
                self.close_connection = True
                self.send_json(refusal[0], {"error": refusal[1]})
                return
            _control.serve(self, path, body)
        except ClientGone:
            self.close_connection = True
