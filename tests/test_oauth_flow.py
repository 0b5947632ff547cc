"""PKCE, configuration, pasted-code parsing, the state check and the code exchange."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from kuroryuu_magic.oauth import _config as config
from kuroryuu_magic.oauth import _flow as flow
from kuroryuu_magic.oauth import _pkce as pkce
from kuroryuu_magic.oauth.errors import (
    AuthorizationDeniedError,
    InsecureEndpointError,
    InvalidGrantError,
    MalformedTokenResponseError,
    MissingCodeError,
    OAuthError,
    ReplayedCodeError,
    StateMismatchError,
    TokenEndpointUnreachableError,
)
from kuroryuu_magic.oauth.tokens import load_tokens, token_file

# -- PKCE (RFC 7636) -------------------------------------------------------------------


def test_pkce_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce.code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_verifier_shape_and_uniqueness() -> None:
    verifiers = {pkce.new_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    for v in verifiers:
        assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", v)
        assert len(v) == 43  # 32 random bytes, base64url, no padding


def test_state_is_random_and_not_the_verifier() -> None:
    attempt = flow.start_login("max")
    assert attempt.state != attempt.verifier
    assert len(attempt.state) >= 22  # >= 128 bits in base64url
    states = {flow.start_login("max").state for _ in range(20)}
    assert len(states) == 20


@pytest.mark.parametrize("bad", ["short", "x" * 129, "a" * 42 + "!", "a" * 43 + " "])
def test_bad_verifier_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        pkce.code_challenge(bad)


# -- configuration ----------------------------------------------------------------------


def test_default_endpoints_per_mode() -> None:
    cfg_max, cfg_console = config.load_config("max"), config.load_config("console")
    assert cfg_max.authorize_url == "https://claude.ai/oauth/authorize"
    assert cfg_console.authorize_url == "https://platform.claude.com/oauth/authorize"
    assert cfg_max.token_url == "https://platform.claude.com/v1/oauth/token"
    assert cfg_max.client_id == "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
    assert cfg_max.scope == "org:create_api_key user:profile user:inference"


def test_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KURORYUU_OAUTH_AUTHORIZE_URL", "http://127.0.0.1:9/oauth/authorize")
    monkeypatch.setenv("KURORYUU_OAUTH_TOKEN_URL", "http://localhost:9/v1/oauth/token")
    monkeypatch.setenv("KURORYUU_OAUTH_CLIENT_ID", "my-client")
    monkeypatch.setenv("KURORYUU_OAUTH_REDIRECT_URI", "http://127.0.0.1:9/cb")
    cfg = config.load_config("console")
    assert cfg.authorize_url == "http://127.0.0.1:9/oauth/authorize"
    assert cfg.token_url == "http://localhost:9/v1/oauth/token"
    assert (cfg.client_id, cfg.redirect_uri) == ("my-client", "http://127.0.0.1:9/cb")


@pytest.mark.parametrize(
    "url",
    ["http://example.com/v1/oauth/token", "ftp://127.0.0.1/x", "http://10.0.0.1/t", "token"],
)
def test_non_https_token_endpoint_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("KURORYUU_OAUTH_TOKEN_URL", url)
    with pytest.raises(InsecureEndpointError):
        config.load_config("max")


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/t", "http://[::1]:1/t", "http://localhost/t"])
def test_loopback_http_allowed(url: str) -> None:
    assert config.require_secure_url(url, "token URL") == url


def test_unknown_mode() -> None:
    with pytest.raises(OAuthError, match="max, console"):
        config.load_config("pro")


def test_authorize_url_has_every_parameter() -> None:
    attempt = flow.start_login("console")
    parts = urlsplit(attempt.authorize_url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.netloc == "platform.claude.com"
    assert q == {
        "code": "true",
        "client_id": config.CLIENT_ID,
        "response_type": "code",
        "redirect_uri": config.REDIRECT_URI,
        "scope": "org:create_api_key user:profile user:inference",
        "code_challenge": pkce.code_challenge(attempt.verifier),
        "code_challenge_method": "S256",
        "state": attempt.state,
    }
    assert attempt.verifier not in attempt.authorize_url
    assert attempt.verifier not in repr(attempt)


# -- what the user pastes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "abc123#st4te",
        "  abc123#st4te\n",
        "abc1\n23#st4te ",
        "https://platform.claude.com/oauth/code/callback?code=abc123&state=st4te",
        " https://x.test/cb?state=st4te&code=abc123 ",
        "https://x.test/cb?code=abc123#st4te",
    ],
)
def test_parse_pasted(text: str) -> None:
    cb = flow.parse_pasted(text)
    assert (cb.code, cb.state, cb.error) == ("abc123", "st4te", None)


def test_parse_pasted_error_callback() -> None:
    cb = flow.parse_pasted("https://x.test/cb?error=access_denied&error_description=nope&state=s")
    assert (cb.error, cb.error_description, cb.code) == ("access_denied", "nope", None)


def _counting_transport(calls: list[httpx2.Request], answer: httpx2.Response | None = None):
    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return answer or httpx2.Response(500)

    return httpx2.MockTransport(handler)


@pytest.mark.parametrize(
    ("pasted", "error"),
    [
        ("", MissingCodeError),
        ("#onlystate", MissingCodeError),
        ("code-without-state", StateMismatchError),
        ("code#wrong-state", StateMismatchError),
        ("https://x.test/cb?error=access_denied&state=s", AuthorizationDeniedError),
    ],
)
def test_bad_callbacks_rejected_before_any_request(pasted: str, error: type) -> None:
    calls: list[httpx2.Request] = []
    attempt = flow.start_login("max")
    with pytest.raises(error) as info:
        flow.complete_login(attempt, pasted, transport=_counting_transport(calls))
    assert calls == []
    assert not attempt.used
    assert attempt.state not in str(info.value)
    assert load_tokens() is None


def _ok_body(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "token_type": "Bearer",
        "access_token": "sk-ant-oat01-CANARYACCESS-0123456789",
        "refresh_token": "sk-ant-ort01-CANARYREFRESH-0123456789",
        "expires_in": 28800,
        "scope": "user:inference user:profile",
        "organization": {"uuid": "org-1", "name": "Org"},
        "account": {"uuid": "acc-1", "email_address": "me@example.com"},
    }
    body.update(extra)
    return body


def test_exchange_sends_json_with_pkce_and_stores() -> None:
    calls: list[httpx2.Request] = []
    attempt = flow.start_login("max")
    transport = _counting_transport(calls, httpx2.Response(200, json=_ok_body()))
    tokens = flow.complete_login(attempt, f"thecode#{attempt.state}", transport=transport)
    assert len(calls) == 1
    req = calls[0]
    assert str(req.url) == config.TOKEN_URL
    assert req.headers["content-type"] == "application/json"
    assert "claude" not in req.headers["user-agent"].lower()
    assert json.loads(req.content) == {
        "grant_type": "authorization_code",
        "code": "thecode",
        "state": attempt.state,
        "client_id": config.CLIENT_ID,
        "redirect_uri": config.REDIRECT_URI,
        "code_verifier": attempt.verifier,
    }
    assert tokens.account_email == "me@example.com"
    assert load_tokens() == tokens
    assert "CANARY" not in repr(tokens) and "CANARY" not in str(tokens)


def test_replayed_attempt_rejected_before_request() -> None:
    calls: list[httpx2.Request] = []
    attempt = flow.start_login("max")
    transport = _counting_transport(calls, httpx2.Response(200, json=_ok_body()))
    flow.complete_login(attempt, f"thecode#{attempt.state}", transport=transport)
    with pytest.raises(ReplayedCodeError):
        flow.complete_login(attempt, f"thecode#{attempt.state}", transport=transport)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (httpx2.Response(200, text="not json"), "non-JSON"),
        (httpx2.Response(200, html="<html>login</html>"), "HTML"),
        (httpx2.Response(200, json=["a", "list"]), "not a JSON object"),
        (httpx2.Response(200, json=_ok_body(access_token=None)), "no access_token"),
        (httpx2.Response(200, json=_ok_body(access_token="")), "no access_token"),
        (httpx2.Response(200, json=_ok_body(refresh_token=None)), "no refresh_token"),
        (httpx2.Response(200, json=_ok_body(expires_in="soon")), "expires_in"),
        (httpx2.Response(200, json=_ok_body(expires_in=-5)), "expires_in"),
        (httpx2.Response(200, json=_ok_body(expires_in=True)), "expires_in"),
        (httpx2.Response(200, json=_ok_body(expires_in=10**12)), "expires_in"),
        (httpx2.Response(200, json=_ok_body(token_type="mac")), "Bearer"),
    ],
)
def test_malformed_token_responses_write_nothing(response: httpx2.Response, fragment: str) -> None:
    attempt = flow.start_login("max")
    with pytest.raises(MalformedTokenResponseError, match=fragment) as info:
        flow.complete_login(
            attempt, f"c#{attempt.state}", transport=_counting_transport([], response)
        )
    assert "CANARY" not in str(info.value)
    assert "CANARY" not in _traceback_locals(info.tb)  # what %xmode Verbose would print
    assert not token_file().exists()


def _traceback_locals(tb) -> str:
    """repr() of every local in every library frame of a traceback."""
    seen = []
    while tb is not None:
        frame = tb.tb_frame
        if "kuroryuu_magic" in frame.f_code.co_filename:
            seen += [f"{k}={v!r}" for k, v in frame.f_locals.items()]
        tb = tb.tb_next
    assert seen, "no library frame in the traceback"
    return "\n".join(seen)


def test_token_endpoint_error_is_typed() -> None:
    attempt = flow.start_login("max")
    body = {"error": "invalid_grant", "error_description": "Invalid code"}
    transport = _counting_transport([], httpx2.Response(400, json=body))
    with pytest.raises(InvalidGrantError) as info:
        flow.complete_login(attempt, f"c#{attempt.state}", transport=transport)
    err = info.value
    assert (err.error, err.error_description, err.status_code) == (
        "invalid_grant",
        "Invalid code",
        400,
    )
    assert "log in again" in str(err)
    assert not token_file().exists()


def test_network_failure_is_typed() -> None:
    def boom(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    attempt = flow.start_login("max")
    with pytest.raises(TokenEndpointUnreachableError, match="connection refused") as info:
        flow.complete_login(attempt, f"c#{attempt.state}", transport=httpx2.MockTransport(boom))
    assert attempt.verifier not in str(info.value)


# -- against the fake server ----------------------------------------------------------------


def test_full_flow_against_fake(fake) -> None:
    attempt = flow.start_login("max")
    pasted = fake.approve(attempt.authorize_url)
    tokens = flow.complete_login(attempt, f"  {pasted}\n")
    assert tokens.access_token.startswith("sk-ant-oat01-")
    assert tokens.account_email == "fake.user@example.com"
    assert tokens.organization_name == "Fake Organization"
    assert len(fake.token_requests) == 1


def test_deny_and_mismatch_against_fake_make_no_token_request(fake) -> None:
    attempt = flow.start_login("max")
    with pytest.raises(AuthorizationDeniedError, match="access_denied"):
        flow.complete_login(attempt, fake.deny(attempt.authorize_url))
    other = flow.start_login("max")
    code, _, _ = fake.approve(other.authorize_url).partition("#")
    with pytest.raises(StateMismatchError):
        flow.complete_login(attempt, f"{code}#{other.state[::-1]}")
    assert fake.token_requests == []


def test_fake_rejects_replayed_code(fake) -> None:
    """A second attempt re-sending a spent code gets invalid_grant from the server."""
    first = flow.start_login("max")
    pasted = fake.approve(first.authorize_url)
    flow.complete_login(first, pasted)
    clone = flow.LoginAttempt(first.config, first.verifier, first.state)
    with pytest.raises(InvalidGrantError):
        flow.complete_login(clone, pasted)


# -- bounds on what the token endpoint sends (security.md 24) --------------------------------


def _streamed(chunks, headers=None) -> httpx2.Response:
    """A response whose body arrives in chunks, with no Content-Length (chunked)."""

    def body():
        yield from chunks

    return httpx2.Response(
        200, headers=headers or {"content-type": "application/json"}, content=body()
    )


@pytest.mark.parametrize(
    "response",
    [
        # 2 MB of JSON whitespace, sent chunked: only the cap stops it.
        pytest.param(
            lambda: _streamed([b"{" + b" " * 65_536] + [b" " * 65_536] * 32), id="chunked"
        ),
        pytest.param(
            lambda: httpx2.Response(200, json=_ok_body(pad="x" * 1_100_000)), id="content-length"
        ),
    ],
)
def test_token_response_over_the_cap_is_a_typed_error(response) -> None:
    attempt = flow.start_login("max")
    with pytest.raises(MalformedTokenResponseError, match="over 1,000,000 bytes"):
        flow.complete_login(
            attempt, f"c#{attempt.state}", transport=_counting_transport([], response())
        )
    assert not token_file().exists()


def test_token_response_reading_stops_at_the_cap() -> None:
    sent: list[int] = []

    def endless():  # 13 MB, so the old code finishes (and fails) instead of hanging
        for _ in range(200):
            sent.append(1)
            yield b" " * 65_536

    attempt = flow.start_login("max")
    response = httpx2.Response(200, headers={"content-type": "application/json"}, content=endless())
    with pytest.raises(MalformedTokenResponseError):
        flow.complete_login(
            attempt, f"c#{attempt.state}", transport=_counting_transport([], response)
        )
    assert len(sent) <= 17  # 1 MB and one chunk, not the whole stream


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deeply_nested_token_response_is_a_typed_error(depth: int) -> None:
    attempt = flow.start_login("max")
    response = httpx2.Response(200, content=b"[" * depth + b"]" * depth)
    with pytest.raises(MalformedTokenResponseError, match="non-JSON"):
        flow.complete_login(
            attempt, f"c#{attempt.state}", transport=_counting_transport([], response)
        )
    assert not token_file().exists()
