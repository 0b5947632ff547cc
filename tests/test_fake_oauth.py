"""The fake Claude OAuth server: authorize, approve/deny, exchange, refresh rotation."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import anthropic
import pytest

from kuroryuu_magic.testing import FakeAnthropic, RawResponse
from kuroryuu_magic.testing._oauth import CLIENT_ID, DEFAULT_SCOPE, s256

pytest_plugins = ["kuroryuu_magic.testing.pytest_plugin"]


@pytest.fixture
def fake(fake_anthropic: FakeAnthropic) -> FakeAnthropic:
    return fake_anthropic


def pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return verifier, s256(verifier)


def authorize_url(fake: FakeAnthropic, challenge: str, state: str, **over: str) -> str:
    params = {
        "code": "true",
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": fake.env()["KURORYUU_OAUTH_REDIRECT_URI"],
        "scope": DEFAULT_SCOPE,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
    }
    params.update(over)
    return f"{fake.env()['KURORYUU_OAUTH_AUTHORIZE_URL']}?{urlencode(params)}"


def post_token(fake: FakeAnthropic, body: Any, content_type: str = "application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(fake.env()["KURORYUU_OAUTH_TOKEN_URL"], data=data, method="POST")
    req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get_content_type(), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read().decode()


def exchange(fake: FakeAnthropic, code_state: str, verifier: str, **over: str):
    code, state = code_state.split("#", 1)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "state": state,
        "client_id": CLIENT_ID,
        "redirect_uri": fake.env()["KURORYUU_OAUTH_REDIRECT_URI"],
        "code_verifier": verifier,
    }
    body.update(over)
    status, _, text = post_token(fake, body)
    return status, json.loads(text)


def login(fake: FakeAnthropic) -> dict[str, Any]:
    verifier, challenge = pkce()
    status, tokens = exchange(fake, fake.approve(authorize_url(fake, challenge, "st")), verifier)
    assert status == 200
    return tokens


def test_pkce_rfc7636_vector() -> None:
    assert (
        s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_authorize_page_shows_code_and_state(fake: FakeAnthropic) -> None:
    verifier, challenge = pkce()
    with urllib.request.urlopen(authorize_url(fake, challenge, "state123"), timeout=5) as resp:
        page = resp.read().decode()
    shown = re.search(r'id="code">([^<]+)<', page).group(1)
    assert shown.endswith("#state123")
    assert fake.oauth.challenges == [challenge]
    status, tokens = exchange(fake, shown, verifier)
    assert status == 200
    assert tokens["token_type"] == "Bearer"
    assert tokens["access_token"].startswith("sk-ant-oat01-")
    assert tokens["refresh_token"].startswith("sk-ant-ort01-")
    assert tokens["expires_in"] == 28800
    assert tokens["scope"] == DEFAULT_SCOPE
    assert set(tokens["organization"]) == {"uuid", "name"}
    assert set(tokens["account"]) == {"uuid", "email_address"}
    assert fake.token_requests[0].body["grant_type"] == "authorization_code"


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ({"client_id": "someone-else"}, "client_id"),
        ({"response_type": "token"}, "response_type"),
        ({"redirect_uri": "https://evil.example/cb"}, "redirect_uri"),
        ({"code_challenge_method": "plain"}, "S256"),
        ({"state": ""}, "state"),
        ({"code_challenge": "short"}, "code_challenge"),
    ],
)
def test_authorize_rejects_bad_requests(fake: FakeAnthropic, override: dict, needle: str) -> None:
    _, challenge = pkce()
    override = dict(override)
    url = authorize_url(fake, challenge, override.pop("state", "s"), **override)
    with pytest.raises(ValueError, match=needle):
        fake.approve(url)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(url, timeout=5)
    assert info.value.code == 400
    assert needle in info.value.read().decode()


def test_deny(fake: FakeAnthropic) -> None:
    _, challenge = pkce()
    callback = fake.deny(authorize_url(fake, challenge, "s1"))
    query = parse_qs(urlsplit(callback).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["s1"]
    fake.oauth_deny = True
    with urllib.request.urlopen(authorize_url(fake, challenge, "s2"), timeout=5) as resp:
        assert 'id="error"' in resp.read().decode()


def test_code_replay_state_and_pkce_mismatch(fake: FakeAnthropic) -> None:
    verifier, challenge = pkce()
    shown = fake.approve(authorize_url(fake, challenge, "st"))
    assert exchange(fake, shown, verifier)[0] == 200
    status, body = exchange(fake, shown, verifier)
    assert (status, body["error"]) == (400, "invalid_grant")  # replayed code

    shown = fake.approve(authorize_url(fake, challenge, "st"))
    assert exchange(fake, shown, "x" * 43)[1]["error"] == "invalid_grant"  # PKCE mismatch

    shown = fake.approve(authorize_url(fake, challenge, "st"))
    assert exchange(fake, shown, verifier, state="other")[1]["error"] == "invalid_grant"

    assert exchange(fake, "unknown#st", verifier)[1]["error"] == "invalid_grant"


def test_token_endpoint_takes_json_and_form_bodies(fake: FakeAnthropic) -> None:
    # RFC 6749 §4.1.3: public clients post form-encoded bodies; the fake parses them too.
    form = urlencode({"grant_type": "refresh_token", "refresh_token": "x", "client_id": CLIENT_ID})
    status, _, text = post_token(fake, form.encode(), "application/x-www-form-urlencoded")
    assert status == 400 and json.loads(text)["error"] == "invalid_grant"  # parsed: unknown token
    status, _, text = post_token(fake, form.encode(), "text/plain")
    assert status == 400 and json.loads(text)["error"] == "invalid_request"


def test_refresh_rotates_and_old_token_dies(fake: FakeAnthropic) -> None:
    first = login(fake)
    body = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": CLIENT_ID,
    }
    status, _, text = post_token(fake, body)
    second = json.loads(text)
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert fake.refresh_count == 1
    status, _, text = post_token(fake, body)  # reuse of the rotated token
    assert (status, json.loads(text)["error"]) == (400, "invalid_grant")


def test_concurrent_refresh_with_token_delay_has_one_winner(fake: FakeAnthropic) -> None:
    tokens = login(fake)
    fake.token_delay = 0.2
    body = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": CLIENT_ID,
    }
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(post_token(fake, body)[0]))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 400]
    assert fake.refresh_count == 1


@pytest.mark.parametrize(
    "override",
    [
        RawResponse("<html>Cloudflare</html>", 200, "text/html"),
        RawResponse("not json", 200),
        RawResponse('{"token_type": "Bearer", "expires_in": 3600}', 200),
        RawResponse('{"access_token": "sk-ant-oat01-x", "expires_in": "soon"}', 200),
        RawResponse("oops", 502, "text/plain"),
    ],
)
def test_token_response_override(fake: FakeAnthropic, override: RawResponse) -> None:
    fake.token_response_override = override
    status, ctype, text = post_token(fake, {"grant_type": "refresh_token"})
    assert status == override.status
    assert ctype == override.content_type
    assert text == override.body


def _call(fake: FakeAnthropic, token: str, beta: bool) -> anthropic.APIStatusError:
    headers = {"anthropic-beta": "oauth-2025-04-20"} if beta else {}
    c = anthropic.Anthropic(
        base_url=fake.base_url, auth_token=token, default_headers=headers, max_retries=0
    )
    with pytest.raises(anthropic.APIStatusError) as info:
        c.messages.create(
            model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    return info.value


def test_oauth_tokens_on_messages(fake: FakeAnthropic) -> None:
    token = login(fake)["access_token"]
    err = _call(fake, token, beta=True)
    assert err.status_code == 400 and "only authorized for use with Claude Code" in err.message
    err = _call(fake, token, beta=False)
    assert err.status_code == 401 and "currently not supported" in err.message
    fake.oauth_scope_missing = True
    err = _call(fake, token, beta=True)
    assert err.status_code == 403 and err.type == "permission_error"
    fake.oauth_org_not_allowed = True
    assert "not allowed for this organization" in _call(fake, token, beta=True).message
    fake.expired_tokens.add(token)
    assert "has expired" in _call(fake, token, beta=True).message


def test_expiry_passes() -> None:
    with FakeAnthropic(oauth_expires_in=0) as fake:
        token = login(fake)["access_token"]
        err = _call(fake, token, beta=True)
    assert err.status_code == 401 and "has expired" in err.message
