"""The one answer record and the one ending of every answer.

A streamed reply (``run.ask``), the tool loop (``agent._loop``), the answer
cache and the offline demo all make an :class:`Answer` and hand it to
:func:`finish`, so they cannot drift apart: the same ``-f``/``--schema``
parsing, the same ``-o`` value, the same provenance metadata (:func:`provenance`, below),
the same demo labelling and pricing (decided here from the session, so a
caller cannot forget it), the same memory turn and errors.  ``map`` items are
shaped by the same rules (``map._plan.item_value``) and summed into
``map.MapSummary``.  The answer is ``_claude`` after a prompt.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..core.errors import ClaudeInterrupted, api_error_from
from ..core.nomath import literal_inline
from ..core.redact import redact_exception
from ..core.session import session_for
from ..core.shell import ShellLike
from .client import base_url, in_demo
from .codeblocks import extract_code
from .display import RichView, View
from .formats import parse_json_loosely
from .mathguard import guard_math
from .memory import INCOMPLETE_MARK, INTERRUPTED_MARK, Content, ConversationStore, Turn
from .remote import guard_remote
from .settings import Settings
from .usage import SessionUsage, Usage, usage_footer, usage_numbers

if TYPE_CHECKING:
    from IPython.lib.pretty import RepresentationPrinter

DEMO_NOTE = "offline demo: scripted, not Claude (`%claude setup` adds a key)"

# Who wrote the text: Anthropic's API, the kernel's answer cache, or the offline demo.
Source = Literal["api", "cache", "demo"]
# How it was asked: one prompt, the tool loop, a --map run (live) or a Message Batch.
Route = Literal["prompt", "tools", "map", "batch"]


# -- output metadata: what produced an answer, recorded in the notebook next to it ------
# Every answer display (a prompt, the tool loop, the answer cache, the offline demo)
# and every --map/--batch summary carries provenance() as the display's ``metadata``,
# with the SAME keys whatever the source, so a saved .ipynb says which model, requests
# and source each output came from.  Only numbers, ids and names go in: never a
# prompt, an answer or a credential.

METADATA_KEY = "kuroryuu_magic"  # the one key under an output's metadata
_USAGE_NAMES = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


def usage_dict(usage: Usage | None) -> dict[str, int]:
    """The four token counts as plain ints (an SDK ``Usage``, a dict or ``None``)."""
    if usage is None:
        return dict.fromkeys(_USAGE_NAMES, 0)
    return dict(zip(_USAGE_NAMES, usage_numbers(usage), strict=True))


@dataclass
class Provenance:
    """What one display records.  An answer is a run of one item; a ``--map`` run has many."""

    kind: str  # "answer" (one prompt's display) or "map" (a --map/--batch summary)
    route: str  # "prompt", "tools", "map" or "batch"
    source: str  # "api", "cache" or "demo"
    model: str
    usage: Usage | None
    cost: float | None
    elapsed: float
    status: str
    request_ids: Iterable[str | None] = ()
    stop_reasons: Iterable[str | None] = ()
    tool_calls: int = 0
    items: int = 1
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    from_cache: int = 0
    batch_ids: list[str] = field(default_factory=list)


def provenance(p: Provenance) -> dict[str, Any]:
    """``{"kuroryuu_magic": {...}}``: the keys are the same for every kind and source."""
    ids = [r for r in p.request_ids if isinstance(r, str) and r]
    reasons = [r for r in p.stop_reasons if isinstance(r, str) and r]
    return {
        METADATA_KEY: {
            "kind": p.kind,
            "route": p.route,
            "source": p.source,
            "model": str(p.model or ""),
            # the last request's id and stop reason (the one a single answer has) …
            "request_id": ids[-1] if ids else None,
            "stop_reason": reasons[-1] if reasons else None,
            # … and every request's: a tool loop sends one per round, a --map one per item
            "request_ids": ids,
            "stop_reasons": dict(Counter(reasons)),
            "usage": usage_dict(p.usage),
            "cost_usd_estimate": None if p.cost is None else round(float(p.cost), 6),
            "elapsed_s": round(float(p.elapsed), 3),
            "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "status": p.status,
            "tool_calls": int(p.tool_calls),
            "items": int(p.items),
            "succeeded": int(p.succeeded),
            "failed": int(p.failed),
            "cancelled": int(p.cancelled),
            "from_cache": int(p.from_cache),
            "batch_ids": [str(b) for b in p.batch_ids],
        }
    }


KEYS = frozenset(
    provenance(Provenance("answer", "prompt", "api", "", None, None, 0, ""))[METADATA_KEY]
)


@dataclass(frozen=True)
class Sent:
    """One request that went into an answer (a tool loop sends one per round)."""

    model: str
    usage: Usage | None  # ``None`` if none arrived
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
    usage: Usage | None = None
    thinking: str = ""
    status: str = "complete"
    code: str | None = None
    data: Any = None  # -f json: any JSON value; --schema: an instance of the user's type
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

    def _repr_pretty_(self, printer: RepresentationPrinter, cycle: bool) -> None:
        printer.text(repr(self))


def warning_for(answer: Answer, max_tokens: int) -> str | None:
    """The line shown above the footer when an answer ended other than normally."""
    if answer.status == "interrupted":
        return "Interrupted — partial answer kept" if answer.text else None
    if answer.status == "failed":
        return "Incomplete — the stream failed; partial answer kept" if answer.text else None
    if answer.stop_reason == "max_tokens":
        return f"Stopped at the output limit ({max_tokens} tokens): raise --max-tokens"
    if answer.stop_reason == "refusal":
        return "Claude declined to answer this request"
    if answer.stop_reason == "model_context_window_exceeded":
        return "Stopped: the conversation filled the context window (try --new)"
    return None


def _count(answer: Answer, session_usage: SessionUsage) -> None:
    """Every request into the session tally; the answer's cost is their sum.

    The offline demo is decided here, from the session: no caller can forget to
    label or price a demo answer (it costs nothing and is counted apart).
    """
    if answer.source == "api" and in_demo():
        answer.source = "demo"
    if answer.source == "cache":
        answer.cost = 0.0  # nothing was paid for this answer now
        return
    cost: float | None = 0.0
    priced = False
    for sent in answer.sent:
        if sent.usage is None:
            continue
        one = session_usage.add(sent.model, sent.usage, demo=answer.source == "demo")
        priced = True
        cost = None if one is None or cost is None else cost + one
    answer.cost = cost if priced else None


def _parse(answer: Answer, settings: Settings, view: View) -> None:
    """``code``, and ``data`` for ``-f json``/``--schema`` (a failure keeps the text, says so)."""
    if not answer.text:
        return
    answer.code = extract_code(answer.text)
    if settings.fmt == "code" and answer.code is None:
        answer.code = answer.text.strip()  # the model skipped the fences
    if answer.status != "complete":
        return
    if settings.schema is not None:
        from ..structured import SchemaValidationError, parse_answer

        try:
            answer.data = parse_answer(settings.schema, answer.text)
        except SchemaValidationError as exc:
            view.notice(f"--schema: {exc}; the answer is kept as text in _claude.text")
    elif settings.fmt == "json":
        try:
            answer.data = parse_json_loosely(answer.text)
        except Exception as exc:  # any failure keeps the text: the turn is still recorded
            reason = exc if isinstance(exc, ValueError) else type(exc).__name__
            view.notice(
                f"-f json: the JSON could not be parsed ({reason}); the answer is kept as text"
            )


def _shape(answer: Answer, fmt: str, rich: bool, schema: bool) -> dict[str, str] | None:
    """The final display bundle for ``-f code``/``json``; ``None`` keeps the streamed text."""
    if fmt == "code" and answer.code is not None:
        bundle = {"text/markdown": f"```python\n{answer.code}\n```", "text/plain": answer.code}
        if rich:
            from ._copybutton import copy_button_html

            bundle["text/html"] = copy_button_html(answer.code)
        return bundle
    if (fmt == "json" or schema) and answer.data is not None:
        try:
            data = json.loads(answer.text) if schema else answer.data
            pretty = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        except Exception:  # e.g. a number too large to print: the streamed text stays
            return None
        return {"text/markdown": f"```json\n{pretty}\n```", "text/plain": pretty}
    return None


def _footer(answer: Answer) -> str:
    footer = answer.footer()
    if answer.source == "cache":
        footer += " · from the answer cache"
    if answer.route == "tools":
        calls, rounds = len(answer.tool_calls), answer.rounds
        footer += f" · {calls} tool call{'s' * (calls != 1)} in {rounds} round{'s' * (rounds != 1)}"
    return footer


def metadata_of(answer: Answer) -> dict[str, Any]:
    """The provenance metadata of one answer's display."""
    status = answer.status
    return provenance(
        Provenance(
            kind="answer",
            route=answer.route,
            source=answer.source,
            model=answer.model,
            usage=answer.usage,
            cost=answer.cost,
            elapsed=answer.elapsed,
            status=status,
            request_ids=answer.request_ids,
            stop_reasons=answer.stop_reasons,
            tool_calls=len(answer.tool_calls),
            succeeded=int(status == "complete"),
            failed=int(status == "failed"),
            cancelled=int(status == "interrupted"),
            from_cache=int(answer.source == "cache"),
        )
    )


