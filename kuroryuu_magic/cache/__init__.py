"""The answer cache: completed answers stored by a hash of the request that produced them.

``--map`` reads it to resume a run without paying twice; ``replay`` mode
re-runs a shared notebook offline.  See :class:`AnswerCache` for the file's
guarantees (private, redacted, safe across threads and kernels).
"""

from __future__ import annotations

from ._answer import STORABLE_STOP_REASONS, CachedAnswer, CacheStats
from ._errors import AnswerCacheError, CacheMissError, CorruptCacheError
from ._key import answer_key, canonical_request
from ._policy import (
    CACHE_MODES,
    CacheHolder,
    CacheMode,
    cache_mode,
    close_cache,
    lookup,
    lookup_many,
    offline,
    open_cache,
    reads,
    refuse_in_replay,
    stores,
)
from ._store import AnswerCache

__all__ = [
    "CACHE_MODES",
    "STORABLE_STOP_REASONS",
    "AnswerCache",
    "AnswerCacheError",
    "CacheHolder",
    "CacheMissError",
    "CacheMode",
    "CacheStats",
    "CachedAnswer",
    "CorruptCacheError",
    "answer_key",
    "cache_mode",
    "canonical_request",
    "close_cache",
    "lookup",
    "lookup_many",
    "offline",
    "open_cache",
    "reads",
    "refuse_in_replay",
    "stores",
]
