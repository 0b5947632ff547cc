"""``--batch`` past the API's limits: one run split into several Message Batches.

A batch holds at most :data:`~.batches.MAX_BATCH_REQUESTS` requests and
:data:`~.batches.MAX_BATCH_BYTES` bytes.  A bigger run is cut into parts
(in input order), submitted together under one group id
(``msgbatchgroup_…``); one progress display covers every part, and
``%claude batch GROUP_ID`` fetches them all.  Custom ids carry the item's
position in the whole run, so results map back whatever part they came
from.  A part that fails to submit, errors or expires leaves only its own
items as ``ItemError`` values.

The group's parts are also written to ``batch_groups.json`` in the config
dir (ids and positions only, 0600), so a restarted kernel can still fetch
the group by its id.
"""

from __future__ import annotations

import functools
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ask.settings import Settings, Traits
from ..ask.usage import SessionUsage
from ..core.errors import ClaudeAPIError, ClaudeInterrupted, UsageError
from ..core.paths import config_dir
from ..core.session import session_for
from ..core.shell import ShellLike
from .items import MapInput
from .results import ItemError, MapSummary, shape_answer, store_batch_results

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic


__all__ = [
    "GROUP_PREFIX",
    "MAX_GROUP_ITEMS",
    "GroupJob",
    "collect_group",
    "group_for",
    "is_group_id",
    "split_requests",
]

GROUP_PREFIX = "msgbatchgroup_"
# Custom ids carry a position of at most six digits (batches.parse_custom_id).
MAX_GROUP_ITEMS = 999_999
_ENVELOPE = 64  # bytes of ``{"requests": [...]}`` around the requests, rounded up
_RECORDS_FILE = "batch_groups.json"
_RECORDS_MAX_BYTES = 32 * 1024 * 1024  # read no more than this of the records file
_RECORDS_KEPT = 50  # groups remembered on disk, newest first


def is_group_id(batch_id: str) -> bool:
    return batch_id.startswith(GROUP_PREFIX)


def request_bytes(request: dict[str, Any]) -> int:
    """An upper bound of one request's bytes in the batch body (spaces and ASCII escapes kept)."""
    return len(json.dumps(request, default=str)) + 2  # ", " between requests


def split_requests(
    requests: list[dict[str, Any]], *, max_requests: int, max_bytes: int
) -> list[list[dict[str, Any]]]:
    """Consecutive parts each within ``max_requests`` and ``max_bytes`` (a request too big
    for any batch goes alone: the API refuses that part, and only that part)."""
    parts: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = _ENVELOPE
    for request in requests:
        n = request_bytes(request)
        if current and (len(current) >= max_requests or size + n > max_bytes):
            parts.append(current)
            current, size = [], _ENVELOPE
        current.append(request)
        size += n
    if current:
        parts.append(current)
    return parts


@dataclass
class Part:
    batch_id: str | None  # None: the part could not be submitted (``error`` says why)
    positions: list[int]
    error: str | None = None


@dataclass
class GroupJob:
    """A split ``--batch`` run, as the kernel that submitted it knows it."""

    group_id: str
    total: int
    fmt: str
    parts: list[Part]
    source: MapInput | None = None
    out: str | None = None
    known: dict[int, Any] = field(default_factory=dict)  # cached answers, bad prompts
    keys: dict[int, str] = field(default_factory=dict)  # answer-cache keys of the sent items
    settings: Settings | None = None
    sink: Any = None  # plan.AnswerSink: where results are cached


class KnownGroups(dict):  # type: ignore[type-arg]
    """The batch groups this kernel submitted, by group id (kept in the kernel's session)."""


def new_group_id() -> str:
    return GROUP_PREFIX + uuid.uuid4().hex[:24]


def remember_group(job: GroupJob) -> None:
    session_for().state(KnownGroups)[job.group_id] = job
    with suppress(OSError, ValueError):  # fetching from this kernel works regardless
        _save_record(job)


