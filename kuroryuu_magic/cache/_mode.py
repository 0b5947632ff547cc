"""The ``answer_cache`` trait's three modes and the lookups they imply.

``on``: read and write.  ``off``: neither.  ``replay``: read only and never
call the API, so a shared notebook plus its cache file re-runs offline and
deterministically; a request with no stored answer is a :class:`CacheMissError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ._answer import CachedAnswer
from ._errors import CacheMissError
from ._store import AnswerCache

__all__ = [
    "CACHE_MODES",
    "CacheMode",
    "cache_mode",
    "lookup",
    "lookup_many",
    "offline",
    "reads",
    "refuse_in_replay",
    "stores",
]

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
