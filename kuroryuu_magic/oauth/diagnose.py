"""Diagnose: a short checklist that explains what the API says about the OAuth token.

Each :class:`Check` passes or fails with its reason; the :class:`Diagnosis`
ends with a verdict in plain words and what to do instead.  The one API call
is plain: ``Authorization: Bearer <token>`` plus ``anthropic-beta:
oauth-2025-04-20`` through the official SDK, no retries, never a Claude Code
user agent or beta (every request passes :func:`._guard.check_request`).
"""

from __future__ import annotations

import html
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..core.redact import redact
from ..core.secretfiles import SecretFileError
from ..core.wire import env_base_url, error_envelope
from ._config import is_loopback_host
from ._guard import check_request
from ._tokenset import TokenSet
from .errors import ForbiddenHeaderError, LoginRequiredError, OAuthError
from .tokens import REFRESH_MARGIN_SECONDS, load_tokens, refresh_tokens, token_file

if TYPE_CHECKING:  # httpx2 (the SDK's HTTP library) is imported when a request is sent
    import anthropic
    import httpx2
    from httpx2 import BaseTransport


__all__ = ["API_KEY_ADVICE", "OAUTH_BETA", "Check", "Diagnosis", "classify", "diagnose"]

OAUTH_BETA = "oauth-2025-04-20"
DIAGNOSE_MODEL = "claude-haiku-4-5"
API_KEY_ADVICE = (
    "Use an API key instead: run %claude setup (create a key in the Anthropic Console)."
)
_API_LABEL = f"One API call (Authorization: Bearer + anthropic-beta: {OAUTH_BETA})"


@dataclass(frozen=True)
class Check:
    """One checklist line: ``ok`` is True, False, or None when it was skipped."""

    label: str
    ok: bool | None
    detail: str

    def __post_init__(self) -> None:
        # Details quote the token endpoint and the API, which may echo a token.
        object.__setattr__(self, "detail", redact(self.detail))

    def line(self) -> str:
        mark = {True: "PASS", False: "FAIL", None: "SKIP"}[self.ok]
        return f"[{mark}] {self.label}: {self.detail}"


@dataclass(frozen=True)
class Diagnosis:
    """The checklist, the verdict and the advice; holds no secret."""

    checks: tuple[Check, ...]
    verdict: str
    advice: str
    status_code: int | None = None
    error_type: str | None = None
    request_id: str | None = None

    def to_text(self) -> str:
        lines = [check.line() for check in self.checks]
        return "\n".join([*lines, f"Verdict: {self.verdict}", f"What to do: {self.advice}"])

    __str__ = to_text

    def _repr_html_(self) -> str:
        return self.checks_html(verdict=True)

    def checks_html(self, *, verdict: bool = False) -> str:
        """The checks and the advice; the login widget shows the verdict as its status line."""
        color = {True: "#1a7f37", False: "#cf222e", None: "#6e7781"}
        mark = {True: "✓", False: "✗", None: "–"}
        items = "".join(
            f'<li><span style="color:{color[c.ok]}">{mark[c.ok]}</span> '
            f"<b>{html.escape(c.label)}</b>: {html.escape(c.detail)}</li>"
            for c in self.checks
        )
        said = f"<p><b>Verdict:</b> {html.escape(self.verdict)}</p>" if verdict else ""
        return (
            f'<ul style="list-style:none;padding-left:0">{items}</ul>{said}'
            f"<p><b>What to do:</b> {html.escape(self.advice)}</p>"
        )


@dataclass(frozen=True)
class _ApiAnswer:
    status: int | None = None
    error_type: str | None = None
    message: str = ""
    request_id: str | None = None
    network: str | None = None
    refused: str | None = None


