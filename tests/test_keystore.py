"""The key file (modes, atomicity, refusals, fuzz), the OS keyring and Colab lookups."""

from __future__ import annotations

import json
import os
import stat
import sys
import types
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuroryuu_magic.core.secretfiles import (
    CorruptSecretFileError,
    InsecureSecretFileError,
    SecretFileError,
)
from kuroryuu_magic.keys import _store as keystore
from tests._credentials_helpers import KEY_A, KEY_B, BrokenKeyring, MemoryKeyring, isolated

__all__ = ["isolated"]  # the fixture, imported for pytest


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_key_file_is_0600_in_a_0700_dir_under_any_umask(isolated: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        path = keystore.write_key_file(KEY_A)
    finally:
        os.umask(old)
    assert path == isolated / "anthropic_api_key.json"
    assert _mode(path) == 0o600
    assert _mode(isolated) == 0o700
    assert keystore.read_key_file() == KEY_A


def test_key_file_says_do_not_share(isolated: Path) -> None:
    path = keystore.write_key_file(KEY_A)
    data = json.loads(path.read_text())
    assert "Do not share" in data["_note"]
    assert data["anthropic_api_key"] == KEY_A


def test_loose_existing_file_is_refused_then_tightened_by_save(isolated: Path) -> None:
    path = keystore.write_key_file(KEY_A)
    os.chmod(path, 0o644)
    os.chmod(isolated, 0o755)
    before = path.read_bytes()
    with pytest.raises(InsecureSecretFileError, match="chmod 600") as info:
        keystore.read_key_file()
    assert KEY_A not in str(info.value)
    assert path.read_bytes() == before and _mode(path) == 0o644  # untouched by the read
    keystore.write_key_file(KEY_B)
    assert _mode(path) == 0o600 and _mode(isolated) == 0o700
    assert keystore.read_key_file() == KEY_B


def test_failed_replace_keeps_old_bytes_and_leaves_no_temp(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = keystore.write_key_file(KEY_A)
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        keystore.write_key_file(KEY_B)
    assert path.read_bytes() == before
    assert sorted(p.name for p in isolated.iterdir()) == [path.name]


def test_symlinked_key_file_is_refused_and_left_alone(isolated: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"anthropic_api_key": KEY_A}))
    os.chmod(target, 0o600)
    isolated.mkdir(parents=True)
    link = isolated / "anthropic_api_key.json"
    link.symlink_to(target)
    with pytest.raises(InsecureSecretFileError, match="symlink"):
        keystore.read_key_file()
    with pytest.raises(InsecureSecretFileError, match="symlink"):
        keystore.write_key_file(KEY_B)
    assert link.is_symlink() and json.loads(target.read_text())["anthropic_api_key"] == KEY_A


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[1, 2]", b'{"other": 1}', b'{"anthropic_api_key": 7}', b"[" * 50_000],
)
def test_corrupt_key_file_is_refused_and_left_alone(isolated: Path, content: bytes) -> None:
    isolated.mkdir(parents=True)
    path = isolated / "anthropic_api_key.json"
    path.write_bytes(content)
    os.chmod(path, 0o600)
    with pytest.raises(CorruptSecretFileError, match="save"):
        keystore.read_key_file()
    assert path.read_bytes() == content


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_fuzzed_key_file_bytes_raise_only_typed_errors(isolated: Path, content: bytes) -> None:
    isolated.mkdir(parents=True, exist_ok=True)
    path = isolated / "anthropic_api_key.json"
    path.write_bytes(content)
    os.chmod(path, 0o600)
    try:
        result = keystore.read_key_file()
    except SecretFileError as exc:
        assert str(exc).startswith(str(path))  # names the file, quotes none of it
    else:
        assert isinstance(result, str) and result
    assert path.read_bytes() == content


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=200).filter(lambda s: s.strip() == s and s))
def test_key_file_round_trips(isolated: Path, key: str) -> None:
    keystore.write_key_file(key)
    assert keystore.read_key_file() == key


def test_delete_key_file(isolated: Path) -> None:
    assert keystore.delete_key_file() is False
    keystore.write_key_file(KEY_A)
    assert keystore.delete_key_file() is True
    assert keystore.read_key_file() is None


# --- keyring ---------------------------------------------------------------------------------


def test_keyring_without_backend_is_unavailable(isolated: Path) -> None:
    ok, reason = keystore.keyring_status()
    assert ok is False and "no usable keyring backend" in reason
    with pytest.raises(keystore.KeyringError):
        keystore.keyring_get()
    assert keystore.keyring_delete() is False


def test_keyring_not_installed(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)
    ok, reason = keystore.keyring_status()
    assert ok is False and "kuroryuu-magic[keyring]" in reason


def test_keyring_round_trip(isolated: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    assert keystore.keyring_status() == (True, backend.name)
    assert keystore.keyring_get() is None
    keystore.keyring_set(KEY_A)
    assert backend.store[(keystore.KEYRING_SERVICE, keystore.KEYRING_USERNAME)] == KEY_A
    assert keystore.keyring_get() == KEY_A
    assert keystore.keyring_delete() is True
    assert keystore.keyring_delete() is False
    assert keystore.keyring_get() is None


def test_broken_keyring_errors_are_typed_and_redacted(isolated: Path) -> None:
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(keystore.KeyringError, match="DBus"):
        keystore.keyring_get()
    with pytest.raises(keystore.KeyringError) as info:
        keystore.keyring_set(KEY_A)
    assert KEY_A not in str(info.value) and "[secret]" in str(info.value)
    with pytest.raises(keystore.KeyringError):
        keystore.keyring_delete()


# --- Colab -----------------------------------------------------------------------------------


def _fake_colab(monkeypatch: pytest.MonkeyPatch, get: object) -> None:
    google = types.ModuleType("google")
    colab = types.ModuleType("google.colab")
    userdata = types.ModuleType("google.colab.userdata")
    userdata.get = get  # type: ignore[attr-defined]
    colab.userdata = userdata  # type: ignore[attr-defined]
    google.colab = colab  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.userdata", userdata)


class SecretNotFoundError(Exception):
    pass


class NotebookAccessError(Exception):
    pass


def test_colab_outside_colab(isolated: Path) -> None:
    assert keystore.in_colab() is False
    assert keystore.colab_get() is None


def test_colab_secret_found(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_colab(monkeypatch, lambda name: KEY_A if name == "ANTHROPIC_API_KEY" else None)
    assert keystore.in_colab() is True
    assert keystore.colab_get() == KEY_A


def test_colab_secret_missing_or_denied(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise SecretNotFoundError(name)

    _fake_colab(monkeypatch, missing)
    assert keystore.colab_get() is None

    def denied(name: str) -> str:
        raise NotebookAccessError(name)

    _fake_colab(monkeypatch, denied)
    with pytest.raises(keystore.ColabSecretError, match="Secrets sidebar"):
        keystore.colab_get()
