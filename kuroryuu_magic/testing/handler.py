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

from . import routes, validate
from .faults import Fault, from_json
from .records import RecordedRequest
from .wire import ERROR_TYPES, error_body, new_id

_BATCH = re.compile(r"^/v1/messages/batches/([^/]+)(/results|/cancel)?$")


class ClientGone(Exception):
    """The client closed its connection while we were still answering."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the SDK reuses connections
    # Headers and body go out in separate sends; without TCP_NODELAY each response
    # waits ~40 ms for the delayed ACK, which hides real latency in benchmarks.
    disable_nagle_algorithm = True
    server_version = "FakeAnthropic/1.0"

    # -- quiet: tests read stdout/stderr, so the server never writes there ---------------
    def log_message(self, format: str, *args: Any) -> None:
        return

    # Idle keep-alive connections are closed after this many seconds.
    timeout = 120

    def setup(self) -> None:
        super().setup()
        self.fake.connections.add(self.connection)

    def finish(self) -> None:
        self.fake.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError, ClientGone):
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    @property
    def fake(self) -> Any:  # the FakeAnthropic that owns this server
        return self.server.fake  # type: ignore[attr-defined]

    # -- low-level I/O ------------------------------------------------------------------------
    def peer_closed(self) -> bool:
        """True when the client has closed its end (EOF or reset is pending)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
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
        self.send_header("request-id", self.request_id)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.write(body)

    def send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self.send_body(status, json.dumps(obj).encode(), "application/json", headers)

    def send_error_envelope(
        self,
        status: int,
        error_type: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        error_type = error_type or ERROR_TYPES.get(status, "api_error")
        self.send_json(status, error_body(error_type, message, self.request_id), headers)

    def send_fault_status(self, fault: Fault) -> None:
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["retry-after"] = f"{fault.retry_after:g}"
        if fault.should_retry is not None:
            headers["x-should-retry"] = "true" if fault.should_retry else "false"
        self.send_error_envelope(int(fault.status or 500), fault.error_type, fault.message, headers)

    def drop(self) -> None:
        """Close the socket abruptly, mid-response or before any byte."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- request intake ---------------------------------------------------------------------
    def _read_body(self) -> tuple[str, Any]:
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
        self.raw_body, body = self._read_body()
        self.request_id = new_id("req_")
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            # Repeated headers (e.g. two anthropic-beta lines) are joined, as HTTP allows.
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self.record: RecordedRequest = RecordedRequest(
            self.command, path, self.query, headers, body, request_id=self.request_id
        )
        if path.startswith("/_fake/"):
            self._control(path, body)
            return
        self.fake.record(self.record)
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

    def _route(self, path: str, body: Any) -> None:

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
            routes.oauth(self, path, body)
            return
        problem = validate.check_auth(self.record.headers, fake)
        if problem is not None:
            self.send_error_envelope(*problem)
            return
        if method == "POST" and path == "/v1/messages":
            routes.messages(self, body, fault)
        elif method == "POST" and path == "/v1/messages/count_tokens":
            routes.count_tokens(self, body)
        elif method == "GET" and (path == "/v1/models" or path.startswith("/v1/models/")):
            routes.models(self, path)
        elif path == "/v1/messages/batches" or _BATCH.match(path):
            routes.batches(self, method, path, body, _BATCH.match(path))
        else:
            self.send_error_envelope(404, "not_found_error", f"Not found: {method} {path}")

    def _control(self, path: str, body: Any) -> None:
        fake = self.fake
        try:
            if path == "/_fake/requests" and self.command == "GET":
                self.send_json(200, [r.to_json() for r in fake.requests])
            elif path == "/_fake/enqueue" and self.command == "POST":
                fake.enqueue(from_json(body if isinstance(body, dict) else {}))
                self.send_json(200, {"queued": len(fake.pending)})
            elif path == "/_fake/reset" and self.command == "POST":
                fake.reset()
                self.send_json(200, {"ok": True})
            elif path == "/_fake/config" and self.command == "POST":
                fake.configure(**(body if isinstance(body, dict) else {}))
                self.send_json(
                    200,
                    {
                        "latency": fake.latency,
                        "deltas": fake.deltas,
                        "delta_delay": fake.delta_delay,
                    },
                )
            else:
                self.send_json(404, {"error": f"unknown control endpoint {path}"})
        except (TypeError, ValueError) as exc:
            self.send_json(400, {"error": str(exc)})
        except ClientGone:
            self.close_connection = True
