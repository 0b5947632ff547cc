"""Errors users understand.

User mistakes raise IPython's ``UsageError`` (the exact class: IPython prints
it as one line).  API failures become a :class:`ClaudeAPIError` whose
rendered traceback is one short message: status, type, meaning, fix and
request id.  Nothing here ever formats a credential, and the server's own
words pass :func:`.redact.redact` first (a 401 may echo the key it refused).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Literal, NamedTuple

from IPython.core.error import UsageError

from ._interrupts import ClaudeInterrupted
from .bounds import BodyTooLargeError
from .redact import redact
from .visible import terminal_safe
from .wire import error_envelope

__all__ = [
    "ClaudeAPIError",
    "ClaudeInterrupted",
    "FailureKind",
    "UsageError",
    "classify",
    "describe_api_error",
    "interruptible",
    "one_line",
]


def one_line(message: str) -> str:
    """Collapse whitespace so a message is a single line."""
    return " ".join(str(message).split())


class _Meaning(NamedTuple):
    meaning: str
    fix: str


_BY_TYPE: dict[str, _Meaning] = {
    "invalid_request_error": _Meaning(
        "the API rejected the request", "check the model, options and prompt in this cell"
    ),
    "authentication_error": _Meaning(
        "the credential was rejected", "run `%claude setup` or check ANTHROPIC_API_KEY"
    ),
    "billing_error": _Meaning(
        "the account has a billing problem", "check billing in the Anthropic Console"
    ),
    "permission_error": _Meaning(
        "this credential may not use that resource", "check the key's workspace and model access"
    ),
    "not_found_error": _Meaning(
        "the model or resource does not exist", "run `%claude models` to list what you can use"
    ),
    "request_too_large": _Meaning(
        "the request is too large", "send less context (`--no-history`, fewer variables)"
    ),
    "rate_limit_error": _Meaning(
        "you hit a rate limit (the SDK already retried)", "wait a little and run the cell again"
    ),
    "api_error": _Meaning(
        "the API had an internal error (the SDK already retried)", "run the cell again shortly"
    ),
    "overloaded_error": _Meaning(
        "the API is overloaded (the SDK already retried)", "run the cell again in a minute"
    ),
    "timeout_error": _Meaning(
        "the request timed out", "retry, or raise `%config ClaudeMagics.timeout`"
    ),
}

_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

_MAX_DETAIL = 200
_MAX_SCAN = 20 * _MAX_DETAIL  # characters of a server's message worth scanning

FailureKind = Literal[
    "unreadable",  # our own bounds refused the answer (too large, nested too deeply)
    "timed_out",
    "unreachable",  # no connection was made
    "dropped",  # a connection was made, then lost (mid-answer when the stream had started)
    "rate_limited",
    "overloaded",
    "refused",  # any other error status, or an `error` event inside a stream
]


def _error_fields(exc: BaseException) -> tuple[int | None, str | None, str | None, str | None]:
    """(status, error type, API message, request id) from an SDK exception."""
    status = getattr(exc, "status_code", None)
    body: object = getattr(exc, "body", None)
    err_type, message = error_envelope(body)
    err_type = err_type or getattr(exc, "type", None) or _BY_STATUS.get(status or 0)
    request_id = getattr(exc, "request_id", None)
    if request_id is None and isinstance(body, dict):
        request_id = body.get("request_id")
    return status, err_type, message, request_id


# The SDK's JSON parser hits Python's recursion limit on a deeply nested body.
_TOO_DEEP = "its JSON is nested too deeply to read"


def _cause_of_type(
    exc: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]
) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # chains can loop
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _transport_classes() -> tuple[
    tuple[type[BaseException], ...],
    tuple[type[BaseException], ...],
    tuple[type[BaseException], ...],
]:
    """(timed out, could not connect, lost after connecting) exception classes.

    By type, never by message text: SDK 2.14 lets httpx2's own error out of a
    stream that breaks, 2.17 wraps it in ``APIConnectionError`` (cause chained);
    both chains carry the httpx2 class.  Imported here, on a failure only: the
    SDK is loaded by then, and ``%load_ext`` stays cheap.
    """
    import http.client  # pulls in ssl and email: ~24 ms that %load_ext must not pay

    import anthropic
    import httpx2

    timed_out = (anthropic.APITimeoutError, httpx2.TimeoutException, TimeoutError)
    unreachable = (
        httpx2.ConnectError,
        httpx2.ProxyError,
        httpx2.UnsupportedProtocol,
        ConnectionRefusedError,
    )
    dropped = (
        httpx2.ReadError,
        httpx2.WriteError,
        httpx2.CloseError,
        httpx2.RemoteProtocolError,
        http.client.IncompleteRead,
        ConnectionResetError,
        ConnectionAbortedError,
        BrokenPipeError,
    )
    return timed_out, unreachable, dropped


def classify(exc: BaseException) -> FailureKind:
    """What kind of failure ``exc`` is, from its type and its chain of causes."""
    if _cause_of_type(exc, (BodyTooLargeError, RecursionError)) is not None:
        return "unreadable"
    import anthropic

    timed_out, unreachable, dropped = _transport_classes()
    if _cause_of_type(exc, timed_out) is not None:
        return "timed_out"
    if isinstance(exc, anthropic.APIStatusError):
        return _status_kind(exc)
    # A connect failure first: the SDK's retries can chain a later read error to it.
    if _cause_of_type(exc, unreachable) is not None:
        return "unreachable"
    if _cause_of_type(exc, dropped) is not None:
        return "dropped"
    status, err_type, _, _ = _error_fields(exc)
    if status is not None or err_type is not None:  # shaped like one (a batch item's error)
        return _status_kind(exc)
    return "unreachable"  # an APIConnectionError with no transport cause: no answer came


def _status_kind(exc: BaseException) -> FailureKind:
    import anthropic

    _, err_type, _, _ = _error_fields(exc)
    if isinstance(exc, anthropic.RateLimitError) or err_type == "rate_limit_error":
        return "rate_limited"
    if isinstance(exc, anthropic.OverloadedError) or err_type == "overloaded_error":
        return "overloaded"  # also a mid-stream `error` event (status 200) of that type
    return "refused"


def describe_api_error(
    exc: BaseException, *, base_url: str | None = None, request_id: str | None = None
) -> str:
    """One short line for any SDK or network failure.

    ``Claude API error 401 authentication_error: the credential was rejected
    ("invalid x-api-key"). Fix: run `%claude setup` … (request id req_123)``

    ``request_id``: the stream's own, known once its response started; for a lost
    connection it is what tells "dropped mid-answer" from "dropped before the answer".
    """
    return redact(_describe(exc, base_url, request_id))


def _transport_name(exc: BaseException) -> str:
    """The class name of the network error behind ``exc`` (httpx2's, under the SDK's)."""
    _, unreachable, dropped = _transport_classes()
    cause = _cause_of_type(exc, (*unreachable, *dropped))
    return type(cause or exc).__name__


def _describe(exc: BaseException, base_url: str | None, request_id: str | None) -> str:
    kind = classify(exc)
    if kind == "unreadable":  # our bounds, not the network (the SDK may wrap it): say so
        refused = _cause_of_type(exc, (BodyTooLargeError, RecursionError))
        where = f" from {base_url}" if base_url else ""
        why = str(refused) if isinstance(refused, BodyTooLargeError) else _TOO_DEEP
        return (
            f"Claude API answer refused{where}: {why}. "
            "Fix: check that ANTHROPIC_BASE_URL points at the Anthropic API."
        )
    if kind == "timed_out":
        where = f" to {base_url}" if base_url else ""
        m = _BY_TYPE["timeout_error"]
        return f"Claude API timeout{where}: {m.meaning}. Fix: {m.fix}."
    status, err_type, message, found_id = _error_fields(exc)
    if kind == "dropped":
        rid = f" (request id {request_id})" if request_id else ""
        name = _transport_name(exc)
        if request_id:  # the response had started: whatever streamed in is on screen
            return (
                f"Claude API connection dropped mid-answer ({name}): the partial answer was "
                "kept. Fix: run the cell again; check your network or proxy if it keeps "
                f"happening.{rid}"
            )
        return (
            f"Claude API connection dropped before the answer started ({name}): the server "
            "closed the connection (the SDK already retried). Fix: run the cell again; check "
            "your network, proxy or ANTHROPIC_BASE_URL if it keeps happening."
        )
    request_id = found_id or request_id
    if kind == "unreachable":
        where = f" {base_url}" if base_url else " the API"
        return (
            f"Claude API unreachable: could not connect to{where} ({_transport_name(exc)}). "
            "Fix: check your network or ANTHROPIC_BASE_URL, then run the cell again."
        )
    m = _BY_TYPE.get(err_type or "", _Meaning("the API returned an error", "see the message"))
    head = f"Claude API error {status}" if status and status != 200 else "Claude API error"
    if status == 200:  # an `error` event inside a stream that had started fine: not retried
        head = "Claude API error mid-stream"
        m = _Meaning(m.meaning.replace(" (the SDK already retried)", ""), m.fix)
    # Bounded first (a server may send megabytes), then redacted, then cut for display: a
    # key cut in half at the first cut lies far past what is shown, so none is ever half-masked.
    detail = f' ("{redact(one_line(message)[:_MAX_SCAN])[:_MAX_DETAIL]}")' if message else ""
    rid = f" (request id {request_id})" if request_id else ""
    return f"{head} {err_type}: {m.meaning}{detail}. Fix: {m.fix}.{rid}"


class ClaudeAPIError(Exception):
    """An API failure, shown to the user as one short line (see ``short_errors``)."""

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None):
        super().__init__(redact(message))
        self.status = status
        self.request_id = request_id

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of formatting a traceback.
        # The message quotes a server: no control sequence of its own reaches the screen.
        return [f"\x1b[31m{terminal_safe(str(self))}\x1b[0m"]


@contextlib.contextmanager
def interruptible(what: str) -> Iterator[None]:
    """Ctrl-C inside ends with one quiet line, ``interrupted while <what>``, not a traceback.

    For short calls made before (or instead of) the answer: the alias lookup, the
    dry run's token count, the model listing.
    """
    try:
        yield
    except ClaudeInterrupted:
        raise
    except KeyboardInterrupt:
        raise ClaudeInterrupted(f"interrupted while {what}.") from None


def api_error_from(
    exc: BaseException, *, base_url: str | None = None, request_id: str | None = None
) -> ClaudeAPIError:
    """``request_id``: the stream's own, for failures that carry none (a dropped connection)."""
    status, _, _, found_id = _error_fields(exc)
    request_id = found_id or request_id
    message = describe_api_error(exc, base_url=base_url, request_id=request_id)
    return ClaudeAPIError(message, status=status, request_id=request_id)
