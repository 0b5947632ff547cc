"""Run one async job per item with bounded concurrency, on a private event loop.

The kernel already runs an asyncio loop in the main thread (``asyncio.run``
fails inside a cell), so the requests run on a short-lived loop in its own
thread.  The main thread prepares each item (rendering user objects, which may
be slow or block) and hands it over through a small queue, reporting progress
while it waits.  Keeping that work in the main thread keeps Ctrl-C working even
while an item's ``__repr__`` blocks: the ``KeyboardInterrupt`` lands there, the
outstanding tasks are cancelled, and what finished is kept.  The private loop
only does network I/O, so it unwinds at once and its thread ends with the run.
The user's own loop is never touched, so their ``await`` cells and ipywidgets
keep working.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

from ._results import ItemError

_PENDING = object()


Worker = Callable[[int, Any, Any], Awaitable[Any]]
Prepare = Callable[[int, Any], Any]
Progress = Callable[["FanOut"], None]
# (position, prepared item) handed to the workers; None means "no more items".
Entry = tuple[int, Any] | None


@asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield None


class FanOut:
    """State of one run: ``results`` (input order), counters, and whether it was interrupted."""

    def __init__(self, total: int, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.total = total
        self.concurrency = concurrency
        self.results: list[Any] = [_PENDING] * total
        self.done = 0
        self.failed = 0
        self.in_flight = 0
        self.interrupted = False
        self.first_alone = False  # run item 0 on its own before the pool starts
        self.started = time.monotonic()
        self.elapsed = 0.0

    @property
    def cancelled(self) -> int:
        return self.total - self.done

    def run(
        self,
        items: Iterable[Any],
        worker: Worker,
        *,
        prepare: Prepare | None = None,
        resource: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
        on_progress: Progress | None = None,
        interval: float = 0.1,
    ) -> list[Any]:
        """Call ``worker(position, prepared, res)`` for each item, at most ``concurrency`` at once.

        ``prepare(position, item)`` runs in the calling (main) thread, so Ctrl-C
        interrupts it however long it blocks; its value is what the worker gets.
        If it raises, or returns an :class:`ItemError`, that is the item's result
        and no request is made.  ``resource`` opens an async context on the
        private loop (an async client belongs to the loop it is used on); its
        value is ``res``.  A worker's exception becomes an :class:`ItemError` in
        its slot; on Ctrl-C the unfinished slots get ``ItemError(kind="cancelled")``
        and ``interrupted`` is set.  Returns ``results``.
        """
        finished = threading.Event()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kuroryuu-map", daemon=True)
        thread.start()
        self.started = time.monotonic()
        queue: asyncio.Queue[Entry] = asyncio.Queue()
        # Bounded: at most `concurrency` prepared items wait for a free worker.
        slots = threading.Semaphore(self.concurrency)
        workers = min(self.concurrency, self.total)
        main = self._main(queue, slots, workers, worker, resource or _nothing, finished)
        future = asyncio.run_coroutine_threadsafe(main, loop)
        feeder = _Feeder(
            loop, queue, future, lambda: on_progress and on_progress(self), interval, slots
        )
        try:
            self._feed(items, prepare, feeder)
            for _ in range(workers):
                feeder.put(None)  # one "no more items" per worker
            self._wait(future, on_progress, interval)
        except BaseException as exc:
            # Ctrl-C, or a failing progress display: stop the work cleanly either way.
            future.cancel()  # cancels the task on the loop; its workers are cancelled in turn
            self._drain(finished)
            if not isinstance(exc, KeyboardInterrupt):
                raise
            self.interrupted = True
        finally:
            self.elapsed = time.monotonic() - self.started
            _stop(loop, thread)
        for position, value in enumerate(self.results):
            if value is _PENDING:
                self.results[position] = ItemError(
                    "cancelled before it finished (Ctrl-C)", kind="cancelled", index=position
                )
        return self.results

    def _feed(self, items: Iterable[Any], prepare: Prepare | None, feeder: _Feeder) -> None:
        for position, item in enumerate(items):
            if position >= self.total or feeder.stopped():
                return  # the workers are gone (a failing resource): nothing left to feed
            if prepare is None:
                value = item
            else:
                try:
                    value = prepare(position, item)
                except Exception as exc:  # this item's prompt is bad; the others go on
                    value = ItemError.from_exception(exc, index=position)
            feeder.put((position, value))
            feeder.tick()

    def _wait(
        self, future: concurrent.futures.Future[None], on_progress: Progress | None, interval: float
    ) -> None:
        while True:
            try:
                future.result(timeout=interval)
                return
            except concurrent.futures.TimeoutError:
                if on_progress is not None:
                    on_progress(self)

    @staticmethod
    def _drain(finished: threading.Event) -> None:
        """Wait for the cancelled tasks to unwind; a second Ctrl-C stops waiting."""
        with suppress(KeyboardInterrupt):
            finished.wait(timeout=10)

    async def _main(
        self,
        queue: asyncio.Queue[Entry],
        slots: threading.Semaphore,
        workers: int,
        worker: Worker,
        resource: Callable[[], AbstractAsyncContextManager[Any]],
        finished: threading.Event,
    ) -> None:
        try:
            async with resource() as res:
                if self.first_alone and workers:
                    # The first answer creates the prompt cache the others then read;
                    # sent together, every request would pay for writing it.
                    entry = await queue.get()
                    slots.release()
                    if entry is None:
                        workers -= 1
                    else:
                        await self._one(*entry, worker, res)
                # A fixed pool pulling from one queue: at most `concurrency` requests
                # exist at any moment, however many items there are (memory stays flat).
                tasks = [
                    asyncio.create_task(self._pull(queue, slots, worker, res))
                    for _ in range(workers)
                ]
                try:
                    await asyncio.gather(*tasks)
                finally:
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            finished.set()

    async def _pull(
        self, queue: asyncio.Queue[Entry], slots: threading.Semaphore, worker: Worker, res: object
    ) -> None:
        while True:
            entry = await queue.get()
            slots.release()
            if entry is None:
                return
            await self._one(*entry, worker, res)

    async def _one(self, position: int, item: object, worker: Worker, res: object) -> None:
        if isinstance(item, ItemError):  # failed while being prepared: no request
            self._settle(position, item)
            return
        self.in_flight += 1
        try:
            value = await worker(position, item, res)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one item's failure must never abort the others
            value = ItemError.from_exception(exc, index=position)
        finally:
            self.in_flight -= 1
        self._settle(position, value)

    def _settle(self, position: int, value: object) -> None:
        # Only ever called on the private loop's thread: the counters need no lock.
        if isinstance(value, ItemError):
            self.failed += 1
        self.results[position] = value
        self.done += 1


class _Feeder:
    """Hands prepared items to the private loop's queue from the main thread.

    ``slots`` bounds how many handed-over items wait unread; the main thread waits
    for one in short slices, so progress keeps moving and Ctrl-C lands at once.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        queue: asyncio.Queue[Entry],
        main: concurrent.futures.Future[None],
        progress: Callable[[], Any],
        interval: float,
        slots: threading.Semaphore,
    ) -> None:
        self.loop, self.queue, self.main = loop, queue, main
        self.progress, self.interval, self.slots = progress, interval, slots
        self.last = time.monotonic()

    def stopped(self) -> bool:
        return self.main.done()

    def put(self, entry: Entry) -> None:
        while not self.slots.acquire(timeout=self.interval):
            if self.main.done():  # the workers stopped taking items
                return
            self.tick()
        # A plain callback, not a coroutine: nothing is left un-awaited if the run stops.
        self.loop.call_soon_threadsafe(self.queue.put_nowait, entry)

    def tick(self) -> None:
        """Progress, at most once per ``interval``."""
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self.progress()


def _stop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    """End the private loop and every thread it started (its default executor's too)."""
    if loop.is_running():
        shutdown = asyncio.run_coroutine_threadsafe(loop.shutdown_default_executor(), loop)
        with suppress(BaseException):
            shutdown.result(timeout=5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    if not thread.is_alive():
        loop.close()


def run_concurrently(
    items: Iterable[Any],
    worker: Worker,
    *,
    total: int,
    concurrency: int,
    resource: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
    on_progress: Progress | None = None,
    interval: float = 0.1,
    first_alone: bool = False,
    prepare: Prepare | None = None,
) -> FanOut:
    """Shorthand: build a :class:`FanOut`, run it, return it (``.results``, ``.interrupted``)."""
    fan = FanOut(total, concurrency)
    fan.first_alone = first_alone
    fan.run(
        items,
        worker,
        prepare=prepare,
        resource=resource,
        on_progress=on_progress,
        interval=interval,
    )
    return fan
