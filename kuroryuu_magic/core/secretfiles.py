"""Private files for secrets: 0600, atomic, refused when tampered with.

Modelled on the Anthropic SDK's ``_atomic_write_credentials``: write a temp
file in the same directory, make it 0600 before any byte lands, fsync,
``os.replace``, fsync the directory.

Reads open the file once with ``O_NOFOLLOW | O_NONBLOCK`` and check the open
descriptor (``fstat``): a regular file, owned by the current user, readable by
no one else.  Checking the path first and opening it after would let a symlink,
a FIFO or a loosened mode be swapped in between; ``O_NONBLOCK`` keeps a FIFO
from hanging the kernel before it is refused.  The directory is checked too
(owned by the user or root, not writable by others).  Error messages name the
file and the fix, never its contents; every ``OSError`` becomes a
:class:`SecretFileError` whose message is one line.

Where the platform lacks POSIX modes or calls (Windows: no ``os.fchmod``, no
owner ids, no ``O_NOFOLLOW``) the checks it cannot make are skipped, not faked.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from . import paths

__all__ = [
    "CorruptSecretFileError",
    "InsecureSecretFileError",
    "SecretFileAccessError",
    "SecretFileError",
    "delete_secret_file",
    "describe_os_error",
    "read_secret_json",
    "write_secret_json",
]

_POSIX = os.name == "posix"
_MAX_BYTES = 1_000_000


class SecretFileError(Exception):
    """A secret file could not be used.  The message names the file, never its contents."""


class InsecureSecretFileError(SecretFileError):
    """The file is a symlink, not a regular file, someone else's, or readable by others."""


class CorruptSecretFileError(SecretFileError):
    """The file is not the JSON object it should be."""


class SecretFileAccessError(SecretFileError, OSError):
    """The file or its directory can't be read or written (permissions, a path through a
    file, a read-only disk).  An ``OSError`` too, with ``errno`` and ``filename`` set."""

    def __init__(self, message: str, *, err: int | None = None, filename: str | None = None):
        super().__init__(message)
        self.errno = err
        self.filename = filename

    def __str__(self) -> str:  # OSError's would be ``[Errno 13] None: 'path'``
        return str(self.args[0]) if self.args else ""


def _uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return getuid() if _POSIX and getuid is not None else None


def _owner(uid: int) -> str:
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _moved_by(path: Path) -> str:
    """The environment variable that moves ``path`` elsewhere."""
    with contextlib.suppress(Exception):
        if str(path).startswith(str(paths.oauth_token_file())):  # the file, its lock, holder
            return "KURORYUU_OAUTH_TOKEN_FILE"
    return "KURORYUU_CONFIG_DIR"


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError):
            if candidate.exists() or candidate.is_symlink():
                return candidate
    return path


def describe_os_error(exc: OSError, path: Path, doing: str) -> str:
    """One line: what failed on ``path``, why, and what to do.  Never raises."""
    try:
        return _describe(exc, Path(path), doing)
    except OSError:  # looking around hit the same wall: say what we know
        return f"cannot {doing} {path}: {exc.strerror or type(exc).__name__}"


def _describe(exc: OSError, path: Path, doing: str) -> str:
    move = f"or set {_moved_by(path)} to a place you own"
    if exc.errno == errno.ENOTDIR or (exc.errno == errno.EEXIST and not path.parent.is_dir()):
        blocker = next(
            (p for p in path.parents if p.exists() and not p.is_dir()), _nearest_existing(path)
        )
        return f"cannot {doing} {path}: {blocker} is a file, not a directory; move it away {move}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        where = _nearest_existing(path if path.exists() else path.parent)
        uid = _uid()
        with contextlib.suppress(OSError):
            info = where.stat()
            if uid is not None and info.st_uid != uid:
                return (
                    f"cannot {doing} {path}: {where} belongs to {_owner(info.st_uid)}, not you "
                    f"(left by a sudo?); run `sudo chown -R $USER {where}` {move}"
                )
        return (
            f"cannot {doing} {path}: permission denied on {where}; run `chmod u+rwx {where}` {move}"
        )
    if exc.errno == errno.EROFS:
        return f"cannot {doing} {path}: the file system is read-only; {move.removeprefix('or ')}"
    reason = exc.strerror or type(exc).__name__
    return f"cannot {doing} {path}: {reason}"


def _access_error(exc: OSError, path: Path, doing: str) -> SecretFileAccessError:
    return SecretFileAccessError(
        describe_os_error(exc, path, doing), err=exc.errno, filename=str(path)
    )


def _check_dir(directory: Path, doing: str) -> None:
    """The directory is ours (or root's) and nobody else can swap files in it."""
    if not _POSIX:
        return
    try:
        info = directory.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _access_error(exc, directory / "x", doing) from None
    uid = _uid()
    if uid is not None and info.st_uid not in (uid, 0):
        raise InsecureSecretFileError(
            f"{directory} belongs to {_owner(info.st_uid)}, not you; refusing to {doing} a secret "
            f"there (run `sudo chown -R $USER {directory}`)"
        )
    sticky = bool(info.st_mode & stat.S_ISVTX)  # like /tmp: others can't replace our file
    if stat.S_IMODE(info.st_mode) & 0o022 and not sticky:
        raise InsecureSecretFileError(
            f"{directory} can be written by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod go-w {directory}`"
        )


