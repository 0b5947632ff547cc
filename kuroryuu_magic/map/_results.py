"""What a ``--map`` run produces: one value or :class:`ItemError` per item, and a summary.

Shared by the live runner (``magic``) and Message Batches (``_batches``, ``_batch_run``); may
import ``ask`` (formats, usage, display helpers) and ``core``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..ask.result import DEMO_NOTE
from ..ask.usage import SessionUsage, Usage, usage_footer, usage_numbers
from ..core.errors import ClaudeInterrupted
from ..core.nomath import literal_inline
from ..core.redact import redact
from ..core.shell import ShellLike

if TYPE_CHECKING:
    from anthropic.types import Message
    from IPython.lib.pretty import RepresentationPrinter

    from ..cache import CachedAnswer


class ItemError:
    """Stands in for one item's result when it failed; falsy, so ``[r for r in out if r]`` works.

    ``kind`` is ``error`` (the API or the network failed), ``format`` (the
    answer was not what ``-f`` asked for; the raw answer is in ``.text``),
    ``usage`` (the prompt for this item was invalid), ``budget`` (not sent: ``--max-cost``
    was reached), ``expired``/``missing`` (a batch had no answer for it) or ``cancelled``.
    """

    __slots__ = ("index", "kind", "message", "request_id", "status", "text")

    def __init__(
        self,
        message: str,
        *,
        kind: str = "error",
        index: object = None,  # the item's label: a position, an index label or a key
        status: int | None = None,
        request_id: str | None = None,
        text: str | None = None,
    ) -> None:
        self.message = redact(message)  # may quote the API or another library
        self.kind = kind
        self.index = index
        self.status = status
        self.request_id = request_id
        self.text = text

    @classmethod
    def from_exception(cls, exc: BaseException, index: object = None) -> ItemError:
        """An error value for ``exc``: API failures get the same line the magic shows."""
        module = type(exc).__module__ or ""
        if module.startswith(("anthropic", "httpx", "httpcore")):
            from ..ask.client import base_url
            from ..core.errors import describe_api_error

            message = describe_api_error(exc, base_url=base_url())
        elif type(exc).__name__ == "UsageError":
            return cls(" ".join(str(exc).split()), kind="usage", index=index)
        else:
            message = redact(f"{type(exc).__name__}: {' '.join(str(exc).split())}")[:300]
        return cls(
            message,
            index=index,
            status=getattr(exc, "status_code", None),
            request_id=getattr(exc, "request_id", None),
        )

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        message = self.message if len(self.message) <= 160 else self.message[:157] + "..."
        return f"<ItemError {self.kind}: {message}>"

    def _repr_pretty_(self, printer: RepresentationPrinter, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass
class MapSummary:
    """``_claude`` after ``--map``: counts, usage and cost over all items, and the batch id.

    ``results`` is the same object as ``OUT``; ``errors`` lists its ItemErrors;
    ``usage`` sums the token counts of every item; ``status`` is ``complete``,
    ``interrupted`` or ``submitted`` (a batch still running).
    """

    out: str
    total: int
    model: str
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    elapsed: float = 0.0
    usage: dict[str, int] = field(default_factory=dict)
    cost: float | None = 0.0
    status: str = "complete"
    batch_id: str | None = None
    results: object = None  # OUT itself: a list, a dict, a Series or a DataFrame
    stop_reason: str | None = None
    code: str | None = None
    data: None = None  # always None: the same attributes as an answer's
    thinking: str = ""
    source: str = "api"  # or "demo": the offline demo's fake answered
    cached: int = 0  # items served by the answer cache (not sent, not paid again)
    batch_ids: list[str] = field(default_factory=list)  # every part of a split batch
    request_ids: list[str] = field(default_factory=list)  # each answer's, as it arrived
    stop_reasons: list[str] = field(default_factory=list)

    @property
    def metadata(self) -> dict[str, Any]:
        """Output metadata for the summary's display: the same keys as an answer's."""
        from ..ask.result import Provenance, provenance

        ids = self.batch_ids or ([self.batch_id] if self.batch_id else [])
        return provenance(
            Provenance(
                kind="map",
                route="batch" if self.batch_id else "map",
                source=self.source,
                model=self.model,
                usage=self.usage,
                cost=self.cost,
                elapsed=self.elapsed,
                status=self.status,
                request_ids=self.request_ids,
                stop_reasons=self.stop_reasons,
                items=self.total,
                succeeded=self.succeeded,
                failed=self.failed,
                cancelled=self.cancelled,
                from_cache=self.cached,
                batch_ids=ids,
            )
        )

    def count(self, session_usage: SessionUsage, message: Message, *, batch: bool = False) -> None:
        """One item's answer arrived (live or in a batch): its usage, cost, id and stop reason.

        Under ``%claude demo`` it is priced $0 and counted apart, as every demo answer is.
        """
        from ..ask.client import in_demo

        if in_demo():
            self.source = "demo"
        cost = session_usage.add(
            message.model, message.usage, batch=batch, demo=self.source == "demo"
        )
        self.add_usage(message.usage, cost)
        self.model = self.model or message.model
        rid = getattr(message, "_request_id", None)
        if isinstance(rid, str) and rid:
            self.request_ids.append(rid)
        if message.stop_reason:
            self.stop_reasons.append(message.stop_reason)

    def count_cached(self, hit: CachedAnswer) -> None:
        """An item served by the answer cache: its stored request id and stop reason."""
        if hit.request_id:
            self.request_ids.append(hit.request_id)
        if hit.stop_reason:
            self.stop_reasons.append(hit.stop_reason)

    @property
    def errors(self) -> list[ItemError]:
        return [v for v in _values(self.results) if isinstance(v, ItemError)]

    @property
    def text(self) -> str:
        parts = [f"{self.out}: {self.succeeded:,}/{self.total:,} ok"]
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        if self.cancelled:
            parts.append(f"{self.cancelled:,} cancelled")
        if self.cached:
            parts.append(f"{self.cached:,} from the answer cache")
        if self.batch_id:
            parts.append(f"batch {self.batch_id}")
        return ", ".join(parts)

    def footer(self) -> str:
        if self.source == "demo":
            footer = usage_footer(self.model, self.usage, None, self.elapsed)
            return f"{footer} · {DEMO_NOTE}"
        note = " (batch: half price)" if self.batch_id else ""
        return usage_footer(self.model, self.usage, self.cost, self.elapsed, cost_note=note)

    def __repr__(self) -> str:
        return f"<MapSummary {self.status} {self.text} · {self.footer()}>"

    def _repr_markdown_(self) -> str:
        return f"**{literal_inline(self.text)}**\n\n{literal_inline(self.footer(), 'sub')}"

    def add_usage(self, usage: Usage, cost: float | None) -> None:
        for key, value in zip(
            (
                "input_tokens",
                "output_tokens",
                "cache_read_input_tokens",
                "cache_creation_input_tokens",
            ),
            usage_numbers(usage),
            strict=True,
        ):
            self.usage[key] = self.usage.get(key, 0) + value
        self.cost = None if cost is None or self.cost is None else self.cost + cost


def _values(results: object) -> Iterable[object]:
    if isinstance(results, dict):
        return results.values()
    # A list, or a Series (its values) or DataFrame (its column names) from pandas.
    return results if isinstance(results, Iterable) else []


def shape_answer(text: str, fmt: str, stop_reason: str | None, label: object) -> object:
    """One item's value: text, parsed JSON (``-f json``) or code (``-f code``), or an ItemError."""
    from ..ask.codeblocks import extract_code
    from ..ask.formats import parse_json_loosely

    if stop_reason == "refusal":
        return ItemError("Claude declined this item", kind="refusal", index=label, text=text)
    if fmt == "json":
        try:
            return parse_json_loosely(text)
        except ValueError as exc:
            note = " (stopped at --max-tokens)" if stop_reason == "max_tokens" else ""
            return ItemError(f"not JSON: {exc}{note}", kind="format", index=label, text=text)
    if fmt == "code":
        return extract_code(text) or text.strip()
    return text


