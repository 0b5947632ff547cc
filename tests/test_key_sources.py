"""Keys from every source are shape-checked before use (security.md 23, issue 11 item 2).

A key with a line break in ``ANTHROPIC_API_KEY`` used to reach the HTTP layer,
whose error quoted the whole ``Bearer sk-ant-…`` header value.  Every source is
now checked; a bad key is refused in one line that names the source and never
echoes the value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.keys import _store as keystore
from kuroryuu_magic.keys import chain
from tests._credentials_helpers import KEY_A, isolated, memory_keyring
from tests.conftest import run_cell

__all__ = ["isolated", "memory_keyring"]  # fixtures, imported for pytest

BROKEN = {
    "line break": KEY_A[:50] + "\n" + KEY_A[50:],
    "inner space": KEY_A[:50] + " " + KEY_A[50:],
    "NAME= prefix": f"ANTHROPIC_API_KEY={KEY_A}",
    "export prefix": f"export ANTHROPIC_API_KEY={KEY_A}",
    "quotes": f'"{KEY_A}"',
    "oauth token": "sk-ant-oat01-" + "x" * 80,
    "cut off": KEY_A[:25],
}


def _assert_one_line_without_key(message: str, source: str) -> None:
    assert "\n" not in message and source in message
    for start in range(13, len(KEY_A) - 8, 8):
        assert KEY_A[start : start + 8] not in message


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_environment_key_is_shape_checked(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", raw)
    with pytest.raises(UsageError) as info:
        chain.resolve_credential()
    assert type(info.value) is UsageError
    _assert_one_line_without_key(str(info.value), "ANTHROPIC_API_KEY")


def test_surrounding_whitespace_in_the_environment_is_tolerated(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", f"  {KEY_A}\n")
    cred = chain.resolve_credential()
    assert cred is not None and cred.secret == KEY_A


def test_a_cell_with_a_broken_environment_key_fails_in_one_line(
    ip, fake, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", fake.api_key[:30] + "\n" + fake.api_key[30:])
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%%claude\nhello")
    message = str(info.value)
    assert "ANTHROPIC_API_KEY" in message and "line break" in message
    assert fake.api_key[30:] not in message + capsys.readouterr().out
    assert not fake.messages_requests()  # refused before anything was sent


def test_keyring_key_is_shape_checked(memory_keyring, monkeypatch: pytest.MonkeyPatch) -> None:
    memory_keyring.set_password(keystore.KEYRING_SERVICE, keystore.KEYRING_USERNAME, "x " + KEY_A)
    chain.set_session_key(None)
    with pytest.raises(UsageError) as info:
        chain.resolve_credential()
    _assert_one_line_without_key(str(info.value), "OS keyring")
    rows = dict(chain.credential_status())  # status still runs and says why
    assert "OS keyring" in rows["warning"]


def test_key_file_key_is_shape_checked(isolated: Path) -> None:
    keystore.write_key_file(KEY_A[:40] + "\r" + KEY_A[40:])
    with pytest.raises(UsageError) as info:
        chain.resolve_credential()
    _assert_one_line_without_key(str(info.value), "key file")


def test_auth_token_with_a_line_break_is_refused(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "tok-" + "y" * 30 + "\n" + "z" * 30)
    with pytest.raises(UsageError) as info:
        chain.resolve_credential()
    assert "ANTHROPIC_AUTH_TOKEN" in str(info.value) and "zzzz" not in str(info.value)
