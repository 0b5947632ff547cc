"""Before a ``--map`` run sends anything: every item's request, its cache key, and what
the answer cache already holds.

Resume lives here: items with a successful stored answer take it and are not
sent again (``answer_cache = "on"``, unless ``--fresh``); in ``replay`` every item
must have one, checked before anything is sent.  Items are prepared in the
main thread, so Ctrl-C while a slow object renders stops the run with nothing sent.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..ask.settings import Settings
from ..cache import (
    STORABLE_STOP_REASONS,
    AnswerCache,
    AnswerCacheError,
    CachedAnswer,
    CacheMode,
    answer_key,
    lookup_many,
    reads,
    stores,
)
from ..core.errors import ClaudeInterrupted
from ._items import MapInput
from ._results import ItemError, shape_answer

if TYPE_CHECKING:
    from anthropic.types import Message

__all__ = ["AnswerSink", "Plan", "item_value", "make_plan", "wrap_values"]

_TODO = object()


def item_value(text: str, stop_reason: str | None, label: object, settings: Settings) -> object:
    """One item's value: validated into ``--schema`` when given, else shaped by ``-f``."""
    schema = getattr(settings, "schema", None)
    if schema is None:
        return shape_answer(text, settings.fmt, stop_reason, label)
    from ..structured import SchemaValidationError, parse_answer

    if stop_reason == "refusal":
        return ItemError("Claude declined this item", kind="refusal", index=label, text=text)
    try:
        return parse_answer(schema, text)
    except SchemaValidationError as exc:
        note = " (stopped at --max-tokens)" if stop_reason == "max_tokens" else ""
        return ItemError(f"{exc}{note}", kind="format", index=label, text=exc.raw_text)


@dataclass
class Plan:
    """Every item's slot: its value when known now (cached or a bad prompt), else pending.

    ``pending`` lists ``(position, request, key)`` to send, in input order.
    """

    total: int
    values: list[Any]
    pending: list[tuple[int, dict[str, Any], str | None]] = field(default_factory=list)
    cached: int = 0
    failed_prepare: int = 0
    cached_answers: list[CachedAnswer] = field(default_factory=list)

    def is_pending(self, position: int) -> bool:
        return self.values[position] is _TODO


def make_plan(
    source: MapInput,
    build: Callable[[Any, Any, Any], dict[str, Any]],
    settings: Settings,
    cache: AnswerCache | None,
    mode: CacheMode,
    *,
    fresh: bool = False,
    dry_run: bool = False,
) -> Plan:
    """Build every item's request and take what the cache has (see the module docstring)."""
    plan = Plan(source.total, [_TODO] * source.total)
    keyed: list[tuple[int, dict[str, Any], str | None]] = []
    use_keys = cache is not None or mode == "replay"
    try:
        for position, (item, row, label) in enumerate(source.pairs()):
            try:
                request = build(item, row, label)
            except Exception as exc:  # this item's prompt is bad; the others go on
                plan.values[position] = ItemError.from_exception(exc, index=label)
                plan.failed_prepare += 1
                continue
            key = answer_key(request, scope=settings.cache_scope) if use_keys else None
            keyed.append((position, request, key))
    except KeyboardInterrupt:
        raise ClaudeInterrupted("stopped preparing the items; nothing was sent.") from None
    found: dict[str, CachedAnswer] = {}
    if use_keys and reads(mode, asked=True, fresh=fresh):
        keys = [k for _, _, k in keyed if k is not None]
        found = lookup_many(cache, keys, mode, count=not dry_run)  # a dry run answers nothing
    for position, request, key in keyed:
        hit = found.get(key) if key is not None else None
        if hit is not None:
            value = item_value(hit.text, hit.stop_reason, source.label(position), settings)
            # A stored answer that fails the format is no success: ask again (replay keeps it).
            if not isinstance(value, ItemError) or mode == "replay":
                plan.values[position] = value
                plan.cached += 1
                plan.cached_answers.append(hit)
                continue
        plan.pending.append((position, request, key))
    return plan


class AnswerSink:
    """Answers waiting to be stored, written in one transaction per flush.

    Workers on the runner's loop ``add``; the main thread ``flush``es between
    progress updates, so no SQLite write ever blocks the event loop.  A failed
    store is noted once and never fails an item.
    """

    def __init__(self, cache: AnswerCache | None, mode: CacheMode) -> None:
        self.cache = cache if cache is not None and stores(mode) else None
        self._queue: deque[tuple[str, CachedAnswer]] = deque()
        self._lock = threading.Lock()
        self.stored = 0
        self.error: str | None = None

    @property
    def active(self) -> bool:
        return self.cache is not None

    def add(self, key: str | None, message: Message) -> None:
        if self.cache is None or key is None or message.stop_reason not in STORABLE_STOP_REASONS:
            return
        self._queue.append((key, CachedAnswer.from_message(message)))

    def flush(self) -> None:
        if self.cache is None or not self._queue:
            return
        with self._lock:
            items = []
            while self._queue:
                items.append(self._queue.popleft())
            try:
                self.stored += self.cache.put_many(items)
            except AnswerCacheError as exc:
                self.error = self.error or str(exc)


def wrap_values(source: MapInput, values: list[Any], out: str, settings: Settings | None) -> Any:
    """Results in the input's shape; with ``--schema`` over a Series or DataFrame, a
    DataFrame on the same index with one column per field plus ``_error``."""
    schema = getattr(settings, "schema", None)
    if schema is not None and source.kind in ("frame", "series"):
        from ..structured import to_frame

        return to_frame(schema, values, source.index)
    return source.wrap(values, out)