# The facts table (anthropic-facts.md, incl. "More OAuth answers"): (HTTP status,
# lower-case message fragment, verdict, advice).  One distinct verdict per answer.
_RELOGIN = "Log in again. " + API_KEY_ADVICE
_TABLE: tuple[tuple[int, str, str, str], ...] = (
    (
        400,
        "only authorized for use with claude code",
        "Your login works, but Anthropic authorizes this subscription token only for "
        "Claude Code, so the API refuses it for any other tool. This is Anthropic's "
        "policy, not a bug, and kuroryuu-magic will not work around it. The supported "
        "way to use your subscription with this notebook is %claude mcp: Claude Code, "
        "logged in with your subscription, then works on this notebook's live variables.",
        "Run %claude mcp and paste the command it prints into a terminal; or, to ask "
        "from the notebook itself: " + API_KEY_ADVICE,
    ),
    (
        401,
        "not supported",
        "The API answered that OAuth is not supported for this request. A missing "
        f"anthropic-beta: {OAUTH_BETA} header is one cause (a proxy may strip it; "
        "kuroryuu-magic sends it), but not the only one: Claude Code, which always "
        "sends it, gets the same answer too, for example right after a usage limit "
        "was reached or when the account may not use OAuth for this request.",
        "Check any proxy between you and the API; if there is none, wait for your "
        "usage limit to reset and run Diagnose again. " + API_KEY_ADVICE,
    ),
    (
        401,
        "expired",
        "The access token has expired.",
        "Click Refresh (or run Diagnose again); if that fails, log in again.",
    ),
    (
        401,
        "organization",
        "OAuth is not allowed for this organization: the subscription lapsed or an "
        "organization policy forbids it.",
        "Check your plan at claude.ai. " + API_KEY_ADVICE,
    ),
    (
        401,
        "invalid oauth token",
        "The API does not know this OAuth token: it was not found or is malformed "
        "(cut short when copied, or issued by another server).",
        _RELOGIN,
    ),
    (
        401,
        "invalid bearer token",
        "The API rejected the bearer token in the Authorization header as unknown: "
        "it is not a token the API has issued or still honours.",
        _RELOGIN,
    ),
    (
        403,
        "revoked",
        "The token has been revoked (a logout elsewhere, a password change, or "
        "Anthropic withdrew it), so it can no longer be used or refreshed.",
        _RELOGIN,
    ),
    (
        403,
        "request not allowed",
        "Anthropic refused the request for this account or from where you are (an "
        "account or region policy); the token itself was not the problem.",
        "Check your account at claude.ai and that you are in a supported region. " + API_KEY_ADVICE,
    ),
    (
        403,
        "scope",
        "The token lacks a scope the API requires ({scope}).",
        "Log in again and approve every requested scope. " + API_KEY_ADVICE,
    ),
)
_SCOPE = re.compile(r"[a-z_]+:[a-z_]+")


def _missing_scope(message: str) -> str:
    """The scope the 403 names after "scope requirement" (on its own line in the API's text)."""
    _head, _sep, tail = message.partition("requirement")
    found = _SCOPE.findall(tail)
    return ", ".join(found) if found else "a scope the message does not name"


def classify(answer: _ApiAnswer, base_url: str) -> tuple[bool, str, str, str]:
    """``(ok, detail, verdict, advice)`` for the API's answer (the facts table)."""
    msg, low = answer.message, answer.message.lower()
    rid = f" (request id {answer.request_id})" if answer.request_id else ""
    head = f"HTTP {answer.status} {answer.error_type or ''}".rstrip()
    detail = f"{head}: {msg}{rid}" if msg else f"{head}{rid}"
    if answer.refused:
        return (False, answer.refused, "Nothing was sent: " + answer.refused, API_KEY_ADVICE)
    if answer.network:
        return (
            False,
            f"could not reach {base_url} ({answer.network})",
            "The API could not be reached, so the token was not tested.",
            "Check your network or ANTHROPIC_BASE_URL and run Diagnose again.",
        )
    if answer.status == 200:
        return (
            True,
            "HTTP 200: the API accepted the token",
            "The API accepted this token. Anthropic's terms still reserve subscription "
            "tokens for its own apps, so don't build on it.",
            API_KEY_ADVICE,
        )
    for status, needle, verdict, advice in _TABLE:
        if answer.status == status and needle in low:
            return (False, detail, verdict.format(scope=_missing_scope(msg)), advice)
    return (False, detail, f"The API refused the token ({head}).", API_KEY_ADVICE)


def _guard_request(request: httpx2.Request) -> None:
    check_request(request)


def _insecure_base_url(base_url: str) -> str | None:
    """Why the token must not be sent to ``base_url`` (plain http off loopback), or None."""
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return None
    return (
        f"ANTHROPIC_BASE_URL {base_url} is not an https URL, so the token would travel "
        "unencrypted; use https (plain http only for 127.0.0.1/localhost)"
    )


