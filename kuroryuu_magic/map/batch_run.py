"""``--map … --batch``: submit the items the answer cache does not hold, as one Message
Batch or, past the API's limits, as a group of them (``groups``), then collect."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..ask.settings import Request, Traits
from ..core.errors import UsageError
from ..core.shell import ShellLike
from . import batches, groups
from .items import MapInput
from .plan import AnswerSink, Plan, make_plan, wrap_values
from .results import MapSummary, store_batch_results

if TYPE_CHECKING:
    from ..cache import AnswerCache, CacheMode

__all__ = ["fetch", "submit_map"]


def fetch(shell: ShellLike, traits: Traits, batch_id: str, out: str | None) -> MapSummary:
    """``%claude batch ID``: one batch, or every part of a group by its group id."""
    batch_id = batches.check_batch_id(batch_id)
    if groups.is_group_id(batch_id):
        group = groups.group_for(batch_id)
        if group is None:
            raise UsageError(
                f"{batch_id} is a batch group this kernel does not know (it lists its parts' ids "
                "in batch_groups.json of the config dir); fetch the parts one by one instead."
            )
        return groups.collect_group(shell, traits, group, out)
    return batches.collect(shell, traits, batch_id, out)


def submit_map(
    shell: ShellLike,
    opts: Request,
    source: MapInput,
    prompts: Any,
    summary: MapSummary,
    *,
    plan: Plan | None = None,
    cache: AnswerCache | None = None,
    mode: CacheMode = "off",
) -> Any:
    """Submit the items the answer cache does not hold as one batch (or, past the API's
    limits, several: see ``groups``), then wait and collect."""
    from ..ask.client import get_client

    assert opts.out is not None  # run_map refuses a --map without -o
    if plan is None:
        plan = make_plan(source, prompts.request, prompts.settings, None, "off")
    if source.total > groups.MAX_GROUP_ITEMS:
        raise UsageError(
            f"--batch takes at most {groups.MAX_GROUP_ITEMS:,} items; {source.name} has "
            f"{source.total:,}. Split it into several cells."
        )
    fmt = prompts.settings.fmt
    known = {p: v for p, v in enumerate(plan.values) if not plan.is_pending(p)}
    if not plan.pending:  # all cached, or every prompt was bad: nothing to submit
        values = [known[position] for position in range(source.total)]
        return store_batch_results(
            shell,
            opts.out,
            wrap_values(source, values, opts.out, prompts.settings),
            summary,
            time.monotonic(),
        )
    requests = [
        {"custom_id": batches.custom_id(fmt, position), "params": params}
        for position, params, _ in plan.pending
    ]
    keys = {position: key for position, _, key in plan.pending if key is not None}
    parts = groups.split_requests(
        requests, max_requests=batches.MAX_BATCH_REQUESTS, max_bytes=batches.MAX_BATCH_BYTES
    )
    settings = prompts.settings
    client = get_client(timeout=settings.timeout, max_retries=settings.max_retries)
    sink = AnswerSink(cache, mode)
    sent = len(requests)
    del requests
    if len(parts) == 1:
        batch = batches.submit(client, parts[0])
        job = batches.BatchJob(batch.id, source.total, fmt, source, opts.out, known)
        job.keys, job.settings, job.sink = keys, settings, sink
        batches.remember(job)
        summary.batch_id, summary.status = batch.id, "submitted"
        summary.batch_ids = [batch.id]
        shell.user_ns["_claude"] = summary
        print(
            f"Submitted Message Batch {batch.id} ({sent:,} request(s), half price). If you stop "
            f"waiting, fetch the results later with `%claude batch {batch.id} -o {opts.out}`."
        )
        return batches.collect(shell, opts.traits, batch.id, opts.out, summary=summary)
    part_list = groups.submit_group(
        client,
        batches.submit,
        parts,
        lambda r: batches.parse_custom_id(r["custom_id"])[1],  # type: ignore[index]
    )
    del parts
    group = groups.GroupJob(
        groups.new_group_id(),
        source.total,
        fmt,
        part_list,
        source=source,
        out=opts.out,
        known=known,
        keys=keys,
        settings=settings,
        sink=sink,
    )
    groups.remember_group(group)
    ids = [p.batch_id for p in part_list if p.batch_id]
    summary.batch_id, summary.status, summary.batch_ids = group.group_id, "submitted", ids
    shell.user_ns["_claude"] = summary
    refused = sum(1 for p in part_list if p.batch_id is None)
    print(
        f"Submitted {len(ids)} Message Batches as group {group.group_id} ({sent:,} request(s) "
        f"past one batch's limits, half price)"
        + (f"; {refused} part(s) were refused" if refused else "")
        + f". If you stop waiting, fetch them later with `%claude batch {group.group_id} "
        f"-o {opts.out}`."
    )
    return groups.collect_group(shell, opts.traits, group, opts.out, summary=summary)
