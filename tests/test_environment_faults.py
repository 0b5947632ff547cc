"""Environment faults give one line that names the path and the fix (security.md 25, issue 11
item 12): a config dir left owned by root, an unwritable ``KURORYUU_CONFIG_DIR``, a token
path inside a file, a held token lock.  ``%claude status`` still runs and reports them, and
a lock wait from a cell is short and says who holds the lock.

The suite runs as root, whom permissions don't stop, so "owned by root, and you are not
root" is simulated: the current uid is reported as 1000 and ``os.open``/``mkstemp`` in that
directory fail with ``EACCES`` exactly as the kernel would answer a normal user.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.core import secretfiles
from kuroryuu_magic.keys import _store as keystore
from kuroryuu_magic.keys import chain
from kuroryuu_magic.keys._terminal import run_terminal_setup
from kuroryuu_magic.oauth._tokenset import TokenSet
from kuroryuu_magic.oauth.tokens import save_tokens
from tests._credentials_helpers import KEY_A, isolated
from tests.conftest import run_cell

__all__ = ["isolated"]  # a fixture, imported for pytest


def _status(ip: Any, capsys: pytest.CaptureFixture[str]) -> str:
    run_cell(ip, "%claude status")
    return capsys.readouterr().out


def _one_line(exc: BaseException, *words: str) -> str:
    text = str(exc)
    assert type(exc) is UsageError, type(exc)
    assert "\n" not in text, text
    for word in words:
        assert word in text, (word, text)
    return text


def _tokens() -> TokenSet:
    return TokenSet("sk-ant-oat01-" + "a" * 60, "sk-ant-ort01-" + "b" * 60, time.time() + 3600)


# -- a config dir left owned by root --------------------------------------------------------


@pytest.fixture
def root_owned(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The config dir (with a key file) and the token file's dir belong to root; we are uid 1000."""
    keystore.write_key_file(KEY_A)
    token_dir = isolated.parent / "oauth-root"
    token_dir.mkdir()
    save_tokens(_tokens(), token_dir / "tokens.json")
    monkeypatch.setenv("KURORYUU_OAUTH_TOKEN_FILE", str(token_dir / "tokens.json"))
    walls = (str(isolated), str(token_dir))
    monkeypatch.setattr(secretfiles, "_uid", lambda: 1000, raising=False)
    real_open, real_mkstemp = os.open, tempfile.mkstemp

    def denied(path: Any) -> bool:
        return os.path.dirname(os.fspath(path)) in walls

    def open_as_user(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    def mkstemp_as_user(*args: Any, **kwargs: Any) -> Any:
        if str(kwargs.get("dir")) in walls:
            raise PermissionError(errno.EACCES, "Permission denied", str(kwargs["dir"]))
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(os, "open", open_as_user)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_as_user)
    return isolated


def test_root_owned_config_dir_prompt_gives_one_line(ip: Any, root_owned: Path) -> None:
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%%claude\nhello")
    _one_line(info.value, str(root_owned), "root", "sudo chown")


def test_root_owned_config_dir_status_still_runs(ip: Any, root_owned: Path, capsys: Any) -> None:
    out = _status(ip, capsys)
    assert "key file" in out and "sudo chown" in out and "base URL" in out


def test_root_owned_config_dir_setup_gives_one_line(root_owned: Path) -> None:
    answers = iter(["s", "1", "n"])  # save, to the key file (no keyring here), no test
    with pytest.raises(UsageError) as info:
        run_terminal_setup(
            secret_prompt=lambda _: KEY_A, ask=lambda _: next(answers), say=lambda _: None
        )
    _one_line(info.value, str(root_owned), "sudo chown")
    assert KEY_A[20:40] not in str(info.value)


def test_root_owned_token_dir_logout_gives_one_line(ip: Any, root_owned: Path) -> None:
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%claude logout")
    _one_line(info.value, "oauth-root", "sudo chown", "KURORYUU_OAUTH_TOKEN_FILE")


# -- an unwritable KURORYUU_CONFIG_DIR (a real one: /sys refuses even root) -------------------


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_unwritable_config_dir_save_and_status(
    ip: Any, isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("KURORYUU_CONFIG_DIR", "/sys/kuroryuu-test")
    with pytest.raises(secretfiles.SecretFileError) as info:
        chain.save_key(KEY_A, "file")
    assert "/sys/kuroryuu-test" in str(info.value) and "KURORYUU_CONFIG_DIR" in str(info.value)
    assert isinstance(info.value, OSError) and "\n" not in str(info.value)
    answers = iter(["1"])
    with pytest.raises(UsageError) as setup:
        run_terminal_setup(
            secret_prompt=lambda _: KEY_A, ask=lambda _: next(answers), say=lambda _: None
        )
    _one_line(setup.value, "/sys/kuroryuu-test")
    assert "base URL" in _status(ip, capsys)


# -- a token path inside a file -------------------------------------------------------------


@pytest.fixture
def token_in_file(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolated.parent.mkdir(parents=True, exist_ok=True)
    blocker = isolated.parent / "not-a-dir"
    blocker.write_text("a file")
    monkeypatch.setenv("KURORYUU_OAUTH_TOKEN_FILE", str(blocker / "tokens.json"))
    return blocker


def test_token_path_inside_a_file_logout(ip: Any, token_in_file: Path) -> None:
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%claude logout")
    _one_line(info.value, str(token_in_file), "is a file, not a directory")


def test_token_path_inside_a_file_status_and_save(
    ip: Any, token_in_file: Path, capsys: Any
) -> None:
    out = _status(ip, capsys)
    assert "is a file, not a directory" in out and str(token_in_file) in out
    from kuroryuu_magic.oauth.errors import OAuthError

    with pytest.raises(OAuthError) as info:  # what a login's save meets; the panel shows it
        save_tokens(_tokens())
    assert "is a file, not a directory" in str(info.value)


# -- a held token lock ------------------------------------------------------------------------

_HOLD = """
import sys, time
from pathlib import Path
from kuroryuu_magic.oauth._lock import token_file_lock
with token_file_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(30)
"""


@pytest.fixture
def held_lock(isolated: Path) -> Any:
    from kuroryuu_magic.oauth.tokens import token_file

    save_tokens(_tokens())
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(token_file())],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait(10)


@pytest.mark.timeout(30)
def test_held_lock_logout_is_short_and_names_the_holder(ip: Any, held_lock: Any) -> None:
    started = time.monotonic()
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%claude logout")
    waited = time.monotonic() - started
    _one_line(info.value, f"process {held_lock.pid}", ".lock")
    assert waited < 8, waited


@pytest.mark.timeout(30)
def test_held_lock_status_reports_it(ip: Any, held_lock: Any, capsys: Any) -> None:
    started = time.monotonic()
    out = _status(ip, capsys)
    assert f"process {held_lock.pid}" in out and "logged in" in out
    assert time.monotonic() - started < 3


@pytest.mark.timeout(30)
def test_held_lock_login_fails_before_the_code_is_spent(fake: Any, held_lock: Any) -> None:
    from kuroryuu_magic.oauth import _flow as flow
    from kuroryuu_magic.oauth.errors import TokenLockTimeoutError

    attempt = flow.start_login("max")
    with pytest.raises(TokenLockTimeoutError, match=f"process {held_lock.pid}"):
        flow.complete_login(attempt, fake.approve(attempt.authorize_url))
    assert not attempt.used and not fake.token_requests  # the code can still be used
