"""Diagnose: the checklist, the classification table, and no spoofing headers ever."""

from __future__ import annotations

import socket

import pytest

from kuroryuu_magic.oauth import _flow as flow
from kuroryuu_magic.oauth._guard import forbidden_reason
from kuroryuu_magic.oauth.diagnose import API_KEY_ADVICE, OAUTH_BETA, _ApiAnswer, classify, diagnose
from kuroryuu_magic.oauth.tokens import load_tokens


def _login(fake):
    attempt = flow.start_login("max")
    return flow.complete_login(attempt, fake.approve(attempt.authorize_url))


def _assert_no_spoofing(fake) -> None:
    assert fake.requests, "the fake saw no request"
    for req in fake.requests:
        assert forbidden_reason(req.headers.items()) is None, req.headers
        assert "claude-cli" not in req.headers.get("user-agent", "").lower()
        assert "claude-code" not in req.headers.get("anthropic-beta", "")
        if isinstance(req.body, dict):
            assert "metadata" not in req.body


def test_claude_code_only_verdict(fake) -> None:
    tokens = _login(fake)
    result = diagnose()
    labels = [c.label for c in result.checks]
    assert labels[:3] == [
        "Token file present and private",
        "Access token not expired",
        "Refresh works",
    ]
    assert [c.ok for c in result.checks] == [True, True, True, False]
    assert "mode 600" in result.checks[0].detail
    assert result.status_code == 400 and result.error_type == "invalid_request_error"
    assert "only authorized for use with Claude Code" in result.checks[-1].detail
    assert "Claude Code" in result.verdict and result.advice.endswith(API_KEY_ADVICE)
    # The supported way for a subscriber: Claude Code itself, over %claude mcp.
    assert "%claude mcp" in result.verdict and "%claude mcp" in result.advice
    assert "%claude setup" in result.to_text()
    msg = fake.messages_requests()[-1]
    assert msg.headers["anthropic-beta"] == OAUTH_BETA
    assert msg.headers["authorization"] == f"Bearer {load_tokens().access_token}"
    assert "x-api-key" not in msg.headers
    assert msg.body["max_tokens"] == 1
    shown = result.to_text() + result._repr_html_() + repr(result)
    for secret in (tokens.access_token, tokens.refresh_token, load_tokens().access_token):
        assert secret not in shown
    _assert_no_spoofing(fake)


def test_org_not_allowed(fake) -> None:
    _login(fake)
    fake.oauth_org_not_allowed = True
    result = diagnose()
    assert result.status_code == 401
    assert "organization" in result.verdict and "lapsed" in result.verdict


def test_scope_missing(fake) -> None:
    _login(fake)
    fake.oauth_scope_missing = True
    result = diagnose()
    assert result.status_code == 403 and "scope" in result.verdict


def test_expired_token_answer(fake, monkeypatch) -> None:
    _login(fake)
    issue = fake.oauth._issue

    def issue_expired(scope: str):  # every token the fake now issues is already dead
        body = issue(scope)
        fake.expired_tokens.add(body["access_token"])
        return body

    monkeypatch.setattr(fake.oauth, "_issue", issue_expired)
    result = diagnose()
    assert result.status_code == 401 and "expired" in result.verdict
    assert "Refresh" in result.advice


def test_expired_stored_token_is_refreshed_first(fake) -> None:
    from kuroryuu_magic.oauth._tokenset import TokenSet
    from kuroryuu_magic.oauth.tokens import save_tokens

    tokens = _login(fake)
    save_tokens(TokenSet(**{**tokens.__dict__, "expires_at": 1.0}))
    result = diagnose()
    assert result.checks[1].ok and "refreshed" in result.checks[1].detail
    assert result.checks[2].detail == "yes (just refreshed)"
    assert fake.refresh_count == 1
    assert result.status_code == 400


def test_network_failure(fake) -> None:
    _login(fake)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = diagnose(base_url=f"http://127.0.0.1:{port}")
    last = result.checks[-1]
    assert last.ok is False and f"127.0.0.1:{port}" in last.detail
    assert "could not be reached" in result.verdict


def test_not_logged_in_makes_no_request(fake) -> None:
    result = diagnose()
    assert result.checks[0].ok is False
    assert "not logged in" in result.verdict.lower()
    assert fake.requests == []


def test_refresh_rejected_stops(fake) -> None:
    _login(fake)
    fake.oauth.refresh_tokens.clear()
    result = diagnose()
    assert result.checks[-1].label == "Refresh works" and result.checks[-1].ok is False
    assert "log in again" in result.advice.lower()
    assert fake.messages_requests() == []


@pytest.mark.parametrize(
    "custom",
    ["User-Agent: claude-cli/2.0.29 (external, sdk-py)", "x-app: cli"],
)
def test_spoofing_headers_from_env_are_never_sent(fake, monkeypatch, custom: str) -> None:
    _login(fake)
    monkeypatch.setenv("ANTHROPIC_CUSTOM_HEADERS", custom)
    result = diagnose()
    assert fake.messages_requests() == []
    assert result.checks[-1].ok is False and "never impersonates" in result.checks[-1].detail
    assert "Nothing was sent" in result.verdict
    _assert_no_spoofing(fake)


def test_claude_code_beta_from_env_is_overridden(fake, monkeypatch) -> None:
    _login(fake)
    monkeypatch.setenv("ANTHROPIC_CUSTOM_HEADERS", "Anthropic-Beta: claude-code-20250219")
    diagnose()
    assert fake.messages_requests()[-1].headers["anthropic-beta"] == OAUTH_BETA
    _assert_no_spoofing(fake)


@pytest.mark.parametrize(
    ("status", "etype", "message", "word"),
    [
        (400, "invalid_request_error", "This credential is only authorized for use with Claude Code and cannot be used for other API requests.", "Claude Code"),
        (401, "authentication_error", "OAuth authentication is currently not supported.", "anthropic-beta"),
        (401, "authentication_error", "OAuth token has expired. Please refresh.", "expired"),
        (401, "authentication_error", "OAuth authentication is currently not allowed for this organization.", "organization"),
        (403, "permission_error", "OAuth token does not meet scope requirement user:inference", "scope"),
        (500, "api_error", "Internal", "HTTP 500"),
    ],
)  # fmt: skip
def test_classification_table(status: int, etype: str, message: str, word: str) -> None:
    ok, detail, verdict, advice = classify(
        _ApiAnswer(status, etype, message, "req_1"), "https://api.anthropic.com"
    )
    assert ok is False
    assert word in verdict
    assert "req_1" in detail and str(status) in detail
    assert advice


def test_forbidden_reason() -> None:
    assert forbidden_reason([("User-Agent", "Anthropic/Python 2.14.0")]) is None
    assert forbidden_reason([("anthropic-beta", OAUTH_BETA)]) is None
    assert forbidden_reason([("user-agent", "claude-cli/2.0.29")])
    assert forbidden_reason([("anthropic-beta", "oauth-2025-04-20, claude-code-20250219")])


def test_debug_logs_hold_no_token(fake, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    for name in ("anthropic", "httpx", "httpx2", "httpcore", "kuroryuu_magic"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    first = _login(fake)
    diagnose()
    logs = caplog.text
    assert logs  # the SDK did log its requests
    for secret in [*fake.oauth.access_expiry, first.refresh_token, load_tokens().refresh_token]:
        assert secret not in logs
