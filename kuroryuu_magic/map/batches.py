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
from dataclasses import dataclass
from typing import Any

from ..core.errors import UsageError, api_error_from
from ..core.redact import redact
from ..core.session import session_for
from ..core.wire import joined_text
from .results import ItemError, MapSummary, shape_answer, store_batch_results

# Seconds between polls: short at first (small batches end fast), then backing off.
POLL_FIRST = 1.0
POLL_MAX = 30.0
POLL_GROWTH = 1.5

_sleep = time.sleep  # tests replace it
MAX_BATCH_REQUESTS = 100_000  # the API's limit per batch

_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_CUSTOM_ID = re.compile(r"^([a-z]+)-(\d+)$")


@dataclass
class BatchJob:
    """What this kernel knows about a batch it submitted."""

    batch_id: str
    total: int
    fmt: str
    source: Any = None  # the MapInput, for labels and aligning results to its index
    out: str | None = None


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


def submit(client: Any, requests: list[dict[str, Any]]) -> Any:
    """Create the batch; returns the SDK's ``MessageBatch``."""
    return _api_call(lambda: client.messages.batches.create(requests=requests))


def counts(batch: Any) -> tuple[int, int, int]:
    """(finished, failed, total) from a batch's ``request_counts``."""
    c = batch.request_counts
    failed = c.errored + c.canceled + c.expired
    finished = c.succeeded + failed
    return finished, failed, finished + c.processing


def wait(
    client: Any,
    batch_id: str,
    *,
    on_poll: Callable[[Any], None] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Any:
    """Poll until the batch has ended; returns it.  Ctrl-C stops waiting (the batch runs on)."""
    delay = POLL_FIRST
    while True:
        batch = _api_call(lambda: client.messages.batches.retrieve(batch_id))
        if on_poll is not None:
            on_poll(batch)
        if batch.processing_status == "ended":
            return batch
        (sleep or _sleep)(delay)
        delay = min(POLL_MAX, delay * POLL_GROWTH)


def results(client: Any, batch_id: str) -> list[tuple[str, Any]]:
    """``(custom_id, Message | ItemError)`` for every request of an ended batch."""
    out: list[tuple[str, Any]] = []
    for line in _api_call(lambda: client.messages.batches.results(batch_id)):
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


def submit_map(magics: Any, opts: Any, source: Any, prompts: Any, summary: Any) -> Any:
    """Build every item's request, submit them as one batch, then wait and collect."""
    from ..ask.client import get_client

    if source.total > MAX_BATCH_REQUESTS:
        raise UsageError(
            f"--batch takes at most {MAX_BATCH_REQUESTS:,} items; {source.name} has "
            f"{source.total:,}. Split it (e.g. {source.name}[:{MAX_BATCH_REQUESTS}]) into several cells."
        )
    fmt = prompts.settings.fmt
    requests = [
        {"custom_id": custom_id(fmt, position), "params": prompts.request(*pair)}
        for position, pair in enumerate(source.pairs())
    ]
    settings = prompts.settings
    client = get_client(timeout=settings.timeout, max_retries=settings.max_retries)
    batch = submit(client, requests)
    del requests
    remember(BatchJob(batch.id, source.total, fmt, source, opts.out))
    summary.batch_id, summary.status = batch.id, "submitted"
    magics.shell.user_ns["_claude"] = summary
    print(
        f"Submitted Message Batch {batch.id} ({source.total:,} request(s), half price). "
        f"If you stop waiting, fetch the results later with `%claude batch {batch.id} -o {opts.out}`."
    )
    return collect(magics, batch.id, opts.out, summary=summary)


def collect(magics: Any, batch_id: str, out: str | None, *, summary: Any = None) -> Any:
    """Wait for ``batch_id`` to end (with progress), then map its results back."""
    from ..ask.client import get_client
    from ..core.errors import ClaudeInterrupted
    from .progress import make_progress

    batch_id = check_batch_id(batch_id)
    client = get_client(timeout=magics.timeout, max_retries=magics.max_retries)
    job = job_for(batch_id)
    started = time.monotonic()
    progress: list[Any] = []

    def on_poll(batch: Any) -> None:
        finished, failed, total = counts(batch)
        if not progress:
            progress.append(make_progress(magics.shell, total, "Batch"))
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
    size = job.total if job else max([total, *(_position(cid) + 1 for cid, _ in lines)])
    values: list[Any] = [
        ItemError("no result for this item in the batch", kind="missing", index=i)
        for i in range(size)
    ]
    model = summary.model if summary is not None else ""
    for cid, value in lines:
        parsed = parse_custom_id(cid)
        if parsed is None or parsed[1] >= size:
            continue
        fmt, position = parsed
        label = job.source.label(position) if job else position
        if isinstance(value, ItemError):
            value.index = label
        else:
            model = model or value.model
            cost = magics.session_usage.add(value.model, value.usage, batch=True)
            if summary is None:
                summary = MapSummary(out=out or "_claude.results", total=size, model=model)
            summary.add_usage(value.usage, cost)
            value = shape_answer(joined_text(value), fmt, value.stop_reason, label)
        values[position] = value
    if summary is None:
        summary = MapSummary(out=out or "_claude.results", total=size, model=model or "?")
    summary.batch_id = batch_id
    wrapped = job.source.wrap(values, out or "results") if job else values
    return store_batch_results(magics, out, wrapped, summary, started)


def _position(cid: str) -> int:
    parsed = parse_custom_id(cid)
    return parsed[1] if parsed else -1
