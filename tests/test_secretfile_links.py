"""Links around the key file (issue 19): a symlinked config dir is refused, and a hard link
to the key file neither survives Forget nor is read or replaced silently."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from kuroryuu_magic.core.secretfiles import InsecureSecretFileError, write_secret_json
from kuroryuu_magic.keys._store import delete_key_file, read_key_file, write_key_file

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks and hard links: POSIX")


def _key() -> str:
    return f"sk-ant-api03-LINKCANARY{secrets.token_hex(30)}"


@pytest.fixture
def linked_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    real = tmp_path / "elsewhere"
    real.mkdir(mode=0o700)
    link = tmp_path / "cfg"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.setenv("KURORYUU_CONFIG_DIR", str(link))
    return link, real


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "LINKCANARY" not in text
    return text


def test_a_symlinked_config_dir_is_refused_for_save(linked_config: tuple[Path, Path]) -> None:
    link, real = linked_config
    with pytest.raises(InsecureSecretFileError) as info:
        write_key_file(_key())
    text = _one_line(info.value)
    assert str(link) in text and "symlink" in text and "KURORYUU_CONFIG_DIR" in text
    assert list(real.iterdir()) == []  # nothing was written through the link


def test_a_symlinked_config_dir_is_refused_for_read(linked_config: tuple[Path, Path]) -> None:
    link, real = linked_config
    write_secret_json(real / "anthropic_api_key.json", {"api_key": _key()})
    with pytest.raises(InsecureSecretFileError) as info:
        read_key_file()
    assert str(link) in _one_line(info.value)


def test_the_symlinked_config_dir_in_status_is_one_line(ip, linked_config, capsys) -> None:
    link, real = linked_config
    write_secret_json(real / "anthropic_api_key.json", {"api_key": _key()})
    result = ip.run_cell("%claude status")
    shown = capsys.readouterr().out + str(result.error_in_exec or "")
    assert "LINKCANARY" not in shown and "Traceback" not in shown
    assert result.error_in_exec is None and str(link) in shown  # status runs and says why


def test_forget_leaves_no_copy_under_another_hard_link(tmp_path: Path) -> None:
    key = _key()
    path = write_key_file(key)
    other = tmp_path / "innocent-looking-copy.json"
    os.link(path, other)
    assert delete_key_file() is True
    assert not path.exists()
    assert "LINKCANARY" not in other.read_text()  # the shared content was emptied


def test_a_hard_linked_key_file_is_refused_for_read_and_save(tmp_path: Path) -> None:
    path = write_key_file(_key())
    os.link(path, tmp_path / "second-name.json")
    with pytest.raises(InsecureSecretFileError) as info:
        read_key_file()
    text = _one_line(info.value)
    assert str(path) in text and "hard links" in text and "samefile" in text
    with pytest.raises(InsecureSecretFileError, match="hard links"):
        write_key_file(_key())  # replacing would leave the old key under the other name
