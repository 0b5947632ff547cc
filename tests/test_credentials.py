"""The credential chain, status rows, save/forget, the key check, and masking."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import given
from hypothesis import strategies as st
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from kuroryuu_magic.core.mask import mask
from kuroryuu_magic.keys import _store as keystore
from kuroryuu_magic.keys import chain as credentials
from kuroryuu_magic.keys._shape import KeyShapeError, normalize_key
from kuroryuu_magic.testing import Fault
from tests._credentials_helpers import (
    KEY_A,
    KEY_B,
    KEY_BAD,
    BrokenKeyring,
    MemoryKeyring,
    isolated,
    memory_keyring,
)
from tests.test_keystore import _fake_colab

__all__ = ["isolated", "memory_keyring"]  # fixtures, imported for pytest

KEY_C = "sk-ant-api03-" + "D" * 80 + "dddd"
KEY_E = "sk-ant-api03-" + "E" * 80 + "eeee"


def _source() -> str | None:
    cred = credentials.resolve_credential()
    return None if cred is None else cred.source


def _status_text() -> str:
    return repr(credentials.credential_status())


def test_chain_order_first_match_wins(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    keystore.write_key_file(KEY_A)
    memory_keyring.set_password(keystore.KEYRING_SERVICE, keystore.KEYRING_USERNAME, KEY_B)
    _fake_colab(monkeypatch, lambda name: KEY_C)
    credentials.set_session_key(KEY_E)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY_BAD)
    expected = [
        (KEY_BAD, "ANTHROPIC_API_KEY environment variable"),
        (KEY_E, "key entered in this session"),
        (KEY_C, "Colab secret ANTHROPIC_API_KEY"),
        (KEY_B, "OS keyring (service kuroryuu-magic)"),
        (KEY_A, "key file "),
    ]
    removers = [
        lambda: monkeypatch.delenv("ANTHROPIC_API_KEY"),
        lambda: credentials.set_session_key(None),
        lambda: _fake_colab(monkeypatch, lambda name: None),
        lambda: keystore.keyring_delete() and credentials.set_session_key(None),
        lambda: keystore.delete_key_file(),
    ]
    for (key, source), remove in zip(expected, removers, strict=True):
        cred = credentials.resolve_credential()
        assert cred is not None and cred.kind == "api_key"
        assert cred.secret == key and cred.source.startswith(source)
        remove()
        credentials.set_session_key(credentials._state().session_key)  # re-read cached stores
    assert credentials.resolve_credential() is None


def test_sdk_chain_comes_last(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "some-token")
    cred = credentials.resolve_credential()
    assert cred is not None and cred.kind == "sdk" and cred.secret is None
    keystore.write_key_file(KEY_A)
    assert credentials.resolve_credential().secret == KEY_A  # type: ignore[union-attr]


def test_env_wins_and_status_warns_of_shadowing(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keystore.write_key_file(KEY_A)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY_B)
    rows = dict(credentials.credential_status())
    assert rows["credential"] == mask(KEY_B) == "sk-ant-…bbbb"
    assert rows["source"] == "ANTHROPIC_API_KEY environment variable"
    assert "shadows the key in key file" in rows["warning"]
    assert rows["key file"].endswith(f"stored ({mask(KEY_A)})")
    assert KEY_A not in _status_text() and KEY_B not in _status_text()


def test_missing_keyring_falls_through_with_a_note(isolated: Path) -> None:
    keystore.write_key_file(KEY_A)
    assert credentials.resolve_credential().secret == KEY_A  # type: ignore[union-attr]
    rows = dict(credentials.credential_status())
    assert rows["keyring"].startswith("unavailable: no usable keyring backend")
    assert rows["source"].startswith("key file ~/")


def test_broken_keyring_falls_through_with_a_note(isolated: Path) -> None:
    keyring.set_keyring(BrokenKeyring())
    keystore.write_key_file(KEY_A)
    assert credentials.resolve_credential().secret == KEY_A  # type: ignore[union-attr]
    assert "DBus connection lost" in dict(credentials.credential_status())["keyring"]


def test_colab_failure_falls_through(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(name: str) -> str:
        raise RuntimeError("TimeoutException")

    _fake_colab(monkeypatch, denied)
    keystore.write_key_file(KEY_A)
    assert credentials.resolve_credential().secret == KEY_A  # type: ignore[union-attr]
    assert "unavailable: Colab secret read failed" in dict(credentials.credential_status())["colab"]


def test_refused_key_file_is_a_usage_error_not_a_silent_skip(isolated: Path) -> None:
    path = keystore.write_key_file(KEY_A)
    os.chmod(path, 0o644)
    with pytest.raises(UsageError) as info:
        credentials.resolve_credential()
    assert type(info.value) is UsageError
    assert "chmod 600" in str(info.value) and KEY_A not in str(info.value)
    rows = credentials.credential_status()  # status reports, never raises
    assert dict(rows)["credential"].startswith("none")
    assert "refused" in dict(rows)["key file"] and KEY_A not in repr(rows)


def test_nothing_resolves(isolated: Path) -> None:
    assert credentials.resolve_credential() is None
    assert "%claude setup" in dict(credentials.credential_status())["credential"]


@pytest.mark.parametrize("store", ["file", "keyring", "session"])
def test_save_activates_at_once(memory_keyring: MemoryKeyring, store: credentials.Store) -> None:
    report = credentials.save_key(f"  ANTHROPIC_API_KEY={KEY_A}\n", store)
    assert KEY_A not in report and mask(KEY_A) in report
    cred = credentials.resolve_credential()
    assert cred is not None and cred.secret == KEY_A and "saved in this session" in cred.source
    assert (keystore.read_key_file() == KEY_A) is (store == "file")
    assert (keystore.keyring_get() == KEY_A) is (store == "keyring")


def test_save_to_one_store_clears_the_other(memory_keyring: MemoryKeyring) -> None:
    credentials.save_key(KEY_A, "keyring")
    report = credentials.save_key(KEY_B, "file")
    assert "removed the old keyring entry" in report
    assert keystore.keyring_get() is None
    credentials.set_session_key(None)  # as in a new kernel
    assert credentials.resolve_credential().secret == KEY_B  # type: ignore[union-attr]
    assert "removed the old key file" in credentials.save_key(KEY_A, "keyring")
    assert keystore.read_key_file() is None


def test_save_refuses_bad_shape_and_stores_nothing(isolated: Path) -> None:
    with pytest.raises(KeyShapeError):
        credentials.save_key("sk-ant-oat01-" + "x" * 80, "file")
    assert keystore.read_key_file() is None and credentials.resolve_credential() is None


def test_save_under_env_says_env_still_wins(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY_B)
    assert "still wins" in credentials.save_key(KEY_A, "file")
    assert credentials.resolve_credential().secret == KEY_B  # type: ignore[union-attr]


def test_forget_removes_every_stored_key(memory_keyring: MemoryKeyring) -> None:
    credentials.save_key(KEY_A, "file")
    memory_keyring.set_password(keystore.KEYRING_SERVICE, keystore.KEYRING_USERNAME, KEY_B)
    report = credentials.forget_key()
    assert "this session" in report and "key file" in report and "OS keyring" in report
    assert credentials.resolve_credential() is None
    assert memory_keyring.store == {}
    assert credentials.forget_key() == "No stored key to forget."


def test_available_stores(isolated: Path) -> None:
    assert [s for _, s in credentials.available_stores()] == ["file", "session"]
    keyring.set_keyring(MemoryKeyring())
    assert [s for _, s in credentials.available_stores()] == ["keyring", "file", "session"]


# --- check_key against the fake API ---------------------------------------------------------


def test_check_key_verdicts(isolated: Path, fake: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    valid = credentials.check_key(KEY_A)
    assert valid.verdict == "valid" and valid.ok and mask(KEY_A) in valid.message
    rejected = credentials.check_key(KEY_BAD)
    assert rejected.verdict == "rejected" and "401" in rejected.message
    fake.enqueue(Fault(kind="status", status=403, path="/v1/models"))  # type: ignore[attr-defined]
    forbidden = credentials.check_key(KEY_A)
    assert forbidden.verdict == "forbidden" and "403" in forbidden.message
    fake.enqueue(Fault(kind="status", status=500, path="/v1/models"))  # type: ignore[attr-defined]
    assert credentials.check_key(KEY_A).verdict == "error"  # and not retried:
    assert len([r for r in fake.requests if r.path.startswith("/v1/models")]) == 4  # type: ignore[attr-defined]
    for result in (valid, rejected, forbidden):
        assert KEY_A not in result.message and KEY_BAD not in result.message


def test_check_key_unreachable_names_the_base_url(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    result = credentials.check_key(KEY_A, timeout=2.0)
    assert result.verdict == "unreachable" and f"http://127.0.0.1:{port}" in result.message


def test_check_active_key_and_no_key(isolated: Path, fake: object) -> None:
    result = credentials.check_key()  # the fake's env key
    assert result.ok and "ANTHROPIC_API_KEY environment variable" in result.message
    os.environ.pop("ANTHROPIC_API_KEY")
    assert credentials.check_key().verdict == "none"
    assert credentials.check_key("not a key").verdict == "error"


# --- masking and reprs -----------------------------------------------------------------------


@given(st.text(alphabet=st.characters(codec="ascii"), min_size=20, max_size=300))
def test_mask_is_fixed_width_and_shows_at_most_prefix_and_last_four(secret: str) -> None:
    masked = mask(secret)
    prefix = masked.split("…")[0]
    assert prefix in ("", "sk-", "sk-ant-") and secret.startswith(prefix)
    assert len(masked) == len(prefix) + 1 + 4
    tail = masked[-4:]
    assert tail == secret[-4:] or tail == "****"


@given(st.text(min_size=1, max_size=19))
def test_short_secrets_show_no_characters(secret: str) -> None:
    assert mask(secret).endswith("…****")


def test_credential_repr_is_masked() -> None:
    cred = credentials.Credential("api_key", "test", KEY_A)
    assert KEY_A not in repr(cred) and KEY_A not in str(cred) and mask(KEY_A) in repr(cred)


# --- a new process (as a new kernel) --------------------------------------------------------


def _resolve_in_new_process(env: dict[str, str]) -> str:
    code = (
        "from kuroryuu_magic.keys.chain import resolve_credential as r\n"
        "c = r(); print(c.source, c.masked)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_new_process_picks_up_the_stored_key_and_env_wins(isolated: Path) -> None:
    credentials.save_key(KEY_A, "file")
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    assert (
        _resolve_in_new_process(env)
        == f"key file ~/.config/kuroryuu/anthropic_api_key.json {mask(KEY_A)}"
    )
    env["ANTHROPIC_API_KEY"] = KEY_B
    assert _resolve_in_new_process(env) == f"ANTHROPIC_API_KEY environment variable {mask(KEY_B)}"


# --- %xmode Verbose prints arguments and locals: no key may be among them --------------------


@pytest.fixture
def verbose_shell(isolated: Path) -> Iterator[InteractiveShell]:
    config = Config()
    config.HistoryAccessor.enabled = False
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance(config=config)
    shell.run_line_magic("xmode", "Verbose")
    yield shell
    InteractiveShell.clear_instance()


@pytest.mark.parametrize(
    "call",
    [
        "credentials.save_key(canary() + ' x', 'file')",  # bad shape
        "credentials.save_key(canary(), 'keyring')",  # keyring echoes the key in its error
        "keystore.keyring_set(canary())",
        "keystore.write_key_file(canary(), blocker / 'sub' / 'file.json')",  # not a directory
        "normalize_key(canary()[:30])",
    ],
)
def test_verbose_tracebacks_never_show_the_key(
    verbose_shell: InteractiveShell,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    call: str,
) -> None:
    keyring.set_keyring(BrokenKeyring())
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    verbose_shell.user_ns.update(
        credentials=credentials,
        keystore=keystore,
        normalize_key=normalize_key,
        blocker=blocker,
        canary=lambda: KEY_A,  # a call: Verbose tracebacks do not evaluate it
    )
    result = verbose_shell.run_cell(call)
    assert result.error_in_exec is not None  # the call failed, and printed a traceback:
    out = capsys.readouterr()
    assert "Traceback" in out.out + out.err
    assert KEY_A not in out.out + out.err and KEY_A[:30] not in out.out + out.err


def test_credential_modules_import_nothing_heavy() -> None:
    code = (
        "import sys, kuroryuu_magic.keys.chain, kuroryuu_magic.keys._terminal\n"
        "heavy = ('anthropic', 'ipywidgets', 'httpx2', 'keyring', 'pandas', 'numpy', 'PIL')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
