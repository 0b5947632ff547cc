"""``%%claude --map NAME -o OUT``: the cell as a template, sent once per item.

Each item is a one-shot request (no conversation memory) built exactly like a
single prompt, so ``-m``, ``-s``, ``--max-tokens``, ``--thinking`` and ``-f``
behave the same.  ``{item}``, ``{index}`` and, for DataFrame rows,
``{row.col}`` are filled per item.  Results land in ``OUT`` in input order
(a Series on the input's index for pandas input); failures are
:class:`~kuroryuu_magic.map.ItemError` values in their slots.  With
``--batch`` the requests go to the Message Batches API instead.
"""

from __future__ import annotations

import dataclasses
import re
from collections import ChainMap
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any, cast

from ..ask.memory import Content, ConversationStore
from ..ask.settings import Request, Settings, Traits
from ..ask.usage import SessionUsage
from ..core.errors import UsageError, interruptible
from ..core.redact import redact
from ..core.session import session_for
from ..core.shell import ShellLike
from ..core.wire import joined_text
from ._items import MapInput, Row
from ._plan import Plan
from ._results import ItemError, MapSummary, shape_answer, store
from ._runner import FanOut, run_concurrently

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic, AsyncAnthropic

    from ..cache import AnswerCache, CacheMode
    from ._estimate import Estimate


RESERVED = ("item", "row", "index")
_SIMPLE_FIELD = re.compile(r"\{\s*([^\W\d]\w*)\s*\}")


class _Namespace:
    """What ``build_content`` needs of a shell: a ``user_ns`` (here, with the item on top)."""

    def __init__(self, user_ns: Mapping[str, object]) -> None:
        self.user_ns = user_ns


def _strip_cache_marks(content: Content) -> Content:
    # Every item's text differs, so a cache write per item would cost 1.25x and never be read.
    if isinstance(content, list):
        for block in content:
            block.pop("cache_control", None)
    return content


class ItemPrompts:
    """Builds each item's request: the template filled with the item, then ``build_request``."""

    def __init__(self, shell: ShellLike, req: Request, text: str, settings: Settings, model: str):
        from ..ask.prompt import build_content

        self._build_content = build_content
        self.shell = shell
        self.traits = req.traits
        self.conversations = session_for(shell).state(ConversationStore)  # --map reads no thread
        self.text = text
        self.settings = settings
        self.model = model
        self.keep_cache = req.cache
        self.opts = dataclasses.replace(req, image=None, plot=False)
        self.images: list[dict[str, Any]] = []
        if req.image or req.plot:  # encoded once, shared by every item's request
            image_opts = dataclasses.replace(req, vars=None, no_interpolate=True, cache=False)
            blocks, _ = build_content(shell, "-", image_opts, **self._limits())
            # With an image the content is always a list of blocks, never a plain string.
            if not isinstance(blocks, str):
                self.images = [b for b in blocks if b.get("type") == "image"]
        self.shared = {} if req.no_interpolate else self._prerender(text)
        self.prefix: dict[str, Any] | None = None
        self.item_chars = req.traits.context_chars
        if not req.no_interpolate:
            self._split_off_shared_prefix()

    def _limits(self, context_chars: int | None = None) -> dict[str, Any]:
        t = self.traits
        return {
            "context_chars": context_chars or t.context_chars,
            "object_chars": t.object_chars,
            "schema_only": t.schema_only,
        }

    def _split_off_shared_prefix(self) -> None:
        """Render what comes before the first per-item field once; cache it when it is large.

        That part (and ``--vars``) is the same for every item, so after the first
        answer the others read it from the prompt cache at a tenth of the price.
        """
        from ..ask.prompt import CACHE_MIN_CHARS

        head, tail = split_template(self.text)
        if not tail or not (head.strip() or self.opts.vars):
            return
        head_opts = dataclasses.replace(self.opts, cache=False)
        namespace = ChainMap(self.shared, self.shell.user_ns)
        content, _ = self._build_content(_Namespace(namespace), head, head_opts, **self._limits())
        content = joined_text(content)
        if len(content) < CACHE_MIN_CHARS and not self.keep_cache:
            return
        self.prefix = {"type": "text", "text": content, "cache_control": {"type": "ephemeral"}}
        self.text, self.opts = tail, dataclasses.replace(self.opts, vars=None)
        self.item_chars = max(1_000, self.traits.context_chars - len(content))

    def _prerender(self, text: str) -> dict[str, str]:
        """Render each plain ``{name}`` of the notebook once, not once per item."""
        from ..context.render import render_value

        user_ns = self.shell.user_ns
        schema_only = self.traits.schema_only or self.opts.schema_only
        shared: dict[str, str] = {}
        for name in set(_SIMPLE_FIELD.findall(text)) - set(RESERVED):
            value = user_ns.get(name)
            if name in user_ns and not isinstance(value, str):
                # If rendering fails, the per-item renderer (which never raises) handles it.
                with suppress(Exception):
                    shared[name] = render_value(
                        value, max_chars=self.traits.object_chars, schema_only=schema_only
                    )
        return shared

    def request(self, item: object, row: Row | None, label: object) -> dict[str, Any]:
        from ..ask.run import build_request

        local: dict[str, object] = {"item": item, "index": label}
        if row is not None:
            local["row"] = row
        namespace = ChainMap(local, self.shared, self.shell.user_ns)
        content, _ = self._build_content(
            _Namespace(namespace), self.text, self.opts, **self._limits(self.item_chars)
        )
        if self.prefix is not None or not self.keep_cache:
            content = _strip_cache_marks(content)
        if self.images or self.prefix:
            blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
            shared = [self.prefix] if self.prefix else []
            content = [*self.images, *shared, *blocks]
        request, _ = build_request(self.settings, content, self.conversations)
        return request


