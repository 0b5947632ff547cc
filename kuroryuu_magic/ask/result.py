"""``_claude``: the last answer, as an object with rich reprs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.nomath import literal_inline
from .mathguard import guard_math
from .usage import usage_footer

DEMO_NOTE = "offline demo: a canned answer, not Claude (`%claude setup` adds a key)"


@dataclass
class ClaudeResult:
    """What the last ``%%claude`` call produced.

    ``text`` (the answer), ``thinking``, ``usage`` (the SDK's Usage), ``model``,
    ``stop_reason``, ``code`` (the first code block, when there is one),
    ``data`` (parsed JSON with ``-f json``), ``status`` (``complete``,
    ``interrupted`` or ``failed``), ``cost`` (USD estimate or ``None``),
    ``elapsed`` seconds, ``request_id``, ``source`` (``api`` or ``demo``).
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
    source: str = "api"  # or "demo": the offline demo's fake answered
    rounds: int = 0  # requests a --tools investigation took (0: a plain prompt)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # name, input, result, …

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
        return f"<ClaudeResult {self.status} {self.model} {len(self.text):,} chars: {preview!r}>"

    def _repr_markdown_(self) -> str:
        return f"{guard_math(self.text, self.math)}\n\n{literal_inline(self.footer(), 'sub')}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))
