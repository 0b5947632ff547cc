"""The token endpoint request (RFC 6749 §4.1.3 exchange, §6 refresh), sent as JSON.

Anthropic's token endpoint takes a JSON body.  ``httpx2`` (installed with the
SDK) is imported lazily; tests pass an ``httpx2.MockTransport``.  The raw
request and response exist only inside :func:`_send`, which never raises, so
no traceback frame (even with ``%xmode Verbose``) shows a token, code or
verifier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.bounds import MAX_TOKEN_BODY_BYTES, BodyTooLargeError, loads_bounded, read_capped
from ..core.redact import redact
from ..core.wire import error_envelope
from ._config import OAuthConfig, require_secure_url
from ._guard import USER_AGENT, check_headers
from ._tokenset import TokenSet, token_set_from_response
from .errors import (
    InvalidGrantError,
    MalformedTokenResponseError,
    OAuthError,
    TokenEndpointError,
    TokenEndpointUnreachableError,
)

if TYPE_CHECKING:  # httpx2 (the SDK's HTTP library) is imported when a request is sent
    from httpx2 import BaseTransport


__all__ = ["RedactedBody", "post_token_request"]

TIMEOUT_SECONDS = 30.0


class RedactedBody(dict):  # type: ignore[type-arg]
    """A request body whose repr names its keys but never its values."""

    def __repr__(self) -> str:
        grant = self.get("grant_type")
        return f"RedactedBody(grant_type={grant!r}, keys={sorted(self)!r})"

    __str__ = __repr__


@dataclass(frozen=True)
class _Answer:
    status: int = 0
    content_type: str = ""
    body: object = field(default=None, repr=False)  # parsed JSON: narrowed where read
    not_json: bool = False
    too_large: bool = False
    failure: str | None = None


def _send(url: str, body: RedactedBody, transport: BaseTransport | None, timeout: float) -> _Answer:
    """POST ``body``; never raises (see the module docstring)."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        check_headers(headers.items())
        import httpx2

        with httpx2.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
            payload = json.dumps(dict(body))
            with client.stream("POST", url, content=payload, headers=headers) as response:
                # Streamed and capped: the server decides the size, we decide what we read.
                raw = read_capped(
                    response.iter_bytes(),
                    MAX_TOKEN_BODY_BYTES,
                    response.headers.get("content-length"),
                )
    except BodyTooLargeError:
        return _Answer(
            response.status_code,
            response.headers.get("content-type", ""),
            None,
            not_json=True,
            too_large=True,
        )
    except OAuthError as exc:
        return _Answer(failure=str(exc))
    except Exception as exc:  # network errors, timeouts: describe by class, never by payload
        return _Answer(failure=f"{type(exc).__name__}: {_safe_reason(exc)}")
    content_type = response.headers.get("content-type", "")
    try:
        return _Answer(response.status_code, content_type, loads_bounded(raw))
    except Exception:  # ValueError from loads_bounded, or anything else: never raise
        return _Answer(response.status_code, content_type, None, not_json=True)


def _safe_reason(exc: Exception) -> str:
    text = redact(" ".join(str(exc).split()))  # before the cut, so no half key survives
    return text[:200] if text else "no details"


def _error_from(answer: _Answer) -> TokenEndpointError:
    body = answer.body if isinstance(answer.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), str) else None
    desc = body.get("error_description")
    desc = redact(" ".join(desc.split()))[:300] if isinstance(desc, str) else None
    if error is None and isinstance(body.get("error"), dict):  # an API-style error envelope
        error, msg = error_envelope(body)
        desc = redact(" ".join(msg.split()))[:300] if msg else desc
    kind = InvalidGrantError if error == "invalid_grant" else TokenEndpointError
    what = error or ("an HTML page" if "html" in answer.content_type else "no error code")
    message = f"the token endpoint refused the request (HTTP {answer.status}, {what})"
    if desc:
        message += f": {desc}"
    if kind is InvalidGrantError:
        message += "; log in again"
    return kind(message, error=error, error_description=desc, status_code=answer.status)


def post_token_request(
    config: OAuthConfig,
    body: RedactedBody,
    *,
    previous: TokenSet | None = None,
    transport: BaseTransport | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> TokenSet:
    """POST ``body`` to the token endpoint and return the validated :class:`TokenSet`.

    Raises ``InvalidGrantError``, ``TokenEndpointError``,
    ``MalformedTokenResponseError`` (non-JSON, HTML, missing fields) or
    ``TokenEndpointUnreachableError``.  Makes exactly one request, no retries.
    """
    require_secure_url(config.token_url, "token URL")
    answer = _send(config.token_url, body, transport, timeout)
    if answer.failure is not None:
        raise TokenEndpointUnreachableError(
            f"could not reach the token endpoint {config.token_url} ({answer.failure})",
            error="network_error",
            error_description=answer.failure,
        )
    if not 200 <= answer.status < 300:
        raise _error_from(answer)
    if answer.not_json:
        kind = "an HTML page" if "html" in answer.content_type.lower() else "a non-JSON body"
        if answer.too_large:
            kind = f"a body over {MAX_TOKEN_BODY_BYTES:,} bytes"
        raise MalformedTokenResponseError(
            f"the token endpoint sent {kind} instead of JSON (HTTP {answer.status})",
            error="malformed_response",
            error_description=kind,
            status_code=answer.status,
        )
    tokens, problem = token_set_from_response(
        answer.body, mode=config.mode, previous=previous, status_code=answer.status
    )
    if problem is not None:
        raise problem
    assert tokens is not None
    return tokens
