"""The ``/_fake/*`` control endpoints, guarded even though the server is loopback-only.

A web page in the user's browser can reach 127.0.0.1, so (security.md 27):

- every control call needs the per-server token in the ``x-fake-control-token``
  header (``fake.control_token``; ``fake.env()`` exports it as
  ``KURORYUU_FAKE_CONTROL_TOKEN`` and the CLI prints it).  A cross-origin page can
  neither read the token nor send a custom header without a CORS preflight, which
  the fake never grants;
- the ``Host`` header must name a loopback address (defeats DNS rebinding); the API
  endpoints check it too (``_handler``), so a rebinding page cannot spend a test key;
- recorded requests returned over HTTP have their credentials redacted;
- bodies are capped (see ``_handler.MAX_CONTROL_BYTES``).
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from ._exchange import Exchange
from ._faults import from_json

TOKEN_HEADER = "x-fake-control-token"  # noqa: S105 (a header name, not a secret)
TOKEN_ENV = "KURORYUU_FAKE_CONTROL_TOKEN"  # noqa: S105 (a variable name)
_LOOPBACK_HOST = re.compile(r"^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$", re.IGNORECASE)
_SECRET_HEADERS = ("authorization", "x-api-key", "proxy-authorization", "cookie", TOKEN_HEADER)
_SECRET_FIELDS = (
    "access_token",
    "refresh_token",
    "code",
    "code_verifier",
    "client_secret",
    "api_key",
)
# Key and token shapes anywhere in a recorded body (an API key pasted into a prompt).
_SECRET_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_-]{4,}")
REDACTED = "[redacted]"


def loopback_host(headers: dict[str, str]) -> bool:
    """The ``Host`` header names a loopback address (a DNS-rebinding page's would not)."""
    return bool(_LOOPBACK_HOST.match(headers.get("host", "")))


def refused(h: Exchange) -> tuple[int, str] | None:
    """(status, reason) when a control call must be refused, else None."""
    if not loopback_host(h.record.headers):
        return 403, "control endpoints answer only to a loopback Host"
    token = h.record.headers.get(TOKEN_HEADER, "")
    if not hmac.compare_digest(token.encode(), h.fake.control_token.encode()):
        return 403, f"control endpoints need the {TOKEN_HEADER} header (see fake.env())"
    return None


def _scrub(value: object) -> object:
    if isinstance(value, str):
        return _SECRET_SHAPE.sub(REDACTED, value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {
            k: REDACTED if k in _SECRET_FIELDS and isinstance(v, str) else _scrub(v)
            for k, v in value.items()
        }
    return value


def redacted(record: dict[str, Any]) -> dict[str, Any]:
    """A recorded request as JSON with credentials masked."""
    out = dict(record)
    headers = {}
    for name, value in record.get("headers", {}).items():
        if name in _SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] + " " if " " in value else ""
            headers[name] = scheme + REDACTED
        else:
            headers[name] = _scrub(value)
    out["headers"] = headers
    out["body"] = _scrub(record.get("body"))
    out["query"] = _scrub(record.get("query"))
    return out


def serve(h: Exchange, path: str, body: object) -> None:
    """Answer one control call (the guard has already passed)."""
    fake = h.fake
    try:
        if path == "/_fake/requests" and h.command == "GET":
            h.send_json(200, [redacted(r.to_json()) for r in fake.requests])
        elif path == "/_fake/tool_results" and h.command == "GET":
            h.send_json(200, _scrub(fake.tool_results))
        elif path == "/_fake/enqueue" and h.command == "POST":
            fake.enqueue(from_json(body if isinstance(body, dict) else {}))
            h.send_json(200, {"queued": len(fake.pending)})
        elif path == "/_fake/reset" and h.command == "POST":
            fake.reset()
            h.send_json(200, {"ok": True})
        elif path == "/_fake/config" and h.command == "POST":
            fake.configure(**(body if isinstance(body, dict) else {}))
            h.send_json(
                200,
                {"latency": fake.latency, "deltas": fake.deltas, "delta_delay": fake.delta_delay},
            )
        else:
            h.send_json(404, {"error": f"unknown control endpoint {path}"})
    except (TypeError, ValueError) as exc:
        h.send_json(400, {"error": str(exc)})