def _remember(
    conversations: ConversationStore, thread: str, content: Content, answer: Answer
) -> None:
    """Record the turn, marking a partial answer so the next request (and Claude) knows."""
    if not answer.text.strip():
        return  # no answer, no turn: the thread never ends on an orphan user message
    mark = {"interrupted": INTERRUPTED_MARK, "failed": INCOMPLETE_MARK}.get(answer.status)
    text = f"{answer.text.rstrip()}\n\n{mark}" if mark else answer.text
    conversations.record(thread, Turn(content, text, answer.model))


def finish(
    shell: ShellLike,
    answer: Answer,
    settings: Settings,
    view: View,
    content: Content,
    *,
    out: str | None = None,
    warning: str | None = None,
) -> Answer:
    """Count, parse, show and keep ``answer``; raise for an interrupted or failed one.

    The thread and the usage tally are the shell's session's.  ``warning``
    overrides the usual line (the tool loop's round limit).
    """
    session = session_for(shell)
    _count(answer, session.state(SessionUsage))
    _parse(answer, settings, view)
    if answer.text or answer.status == "complete":
        schema = settings.schema is not None
        view.finish(
            _shape(answer, settings.fmt, isinstance(view, RichView), schema),
            _footer(answer) if settings.show_usage else None,
            warning or warning_for(answer, settings.max_tokens),
            metadata=metadata_of(answer),
        )
    else:
        view.clear()

    if settings.history:
        _remember(session.state(ConversationStore), settings.thread, content, answer)
    shell.user_ns["_claude"] = answer
    if out and answer.text:
        shell.user_ns[out] = answer.data if answer.data is not None else answer.text
    if settings.fmt == "code" and answer.code and answer.status == "complete":
        shell.set_next_input(answer.code, replace=False)

    what = "investigation" if answer.route == "tools" else "request"
    if answer.status == "interrupted":
        kept = "partial answer kept in _claude" if answer.text else "nothing had arrived yet"
        raise ClaudeInterrupted(f"{what} stopped; {kept}; the conversation is intact.")
    if answer.status == "failed" and answer.error is not None:
        if not settings.short_errors:
            # The SDK's exception quotes the server's body, which may echo the key.
            raise redact_exception(answer.error)
        raise api_error_from(
            answer.error, base_url=base_url(), request_id=answer.request_id
        ) from None
    return answer
