"""``--map … --batch`` and ``%claude batch ID``: submit a run, and the one collector.

A run's items that the answer cache does not hold go out as one Message Batch
or, past the API's limits, as a group of them (``_groups``).  Either way the run
is a :class:`~._batches.BatchJob` (a single batch is a group of one part), and
:func:`collect` waits for its parts, maps their results back and stores them:
for a run just submitted, for a batch or group fetched by its id, and for a
batch another kernel made (placed by its custom ids alone).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from ..ask.settings import Request, Settings, Traits
from ..ask.usage import SessionUsage
from ..core.errors import ClaudeAPIError, ClaudeInterrupted, UsageError
from ..core.redact import redact
from ..core.session import session_for
from ..core.shell import ShellLike
from ..core.wire import joined_text
from . import _batches, _groups
from ._batches import BatchJob, Part, Polled
from ._items import MapInput
from ._plan import AnswerSink, Plan, item_value, wrap_values
from ._progress import TextProgress, WidgetProgress, make_progress
from ._results import ItemError, MapSummary, shape_answer, store_batch_results

if TYPE_CHECKING:
    from anthropic import Anthropic
    from anthropic.types import Message
    from anthropic.types.messages import MessageBatch
    from anthropic.types.messages.batch_create_params import Request as BatchRequest

    from ..cache import AnswerCache, CacheMode

__all__ = ["collect", "fetch", "submit_map"]


def fetch(shell: ShellLike, traits: Traits, batch_id: str, out: str | None) -> MapSummary:
    """``%claude batch ID``: one batch, or every part of a group by its group id."""
    batch_id = _batches.check_batch_id(batch_id)
    job = _batches.job_for(batch_id)
    if job is None and _groups.is_group_id(batch_id):
        job = _groups.load_record(batch_id)
        if job is None:
            raise UsageError(
                f"{batch_id} is a batch group this kernel does not know (it lists its parts' ids "
                "in batch_groups.json of the config dir); fetch the parts one by one instead."
            )
    return collect(shell, traits, job or BatchJob.by_id(batch_id), out)


def submit_map(
    shell: ShellLike,
    opts: Request,
    source: MapInput,
    settings: Settings,
    summary: MapSummary,
    plan: Plan,
    cache: AnswerCache | None,
    mode: CacheMode,
) -> MapSummary:
    """Submit the items ``plan`` leaves pending (the answer cache holds the others) as one
    batch (or, past the API's limits, several: see ``_groups``), then wait and collect."""
    from ..ask.client import get_client

    assert opts.out is not None  # run_map refuses a --map without -o
    if source.total > _groups.MAX_GROUP_ITEMS:
        raise UsageError(
            f"--batch takes at most {_groups.MAX_GROUP_ITEMS:,} items; {source.name} has "
            f"{source.total:,}. Split it into several cells."
        )
    fmt = settings.fmt
    known = {p: v for p, v in enumerate(plan.values) if not plan.is_pending(p)}
    if not plan.pending:  # all cached, or every prompt was bad: nothing to submit
        values = [known[position] for position in range(source.total)]
        return store_batch_results(
            shell,
            opts.out,
            wrap_values(source, values, opts.out, settings),
            summary,
            time.monotonic(),
        )
    # The SDK's Request shape (custom_id + params); the params are build_request's.
    requests = [
        cast("BatchRequest", {"custom_id": _batches.custom_id(fmt, position), "params": params})
        for position, params, _ in plan.pending
    ]
    keys = {position: key for position, _, key in plan.pending if key is not None}
    chunks = _groups.split_requests(
        requests, max_requests=_batches.MAX_BATCH_REQUESTS, max_bytes=_batches.MAX_BATCH_BYTES
    )
    client = get_client(timeout=settings.timeout, max_retries=settings.max_retries)
    sent = len(requests)
    del requests
    if len(chunks) == 1:
        batch = _batches.submit(client, chunks[0])
        parts = [Part(batch.id, [position for position, _, _ in plan.pending])]
        job_id = batch.id
    else:
        parts = _groups.submit_group(client, _batches.submit, chunks, _position)
        job_id = _groups.new_group_id()
    del chunks
    job = BatchJob(
        job_id,
        source.total,
        fmt,
        parts,
        source=source,
        out=opts.out,
        known=known,
        keys=keys,
        settings=settings,
        sink=AnswerSink(cache, mode),
    )
    _batches.remember(job)
    if job.grouped:
        _groups.save_record(job)
    summary.batch_id, summary.status, summary.batch_ids = job_id, "submitted", job.batch_ids
    shell.user_ns["_claude"] = summary
    if not job.grouped:
        print(
            f"Submitted Message Batch {job_id} ({sent:,} request(s), half price). If you stop "
            f"waiting, fetch the results later with `%claude batch {job_id} -o {opts.out}`."
        )
    else:
        refused = sum(1 for p in parts if p.batch_id is None)
        print(
            f"Submitted {len(job.batch_ids)} Message Batches as group {job_id} ({sent:,} "
            f"request(s) past one batch's limits, half price)"
            + (f"; {refused} part(s) were refused" if refused else "")
            + f". If you stop waiting, fetch them later with `%claude batch {job_id} "
            f"-o {opts.out}`."
        )
    return collect(shell, opts.traits, job, opts.out, summary=summary)


def _position(request: BatchRequest) -> int:
    parsed = _batches.parse_custom_id(request["custom_id"])
    assert parsed is not None  # every request here got its id from _batches.custom_id
    return parsed[1]


# -- the one collector ----------------------------------------------------------------


def collect(
    shell: ShellLike,
    traits: Traits,
    job: BatchJob,
    out: str | None,
    *,
    summary: MapSummary | None = None,
) -> MapSummary:
    """Wait for every batch of ``job`` (one progress display), then map all results back.

    A run of one batch is the whole run: a failure to poll it or read its results
    raises.  In a group, a part that fails leaves only its own items as ItemErrors.
    """
    from ..ask.client import get_client

    client = get_client(timeout=traits.timeout, max_retries=traits.max_retries)
    started = time.monotonic()
    watch: _Watch = _GroupWatch(shell, job) if job.grouped else _BatchWatch(shell, job)
    try:
        ended, failed = _batches.wait_all(
            client, job.batch_ids, on_poll=watch.poll, strict=not job.grouped
        )
    except KeyboardInterrupt:
        raise ClaudeInterrupted(watch.stopped(out)) from None
    watch.waited(ended)
    if summary is None:
        summary = MapSummary(out=out or "_claude.results", total=job.total, model="")
    run = _Run(job, summary, session_for(shell).state(SessionUsage))
    values: list[object] | dict[str, object]
    if job.placed_by_id:
        values = run.place_by_id(client, ended[job.job_id])
    else:
        values = run.place(client, ended, failed)
    if job.sink is not None:
        job.sink.flush()
    watch.placed(values)
    summary.total = run.size
    summary.batch_id, summary.batch_ids = job.job_id, job.batch_ids
    wrapped: object = values
    if job.source is not None and isinstance(values, list):
        wrapped = wrap_values(job.source, values, out or "results", job.settings)
    return store_batch_results(shell, out, wrapped, summary, started)


class _Run:
    """Maps one run's result lines to its items' values, counting and caching the answers."""

    def __init__(self, job: BatchJob, summary: MapSummary, usage: SessionUsage) -> None:
        self.job = job
        self.summary = summary
        self.usage = usage
        self.size = job.total

    def label(self, position: int) -> object:
        source = self.job.source
        return source.label(position) if source is not None else position

    def missing(self) -> list[object]:
        return [
            ItemError("no result for this item in the batch", kind="missing", index=i)
            for i in range(self.size)
        ]

    def place(
        self, client: Anthropic, ended: dict[str, MessageBatch], failed: dict[str, str]
    ) -> list[object]:
        """Results by position, part by part; a part's stray ids size and move nothing."""
        job = self.job
        values = self.missing()
        for position, value in job.known.items():
            values[position] = value
        for part in job.parts:
            error = part.error or (failed.get(part.batch_id) if part.batch_id else None)
            lines: list[tuple[str, Message | ItemError]] = []
            if error is None and part.batch_id in ended:
                assert part.batch_id is not None  # narrowed: only submitted parts have ended
                try:
                    lines = _batches.results(client, part.batch_id)
                except ClaudeAPIError as exc:
                    if not job.grouped:
                        raise
                    error = f"could not read the results of batch {part.batch_id}: {exc}"
            if error is not None:
                for position in part.positions:
                    values[position] = ItemError(error, kind="error", index=self.label(position))
                continue
            allowed = set(part.positions)
            for cid, value in lines:
                parsed = _batches.parse_custom_id(cid)
                if parsed is None or parsed[1] not in allowed:
                    continue
                position = parsed[1]
                values[position] = self.value(value, self.label(position), position, job.fmt)
        return values

    def place_by_id(
        self, client: Anthropic, batch: MessageBatch
    ) -> list[object] | dict[str, object]:
        """A batch this kernel did not submit: by position when every custom id is one this
        package issues for a batch of its size, else in a dict by custom id."""
        lines = _batches.results(client, batch.id)
        # Only ids this package issued place a result in a list, and only inside the batch's
        # own size: a batch made by another tool (``req-20240101``) must not size anything.
        self.size = _batches.counts(batch)[2]
        slots = _batches.our_slots([cid for cid, _ in lines], self.size)
        if slots is None:
            self.size = len(lines)
            by_id: dict[str, object] = {}
            for cid, value in lines:
                parsed = _batches.parse_custom_id(cid)
                fmt = parsed[0] if parsed and parsed[0] in _batches.OUR_FORMATS else "text"
                by_id[cid] = self.value(value, cid, None, fmt)
            return by_id
        values = self.missing()
        for cid, value in lines:
            fmt, position = slots[cid]
            values[position] = self.value(value, position, position, fmt)
        return values

    def value(
        self, result: Message | ItemError, label: object, position: int | None, fmt: str
    ) -> object:
        """One result as its item's value: an error labelled, or the answer counted,
        cached and shaped by ``--schema`` or ``-f``."""
        if isinstance(result, ItemError):
            result.index = label
            return result
        job = self.job
        self.summary.count(self.usage, result, batch=True)
        if job.sink is not None and position is not None:
            job.sink.add(job.keys.get(position), result)
        text = redact(joined_text(result))  # a batch result may echo the key too
        if job.settings is not None:
            return item_value(text, result.stop_reason, label, job.settings)
        return shape_answer(text, fmt, result.stop_reason, label)


# -- progress while waiting -----------------------------------------------------------


class _Watch:
    """The run's one progress display while polling, and what Ctrl-C says."""

    progress: TextProgress | WidgetProgress | None = None

    def __init__(self, shell: ShellLike, job: BatchJob) -> None:
        self.shell = shell
        self.job = job

    def poll(self, latest: Polled, ended: int) -> None:
        raise NotImplementedError

    def waited(self, ended: dict[str, MessageBatch]) -> None:
        """Every batch has ended (or failed)."""

    def placed(self, values: list[object] | dict[str, object]) -> None:
        """The results are mapped back."""

    def stopped(self, out: str | None) -> str:
        """Ctrl-C while polling: close the display; what to tell the user."""
        if self.progress is not None:
            self.progress.close(0, 0, "stopped waiting")
        fetch = f"`%claude batch {self.job.job_id}" + (f" -o {out}`." if out else "`.")
        return self.still_running() + fetch

    def still_running(self) -> str:
        raise NotImplementedError


class _BatchWatch(_Watch):
    """One batch: the server's own counts and status (the bar appears at the first poll)."""

    def poll(self, latest: Polled, ended: int) -> None:
        batch = latest[self.job.job_id]
        if batch is None:  # a strict wait raises instead; nothing to show
            return
        finished, failed, total = _batches.counts(batch)
        if self.progress is None:
            self.progress = make_progress(self.shell, total, "Batch")
        self.progress.update(finished, failed, batch.processing_status)

    def waited(self, ended: dict[str, MessageBatch]) -> None:
        finished, failed, _ = _batches.counts(ended[self.job.job_id])
        if self.progress is not None:
            self.progress.close(finished, failed, "ended")

    def still_running(self) -> str:
        batch_id = self.job.job_id
        return (
            f"stopped waiting; batch {batch_id} keeps running on Anthropic's side. "
            "Fetch it later with "
        )


class _GroupWatch(_Watch):
    """Several batches: their items summed, how many parts have ended, then failed items."""

    def __init__(self, shell: ShellLike, job: BatchJob) -> None:
        super().__init__(shell, job)
        self.sizes = {p.batch_id: len(p.positions) for p in job.parts if p.batch_id is not None}
        self.sent = sum(len(p.positions) for p in job.parts)
        self.bar = make_progress(shell, self.sent, "Batch")
        self.progress = self.bar

    def poll(self, latest: Polled, ended: int) -> None:
        finished = failed = 0
        for batch_id, batch in latest.items():
            size = self.sizes[batch_id]
            if batch is None:  # could not be looked up: its items count as failed
                finished, failed = finished + size, failed + size
                continue
            done, bad, _ = _batches.counts(batch)
            finished, failed = finished + min(done, size), failed + min(bad, size)
        self.bar.update(finished, failed, f"{ended}/{len(self.sizes)} part(s) ended")

    def placed(self, values: list[object] | dict[str, object]) -> None:
        assert isinstance(values, list)  # a group always knows its positions
        errors = sum(
            isinstance(values[p], ItemError) for pt in self.job.parts for p in pt.positions
        )
        self.bar.close(self.sent, errors, "ended")

    def still_running(self) -> str:
        return (
            f"stopped waiting; the {len(self.sizes)} batch(es) of group {self.job.job_id} keep "
            "running on Anthropic's side. Fetch them later with "
        )
