"""The cache file's place on disk: private from the first byte, never through a symlink.

SQLite creates its ``-wal`` and ``-shm`` files with the main file's mode, so
making the main file 0600 before SQLite opens it keeps all three private,
whatever the umask.  A directory we create is 0700; a directory the user chose
(say, next to a notebook they share) is left as it is.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ._errors import AnswerCacheError

__all__ = ["SIDE_FILES", "prepare_private_file"]

SIDE_FILES = ("-wal", "-shm")


def _make_dirs(directory: Path) -> None:
    missing = []
    for parent in (directory, *directory.parents):
        if parent.exists():
            break
        missing.append(parent)
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):
            created.mkdir(mode=0o700)
        os.chmod(created, 0o700)  # mkdir's mode is filtered by the umask


def _check_existing(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise AnswerCacheError(
            f"answer cache {path} is a symlink; refusing to follow it. "
            "Fix: point answer_cache_path at a regular file.",
            path=path,
        )
    if not stat.S_ISREG(info.st_mode):
        raise AnswerCacheError(
            f"answer cache {path} is not a regular file. Fix: set answer_cache_path to a file path.",
            path=path,
        )
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise AnswerCacheError(
            f"answer cache {path} belongs to another user. "
            "Fix: use your own file (set answer_cache_path) or copy it.",
            path=path,
        )


def prepare_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (directories 0700), or check and tighten it."""
    try:
        _make_dirs(path.parent)
        try:
            info = path.lstat()
        except FileNotFoundError:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(path, flags, 0o600)
            except FileExistsError:  # another kernel created it a moment ago
                info = path.lstat()
            else:
                try:
                    os.fchmod(fd, 0o600)
                finally:
                    os.close(fd)
                return
        _check_existing(path, info)
        for file in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
            with contextlib.suppress(FileNotFoundError):
                mode = stat.S_IMODE(file.lstat().st_mode)
                if not file.is_symlink() and mode & 0o077:
                    # A copied or shared cache: take away group/other, grant nothing new.
                    os.chmod(file, mode & 0o700)
    except AnswerCacheError:
        raise
    except OSError as exc:
        raise AnswerCacheError(
            f"answer cache {path} cannot be created ({exc.strerror or type(exc).__name__}). "
            "Fix: check that directory's permissions or set answer_cache_path elsewhere.",
            path=path,
        ) from None
