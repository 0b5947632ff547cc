"""Run one async job per item with bounded concurrency, on a private event loop.

The kernel already runs an asyncio loop in the main thread (``asyncio.run``
fails inside a cell), so the work runs on a short-lived loop in its own
thread while the main thread waits, reporting progress.  Waiting in the main
thread keeps Ctrl-C working: the ``KeyboardInterrupt`` lands there, the
outstanding tasks are cancelled, and what finished is kept.  The user's own
loop is never touched, so their ``await`` cells and ipywidgets keep working.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

from .results import ItemError

_PENDING = object()


Worker = Callable[[int, Any, Any], Awaitable[Any]]
Progress = Callable[["FanOut"], None]


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
        resource: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
        on_progress: Progress | None = None,
        interval: float = 0.1,
    ) -> list[Any]:
        """Call ``worker(position, item, res)`` for each item, at most ``concurrency`` at once.

        ``resource`` opens an async context on the private loop (an async client
        belongs to the loop it is used on); its value is ``res``.  A worker's
        exception becomes an :class:`ItemError` in its slot; on Ctrl-C the
        unfinished slots get ``ItemError(kind="cancelled")`` and
        ``interrupted`` is set.  Returns ``results``.
        """
        finished = threading.Event()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kuroryuu-map", daemon=True)
        thread.start()
        self.started = time.monotonic()
        main = self._main(iter(enumerate(items)), worker, resource or _nothing, finished)
        future = asyncio.run_coroutine_threadsafe(main, loop)
        try:
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
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            if not thread.is_alive():
                loop.close()
        for position, value in enumerate(self.results):
            if value is _PENDING:
                self.results[position] = ItemError(
                    "cancelled before it finished (Ctrl-C)", kind="cancelled", index=position
                )
        return self.results

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
        pairs: Iterator[tuple[int, Any]],
        worker: Worker,
        resource: Callable[[], AbstractAsyncContextManager[Any]],
        finished: threading.Event,
    ) -> None:
        try:
            async with resource() as res:
                if self.first_alone:
                    # The first answer creates the prompt cache the others then read;
                    # sent together, every request would pay for writing it.
                    for position, item in pairs:
                        await self._one(position, item, worker, res)
                        break
                # A fixed pool pulling from one iterator: at most `concurrency` requests
                # exist at any moment, however many items there are (memory stays flat).
                tasks = [
                    asyncio.create_task(self._pull(pairs, worker, res))
                    for _ in range(min(self.concurrency, self.total))
                ]
                try:
                    await asyncio.gather(*tasks)
                finally:
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            finished.set()

    async def _pull(self, pairs: Iterator[tuple[int, Any]], worker: Worker, res: Any) -> None:
        for position, item in pairs:
            await self._one(position, item, worker, res)

    async def _one(self, position: int, item: Any, worker: Worker, res: Any) -> None:
        self.in_flight += 1
        try:
            value = await worker(position, item, res)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one item's failure must never abort the others
            value = ItemError.from_exception(exc, index=position)
        finally:
            self.in_flight -= 1
        if isinstance(value, ItemError):
            self.failed += 1
        self.results[position] = value
        self.done += 1


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
) -> FanOut:
    """Shorthand: build a :class:`FanOut`, run it, return it (``.results``, ``.interrupted``)."""
    fan = FanOut(total, concurrency)
    fan.first_alone = first_alone
    fan.run(items, worker, resource=resource, on_progress=on_progress, interval=interval)
    return fan
