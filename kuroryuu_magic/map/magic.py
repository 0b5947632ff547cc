"""``%%claude --map NAME -o OUT``: the cell as a template, sent once per item.

Each item is a one-shot request (no conversation memory) built exactly like a
single prompt, so ``-m``, ``-s``, ``--max-tokens``, ``--thinking`` and ``-f``
behave the same.  ``{item}``, ``{index}`` and, for DataFrame rows,
``{row.col}`` are filled per item.  Results land in ``OUT`` in input order
(a Series on the input's index for pandas input); failures are
:class:`~kuroryuu_magic.map.results.ItemError` values in their slots.  With
``--batch`` the requests go to the Message Batches API instead.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import re
from collections import ChainMap
from contextlib import asynccontextmanager, suppress
from typing import Any

from ..core.errors import UsageError, interruptible
from ..core.wire import joined_text
from .items import MapInput
from .results import ItemError, MapSummary, shape_answer, store
from .runner import run_concurrently

RESERVED = ("item", "row", "index")
_SIMPLE_FIELD = re.compile(r"\{\s*([^\W\d]\w*)\s*\}")


class _Namespace:
    """What ``build_content`` needs of a shell: a ``user_ns`` (here, with the item on top)."""

    def __init__(self, user_ns: Any) -> None:
        self.user_ns = user_ns


def _strip_cache_marks(content: Any) -> Any:
    # Every item's text differs, so a cache write per item would cost 1.25x and never be read.
    if isinstance(content, list):
        for block in content:
            block.pop("cache_control", None)
    return content


class ItemPrompts:
    """Builds each item's request: the template filled with the item, then ``build_request``."""

    def __init__(self, magics: Any, opts: argparse.Namespace, text: str, settings: Any, model: str):
        from ..ask.prompt import build_content

        self._build_content = build_content
        self.magics = magics
        self.text = text
        self.settings = settings
        self.model = model
        self.keep_cache = bool(opts.cache)
        self.opts = copy.copy(opts)
        self.opts.image, self.opts.plot = None, False
        self.images: list[dict[str, Any]] = []
        if opts.image or opts.plot:  # encoded once, shared by every item's request
            image_opts = copy.copy(opts)
            image_opts.vars, image_opts.no_interpolate, image_opts.cache = None, True, False
            blocks, _ = build_content(magics.shell, "-", image_opts, **self._limits())
            self.images = [b for b in blocks if b.get("type") == "image"]
        self.shared = {} if opts.no_interpolate else self._prerender(text)
        self.prefix: dict[str, Any] | None = None
        self.item_chars = magics.context_chars
        if not opts.no_interpolate:
            self._split_off_shared_prefix()

    def _limits(self, context_chars: int | None = None) -> dict[str, Any]:
        m = self.magics
        return {
            "context_chars": context_chars or m.context_chars,
            "object_chars": m.object_chars,
            "schema_only": m.schema_only,
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
        head_opts = copy.copy(self.opts)
        head_opts.cache = False
        namespace = ChainMap(self.shared, self.magics.shell.user_ns)
        content, _ = self._build_content(_Namespace(namespace), head, head_opts, **self._limits())
        content = joined_text(content)
        if len(content) < CACHE_MIN_CHARS and not self.keep_cache:
            return
        self.prefix = {"type": "text", "text": content, "cache_control": {"type": "ephemeral"}}
        self.text, self.opts.vars = tail, None
        self.item_chars = max(1_000, self.magics.context_chars - len(content))

    def _prerender(self, text: str) -> dict[str, str]:
        """Render each plain ``{name}`` of the notebook once, not once per item."""
        from ..context import render_value

        user_ns = self.magics.shell.user_ns
        schema_only = self.magics.schema_only or self.opts.schema_only
        shared: dict[str, str] = {}
        for name in set(_SIMPLE_FIELD.findall(text)) - set(RESERVED):
            value = user_ns.get(name)
            if name in user_ns and not isinstance(value, str):
                # If rendering fails, the per-item renderer (which never raises) handles it.
                with suppress(Exception):
                    shared[name] = render_value(
                        value, max_chars=self.magics.object_chars, schema_only=schema_only
                    )
        return shared

    def request(self, item: Any, row: Any, label: Any) -> dict[str, Any]:
        from ..ask.run import build_request

        local = {"item": item, "index": label}
        if row is not None:
            local["row"] = row
        namespace = ChainMap(local, self.shared, self.magics.shell.user_ns)
        content, _ = self._build_content(
            _Namespace(namespace), self.text, self.opts, **self._limits(self.item_chars)
        )
        if self.prefix is not None or not self.keep_cache:
            content = _strip_cache_marks(content)
        if self.images or self.prefix:
            blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
            shared = [self.prefix] if self.prefix else []
            content = [*self.images, *shared, *blocks]
        request, _ = build_request(self.settings, content, self.magics.conversations)
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


def _lookup(shell: Any, name: str) -> MapInput:
    from ..ask.interpolate import _MISSING, _resolve

    value = _resolve(name, shell.user_ns)
    if value is _MISSING:
        raise UsageError(f"--map: no variable named {name!r} in this notebook.")
    return MapInput(name, value)


def run_map(magics: Any, opts: argparse.Namespace, text: str) -> None:
    """Run the cell once per item of ``opts.map_over``; results in ``opts.out``."""
    from ..ask.client import get_client, in_demo, optional_client
    from ..ask.run import effective_settings

    if not opts.out:
        raise UsageError("--map needs -o NAME for the results, e.g. `%%claude --map df -o labels`.")
    shell = magics.shell
    source = _lookup(shell, opts.map_over)
    settings = dataclasses.replace(effective_settings(magics, opts), history=False, stream=False)
    limits = {"timeout": settings.timeout, "max_retries": settings.max_retries}
    client = optional_client(**limits) if opts.dry_run else get_client(**limits)
    model, note = settings.model, settings.model_note
    prompts = ItemPrompts(magics, opts, text, settings, model)
    summary = MapSummary(out=opts.out, total=source.total, model=model)
    if in_demo():
        summary.source = "demo"
    if source.total == 0:
        shell.user_ns[opts.out] = source.wrap([], opts.out)
        print(f"--map {opts.map_over}: nothing to do (it is empty); {opts.out} is empty.")
        return None
    if note:
        print(note)
    if opts.dry_run:
        from ..ask.prompt import show_dry_run

        # Item 0 is rendered only to be shown; in a real run it is prepared like any other.
        first_request = prompts.request(*next(source.pairs()))
        with interruptible("counting tokens for the dry run; nothing was sent"):
            show_dry_run(shell, client, first_request)
        print(
            f"--map {opts.map_over}: would send {source.total:,} requests like this one (item 0)."
        )
        return None
    if opts.batch:
        from .batches import submit_map

        submit_map(magics, opts, source, prompts, summary)
    else:
        _run_live(magics, opts, source, prompts, summary)
    return None


def _run_live(
    magics: Any, opts: argparse.Namespace, source: MapInput, prompts: ItemPrompts, summary: Any
) -> MapSummary:
    from ..ask.client import get_client, http_client
    from .progress import make_progress

    settings = prompts.settings
    base = get_client(timeout=settings.timeout, max_retries=settings.max_retries, asynchronous=True)

    @asynccontextmanager
    async def own_client() -> Any:
        # A fresh connection pool on the runner's loop: async clients are bound to one loop.
        client = base.with_options(http_client=http_client(asynchronous=True))
        try:
            yield client
        finally:
            await client.close()

    def prepare(position: int, pair: tuple[Any, Any, Any]) -> Any:
        # Runs in the main thread: rendering a user's object may block, and Ctrl-C must
        # still land at once.  A bad prompt is this item's error, item 0's included.
        item, row, label = pair
        try:
            return label, prompts.request(item, row, label)
        except Exception as exc:
            return ItemError.from_exception(exc, index=label)

    async def worker(position: int, prepared: tuple[Any, dict[str, Any]], client: Any) -> Any:
        label, request = prepared
        try:
            message = await client.messages.create(**request)
        except Exception as exc:  # kept as this item's value; the other items go on
            return ItemError.from_exception(exc, index=label)
        cost = magics.session_usage.add(message.model, message.usage, demo=summary.source == "demo")
        summary.add_usage(message.usage, cost)
        return shape_answer(joined_text(message), settings.fmt, message.stop_reason, label)

    concurrency = opts.concurrency or magics.concurrency
    progress = make_progress(magics.shell, source.total, "Claude")
    fan = run_concurrently(
        source.pairs(),
        worker,
        prepare=prepare,
        total=source.total,
        concurrency=concurrency,
        resource=own_client,
        on_progress=lambda f: progress.update(f.done, f.failed),
        first_alone=prompts.prefix is not None,
    )
    note = "interrupted" if fan.interrupted else ""
    progress.close(fan.done, fan.failed, note)
    for position, value in enumerate(fan.results):
        if isinstance(value, ItemError) and value.kind == "cancelled":
            value.index = source.label(position)
    return store(magics, opts.out, source.wrap(fan.results, opts.out), summary, fan)


def fetch_batch(magics: Any, batch_id: str, out: str | None) -> MapSummary:
    """``%claude batch ID [-o OUT]``: wait for a batch and map its results back."""
    from .batches import collect

    return collect(magics, batch_id, out)


__all__ = ["ItemError", "MapSummary", "fetch_batch", "run_map", "shape_answer"]
