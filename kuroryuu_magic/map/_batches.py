"""Anthropic's Message Batches for ``--map --batch``: the run as a job of batches, custom
ids, submitting, polling, and reading results.

A run is a :class:`BatchJob`: one Message Batch, or past the API's limits a
group of them (``_groups``) under one group id; either way a list of
:class:`Part` values, each a batch and the run positions its requests carry.  Each
request's ``custom_id`` is ``<format>-<position>`` (``json-17``), so a kernel
that did not submit the batch still knows where each answer goes and how to
read it.  The kernel that did submit also remembers the input's labels, so its
results come back aligned to the index.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from ..ask.settings import Settings
from ..core.errors import ClaudeAPIError, UsageError, api_error_from
from ..core.redact import redact
from ..core.session import session_for
from ._items import MapInput
from ._results import ItemError

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic
    from anthropic.types import Message
    from anthropic.types.messages import MessageBatch, MessageBatchErroredResult
    from anthropic.types.messages.batch_create_params import Request

    from ._plan import AnswerSink

_T = TypeVar("_T")

# Seconds between polls: short at first (small batches end fast), then backing off.
POLL_FIRST = 1.0
POLL_MAX = 30.0
POLL_GROWTH = 1.5
# Batches end or expire within 24 hours; an hour's grace for the last results.
MAX_WAIT = 25 * 3600.0

_sleep = time.sleep  # tests replace it
MAX_BATCH_REQUESTS = 100_000  # the API's limit per batch
MAX_BATCH_BYTES = 256 * 1024 * 1024  # the API's limit on one batch's body
GROUP_PREFIX = "msgbatchgroup_"  # the id of a run split into several batches (``_groups``)

_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Positions have at most six digits (a batch holds at most 100,000 requests), so a
# foreign id's long number is never even converted.
_CUSTOM_ID = re.compile(r"^([a-z]+)-(\d{1,6})$")
# The ``-f`` formats (magic/_options.py FORMATS): the only prefixes this package issues.
OUR_FORMATS = frozenset({"markdown", "text", "code", "json"})


@dataclass
class Part:
    """One Message Batch of a run and the run positions its requests carry."""

    batch_id: str | None  # None: the part could not be submitted (``error`` says why)
    positions: list[int]
    error: str | None = None


@dataclass
class BatchJob:
    """A ``--batch`` run as this kernel knows it: one batch, or a group of them.

    ``placed_by_id``: a batch this kernel knows only by its id (another kernel or
    tool made it); its results go where their custom ids say, nothing else is known.
    """

    job_id: str  # the batch's id, or the group's (``msgbatchgroup_…``)
    total: int
    fmt: str
    parts: list[Part]
    source: MapInput | None = None  # for labels and aligning results to its index
    out: str | None = None
    # Values known without sending (cached answers, bad prompts): ItemErrors or item values.
    known: dict[int, object] = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)  # answer-cache keys of the sent items
    settings: Settings | None = None  # the run's settings (``--schema`` validates the results)
    sink: AnswerSink | None = None  # where the results are cached
    placed_by_id: bool = False

    @classmethod
    def by_id(cls, batch_id: str) -> BatchJob:
        """A batch this kernel did not submit: one part, positions unknown."""
        return cls(batch_id, 0, "text", [Part(batch_id, [])], placed_by_id=True)

    @property
    def grouped(self) -> bool:
        return self.job_id.startswith(GROUP_PREFIX)

    @property
    def batch_ids(self) -> list[str]:
        """The ids of the parts that were submitted, in order."""
        return [p.batch_id for p in self.parts if p.batch_id is not None]


class KnownJobs(dict[str, BatchJob]):
    """The runs this kernel submitted, by batch or group id (kept in the kernel's session)."""


def remember(job: BatchJob) -> None:
    session_for().state(KnownJobs)[job.job_id] = job


def job_for(job_id: str) -> BatchJob | None:
    return session_for().state(KnownJobs).get(job_id)


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


def _api_call(call: Callable[[], _T]) -> _T:
    from ..ask.client import base_url

    try:
        return call()
    except UsageError:
        raise
    except Exception as exc:
        if type(exc).__module__.startswith(("anthropic", "httpx")):
            raise api_error_from(exc, base_url=base_url()) from None
        raise


def submit(client: Anthropic, requests: list[Request]) -> MessageBatch:
    """Create the batch; returns the SDK's ``MessageBatch``."""
    return _api_call(lambda: client.messages.batches.create(requests=requests))


def counts(batch: MessageBatch) -> tuple[int, int, int]:
    """(finished, failed, total) from a batch's ``request_counts``."""
    c = batch.request_counts

    def n(value: int | None) -> int:
        # The server's numbers size a progress bar: keep them to what a batch can hold
        # (the SDK builds its models without validating, so a count may even be None).
        return min(max(int(value or 0), 0), MAX_BATCH_REQUESTS)

    failed = min(n(c.errored) + n(c.canceled) + n(c.expired), MAX_BATCH_REQUESTS)
    finished = min(n(c.succeeded) + failed, MAX_BATCH_REQUESTS)
    return finished, failed, min(finished + n(c.processing), MAX_BATCH_REQUESTS)


# What one round of polling saw: each batch's latest state, None where looking it up failed.
Polled = Mapping[str, "MessageBatch | None"]


def wait_all(
    client: Anthropic,
    batch_ids: list[str],
    *,
    on_poll: Callable[[Polled, int], None],
    strict: bool = False,
) -> tuple[dict[str, MessageBatch], dict[str, str]]:
    """Poll every batch until each has ended or failed: (ended batches, failure messages).

    ``on_poll`` sees each round (the latest states, how many have ended).  Ctrl-C
    stops waiting (the batches run on).  Gives up after :data:`MAX_WAIT` seconds: a
    batch ends (or expires) within 24 hours, so a server still saying "in progress"
    after that is not to be believed.  ``strict`` (a run of one batch): a failed
    look-up or giving up raises, as there are no other parts to go on with.
    """
    ended: dict[str, MessageBatch] = {}
    failed: dict[str, str] = {}
    latest: dict[str, MessageBatch | None] = {}
    delay, waited = POLL_FIRST, 0.0
    while True:
        for batch_id in batch_ids:
            if batch_id in ended or batch_id in failed:
                continue
            try:
                batch = _api_call(functools.partial(client.messages.batches.retrieve, batch_id))
            except ClaudeAPIError as exc:
                if strict:
                    raise
                failed[batch_id], latest[batch_id] = str(exc), None
                continue
            latest[batch_id] = batch
            if batch.processing_status == "ended":
                ended[batch_id] = batch
        on_poll(latest, len(ended))
        if len(ended) + len(failed) == len(batch_ids):
            return ended, failed
        if waited >= MAX_WAIT:
            if strict:
                raise ClaudeAPIError(
                    f"Batch {batch_ids[0]} has not ended after {MAX_WAIT / 3600:.0f} hours, "
                    "longer than a batch can run; stopped waiting. "
                    f"Try `%claude batch {batch_ids[0]}` later."
                )
            for batch_id in batch_ids:
                if batch_id not in ended:
                    failed.setdefault(batch_id, "this part had not ended after 25 hours")
            return ended, failed
        _sleep(delay)
        waited += delay
        delay = min(POLL_MAX, delay * POLL_GROWTH)


def results(client: Anthropic, batch_id: str) -> list[tuple[str, Message | ItemError]]:
    """``(custom_id, Message | ItemError)`` for every request of an ended batch."""
    out: list[tuple[str, Message | ItemError]] = []
    for line in _api_call(lambda: client.messages.batches.results(batch_id)):
        if len(out) >= MAX_BATCH_REQUESTS:
            # A batch holds at most this many; a server sending more is not trusted to stop.
            raise ClaudeAPIError(
                f"Batch {batch_id} returned more than {MAX_BATCH_REQUESTS:,} results, more "
                "than a batch can hold; stopped reading."
            )
        result = line.result
        value: Message | ItemError
        if result.type == "succeeded":
            value = result.message
        elif result.type == "errored":
            value = _errored(result)
        elif result.type == "expired":
            value = ItemError("the batch expired before this request ran", kind="expired")
        else:
            value = ItemError("the batch was cancelled before this request ran", kind="cancelled")
        out.append((line.custom_id, value))
    return out


def _errored(result: MessageBatchErroredResult) -> ItemError:
    # getattr all the way: the server's error body is read as sent, any field may be missing.
    response = getattr(result, "error", None)
    inner = getattr(response, "error", None)
    err_type = getattr(inner, "type", None) or "error"
    message = " ".join(str(getattr(inner, "message", "") or "").split())
    # Redacted before the cut: the result comes from the server and may echo a key.
    return ItemError(
        redact(f"Claude API error {err_type} in the batch: {message}")[:300],
        request_id=getattr(response, "request_id", None),
    )


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