def split_template(text: str) -> tuple[str, str]:
    """(shared head, per-item tail): the tail starts at the first ``{item}``/``{row…}``/``{index}``.

    The split falls on a field boundary of the same one-pass scan interpolation
    uses, so filling the two halves apart gives the same text as filling the whole.
    """
    from ..ask.interpolate import _REFERENCE, _TOKEN

    for match in _TOKEN.finditer(text):
        reference = match.group(1)
        head = _REFERENCE.match(reference) if reference is not None else None
        if head is not None and head["head"] in RESERVED:
            return text[: match.start()], text[match.start() :]
    return "", text


def _lookup(shell: ShellLike, name: str) -> MapInput:
    from ..ask.interpolate import _MISSING, _resolve

    value = _resolve(name, shell.user_ns)
    if value is _MISSING:
        raise UsageError(f"--map: no variable named {name!r} in this notebook.")
    return MapInput(name, value)


def run_map(shell: ShellLike, opts: Request, text: str) -> None:
    """Run the cell once per item of ``opts.map_over``; results in ``opts.out``."""
    from ..ask.client import get_client, in_demo, optional_client
    from ..ask.run import effective_settings
    from ..cache import open_cache
    from ._plan import make_plan

    if not opts.out:
        raise UsageError("--map needs -o NAME for the results, e.g. `%%claude --map df -o labels`.")
    assert opts.map_over is not None  # the magic sends only --map prompts here
    source = _lookup(shell, opts.map_over)
    settings = dataclasses.replace(effective_settings(shell, opts), history=False, stream=False)
    cache, mode = open_cache(shell, opts.traits.answer_cache, opts.traits.answer_cache_path)
    model, note = (
        settings.model,
        settings.model_note,
    )  # resolved (offline in replay) with the settings
    if mode == "replay":
        client = None  # never the network
    else:
        make = optional_client if opts.dry_run else get_client
        client = make(timeout=settings.timeout, max_retries=settings.max_retries)
    prompts = ItemPrompts(shell, opts, text, settings, model)
    summary = MapSummary(out=opts.out, total=source.total, model=model)
    if in_demo():
        summary.source = "demo"
    if source.total == 0:
        shell.user_ns[opts.out] = source.wrap([], opts.out)
        print(f"--map {opts.map_over}: nothing to do (it is empty); {opts.out} is empty.")
        return None
    if note:
        print(note)
    plan = None
    # Everything prepared up front only when it must be: an estimate, a batch, or replay
    # (which checks every item has an answer before anything happens).
    if opts.dry_run or opts.max_cost is not None or opts.batch or mode == "replay":
        plan = make_plan(
            source,
            prompts.request,
            settings,
            cache,
            mode,
            fresh=bool(opts.fresh),
            dry_run=bool(opts.dry_run),
        )
        summary.cached = plan.cached
        for hit in plan.cached_answers:
            summary.count_cached(hit)
    if plan is not None and (opts.dry_run or opts.max_cost is not None):
        estimate = _estimate(client, model, settings, plan, bool(opts.batch))
        if opts.dry_run:
            _show_dry_run(shell, client, prompts, source, opts, estimate, offline=mode == "replay")
            return None
        if opts.max_cost is not None:
            _check_budget(estimate, opts.max_cost, bool(opts.batch))
    if opts.batch:
        from ._batch_run import submit_map

        assert plan is not None  # made above for every --batch run
        submit_map(shell, opts, source, settings, summary, plan, cache, mode)
    else:
        _run_live(shell, opts, source, prompts, summary, plan, cache, mode)
    return None


