"""A cross-process lock around the token file, through ``filelock`` (portable).

A refresh token rotates on every use, so two kernels refreshing at once would
leave one of them holding a dead token.  Holding this lock while reading,
refreshing and writing makes the second one see the first one's result.  The
lock is re-entrant within a thread (a second OS lock on the same file from the
same process would deadlock against ourselves), and a process-wide thread lock
makes threads queue before they touch the file lock.

``filelock`` uses ``fcntl`` on POSIX, ``msvcrt`` on Windows and a lock file
elsewhere.  Waits are short, because they happen in a notebook cell: after
:data:`LOCK_TIMEOUT_SECONDS` the error says which process holds the lock (a
small ``.holder`` file beside it records the holder's pid, host and start).
Every failure is a one-line :class:`.errors.OAuthError` naming the path and a fix.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # filelock is imported when a lock is first taken
    from filelock import BaseFileLock

from ..core.secretfiles import describe_os_error
from .errors import TokenLockError, TokenLockTimeoutError

__all__ = [
    "LOCK_TIMEOUT_SECONDS",
    "describe_holder",
    "lock_path_for",
    "lock_state",
    "token_file_lock",
]

# A refresh is one short HTTP request; a cell must not hang for a minute behind it.
LOCK_TIMEOUT_SECONDS = 5.0
_thread_lock = threading.RLock()
_held = threading.local()


def lock_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _holder_path(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + ".holder")


def _write_holder(lock_path: Path) -> None:
    info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    with contextlib.suppress(OSError):  # only an aid for the message; never fatal
        _holder_path(lock_path).write_text(json.dumps(info), encoding="utf-8")


def _clear_holder(lock_path: Path) -> None:
    with contextlib.suppress(OSError):
        _holder_path(lock_path).unlink()


def describe_holder(lock_path: Path) -> str:
    """``process 1234 on host, for 8 s`` from the holder file, or ``another process``."""
    try:
        info = json.loads(_holder_path(lock_path).read_text(encoding="utf-8")[:1000])
        pid, host, since = int(info["pid"]), str(info["host"])[:64], float(info["since"])
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
    who = "this process (another thread)" if pid == os.getpid() else f"process {pid}"
    return f"{who} on {host}, for {max(0.0, time.time() - since):.0f} s"


def lock_state(path: Path) -> str | None:
    """``None`` when the lock for ``path`` is free; else who holds it or why it can't be had.

    For ``%claude status``: a non-blocking try, made only when a lock file exists.
    """
    import filelock

    lock_path = lock_path_for(path)
    try:
        if not lock_path.exists():
            return None
        lock = _new_lock(lock_path, 0)
        lock.acquire()
    except filelock.Timeout:
        return f"held by {describe_holder(lock_path)} ({lock_path})"
    except OSError as exc:
        return describe_os_error(exc, lock_path, "use the lock")
    lock.release()
    return None


def _new_lock(lock_path: Path, timeout: float) -> BaseFileLock:
    import filelock

    # An explicit mode makes filelock call os.fchmod, which Windows lacks (and its files
    # have no POSIX modes to set); there the default is all it can do.
    if hasattr(os, "fchmod"):
        return filelock.FileLock(str(lock_path), timeout=timeout, mode=0o600)
    return filelock.FileLock(str(lock_path), timeout=timeout)


def _thread_timeout(path: Path, timeout: float) -> TokenLockTimeoutError:
    return TokenLockTimeoutError(
        f"the OAuth token file {path} is busy in this kernel (another thread has held its "
        f"lock for over {timeout:.0f} s); try again when it finishes",
        error="lock_timeout",
    )


@contextlib.contextmanager
def token_file_lock(path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the exclusive lock for ``path`` (waits up to ``timeout`` seconds)."""
    import filelock

    if not _thread_lock.acquire(timeout=timeout):
        raise _thread_timeout(path, timeout)
    try:
        depth = getattr(_held, "depth", 0)
        if depth:
            _held.depth = depth + 1
            try:
                yield
            finally:
                _held.depth = depth
            return
        lock_path = lock_path_for(path)
        try:
            lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = _new_lock(lock_path, timeout)
            lock.acquire()
        except filelock.Timeout:
            raise TokenLockTimeoutError(
                f"the OAuth token lock {lock_path} is held by {describe_holder(lock_path)}; "
                f"waited {timeout:.0f} s. Try again when that login, refresh or logout ends",
                error="lock_timeout",
            ) from None
        except OSError as exc:
            raise TokenLockError(
                describe_os_error(exc, lock_path, "create the lock"), error="lock_unavailable"
            ) from None
        _write_holder(lock_path)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            _clear_holder(lock_path)
            lock.release()
    finally:
        _thread_lock.release()
