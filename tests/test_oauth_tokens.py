"""The token store: file modes, refresh with rotation, the cross-process lock, logout, status."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from kuroryuu_magic.core import paths
from kuroryuu_magic.core.secretfiles import CorruptSecretFileError, InsecureSecretFileError
from kuroryuu_magic.oauth import _flow as flow
from kuroryuu_magic.oauth._tokenset import TokenSet
from kuroryuu_magic.oauth.errors import (
    LoginRequiredError,
    MalformedTokenResponseError,
    NotLoggedInError,
    TokenEndpointError,
)
from kuroryuu_magic.oauth.tokens import (
    ensure_fresh,
    load_tokens,
    logout,
    refresh_tokens,
    save_tokens,
    token_file,
    token_status,
)
from kuroryuu_magic.testing._faults import RawResponse


def _login(fake) -> TokenSet:
    attempt = flow.start_login("max")
    return flow.complete_login(attempt, fake.approve(attempt.authorize_url))


def _expire_stored() -> TokenSet:
    tokens = load_tokens()
    assert tokens is not None
    expired = TokenSet(**{**tokens.__dict__, "expires_at": time.time() - 10})
    save_tokens(expired)
    return expired


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_default_location_is_the_seed_notes_file(monkeypatch, isolated_env: Path) -> None:
    monkeypatch.delenv("KURORYUU_OAUTH_TOKEN_FILE")
    assert token_file() == isolated_env / ".kuroryuu_anthropic_oauth.json"
    monkeypatch.setenv("KURORYUU_OAUTH_TOKEN_FILE", str(isolated_env / "elsewhere.json"))
    assert paths.oauth_token_file() == isolated_env / "elsewhere.json"


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_token_file_is_private_under_any_umask(fake, umask: int) -> None:
    old = os.umask(umask)
    try:
        _login(fake)
    finally:
        os.umask(old)
    assert stat.S_IMODE(token_file().stat().st_mode) == 0o600
    leftovers = [p.name for p in token_file().parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_unsafe_or_corrupt_file_gives_typed_error_and_stays(fake) -> None:
    _login(fake)
    path = token_file()
    os.chmod(path, 0o644)
    before = path.read_bytes()
    with pytest.raises(InsecureSecretFileError):
        refresh_tokens()
    assert path.read_bytes() == before
    os.chmod(path, 0o600)
    path.write_text('{"access_token": "sk-ant-oat01-CANARY-in-a-broken-file"}')
    with pytest.raises(CorruptSecretFileError) as info:
        refresh_tokens()
    assert "CANARY" not in str(info.value)
    assert "sk-ant-oat01-CANARY" in path.read_text()  # left as it was
    assert fake.refresh_count == 0


def test_refresh_rotates_and_persists(fake) -> None:
    first = _login(fake)
    new, ours = refresh_tokens()
    assert ours and fake.refresh_count == 1
    assert new.refresh_token != first.refresh_token
    assert new.access_token != first.access_token
    assert load_tokens() == new
    assert new.account_email == first.account_email
    body = fake.token_requests[-1].body
    assert body == {
        "grant_type": "refresh_token",
        "refresh_token": first.refresh_token,
        "client_id": "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    }


def test_ensure_fresh_refreshes_only_near_expiry(fake) -> None:
    tokens = _login(fake)
    assert ensure_fresh() == tokens
    assert fake.refresh_count == 0
    _expire_stored()
    fresh = ensure_fresh()
    assert fake.refresh_count == 1
    assert fresh.seconds_left() > 3600


def test_invalid_grant_stops_retrying(fake) -> None:
    _login(fake)
    fake.oauth.refresh_tokens.clear()  # the server forgot every refresh token
    with pytest.raises(LoginRequiredError, match="log in again") as info:
        refresh_tokens()
    assert info.value.error == "invalid_grant"
    assert load_tokens().needs_login
    sent = len(fake.token_requests)
    with pytest.raises(LoginRequiredError):
        refresh_tokens()
    with pytest.raises(LoginRequiredError):
        ensure_fresh()
    assert len(fake.token_requests) == sent  # nothing retried
    assert (
        "login",
        "log in again (refresh token rejected) (mode max; diagnostics only, not used for calls)",
    ) in token_status()


@pytest.mark.parametrize(
    "override",
    [
        RawResponse("<html>oops</html>", 200, "text/html"),
        RawResponse("{not json", 200),
        RawResponse('{"refresh_token": "sk-ant-ort01-x", "expires_in": 60}', 200),
        RawResponse('{"access_token": "a", "refresh_token": "b", "expires_in": "x"}', 200),
        RawResponse("", 502, "text/html"),
    ],
)
def test_malformed_refresh_response_writes_nothing(fake, override: RawResponse) -> None:
    _login(fake)
    before = token_file().read_bytes()
    fake.token_response_override = override
    with pytest.raises(TokenEndpointError) as info:  # MalformedTokenResponseError or HTTP error
        refresh_tokens()
    assert isinstance(info.value, MalformedTokenResponseError) or info.value.status_code == 502
    assert token_file().read_bytes() == before


def test_ten_threads_cause_one_refresh(fake) -> None:
    _login(fake)
    _expire_stored()
    fake.token_delay = 0.3
    results: list[TokenSet] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(ensure_fresh())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert fake.refresh_count == 1
    assert len({r.access_token for r in results}) == 1
    assert results[0] == load_tokens()


def test_rotated_token_is_adopted_not_clobbered(fake) -> None:
    """A caller that read the old tokens before another refreshed adopts the new ones."""
    _login(fake)
    fake.token_delay = 0.5
    winner: list[TokenSet] = []
    t = threading.Thread(target=lambda: winner.append(refresh_tokens()[0]))
    t.start()
    time.sleep(0.2)  # the thread holds the lock and waits on the slow token endpoint
    adopted, ours = refresh_tokens(force=True)
    t.join(10)
    assert not ours
    assert fake.refresh_count == 1
    assert adopted == winner[0] == load_tokens()


_CHILD = textwrap.dedent(
    """
    import hashlib, json, sys, time
    from pathlib import Path
    from kuroryuu_magic.oauth.tokens import refresh_tokens
    go, force = Path(sys.argv[1]), sys.argv[2] == "force"
    Path(sys.argv[3]).touch()
    while not go.exists():
        time.sleep(0.002)
    tokens, ours = refresh_tokens(force=force)
    print(json.dumps({"ours": ours, "sha": hashlib.sha256(tokens.access_token.encode()).hexdigest()}))
    """
)


@pytest.mark.parametrize("mode", ["expired", "force"])
def test_two_processes_refresh_once(fake, tmp_path: Path, mode: str) -> None:
    _login(fake)
    if mode == "expired":
        _expire_stored()
    fake.token_delay = 1.0
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    go = tmp_path / "go"
    readies = [tmp_path / f"ready{i}" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(go), mode, str(ready)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for ready in readies
    ]
    deadline = time.monotonic() + 30
    while not all(r.exists() for r in readies) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err[-2000:]
        outs.append(json.loads(out))
    assert fake.refresh_count == 1
    assert sorted(o["ours"] for o in outs) == [False, True]
    stored = load_tokens()
    assert {o["sha"] for o in outs} == {_sha(stored.access_token)}
    # The stored refresh token is the live one: one more refresh still works.
    assert refresh_tokens()[1] and fake.refresh_count == 2


def test_logout_deletes_and_reports(fake) -> None:
    tokens = _login(fake)
    message = logout()
    assert "Logged out" in message and str(token_file()) in message
    assert not token_file().exists()
    assert "Not logged in" in logout()
    assert tokens.refresh_token not in message
    with pytest.raises(NotLoggedInError):
        refresh_tokens()


def test_status_rows_are_masked(fake) -> None:
    assert token_status()[0][1].startswith("not logged in")
    tokens = _login(fake)
    rows = dict(token_status())
    text = json.dumps(rows)
    assert tokens.access_token not in text and tokens.refresh_token not in text
    assert tokens.access_token[-4:] in rows["access token"]
    assert rows["account"] == "fake.user@example.com"
    assert rows["login"].startswith("logged in")


def test_token_repr_never_shows_tokens(fake) -> None:
    tokens = _login(fake)
    for shown in (repr(tokens), str(tokens), f"{tokens}"):
        assert tokens.access_token not in shown and tokens.refresh_token not in shown


def test_refresh_may_omit_refresh_token(fake) -> None:
    """RFC 6749 §6: without a new refresh token the old one stays."""
    first = _login(fake)
    fake.token_response_override = RawResponse(
        '{"access_token": "sk-ant-oat01-new-access-token-0000", "expires_in": 60}', 200
    )
    new, _ = refresh_tokens()
    assert new.refresh_token == first.refresh_token
    assert new.access_token.endswith("0000") and new.account_email == first.account_email


@pytest.mark.parametrize("failure", ["invalid_grant", "malformed", "unreachable"])
def test_verbose_traceback_shows_no_token(ip, fake, capsys, monkeypatch, failure: str) -> None:
    tokens = _login(fake)
    if failure == "invalid_grant":
        fake.oauth.refresh_tokens.clear()
    elif failure == "malformed":
        body = json.dumps({"access_token": "sk-ant-oat01-CANARY-IN-A-BAD-RESPONSE-000"})
        fake.token_response_override = RawResponse(body, 200)
    else:
        monkeypatch.setenv("KURORYUU_OAUTH_TOKEN_URL", "http://127.0.0.1:9/v1/oauth/token")
    ip.run_line_magic("xmode", "Verbose")
    result = ip.run_cell("from kuroryuu_magic.oauth.tokens import refresh_tokens\nrefresh_tokens()")
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "refresh_tokens" in shown and "Error" in shown  # a verbose traceback was printed
    # Every local of every library frame, as any traceback formatter could print them.
    tb = result.error_in_exec.__traceback__
    while tb is not None:
        if "kuroryuu_magic" in tb.tb_frame.f_code.co_filename:
            shown += "".join(f"{k}={v!r}" for k, v in tb.tb_frame.f_locals.items())
        tb = tb.tb_next
    assert "TokenSet(access_token='sk-ant-…" in shown  # the locals were seen, masked
    for secret in (tokens.access_token, tokens.refresh_token, "CANARY"):
        assert secret not in shown


def test_file_round_trip_and_millisecond_expiry(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    tokens = TokenSet("sk-ant-oat01-a" * 3, "sk-ant-ort01-b" * 3, 2_000_000_000.0, scope="s")
    save_tokens(tokens, path)
    assert load_tokens(path) == tokens
    data = json.loads(path.read_text())
    data["expires_at"] = 2_000_000_000_000  # milliseconds, as JavaScript tools write it
    path.write_text(json.dumps(data))
    os.chmod(path, 0o600)
    assert load_tokens(path).expires_at == 2_000_000_000.0


def test_fuzzed_token_file_bytes_raise_only_typed_errors(tmp_path: Path) -> None:
    from hypothesis import example, given
    from hypothesis import strategies as st

    path = tmp_path / "fuzz.json"
    json_values = st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=10,
    )
    fields = st.fixed_dictionaries(
        {},
        optional={
            "access_token": json_values,
            "refresh_token": json_values,
            "expires_at": json_values,
            "account": json_values,
            "organization": json_values,
            "mode": json_values,
            "scope": json_values,
            "obtained_at": json_values,
        },
    )
    raw = st.binary(max_size=200) | fields.map(lambda d: json.dumps(d).encode())

    @example(json.dumps({"access_token": "a", "refresh_token": "b", "expires_at": 1e300}).encode())
    @example(json.dumps({"access_token": "a", "refresh_token": "b", "expires_at": -1e20}).encode())
    @given(raw)
    def check(content: bytes) -> None:
        path.write_bytes(content)
        os.chmod(path, 0o600)
        try:
            tokens = load_tokens(path)
        except (CorruptSecretFileError, InsecureSecretFileError):
            return
        assert tokens is not None
        assert isinstance(tokens.access_token, str) and isinstance(tokens.expires_at, float)
        tokens.expires_text()
        repr(tokens)
        assert path.read_bytes() == content  # reading never changes the file

    check()