def _estimate(
    client: Anthropic | None, model: str, settings: Settings, plan: Plan, batch: bool
) -> Estimate:
    from ..ask.usage import usage_numbers
    from ._estimate import estimate_run

    with interruptible("counting tokens for the estimate; nothing was sent"):
        return estimate_run(
            client,
            model,
            [request for _, request, _ in plan.pending],
            cached=plan.cached,
            max_tokens=settings.max_tokens,
            cached_output=[usage_numbers(a.usage)[1] for a in plan.cached_answers],
            structured=settings.schema is not None,
        )


def _show_dry_run(
    shell: ShellLike,
    client: Anthropic | None,
    prompts: ItemPrompts,
    source: MapInput,
    opts: Request,
    estimate: Estimate,
    *,
    offline: bool = False,
) -> None:
    from ..ask.prompt import show_dry_run

    # The estimate first: it is what a dry run is for, and the request below can be long.
    print(f"--map {opts.map_over}: would send {estimate.items:,} requests like item 0 (below).")
    for line in estimate.lines():
        print(line)
    # Item 0 is rendered again only to be shown.
    first_request = prompts.request(*next(source.pairs()))
    with interruptible("counting tokens for the dry run; nothing was sent"):
        show_dry_run(shell, client, first_request, offline=offline)


def _check_budget(estimate: Estimate, max_cost: float, batch: bool) -> None:
    from ..ask.usage import format_cost

    cost = estimate.batch_cost if batch else estimate.live_cost
    if cost is None:
        raise UsageError(
            f"--max-cost: no price is known for {estimate.model}, so the budget cannot be kept."
        )
    if cost > max_cost:
        raise UsageError(
            f"--max-cost {max_cost:g}: the estimate is {format_cost(cost)} for {estimate.items:,} "
            "item(s); nothing was sent. Raise the budget or map over fewer items "
            "(see `--dry-run`)."
        )


