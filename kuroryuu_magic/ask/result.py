"""The one answer record: what every way of answering (a streamed reply, the tool loop,
the answer cache, the offline demo) produces, and ``_claude`` after a prompt.

``finish.finish`` is the one function that shows it, stores ``-o``, writes the
provenance metadata and counts its usage; ``map`` items are shaped by the same
rules (``map.plan.item_value``) and summed into ``map.results.MapSummary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..core.nomath import literal_inline
from .mathguard import guard_math
from .remote import guard_remote
from .usage import usage_footer

DEMO_NOTE = "offline demo: a canned answer, not Claude (`%claude setup` adds a key)"

# Who wrote the text: Anthropic's API, the kernel's answer cache, or the offline demo.
Source = Literal["api", "cache", "demo"]
# How it was asked: one prompt, the tool loop, a --map run (live) or a Message Batch.
Route = Literal["prompt", "tools", "map", "batch"]


@dataclass(frozen=True)
class Sent:
    """One request that went into an answer (a tool loop sends one per round)."""

    model: str
    usage: Any  # the SDK's ``Usage`` (or a dict of the four counts); ``None`` if none arrived
    request_id: str | None
    stop_reason: str | None


@dataclass
class Answer:
    """What the last ``%%claude`` call produced.

    ``text`` (the answer), ``thinking``, ``usage`` (the SDK's Usage, or the
    sum over a tool loop's rounds), ``model``, ``stop_reason`` (the last
    request's), ``code`` (the first code block, when there is one), ``data``
    (parsed JSON with ``-f json``, the object with ``--schema``), ``status``
    (``complete``, ``interrupted`` or ``failed``), ``cost`` (USD estimate or
    ``None``), ``elapsed`` seconds, ``request_id`` (the last request's),
    ``source`` (``api``, ``cache`` or ``demo``), ``route`` (``prompt`` or
    ``tools``), ``sent`` (every request, in order), ``tool_calls``.
    """

    text: str
    model: str
    stop_reason: str | None = None
    usage: Any = None
    thinking: str = ""
    status: str = "complete"
    code: str | None = None
    data: Any = None
    cost: float | None = None
    elapsed: float = 0.0
    request_id: str | None = None
    conversation: str | None = None
    usage_estimated: bool = False  # ``usage`` output tokens estimated (an answer stopped early)
    math: str = "auto"  # how ``_repr_markdown_`` shows ``$`` (the ``math`` trait)
    source: Source = "api"
    route: Route = "prompt"
    rounds: int = 0  # requests a --tools investigation took (0: a plain prompt)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # name, input, result, …
    sent: list[Sent] = field(default_factory=list)
    error: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def request_ids(self) -> list[str]:
        return [s.request_id for s in self.sent if s.request_id]

    @property
    def stop_reasons(self) -> list[str]:
        return [s.stop_reason for s in self.sent if s.stop_reason]

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def footer(self) -> str:
        status = None if self.status == "complete" else self.status
        if self.source == "demo":  # nothing was charged, and no model wrote this
            footer = usage_footer(
                self.model,
                self.usage,
                None,
                self.elapsed,
                status=status,
                estimated=self.usage_estimated,
                priced=False,
            )
            return f"{footer} · {DEMO_NOTE}"
        return usage_footer(
            self.model,
            self.usage,
            self.cost,
            self.elapsed,
            status=status,
            estimated=self.usage_estimated,
        )

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        preview = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"<Answer {self.status} {self.model} {len(self.text):,} chars: {preview!r}>"

    def _repr_markdown_(self) -> str:
        # Shown again later (``_claude``): no remote fetch here either (remote_images's default).
        return f"{guard_math(guard_remote(self.text), self.math)}\n\n{literal_inline(self.footer(), 'sub')}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))
