"""Secret files are checked on the open descriptor, not the path (security.md 26, issue 11 item 14).

Checking a path and then opening it lets an attacker swap a FIFO, a loosened
mode or a symlink in between.  Each test below makes that swap happen at the
worst moment (just before ``os.open``) and expects a typed refusal; a FIFO must
not hang the read.  The directory's owner and mode are checked on read too.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kuroryuu_magic.core.secretfiles import (
    InsecureSecretFileError,
    SecretFileError,
    read_secret_json,
    write_secret_json,
)

NOBODY = 65534


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    directory = tmp_path / "private"
    path = directory / "secret.json"
    write_secret_json(path, {"k": "v"})
    return path


def _swap_before_open(
    monkeypatch: pytest.MonkeyPatch, target: Path, swap: Callable[[Path], None]
) -> None:
    """Run ``swap(target)`` just before the first ``os.open`` of ``target``."""
    real_open = os.open
    done = []

    def racing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if not done and os.fspath(path) == str(target):
            done.append(True)
            swap(target)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", racing_open)


def _read_in_thread(path: Path, seconds: float = 3.0) -> Any:
    """``read_secret_json(path)``'s result or exception; fails if it hangs."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = read_secret_json(path)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        # Unblock the stuck open() (a FIFO waits for a writer) before failing.
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(5)
        pytest.fail("reading the secret file hung")
    return box.get("error", box.get("value"))


def test_a_fifo_swapped_in_is_refused_without_hanging(
    secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def to_fifo(path: Path) -> None:
        path.unlink()
        os.mkfifo(path, 0o600)

    _swap_before_open(monkeypatch, secret, to_fifo)
    result = _read_in_thread(secret)
    assert isinstance(result, InsecureSecretFileError) and "not a regular file" in str(result)


def test_a_mode_loosened_in_between_is_refused(
    secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _swap_before_open(monkeypatch, secret, lambda p: p.chmod(0o644))
    result = _read_in_thread(secret)
    assert isinstance(result, InsecureSecretFileError) and "chmod 600" in str(result)


def test_a_symlink_swapped_in_is_refused(
    secret: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"k": "attacker"}))
    elsewhere.chmod(0o600)

    def to_link(path: Path) -> None:
        path.unlink()
        path.symlink_to(elsewhere)

    _swap_before_open(monkeypatch, secret, to_link)
    result = _read_in_thread(secret)
    assert isinstance(result, InsecureSecretFileError) and "symlink" in str(result)


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give a file away")
def test_a_file_owned_by_someone_else_is_refused(secret: Path) -> None:
    before = secret.read_bytes()
    os.chown(secret, NOBODY, NOBODY)
    with pytest.raises(InsecureSecretFileError, match="not you") as info:
        read_secret_json(secret)
    assert "chown" in str(info.value) and secret.read_bytes() == before


def test_a_directory_others_can_write_is_refused_on_read(secret: Path) -> None:
    secret.parent.chmod(0o777)
    with pytest.raises(InsecureSecretFileError, match="written by other users") as info:
        read_secret_json(secret)
    assert str(secret.parent) in str(info.value) and "chmod go-w" in str(info.value)


def test_a_sticky_shared_directory_is_accepted(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: others can't replace a file they don't own
    path = shared / "secret.json"
    write_secret_json(path, {"k": "v"}, private_dir=False)
    assert read_secret_json(path) == {"k": "v"}


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give a directory away")
def test_a_directory_owned_by_someone_else_is_refused_on_read(secret: Path) -> None:
    os.chown(secret.parent, NOBODY, NOBODY)
    with pytest.raises(InsecureSecretFileError, match="not you"):
        read_secret_json(secret)


def test_a_private_regular_file_still_reads_and_stays_unchanged(secret: Path) -> None:
    before = secret.read_bytes()
    assert read_secret_json(secret) == {"k": "v"}
    assert secret.read_bytes() == before
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert read_secret_json(secret.parent / "missing.json") is None


def test_every_refusal_is_a_secret_file_error_with_one_line(secret: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for bad in (blocker / "secret.json", secret.parent / "fifo.json"):
        if bad.name == "fifo.json":
            os.mkfifo(bad, 0o600)
        with pytest.raises(SecretFileError) as info:
            read_secret_json(bad)
        assert "\n" not in str(info.value) and str(bad) in str(info.value)
