"""``--batch`` past the API's limits: one run split into several Message Batches.

A batch holds at most :data:`~._batches.MAX_BATCH_REQUESTS` requests and
:data:`~._batches.MAX_BATCH_BYTES` bytes.  A bigger run is cut into parts
(in input order), submitted together under one group id
(``msgbatchgroup_…``) as one :class:`~._batches.BatchJob` of several parts,
collected like any run (``_batch_run.collect``).  Custom ids carry the item's
position in the whole run, so results map back whatever part they came
from.  A part that fails to submit, errors or expires leaves only its own
items as ``ItemError`` values.

The group's parts are also written to ``batch_groups.json`` in the config
dir (ids and positions only, 0600), so a restarted kernel can still fetch
the group by its id.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ClaudeAPIError, UsageError
from ..core.paths import config_dir
from ._batches import GROUP_PREFIX, OUR_FORMATS, BatchJob, Part, check_batch_id

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic
    from anthropic.types.messages import MessageBatch
    from anthropic.types.messages.batch_create_params import Request


__all__ = [
    "MAX_GROUP_ITEMS",
    "is_group_id",
    "load_record",
    "new_group_id",
    "save_record",
    "split_requests",
    "submit_group",
]

# Custom ids carry a position of at most six digits (_batches.parse_custom_id).
MAX_GROUP_ITEMS = 999_999
_ENVELOPE = 64  # bytes of ``{"requests": [...]}`` around the requests, rounded up
_RECORDS_FILE = "batch_groups.json"
_RECORDS_MAX_BYTES = 32 * 1024 * 1024  # read no more than this of the records file
_RECORDS_KEPT = 50  # groups remembered on disk, newest first


def is_group_id(batch_id: str) -> bool:
    return batch_id.startswith(GROUP_PREFIX)


def request_bytes(request: Request) -> int:
    """An upper bound of one request's bytes in the batch body (spaces and ASCII escapes kept)."""
    return len(json.dumps(request, default=str)) + 2  # ", " between requests


def split_requests(
    requests: list[Request], *, max_requests: int, max_bytes: int
) -> list[list[Request]]:
    """Consecutive parts each within ``max_requests`` and ``max_bytes`` (a request too big
    for any batch goes alone: the API refuses that part, and only that part)."""
    parts: list[list[Request]] = []
    current: list[Request] = []
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


def new_group_id() -> str:
    return GROUP_PREFIX + uuid.uuid4().hex[:24]


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


def _read_records() -> dict[str, object]:
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


def _created(record: object) -> float:
    created = record.get("created", 0) if isinstance(record, dict) else 0
    return float(created or 0)


def save_record(job: BatchJob) -> None:
    """Write the group's parts (ids and positions only) where a restarted kernel finds them.

    A failure is swallowed: fetching the group from this kernel works regardless.
    """
    with suppress(OSError, ValueError):
        _save_record(job)


def _save_record(job: BatchJob) -> None:
    records = _read_records()
    records[job.job_id] = {
        "total": job.total,
        "fmt": job.fmt,
        "created": time.time(),
        "parts": [[p.batch_id, _ranges(p.positions), p.error] for p in job.parts],
    }
    newest = sorted(records.items(), key=lambda kv: -_created(kv[1]))
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


def load_record(group_id: str) -> BatchJob | None:
    """The group as recorded on disk (ids and positions only), or None."""
    record = _read_records().get(group_id)
    if not isinstance(record, dict):
        return None
    # The file is ours but may be edited or torn: any field of the wrong kind means None.
    try:
        total = int(record["total"])
        fmt = str(record["fmt"])
        if not 0 < total <= MAX_GROUP_ITEMS or fmt not in OUR_FORMATS:
            return None
        parts = []
        for batch_id, ranges, error in record["parts"]:
            positions = [
                p for start, end in ranges for p in range(max(int(start), 0), min(int(end), total))
            ]
            part_id = check_batch_id(batch_id) if batch_id is not None else None
            parts.append(Part(part_id, positions, None if error is None else str(error)[:300]))
    except (KeyError, TypeError, ValueError, UsageError):
        return None
    return BatchJob(group_id, total, fmt, parts)


# -- submitting ---------------------------------------------------------------------


def submit_group(
    client: Anthropic,
    submit: Callable[[Anthropic, list[Request]], MessageBatch],
    parts: Iterable[list[Request]],
    positions_of: Callable[[Request], int],
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
