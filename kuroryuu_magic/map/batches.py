"""Anthropic's Message Batches for ``--map --batch``: submit, poll, and map results back.

Each request's ``custom_id`` is ``<format>-<position>`` (``json-17``), so a
kernel that did not submit the batch still knows where each answer goes and
how to read it.  The kernel that did submit also remembers the input's
labels, so its results come back aligned to the index.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ..ask.settings import Settings, Traits
from ..ask.usage import SessionUsage
from ..core.errors import ClaudeAPIError, UsageError, api_error_from
from ..core.redact import redact
from ..core.session import session_for
from ..core.shell import ShellLike
from ..core.wire import joined_text
from .items import MapInput
from .results import ItemError, MapSummary, shape_answer, store_batch_results

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic
    from anthropic.types.messages.batch_create_params import Request


# Seconds between polls: short at first (small batches end fast), then backing off.
POLL_FIRST = 1.0
POLL_MAX = 30.0
POLL_GROWTH = 1.5
# Batches end or expire within 24 hours; an hour's grace for the last results.
MAX_WAIT = 25 * 3600.0

_sleep = time.sleep  # tests replace it
MAX_BATCH_REQUESTS = 100_000  # the API's limit per batch
MAX_BATCH_BYTES = 256 * 1024 * 1024  # the API's limit on one batch's body

_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Positions have at most six digits (a batch holds at most 100,000 requests), so a
# foreign id's long number is never even converted.
_CUSTOM_ID = re.compile(r"^([a-z]+)-(\d{1,6})$")
# The ``-f`` formats (magic/_options.py FORMATS): the only prefixes this package issues.
OUR_FORMATS = frozenset({"markdown", "text", "code", "json"})


@dataclass
class BatchJob:
    """What this kernel knows about a batch it submitted."""

    batch_id: str
    total: int
    fmt: str
    source: MapInput | None = None  # for labels and aligning results to its index
    out: str | None = None
    failed: dict[int, Any] = field(default_factory=dict)  # not sent: bad prompts, cached answers
    keys: dict[int, str] = field(default_factory=dict)  # answer-cache keys of the sent items
    settings: Settings | None = None  # the run's settings (``--schema`` validates the results)
    sink: Any = None  # plan.AnswerSink: where the results are cached


class KnownJobs(dict):  # type: ignore[type-arg]
    """The batches this kernel submitted, by id (kept in the kernel's session)."""


def remember(job: BatchJob) -> None:
    session_for().state(KnownJobs)[job.batch_id] = job


def job_for(batch_id: str) -> BatchJob | None:
    return session_for().state(KnownJobs).get(batch_id)


def custom_id(fmt: str, position: int) -> str:
    return f"{fmt}-{position}"


def parse_custom_id(value: str) -> tuple[str, int] | None:
    """``json-17`` → ("json", 17); ``None`` for ids this package did not make."""
    match = _CUSTOM_ID.match(value)
    return (match.group(1), int(match.group(2))) if match else None


def check_batch_id(batch_id: str) -> str:
    batch_id = batch_id.strip()
    if not _BATCH_ID.match(batch_id):
        raise UsageError(f"{batch_id!r} is not a batch id; they look like msgbatch_01AbC….")
    return batch_id


def _api_call(call: Callable[[], Any]) -> Any:
    from ..ask.client import base_url

    try:
        return call()
    except UsageError:
        raise
    except Exception as exc:
        if type(exc).__module__.startswith(("anthropic", "httpx")):
            raise api_error_from(exc, base_url=base_url()) from None
        raise


def submit(client: Anthropic, requests: list[dict[str, Any]]) -> Any:
    """Create the batch; returns the SDK's ``MessageBatch``."""
    # Built as plain dicts in the SDK's Request shape (custom_id + params).
    batch_requests = cast("list[Request]", requests)
    return _api_call(lambda: client.messages.batches.create(requests=batch_requests))


def counts(batch: Any) -> tuple[int, int, int]:
    """(finished, failed, total) from a batch's ``request_counts``."""
    c = batch.request_counts

    def n(value: Any) -> int:
        # The server's numbers size a progress bar: keep them to what a batch can hold.
        return min(max(int(value or 0), 0), MAX_BATCH_REQUESTS)

    failed = min(n(c.errored) + n(c.canceled) + n(c.expired), MAX_BATCH_REQUESTS)
    finished = min(n(c.succeeded) + failed, MAX_BATCH_REQUESTS)
    return finished, failed, min(finished + n(c.processing), MAX_BATCH_REQUESTS)


def wait(
    client: Anthropic,
    batch_id: str,
    *,
    on_poll: Callable[[Any], None] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Any:
    """Poll until the batch has ended; returns it.  Ctrl-C stops waiting (the batch runs on).

    Gives up after :data:`MAX_WAIT` seconds of waiting: a batch ends (or expires) within
    24 hours, so a server still saying "in progress" after that is not to be believed.
    """
    delay = POLL_FIRST
    waited = 0.0
    while True:
        batch = _api_call(lambda: client.messages.batches.retrieve(batch_id))
        if on_poll is not None:
            on_poll(batch)
        if batch.processing_status == "ended":
            return batch
        if waited >= MAX_WAIT:
            raise ClaudeAPIError(
                f"Batch {batch_id} has not ended after {MAX_WAIT / 3600:.0f} hours, longer than "
                f"a batch can run; stopped waiting. Try `%claude batch {batch_id}` later."
            )
        (sleep or _sleep)(delay)
        waited += delay
        delay = min(POLL_MAX, delay * POLL_GROWTH)


def results(client: Anthropic, batch_id: str) -> list[tuple[str, Any]]:
    """``(custom_id, Message | ItemError)`` for every request of an ended batch."""
    out: list[tuple[str, Any]] = []
    for line in _api_call(lambda: client.messages.batches.results(batch_id)):
        if len(out) >= MAX_BATCH_REQUESTS:
            # A batch holds at most this many; a server sending more is not trusted to stop.
            raise ClaudeAPIError(
                f"Batch {batch_id} returned more than {MAX_BATCH_REQUESTS:,} results, more "
                "than a batch can hold; stopped reading."
            )
        result = line.result
        if result.type == "succeeded":
            value: Any = result.message
        elif result.type == "errored":
            value = _errored(result)
        elif result.type == "expired":
            value = ItemError("the batch expired before this request ran", kind="expired")
        else:
            value = ItemError("the batch was cancelled before this request ran", kind="cancelled")
        out.append((line.custom_id, value))
    return out


def _errored(result: Any) -> ItemError:
    response = getattr(result, "error", None)
    inner = getattr(response, "error", None)
    err_type = getattr(inner, "type", None) or "error"
    message = " ".join(str(getattr(inner, "message", "") or "").split())
    # Redacted before the cut: the result comes from the server and may echo a key.
    return ItemError(
        redact(f"Claude API error {err_type} in the batch: {message}")[:300],
        request_id=getattr(response, "request_id", None),
    )


# -- the magic's side: submit a --map as a batch, collect results ------------------------


def collect(
    shell: ShellLike,
    traits: Traits,
    batch_id: str,
    out: str | None,
    *,
    summary: MapSummary | None = None,
) -> MapSummary:
    """Wait for ``batch_id`` to end (with progress), then map its results back."""
    from ..ask.client import get_client
    from ..core.errors import ClaudeInterrupted
    from .progress import make_progress

    batch_id = check_batch_id(batch_id)
    client = get_client(timeout=traits.timeout, max_retries=traits.max_retries)
    job = job_for(batch_id)
    session_usage = session_for(shell).state(SessionUsage)
    started = time.monotonic()
    progress: list[Any] = []

    def on_poll(batch: Any) -> None:
        finished, failed, total = counts(batch)
        if not progress:
            progress.append(make_progress(shell, total, "Batch"))
        progress[0].update(finished, failed, batch.processing_status)

    try:
        batch = wait(client, batch_id, on_poll=on_poll)
    except KeyboardInterrupt:
        if progress:
            progress[0].close(0, 0, "stopped waiting")
        raise ClaudeInterrupted(
            f"stopped waiting; batch {batch_id} keeps running on Anthropic's side. "
            f"Fetch it later with `%claude batch {batch_id}" + (f" -o {out}`." if out else "`.")
        ) from None
    finished, failed, total = counts(batch)
    progress[0].close(finished, failed, "ended")
    lines = results(client, batch_id)
    # Only ids this package issued place a result in a list, and only inside the batch's
    # own size: a batch made by another tool (``req-20240101``) must not size anything.
    size = job.total if job else min(total, MAX_BATCH_REQUESTS)
    slots = our_slots([cid for cid, _ in lines], size)
    values: Any
    if slots is None:
        values, size = {}, len(lines)
    else:
        values = [
            ItemError("no result for this item in the batch", kind="missing", index=i)
            for i in range(size)
        ]
    model = summary.model if summary is not None else ""
    label: str | int
    for cid, value in lines:
        if slots is None:
            parsed = parse_custom_id(cid)
            fmt = parsed[0] if parsed and parsed[0] in OUR_FORMATS else "text"
            position, label = None, cid
        else:
            fmt, position = slots[cid]
            label = job.source.label(position) if job and job.source else position
        if isinstance(value, ItemError):
            value.index = label
        else:
            model = model or value.model
            if summary is None:
                summary = MapSummary(out=out or "_claude.results", total=size, model=model)
            summary.count(session_usage, value, batch=True)
            if job is not None and job.sink is not None and position is not None:
                job.sink.add(job.keys.get(position), value)
            text = redact(joined_text(value))  # a batch result may echo the key too
            if job is not None and job.settings is not None and slots is not None:
                from .plan import item_value

                value = item_value(text, value.stop_reason, label, job.settings)
            else:
                value = shape_answer(text, fmt, value.stop_reason, label)
        if position is None:
            values[cid] = value
        else:
            values[position] = value
    if job is not None and slots is not None:
        for position, error in job.failed.items():
            values[position] = error
    if summary is None:
        summary = MapSummary(out=out or "_claude.results", total=size, model=model or "?")
    if job is not None and job.sink is not None:
        job.sink.flush()
    summary.total = size
    summary.batch_id = batch_id
    summary.batch_ids = [batch_id]
    if job is not None and job.source is not None and slots is not None:
        from .plan import wrap_values

        wrapped = wrap_values(job.source, values, out or "results", job.settings)
    else:
        wrapped = values
    return store_batch_results(shell, out, wrapped, summary, started)


def our_slots(ids: list[str], size: int) -> dict[str, tuple[str, int]] | None:
    """``{custom_id: (format, position)}`` when every id is one this package issues for a
    batch of ``size`` requests; ``None`` when any is foreign (results then go in a dict)."""
    slots: dict[str, tuple[str, int]] = {}
    taken: set[int] = set()
    for cid in ids:
        parsed = parse_custom_id(cid)
        if parsed is None or parsed[0] not in OUR_FORMATS or not 0 <= parsed[1] < size:
            return None
        if parsed[1] in taken:
            return None
        taken.add(parsed[1])
        slots[cid] = parsed
    return slots
