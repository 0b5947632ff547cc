"""Private files for secrets: 0600, atomic, refused when tampered with.

Modelled on the Anthropic SDK's ``_atomic_write_credentials``: write a temp
file in the same directory, ``fchmod`` 0600 before any byte lands, fsync,
``os.replace``, fsync the directory.  Reads refuse symlinks and files that
group or others can read, and never put file contents in an error message.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "CorruptSecretFileError",
    "InsecureSecretFileError",
    "SecretFileError",
    "delete_secret_file",
    "read_secret_json",
    "write_secret_json",
]


class SecretFileError(Exception):
    """A secret file could not be used.  The message names the file, never its contents."""


class InsecureSecretFileError(SecretFileError):
    """The file is a symlink, not a regular file, or readable by others."""


class CorruptSecretFileError(SecretFileError):
    """The file is not the JSON object it should be."""


def _ensure_private_dir(directory: Path, *, private_dir: bool) -> None:
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    elif private_dir and stat.S_IMODE(directory.stat().st_mode) & 0o077:
        os.chmod(directory, 0o700)


def write_secret_json(path: Path | str, data: dict[str, Any], *, private_dir: bool = True) -> None:
    """Atomically replace ``path`` with ``data`` as JSON, mode 0600.

    ``private_dir`` also tightens the parent directory to 0700; leave it off for
    files that live directly in a directory we do not own (such as ``$HOME``).
    On any failure the previous file is intact and no temp file is left behind.
    """
    path = Path(path)
    if path.is_symlink():
        raise InsecureSecretFileError(f"{path} is a symlink; refusing to write a secret through it")
    _ensure_private_dir(path.parent, private_dir=private_dir)
    payload = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def read_secret_json(path: Path | str) -> dict[str, Any] | None:
    """The JSON object stored at ``path``, or ``None`` when there is no file.

    Raises ``InsecureSecretFileError`` for a symlink, a non-regular file or a
    file others can read, and ``CorruptSecretFileError`` for anything that is
    not a JSON object.  The file is never modified.
    """
    path = Path(path)
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise InsecureSecretFileError(f"{path} is a symlink; refusing to read a secret through it")
    if not stat.S_ISREG(info.st_mode):
        raise InsecureSecretFileError(f"{path} is not a regular file")
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise InsecureSecretFileError(
            f"{path} can be read by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod 600 {path}` or delete it and save again"
        )
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InsecureSecretFileError(
            f"{path} could not be opened safely ({exc.strerror})"
        ) from None
    with os.fdopen(fd, "rb") as fh:
        raw = fh.read(1_000_000)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ``from None``: the decoder's message quotes the file's bytes.
        raise CorruptSecretFileError(
            f"{path} is not valid JSON; delete it and save again"
        ) from None
    if not isinstance(data, dict):
        raise CorruptSecretFileError(
            f"{path} does not hold a JSON object; delete it and save again"
        )
    return data


def delete_secret_file(path: Path | str) -> bool:
    """Remove ``path`` (never following a symlink).  True when something was removed."""
    path = Path(path)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
