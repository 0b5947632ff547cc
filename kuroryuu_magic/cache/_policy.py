"""The cache policy: which cache file the kernel uses, and what each mode lets it do.

The ``answer_cache`` trait has three modes.  ``on``: read and write.  ``off``:
neither.  ``replay``: read only and never call the API, so a shared notebook
plus its cache file re-runs offline and deterministically; a request with no
stored answer is a :class:`CacheMissError`.

The ``answer_cache_path`` trait ("" means ``<config dir>/answers.sqlite``)
names the file; :class:`CacheHolder`, in the kernel's ``Session``, owns the open
:class:`AnswerCache` so every prompt and ``--map`` run of the kernel shares one
connection; it is opened on first use and reopened when the path changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from ..core.errors import UsageError
from ..core.paths import config_dir
from ..core.session import session_for
from ._answer import CachedAnswer
from ._errors import AnswerCacheError, CacheMissError
from ._store import AnswerCache

CacheMode = Literal["on", "off", "replay"]
CACHE_MODES: tuple[CacheMode, ...] = ("on", "off", "replay")

_REPLAY_FIX = (
    'Fix: set `%config ClaudeMagics.answer_cache = "on"` to call the API, '
    "or use the cache file that came with this notebook."
)


def cache_mode(value: str) -> CacheMode:
    """``value`` as a mode; a one-line ``ValueError`` for anything else."""
    if value not in CACHE_MODES:
        raise ValueError(f"answer_cache must be one of {', '.join(CACHE_MODES)}")
    return value  # narrowed to CacheMode by the membership test


def reads(mode: CacheMode, *, asked: bool, fresh: bool) -> bool:
    """Whether a request may be served from the cache.

    Always in ``replay``; in ``on`` when it was asked for (``--cached`` for one
    prompt; ``--map`` always, that is its resume) and not ``--fresh``.
    """
    return mode == "replay" or (mode == "on" and asked and not fresh)


def offline(mode: CacheMode) -> bool:
    """Replay sends nothing at all: no answer, no token count, no model listing."""
    return mode == "replay"


def stores(mode: CacheMode) -> bool:
    """Whether new answers are written (only ``on``: ``replay`` never gets any)."""
    return mode == "on"


def refuse_in_replay(mode: str, what: str) -> None:
    """Replay sends nothing, for every command: one that can only ask the API fails here.

    ``what`` names the command and why the cache can't serve it (``"--tools: each round
    depends on the tools' results, so its answers are not stored"``).
    """
    if mode == "replay":
        raise CacheMissError(f"replay mode: {what}; nothing was sent. {_REPLAY_FIX}")


def _where(cache: AnswerCache | None) -> str:
    return f"answer cache {cache.path}" if cache is not None else "no answer cache open"


def lookup(cache: AnswerCache | None, key: str, mode: CacheMode) -> CachedAnswer | None:
    """The stored answer for one request, ``None`` to call the API; a miss in replay raises."""
    if mode == "off" or (cache is None and mode == "on"):
        return None
    answer = cache.get(key) if cache is not None else None
    if answer is None and mode == "replay":
        raise CacheMissError(
            f"replay mode: this request has no stored answer ({_where(cache)}); "
            f"nothing was sent. {_REPLAY_FIX}",
            path=cache.path if cache is not None else None,
        )
    return answer


def lookup_many(
    cache: AnswerCache | None, keys: Sequence[str], mode: CacheMode, *, count: bool = True
) -> dict[str, CachedAnswer]:
    """Stored answers for a whole ``--map`` run (one query); any miss in replay raises.

    ``count=False``: a dry run's look, not counted as hits or misses."""
    if mode == "off" or (cache is None and mode == "on"):
        return {}
    found = cache.get_many(keys, count=count) if cache is not None else {}
    if mode == "replay":
        missing = len(set(keys) - found.keys())
        if missing:
            raise CacheMissError(
                f"replay mode: {missing} of {len(set(keys))} items have no stored answer "
                f"({_where(cache)}); nothing was sent. {_REPLAY_FIX}",
                path=cache.path if cache is not None else None,
                missing=missing,
            )
    return found


# -- the kernel's one open cache ----------------------------------------------------
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
