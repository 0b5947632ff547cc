"""The kernel's one answer cache, opened on first use and reopened when its path changes.

The ``answer_cache_path`` trait ("" means ``<config dir>/answers.sqlite``)
names the file; :class:`CacheHolder`, in the kernel's ``Session``, owns the open
:class:`AnswerCache` so every prompt and ``--map`` run of the kernel shares one
connection.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import UsageError
from ..core.paths import config_dir
from ..core.session import session_for
from ._errors import AnswerCacheError
from ._mode import CacheMode, cache_mode
from ._store import AnswerCache

__all__ = ["CACHE_FILE_NAME", "CacheHolder", "close_cache", "default_cache_path", "open_cache"]

CACHE_FILE_NAME = "answers.sqlite"


def default_cache_path() -> Path:
    return config_dir() / CACHE_FILE_NAME


class CacheHolder:
    """One :class:`AnswerCache` per kernel (``get``), closed on unload (``close``)."""

    def __init__(self) -> None:
        self._cache: AnswerCache | None = None
        self._path: Path | None = None

    @staticmethod
    def path_for(trait_value: str) -> Path:
        return Path(trait_value).expanduser() if trait_value.strip() else default_cache_path()

    def get(self, trait_value: str) -> AnswerCache:
        """The open cache for ``trait_value``; a changed path closes the old one first."""
        path = self.path_for(trait_value)
        if self._cache is not None and self._path == path:
            return self._cache
        self.close()
        self._cache = AnswerCache(path)  # AnswerCacheError: one line naming the file
        self._path = path
        return self._cache

    @property
    def current(self) -> AnswerCache | None:
        return self._cache

    def close(self) -> None:
        cache, self._cache, self._path = self._cache, None, None
        if cache is not None:
            cache.close()


def open_cache(
    shell: object, mode_trait: str, path_trait: str
) -> tuple[AnswerCache | None, CacheMode]:
    """The kernel's cache and mode from the ``answer_cache``/``answer_cache_path`` traits.

    ``off`` opens nothing.  A cache that cannot be opened is a one-line note and no
    cache in ``on`` mode, and a one-line ``UsageError`` in ``replay``.
    """
    mode = cache_mode(mode_trait)
    if mode == "off":
        return None, mode
    try:
        return session_for(shell).state(CacheHolder).get(path_trait), mode
    except AnswerCacheError as exc:
        if mode == "replay":  # nothing to replay from: say so, send nothing
            raise UsageError(f"replay mode: {exc}") from None
        # A broken cache must not cost the user the answer: work on without it, and say so.
        print(f"(answer cache unavailable, answers are not cached: {exc})")
        return None, mode


def close_cache(shell: object) -> None:
    """Release the kernel's cache file (``%unload_ext``, or its path changed)."""
    holder = session_for(shell).peek(CacheHolder)
    if holder is not None:
        holder.close()