class _Ready:
    """An item whose value is known before sending (a stored answer): the worker returns it."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


# What the runner hands a worker: a known value, or (position, request, cache key) to send.
_Entry = _Ready | tuple[int, dict[str, Any], str | None]


def _run_live(
    shell: ShellLike,
    opts: Request,
    source: MapInput,
    prompts: ItemPrompts,
    summary: MapSummary,
    plan: Plan | None,
    cache: AnswerCache | None,
    mode: CacheMode,
) -> MapSummary:
    """Send the items concurrently.  Without a ``plan`` (the usual case) each item is
    prepared and looked up in the answer cache just before it is sent, in the main
    thread, so sending starts at once and Ctrl-C keeps what finished."""
    from ..ask.client import MAX_CONNECTIONS, get_client, http_client
    from ..cache import AnswerCacheError, answer_key, reads
    from ._plan import AnswerSink, item_value, wrap_values
    from ._progress import make_progress

    settings = prompts.settings
    session_usage = session_for(shell).state(SessionUsage)
    sink = AnswerSink(cache, mode)
    max_cost = opts.max_cost
    lookup_each = plan is None and cache is not None and reads(mode, asked=True, fresh=opts.fresh)
    use_keys = plan is None and (lookup_each or sink.active)
    cached = [plan.cached if plan is not None else 0]
    planned = (
        {position: (position, request, key) for position, request, key in plan.pending}
        if plan
        else {}
    )
    base = None
    if plan is None or plan.pending:  # everything cached (or replayed): no client, no network
        base = get_client(
            timeout=settings.timeout, max_retries=settings.max_retries, asynchronous=True
        )

    @asynccontextmanager
    async def own_client() -> AsyncIterator[AsyncAnthropic | None]:
        if base is None:
            yield None
            return
        # A fresh connection pool on the runner's loop: async clients are bound to one loop.
        client = base.with_options(http_client=http_client(asynchronous=True))
        try:
            yield client
        finally:
            await client.close()

    def from_cache(key: str, label: object) -> _Ready | None:
        if cache is None:  # only called when lookup_each, which needs a cache
            return None
        try:
            hit = cache.get(key)
        except AnswerCacheError:
            return None  # an unreadable cache only means this item is sent
        if hit is None:
            return None
        value = item_value(hit.text, hit.stop_reason, label, settings)
        # A stored answer that fails the format is no success: ask again.
        if isinstance(value, ItemError):
            return None
        summary.count_cached(hit)
        return _Ready(value)

    def prepare(position: int, pair: object) -> _Entry | ItemError:
        # Runs in the main thread: rendering a user's object may block, and Ctrl-C must
        # still land at once.  A bad prompt is this item's error, item 0's included.
        if plan is not None:
            return planned.get(position) or (
                plan.values[position]
                if isinstance(plan.values[position], ItemError)
                else _Ready(plan.values[position])
            )
        # Without a plan the runner is fed source.pairs(): (item, row, label).
        item, row, label = cast("tuple[object, Row | None, object]", pair)
        try:
            request = prompts.request(item, row, label)
        except Exception as exc:
            return ItemError.from_exception(exc, index=label)
        key = answer_key(request, scope=settings.cache_scope) if use_keys else None
        if lookup_each and key is not None:
            ready = from_cache(key, label)
            if ready is not None:
                cached[0] += 1
                return ready
        return position, request, key

    async def worker(position: int, entry: _Entry, client: AsyncAnthropic | None) -> object:
        if isinstance(entry, _Ready):
            return entry.value
        _, request, key = entry
        label = source.label(position)
        if max_cost is not None and summary.cost is not None and summary.cost >= max_cost:
            return ItemError(
                f"not sent: the run reached --max-cost {max_cost:g}", kind="budget", index=label
            )
        assert client is not None  # made whenever an item is pending (base above)
        try:
            message = await client.messages.create(**request)
        except Exception as exc:  # kept as this item's value; the other items go on
            return ItemError.from_exception(exc, index=label)
        summary.count(session_usage, message)
        sink.add(key, message)
        # Model text is masked like server text: an item's answer may echo the key.
        return item_value(redact(joined_text(message)), message.stop_reason, label, settings)

    def note() -> str:
        return f"{cached[0]:,} from the answer cache" if cached[0] else ""

    def on_progress(f: FanOut) -> None:
        sink.flush()  # in the main thread, between updates: the loop never waits on SQLite
        progress.update(f.done, f.failed, note())

    # No more requests in flight than the client's pool has connections: the rest would
    # wait for one and could fail as "unreachable" when the pool timeout runs out.
    concurrency = min(opts.concurrency or opts.traits.concurrency, MAX_CONNECTIONS)
    progress = make_progress(shell, source.total, "Claude")
    fan = run_concurrently(
        source.pairs() if plan is None else range(source.total),
        worker,
        prepare=prepare,
        total=source.total,
        concurrency=concurrency,
        resource=own_client,
        on_progress=on_progress,
        first_alone=prompts.prefix is not None,
    )
    sink.flush()
    budget = sum(isinstance(v, ItemError) and v.kind == "budget" for v in fan.results)
    closing = "interrupted" if fan.interrupted else note()
    if budget:
        closing = f"--max-cost reached: {budget:,} not sent"
    progress.close(fan.done, fan.failed, closing)
    if sink.error:
        print(f"(answers were not all cached: {sink.error})")
    for position, value in enumerate(fan.results):
        if isinstance(value, ItemError) and value.kind == "cancelled":
            value.index = source.label(position)
    summary.cached = cached[0]
    assert opts.out is not None  # run_map refuses a --map without -o
    values = wrap_values(source, fan.results, opts.out, settings)
    return store(shell, opts.out, values, summary, fan)


def fetch_batch(shell: ShellLike, traits: Traits, batch_id: str, out: str | None) -> MapSummary:
    """``%claude batch ID [-o OUT]``: wait for a batch and map its results back."""
    from ._batch_run import fetch

    return fetch(shell, traits, batch_id, out)


__all__ = ["ItemError", "MapSummary", "fetch_batch", "run_map", "shape_answer"]