def group_for(group_id: str) -> GroupJob | None:
    """This kernel's group, else the one recorded on disk (ids and positions only)."""
    return session_for().state(KnownGroups).get(group_id) or _load_record(group_id)


# -- the records file ---------------------------------------------------------------


def _records_path() -> Path:
    return config_dir() / _RECORDS_FILE


def _ranges(positions: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for p in positions:
        if out and out[-1][1] == p:
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return out


def _read_records() -> dict[str, Any]:
    path = _records_path()
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_RECORDS_MAX_BYTES + 1)
    except OSError:
        return {}
    if len(raw) > _RECORDS_MAX_BYTES:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_record(job: GroupJob) -> None:
    records = _read_records()
    records[job.group_id] = {
        "total": job.total,
        "fmt": job.fmt,
        "created": time.time(),
        "parts": [[p.batch_id, _ranges(p.positions), p.error] for p in job.parts],
    }
    newest = sorted(records.items(), key=lambda kv: -float(kv[1].get("created", 0) or 0))
    records = dict(newest[:_RECORDS_KEPT])
    path = _records_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(records, handle)
        os.replace(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()


def _load_record(group_id: str) -> GroupJob | None:
    from .batches import OUR_FORMATS, check_batch_id

    record = _read_records().get(group_id)
    try:
        total = int(record["total"])  # type: ignore[index]
        fmt = str(record["fmt"])  # type: ignore[index]
        if not 0 < total <= MAX_GROUP_ITEMS or fmt not in OUR_FORMATS:
            return None
        parts = []
        for batch_id, ranges, error in record["parts"]:  # type: ignore[index]
            positions = [
                p for start, end in ranges for p in range(max(int(start), 0), min(int(end), total))
            ]
            part_id = check_batch_id(batch_id) if batch_id is not None else None
            parts.append(Part(part_id, positions, None if error is None else str(error)[:300]))
    except (KeyError, TypeError, ValueError, UsageError):
        return None
    return GroupJob(group_id, total, fmt, parts)


# -- submitting and collecting ------------------------------------------------------


def submit_group(
    client: Anthropic,
    submit: Callable[[Any, list[dict[str, Any]]], Any],
    parts: Iterable[list[dict[str, Any]]],
    positions_of: Callable[[dict[str, Any]], int],
) -> list[Part]:
    """Submit every part; one that fails is recorded, the others go ahead."""
    out = []
    for requests in parts:
        positions = [positions_of(r) for r in requests]
        try:
            batch = submit(client, requests)
        except ClaudeAPIError as exc:
            out.append(Part(None, positions, f"this part of the batch was not submitted: {exc}"))
            continue
        out.append(Part(batch.id, positions))
    return out


def _poll_all(
    client: Anthropic,
    parts: list[Part],
    on_poll: Callable[[int, int, int], None],
    sleep: Callable[[float], None],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Poll every submitted part until each has ended or failed: (ended, failed messages)."""
    from . import batches

    ended: dict[str, Any] = {}
    failed: dict[str, str] = {}
    latest: dict[str, tuple[int, int, int]] = {}
    delay, waited = batches.POLL_FIRST, 0.0
    ids = [p.batch_id for p in parts if p.batch_id is not None]
    sizes = {p.batch_id: len(p.positions) for p in parts if p.batch_id is not None}
    while True:
        for batch_id in ids:
            if batch_id in ended or batch_id in failed:
                continue
            try:
                batch = batches._api_call(
                    functools.partial(client.messages.batches.retrieve, batch_id)
                )
            except ClaudeAPIError as exc:
                failed[batch_id] = str(exc)
                latest[batch_id] = (sizes[batch_id], sizes[batch_id], sizes[batch_id])
                continue
            finished, bad, _ = batches.counts(batch)
            latest[batch_id] = (min(finished, sizes[batch_id]), min(bad, sizes[batch_id]), 0)
            if batch.processing_status == "ended":
                ended[batch_id] = batch
        on_poll(sum(v[0] for v in latest.values()), sum(v[1] for v in latest.values()), len(ended))
        if len(ended) + len(failed) == len(ids):
            return ended, failed
        if waited >= batches.MAX_WAIT:
            for batch_id in ids:
                if batch_id not in ended:
                    failed.setdefault(batch_id, "this part had not ended after 25 hours")
            return ended, failed
        sleep(delay)
        waited += delay
        delay = min(batches.POLL_MAX, delay * batches.POLL_GROWTH)


def collect_group(
    shell: ShellLike,
    traits: Traits,
    job: GroupJob,
    out: str | None,
    *,
    summary: MapSummary | None = None,
) -> MapSummary:
    """Wait for every part of ``job`` (one progress display), then map all results back."""
    from ..ask.client import get_client
    from . import batches
    from .progress import make_progress

    client = get_client(timeout=traits.timeout, max_retries=traits.max_retries)
    session_usage = session_for(shell).state(SessionUsage)
    started = time.monotonic()
    sent = sum(len(p.positions) for p in job.parts)
    progress = make_progress(shell, sent, "Batch")
    submitted = [p for p in job.parts if p.batch_id is not None]

    def on_poll(finished: int, failed: int, ended: int) -> None:
        progress.update(finished, failed, f"{ended}/{len(submitted)} part(s) ended")

    try:
        ended, failed = _poll_all(client, job.parts, on_poll, batches._sleep)
    except KeyboardInterrupt:
        progress.close(0, 0, "stopped waiting")
        raise ClaudeInterrupted(
            f"stopped waiting; the {len(submitted)} batch(es) of group {job.group_id} keep "
            f"running on Anthropic's side. Fetch them later with `%claude batch {job.group_id}"
            + (f" -o {out}`." if out else "`.")
        ) from None
    if summary is None:
        summary = MapSummary(out=out or "_claude.results", total=job.total, model="")
    values: list[Any] = [
        ItemError("no result for this item in the batch", kind="missing", index=i)
        for i in range(job.total)
    ]
    for position, value in job.known.items():
        values[position] = value
    for part in job.parts:
        error = part.error or (failed.get(part.batch_id) if part.batch_id else None)
        lines: list[tuple[str, Any]] = []
        if error is None and part.batch_id in ended:
            try:
                lines = batches.results(client, part.batch_id)
            except ClaudeAPIError as exc:
                error = f"could not read the results of batch {part.batch_id}: {exc}"
        if error is not None:
            for position in part.positions:
                values[position] = ItemError(error, kind="error", index=_label(job, position))
            continue
        allowed = set(part.positions)
        for cid, value in lines:
            parsed = batches.parse_custom_id(cid)
            # Only ids this run issued, inside this part: a stray id sizes and moves nothing.
            if parsed is None or parsed[1] not in allowed:
                continue
            position = parsed[1]
            values[position] = _value(session_usage, job, summary, position, value)
    if job.sink is not None:
        job.sink.flush()
    progress.close(
        sent,
        sum(isinstance(values[p], ItemError) for pt in job.parts for p in pt.positions),
        "ended",
    )
    summary.total = job.total
    summary.batch_id = job.group_id
    summary.batch_ids = [p.batch_id for p in job.parts if p.batch_id is not None]
    if job.source is not None:
        from .plan import wrap_values

        wrapped = wrap_values(job.source, values, out or "results", job.settings)
    else:
        wrapped = values
    return store_batch_results(shell, out, wrapped, summary, started)


def _label(job: GroupJob, position: int) -> Any:
    return job.source.label(position) if job.source is not None else position


def _value(
    session_usage: SessionUsage, job: GroupJob, summary: MapSummary, position: int, value: Any
) -> Any:
    label = _label(job, position)
    if isinstance(value, ItemError):
        value.index = label
        return value
    summary.count(session_usage, value, batch=True)
    if job.sink is not None:
        job.sink.add(job.keys.get(position), value)
    text = "".join(b.text for b in value.content if getattr(b, "type", None) == "text")
    if job.settings is not None:
        from .plan import item_value

        return item_value(text, value.stop_reason, label, job.settings)
    return shape_answer(text, job.fmt, value.stop_reason, label)