def _call_api(
    tokens: TokenSet, base_url: str, transport: BaseTransport | None, model: str, timeout: float
) -> _ApiAnswer:
    """Make the one API call; never raises, so no frame with the token reaches a traceback."""
    refused = _insecure_base_url(base_url)
    if refused is not None:  # the same rule as for the token endpoint (RFC 6749 §3.1)
        return _ApiAnswer(refused=refused)
    try:
        import anthropic

        from ..core.bounds import capped_response_hooks

        hooks: dict[str, list[Callable[..., Any]]] = {
            "request": [_guard_request],
            **capped_response_hooks(),
        }
        http_client = anthropic.DefaultHttpxClient(transport=transport, event_hooks=hooks)
        client = anthropic.Anthropic(
            auth_token=tokens.access_token,
            base_url=base_url,
            default_headers={"anthropic-beta": OAUTH_BETA},
            max_retries=0,
            timeout=timeout,
            http_client=http_client,
        )
    except Exception as exc:
        return _ApiAnswer(network=f"could not create the client: {type(exc).__name__}")
    try:
        client.messages.create(
            model=model, max_tokens=1, messages=[{"role": "user", "content": "ping"}]
        )
        return _ApiAnswer(status=200)
    except anthropic.APIStatusError as exc:
        return _status_answer(exc)
    except Exception as exc:  # APIConnectionError and anything a hook raised
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ForbiddenHeaderError):
                return _ApiAnswer(refused=str(cause))
            cause = cause.__cause__ or cause.__context__
        return _ApiAnswer(network=type(exc).__name__)
    finally:
        client.close()


def _status_answer(exc: anthropic.APIStatusError) -> _ApiAnswer:
    err_type, message = error_envelope(exc.body)
    return _ApiAnswer(
        status=exc.status_code,
        error_type=err_type,
        message=redact(" ".join((message or "").split()))[:300],
        request_id=exc.request_id,
    )


def _mode(path: Path) -> str:
    try:
        return f"{stat.S_IMODE(path.stat().st_mode):o}"
    except OSError:
        return "unknown"


def _stop(checks: list[Check], verdict: str, advice: str) -> Diagnosis:
    return Diagnosis(tuple(checks), verdict, advice)


def diagnose(
    *,
    path: Path | None = None,
    base_url: str | None = None,
    transport: BaseTransport | None = None,
    model: str = DIAGNOSE_MODEL,
    timeout: float = 30.0,
) -> Diagnosis:
    """Run the checklist: file, expiry, refresh, one API call; never raises for OAuth trouble."""
    path = path or token_file()
    base_url = base_url or env_base_url()
    checks: list[Check] = []
    label = "Token file present and private"
    try:
        tokens = load_tokens(path)
    except SecretFileError as exc:
        checks.append(Check(label, False, str(exc)))
        return _stop(checks, "The stored tokens can't be used.", "Log out, then log in again.")
    if tokens is None:
        checks.append(Check(label, False, f"no tokens at {path}"))
        return _stop(
            checks, "You are not logged in.", "Complete the login first. " + API_KEY_ADVICE
        )
    checks.append(Check(label, True, f"{path} (mode 600)"))

    label, refreshed = "Access token not expired", False
    if tokens.needs_login:
        checks.append(Check(label, False, "the refresh token was rejected earlier"))
        return _stop(checks, "The login has ended.", "Log in again. " + API_KEY_ADVICE)
    if tokens.expires_within(REFRESH_MARGIN_SECONDS):
        try:
            tokens, refreshed = refresh_tokens(force=False, path=path, transport=transport)
            checks.append(Check(label, True, f"was expiring; refreshed: {tokens.expires_text()}"))
        except OAuthError as exc:
            checks.append(Check(label, False, f"expired and the refresh failed: {exc}"))
            return _stop(checks, "The token expired and could not be refreshed.", "Log in again.")
    else:
        checks.append(Check(label, True, f"valid until {tokens.expires_text()}"))

    label = "Refresh works"
    if refreshed:
        checks.append(Check(label, True, "yes (just refreshed)"))
    else:
        try:
            tokens, ours = refresh_tokens(force=True, path=path, transport=transport)
            how = "new tokens stored" if ours else "another process had just refreshed"
            checks.append(Check(label, True, f"yes: {how}, valid until {tokens.expires_text()}"))
        except LoginRequiredError as exc:
            checks.append(Check(label, False, str(exc)))
            return _stop(checks, "The login has ended.", "Log in again. " + API_KEY_ADVICE)
        except OAuthError as exc:
            checks.append(Check(label, False, str(exc)))

    answer = _call_api(tokens, base_url, transport, model, timeout)
    ok, detail, verdict, advice = classify(answer, base_url)
    checks.append(Check(_API_LABEL, ok, detail))
    return Diagnosis(
        tuple(checks), verdict, advice, answer.status, answer.error_type, answer.request_id
    )