def _refuse_linked_dir(directory: Path, doing: str) -> None:
    """Our own config directory must be a real directory: through a symlink, the secret
    lands wherever the link points (another user's directory, a synced folder)."""
    if not directory.is_symlink():
        return
    try:
        target = str(directory.resolve())
    except (OSError, RuntimeError):  # a loop of links
        target = "somewhere else"
    raise InsecureSecretFileError(
        f"{directory} is a symlink (to {target}); refusing to {doing} a secret through it. "
        f"Fix: replace the link with a directory, or set KURORYUU_CONFIG_DIR to a real one"
    )


def _refuse_hard_links(info: os.stat_result, path: Path, doing: str) -> None:
    """A second name for the file keeps the secret after Forget (and sees every new one)."""
    if info.st_nlink > 1:
        raise InsecureSecretFileError(
            f"{path} has {info.st_nlink} hard links, so a copy of the secret lives under "
            f"another name and would survive Forget; refusing to {doing} it. Fix: delete the "
            f"other links (`find ~ -samefile {path}`), or delete this file and save again"
        )


def _ensure_private_dir(directory: Path, *, private_dir: bool) -> None:
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    elif private_dir and _POSIX and stat.S_IMODE(directory.stat().st_mode) & 0o077:
        os.chmod(directory, 0o700)


def _make_private(fd: int, tmp: str) -> None:
    # mkstemp already creates 0600 on POSIX; this is belt and braces. Windows has no
    # os.fchmod (and no POSIX modes): chmod by name is the best it offers.
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    else:
        os.chmod(tmp, 0o600)


def write_secret_json(path: Path | str, data: dict[str, Any], *, private_dir: bool = True) -> None:
    """Atomically replace ``path`` with ``data`` as JSON, mode 0600.

    ``private_dir`` also tightens the parent directory to 0700; leave it off for
    files that live directly in a directory we do not own (such as ``$HOME``).
    On any failure the previous file is intact and no temp file is left behind;
    the error is a :class:`SecretFileError` (an ``OSError`` too when the system refused).
    """
    path = Path(path)
    payload = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
    try:
        if path.is_symlink():
            raise InsecureSecretFileError(
                f"{path} is a symlink; refusing to write a secret through it"
            )
        if private_dir:
            _refuse_linked_dir(path.parent, "write")
        with contextlib.suppress(FileNotFoundError):
            # Replacing the file gives this name a new inode; another link keeps the old secret.
            _refuse_hard_links(path.lstat(), path, "replace")
        _ensure_private_dir(path.parent, private_dir=private_dir)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _access_error(exc, path, "write") from None
    try:
        _make_private(fd, tmp)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, SecretFileError):
            raise _access_error(exc, path, "write") from None
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


def _open_checked(path: Path) -> int:
    """An fd for ``path`` that was a private regular file *when opened*, or ``None``-like
    ``FileNotFoundError``.  Every other problem is a typed error."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not nofollow:  # no O_NOFOLLOW (Windows): the best we can do is look first
        with contextlib.suppress(OSError):
            if path.is_symlink():
                raise InsecureSecretFileError(
                    f"{path} is a symlink; refusing to read a secret through it"
                )
    flags = os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW met a symlink (Linux, BSD)
            raise InsecureSecretFileError(
                f"{path} is a symlink; refusing to read a secret through it"
            ) from None
        raise _access_error(exc, path, "read") from None
    try:
        _check_descriptor(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_descriptor(fd: int, path: Path) -> None:
    """What was opened, not what the path names now: regular, ours, private."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise InsecureSecretFileError(f"{path} is not a regular file")
    if not _POSIX:
        return
    uid = _uid()
    if uid is not None and info.st_uid != uid:
        raise InsecureSecretFileError(
            f"{path} belongs to {_owner(info.st_uid)}, not you; "
            f"run `sudo chown $USER {path}` or delete it and save again"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise InsecureSecretFileError(
            f"{path} can be read by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod 600 {path}` or delete it and save again"
        )
    _refuse_hard_links(info, path, "read")


def read_secret_json(path: Path | str, *, private_dir: bool = True) -> dict[str, Any] | None:
    """The JSON object stored at ``path``, or ``None`` when there is no file.

    Raises ``InsecureSecretFileError`` for a symlink, a non-regular file (a FIFO,
    a device), a file owned by someone else or readable by others, or a directory
    others can write to; ``SecretFileAccessError`` when it can't be read; and
    ``CorruptSecretFileError`` for anything that is not a JSON object.  The file
    is never modified.
    """
    path = Path(path)
    if private_dir:  # our own config dir (not $HOME, where the OAuth file lives by default)
        _refuse_linked_dir(path.parent, "read")
    _check_dir(path.parent, "read")
    try:
        fd = _open_checked(path)
    except FileNotFoundError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(_MAX_BYTES)
    except OSError as exc:
        raise _access_error(exc, path, "read") from None
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


def _scrub_shared(path: Path) -> None:
    """Empty the file first when another hard link shares it: unlinking one name would
    leave the secret readable under the other (Forget must forget)."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, os.O_WRONLY | nofollow | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return  # a symlink, a FIFO, gone already: unlink below deals with the name
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
            os.ftruncate(fd, 0)
            os.fsync(fd)
    finally:
        os.close(fd)


def delete_secret_file(path: Path | str) -> bool:
    """Remove ``path`` (never following a symlink).  True when something was removed.

    A file with other hard links is emptied first, so the secret is gone from them too."""
    path = Path(path)
    _scrub_shared(path)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _access_error(exc, path, "delete") from None
    return True
