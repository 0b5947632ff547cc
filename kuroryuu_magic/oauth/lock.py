"""A cross-process lock around the token file: ``fcntl.flock`` on a sidecar file.

A refresh token rotates on every use, so two kernels refreshing at once would
leave one of them holding a dead token.  Holding this lock while reading,
refreshing and writing makes the second one see the first one's result.  The
lock is re-entrant within a thread (an ``flock`` on a second descriptor of
the same file would deadlock against ourselves), and a process-wide thread
lock makes threads queue before they touch the file lock.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import TokenLockTimeoutError

__all__ = ["lock_path_for", "token_file_lock"]

LOCK_TIMEOUT_SECONDS = 60.0
_thread_lock = threading.RLock()
_held = threading.local()


def lock_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def token_file_lock(path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the exclusive lock for ``path`` (waits up to ``timeout`` seconds)."""
    import fcntl

    if not _thread_lock.acquire(timeout=timeout):
        raise TokenLockTimeoutError(f"timed out waiting for the OAuth token lock on {path}")
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
        lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TokenLockTimeoutError(
                            f"another process has held the OAuth token lock {lock_path} for "
                            f"{timeout:.0f} s; try again"
                        ) from None
                    time.sleep(0.02)
            _held.depth = 1
            try:
                yield
            finally:
                _held.depth = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        _thread_lock.release()