def _show(summary: MapSummary) -> None:
    """One bundle for every front end: a notebook renders the Markdown, a terminal prints
    ``text/plain``; both keep the provenance metadata (IPython chooses, we don't sniff)."""
    from IPython.display import display

    display(
        {
            "text/markdown": summary._repr_markdown_(),
            "text/plain": f"{summary.text}\n── {summary.footer()}",
        },
        raw=True,
        metadata=summary.metadata,
    )


class RunCounts(Protocol):
    """How a run went: the live runner's ``FanOut``, or a fetched batch's counts."""

    total: int
    done: int
    failed: int
    elapsed: float
    interrupted: bool


def store(
    shell: ShellLike, out: str | None, values: object, summary: MapSummary, fan: RunCounts
) -> MapSummary:
    summary.results = values
    summary.elapsed = fan.elapsed
    summary.cancelled = fan.total - fan.done
    summary.failed = fan.failed
    summary.succeeded = fan.done - fan.failed
    summary.status = "interrupted" if fan.interrupted else "complete"
    if out:
        shell.user_ns[out] = values
    shell.user_ns["_claude"] = summary
    _show(summary)
    if fan.interrupted:
        raise ClaudeInterrupted(
            f"--map stopped: {fan.done:,} of {fan.total:,} finished and are kept in {out}; "
            "the rest are ItemError(cancelled)."
        )
    return summary


@dataclass
class _Counts:
    total: int
    done: int
    failed: int
    elapsed: float
    interrupted: bool = False


def store_batch_results(
    shell: ShellLike, out: str | None, values: object, summary: MapSummary, started: float
) -> MapSummary:
    """Put fetched batch results in ``out`` (when given) and ``_claude``."""
    failed = sum(isinstance(v, ItemError) for v in _values(values))
    counts = _Counts(summary.total, summary.total, failed, time.monotonic() - started)
    return store(shell, out, values, summary, counts)
