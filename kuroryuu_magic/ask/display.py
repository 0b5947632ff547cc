"""Showing an answer while it streams.

Two views share one interface: :class:`RichView` for front ends (Markdown in
an updatable display, thinking in a collapsed ``<details>``) and
:class:`TerminalView` for terminal IPython (plain text to stdout).  Both
coalesce: however many deltas arrive, the front end gets at most one update
per ``interval`` seconds, plus a final one.

While a stream runs the view is not handed each delta: the SDK's
``MessageStream`` already accumulates the answer (``current_message_snapshot``),
so each streamed event only calls :meth:`View.tick`; when an update is due the
view first catches up with the snapshot (the reader ``ask/streaming`` gave
:meth:`View.follow` takes what is new there through the redactor), then renders.
``text``/``thinking`` hold the answer as it is *shown*: redacted, which the
snapshot is not, so that copy stays.
"""

from __future__ import annotations

import html
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any, TextIO

from ..core.frontend import is_rich_frontend
from ..core.nomath import (
    IGNORE_CLASS,
    escape_dollars,
    literal_block,
    literal_html,
    literal_inline,
    plain,
)
from ..core.shell import ShellLike
from ._blocks import needs_whole, safe_cut
from .mathguard import guard_math
from .remote import guard_remote

CURSOR = " ▍"


class View:
    """Coalescing base: subclasses implement ``_flush``, ``_finish`` and ``notice``."""

    def __init__(
        self, interval: float, fmt: str = "markdown", math: str = "auto", remote: str = "off"
    ) -> None:
        self.remote = remote  # the remote_images trait: "off" publishes no remote fetch
        self.interval = max(0.0, float(interval))
        self.fmt = fmt
        self.math = math
        self.text: list[str] = []
        self.thinking: list[str] = []
        self.updates = 0  # messages sent to the front end; the benchmark reads it
        self._due = 0.0
        self.metadata: dict[str, Any] | None = None
        self._catch_up: Callable[[], bool] | None = None

    def add_text(self, delta: str) -> None:
        """Text from a producer that is not a stream (a stored answer, the tool loop's breaks)."""
        self.text.append(delta)
        self.tick()

    def add_thinking(self, delta: str) -> None:
        self.thinking.append(delta)
        self.tick()

    def follow(self, catch_up: Callable[[], bool] | None) -> None:
        """While a stream runs: ``catch_up`` brings ``text``/``thinking`` up to the SDK's
        snapshot before each update and says whether anything new is there to show
        (``None``: the stream ended)."""
        self._catch_up = catch_up

    def tick(self) -> None:
        # Called once per streamed event: one clock read, and a flush only when one is
        # due and there is something new (the redactor may still hold a partial word:
        # then the next event tries again rather than waiting a whole interval).
        now = time.monotonic()
        if now >= self._due:
            if self._catch_up is not None and not self._catch_up():
                return
            self._due = now + self.interval
            self._flush()

    def finish(
        self,
        body: dict[str, str] | None,
        footer: str | None,
        warning: str | None,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Final state. ``body`` (a mimebundle) replaces the streamed text when given.

        ``metadata`` (provenance, see ``provenance.provenance``) goes with the
        final displays, so a saved notebook records what produced the answer.
        """
        self.metadata = metadata
        self._finish(body, footer, warning)

    def start(self, waiting: str = "") -> None:
        """Show that a request is on its way (a placeholder); subclasses decide how."""

    def _flush(self) -> None:
        raise NotImplementedError

    def _finish(self, body: dict[str, str] | None, footer: str | None, warning: str | None) -> None:
        raise NotImplementedError

    def notice(self, message: str) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Nothing to show (the request failed before any text): remove the placeholder."""

    def new_section(self) -> None:
        """Text from now on goes below whatever was displayed since (the tool loop's approvals)."""


def thinking_markdown(
    thinking: str, *, done: bool, tail: int | None = None, remote: str = "off"
) -> str:
    """The collapsed thinking block; while it streams only its last ``tail`` characters."""
    label = "Thinking" if done else "Thinking…"
    size = len(thinking)
    if not done and tail is not None and size > tail:
        thinking = "…" + thinking[-tail:]
    # Shown as escaped text, never as math: the block carries the no-math class.
    # The body is read as Markdown (blank lines around it), so its images are guarded too.
    body = guard_remote(escape_dollars(html.escape(thinking)), remote).replace("\n", "<br>\n")
    return (
        f'<details class="{IGNORE_CLASS}"><summary>💭 {label} ({size:,} characters)'
        f"</summary>\n\n{body}\n\n</details>"
    )


def answer_bundle(text: str, fmt: str, math: str = "auto", remote: str = "off") -> dict[str, str]:
    """Claude's text as published: Markdown guarded for ``$`` (see ``mathguard``) and for
    remote fetches (see ``remote``), plain as is."""
    if fmt == "text":
        return {"text/plain": text}
    return {"text/markdown": guard_math(guard_remote(text, remote), math), "text/plain": text}


class _Pace:
    """When resending a display is worth its bytes.

    An update resends ``cost`` characters; it is due once at least a quarter of
    that much new text has arrived since the last one, or a second has passed.  So
    the bytes of all updates stay within a fixed multiple of the answer however
    slowly it streams, and a slow stream still moves every second.
    """

    GROWTH = 4.0
    MAX_WAIT = 1.0

    def __init__(self) -> None:
        self.seen = 0
        self.at = float("-inf")

    def due(self, seen: int, cost: int, now: float) -> bool:
        return (seen - self.seen) * self.GROWTH >= cost or now - self.at >= self.MAX_WAIT

    def sent(self, seen: int, now: float) -> None:
        self.seen, self.at = seen, now


class RichView(View):
    """Markdown in updatable displays; thinking in a collapsed block above the answer.

    Traffic stays linear in the answer's size: finished top-level blocks
    (``_blocks.safe_cut``) are published once in the display they streamed
    into, which is then never touched again, and a new display below takes the
    open tail; each update carries only that tail.  Thinking shows its last
    ``THINKING_TAIL`` characters while it streams and all of it at the end.
    """

    FREEZE_AT = 768  # characters of finished blocks before they move out of the tail
    THINKING_TAIL = 1500

    def __init__(self, interval: float, fmt: str = "markdown", math: str = "auto") -> None:
        super().__init__(interval, fmt, math)
        from IPython.display import display

        # Typed here: IPython leaves display() unannotated.
        self._display: Callable[..., object] = display
        self._slot = uuid.uuid4().hex  # the placeholder shown before anything arrives
        self._thinking_id: str | None = None
        self._answer_ids: list[str] = []  # in page order; the last one holds the open tail
        self._frozen = ""  # every finished chunk so far, joined (what the earlier displays show)
        self._tail = ""  # the answer after ``_frozen``
        self._taken = 0  # deltas of ``self.text`` already in ``_frozen + _tail``
        self._whole = False  # the answer must be published as one document at the end
        self._open_new = False  # the next tail goes into a new display (the last one is final)
        self._text_pace, self._thinking_pace = _Pace(), _Pace()
        self._thinking_text, self._thinking_taken = "", 0

    def _publish(
        self,
        bundle: dict[str, str],
        display_id: str,
        *,
        update: bool,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if metadata:
            self._display(bundle, raw=True, display_id=display_id, update=update, metadata=metadata)
        else:
            self._display(bundle, raw=True, display_id=display_id, update=update)
        self.updates += 1

    def start(self, waiting: str = "Waiting for Claude…") -> None:
        self._publish(
            {"text/markdown": f"*{literal_inline(waiting)}*", "text/plain": waiting},
            self._slot,
            update=False,
        )

    def _new_display(self, bundle: dict[str, str], metadata: dict[str, Any] | None = None) -> str:
        """A display below the others: the first one takes over the placeholder."""
        if self._slot:
            current, self._slot, update = self._slot, "", True
        else:
            current, update = uuid.uuid4().hex, False
        self._publish(bundle, current, update=update, metadata=metadata)
        return current

    def _show_thinking(self, bundle: dict[str, str]) -> None:
        if self._thinking_id is None:
            self._thinking_id = self._new_display(bundle)
        else:
            self._publish(bundle, self._thinking_id, update=True)

    def _show_tail(self, bundle: dict[str, str], metadata: dict[str, Any] | None = None) -> None:
        if not self._answer_ids or self._open_new:
            self._open_new = False
            self._answer_ids.append(self._new_display(bundle, metadata))
        else:
            self._publish(bundle, self._answer_ids[-1], update=True, metadata=metadata)

    def _thinking_bundle(self, done: bool) -> dict[str, str]:
        markdown = thinking_markdown(
            self._take_thinking(), done=done, tail=self.THINKING_TAIL, remote=self.remote
        )
        return {"text/markdown": markdown}

    def _take_thinking(self) -> str:
        # Joined as it arrives: joining every delta again on each update would be quadratic.
        if self._thinking_taken < len(self.thinking):
            self._thinking_text += "".join(self.thinking[self._thinking_taken :])
            self._thinking_taken = len(self.thinking)
        return self._thinking_text

    def _take_text(self) -> None:
        if self._taken < len(self.text):
            self._tail += "".join(self.text[self._taken :])
            self._taken = len(self.text)

    def _flush(self) -> None:
        now = time.monotonic()
        if self.thinking and (self._thinking_id is None or not self.text):
            size = len(self._take_thinking())
            if self._thinking_pace.due(size, min(size, self.THINKING_TAIL), now):
                self._thinking_pace.sent(size, now)
                self._show_thinking(self._thinking_bundle(done=False))
        self._take_text()
        if not self._tail:
            return
        if self.fmt != "text":
            self._freeze_finished_blocks()
        seen = len(self._frozen) + len(self._tail)
        if not self._open_new and not self._text_pace.due(seen, len(self._tail), now):
            return
        self._text_pace.sent(seen, now)
        bundle = answer_bundle(self._tail + CURSOR, self.fmt, self.math, self.remote)
        if self.fmt != "text":
            del bundle["text/plain"]  # the final version carries it; updates need not
        self._show_tail(bundle)

    def _freeze_finished_blocks(self) -> None:
        """Publish the tail's finished blocks for good; the rest opens a new display below."""
        self._whole = self._whole or needs_whole(self._tail)
        cut = safe_cut(self._tail) if len(self._tail) >= self.FREEZE_AT else 0
        if cut < self.FREEZE_AT or self._whole:
            return
        done, self._tail = self._tail[:cut], self._tail[cut:]
        self._show_tail(answer_bundle(done, self.fmt, self.math, self.remote))
        self._frozen += done
        self._open_new = True

    def _finish(self, body: dict[str, str] | None, footer: str | None, warning: str | None) -> None:
        if self.thinking:
            self._show_thinking(self._thinking_bundle(done=True))
        self._take_text()
        whole = body is not None or self._whole or needs_whole(self._tail)
        if whole and len(self._answer_ids) > 1:
            # One document after all (a link reference, -f code/json): the first display
            # takes it, the others are emptied.
            for display_id in self._answer_ids[1:]:
                self._publish({"text/plain": ""}, display_id, update=True)
            del self._answer_ids[1:]
            self._tail, self._frozen = self._frozen + self._tail, ""
        bundle = body or answer_bundle(self._tail, self.fmt, self.math, self.remote)
        if warning:
            bundle = {k: v + _warning_suffix(warning, k) for k, v in bundle.items()}
        self._show_tail(bundle, self.metadata)
        if footer:
            extra = {"metadata": self.metadata} if self.metadata else {}
            self._display(
                {"text/markdown": literal_inline(footer, "sub"), "text/plain": plain(footer)},
                raw=True,
                **extra,
            )
            self.updates += 1

    def notice(self, message: str) -> None:
        self._display(
            {"text/markdown": f"*{literal_inline(message)}*", "text/plain": plain(message)},
            raw=True,
        )
        self.updates += 1

    def new_section(self) -> None:
        self._take_text()
        if self._tail:
            # The open display gets its text for good (no cursor); the next text opens one below.
            self._show_tail(answer_bundle(self._tail, self.fmt, self.math, self.remote))
            self._frozen += self._tail
            self._tail = ""
        elif self._slot:
            # Nothing arrived yet: the placeholder above must not take the later text.
            self._publish({"text/plain": ""}, self._slot, update=True)
            self._slot = ""
        self._open_new = True

    def clear(self) -> None:
        if self._slot:
            self._publish({"text/plain": ""}, self._slot, update=True)


def _warning_suffix(warning: str, mime: str) -> str:
    if mime == "text/markdown":
        return f"\n\n> ⚠️ **{literal_inline(warning)}**"
    if mime == "text/html":
        return f"<p><b>⚠️ {literal_html(warning)}</b></p>"
    return f"\n\n[{warning}]"


class TerminalView(View):
    """Plain text straight to stdout: deltas are written as they come, flushed coalesced."""

    def __init__(
        self, interval: float, fmt: str = "markdown", stream: TextIO | None = None
    ) -> None:
        super().__init__(interval, fmt)
        self._out = stream or sys.stdout
        self._written_text = 0
        self._thinking_announced = False

    def start(self, waiting: str = "") -> None:
        pass

    def _flush(self) -> None:
        if self.thinking and not self._thinking_announced and not self.text:
            self._out.write("(thinking…)\n")
            self._thinking_announced = True
        pending = self.text[self._written_text :]
        if pending:
            self._out.write("".join(pending))
            self._written_text = len(self.text)
        self.updates += 1
        self._out.flush()

    def _finish(self, body: dict[str, str] | None, footer: str | None, warning: str | None) -> None:
        if body is not None and self._written_text == 0:
            self._out.write(body.get("text/plain", ""))
        else:
            self._out.write("".join(self.text[self._written_text :]))
            self._written_text = len(self.text)
        if self.thinking:
            self._out.write(
                f"\n(thinking: {len(''.join(self.thinking)):,} characters, in _claude.thinking)"
            )
        if warning:
            self._out.write(f"\n[{warning}]")
        self._out.write("\n")
        if footer:
            self._out.write(f"── {plain(footer)}\n")
        self._out.flush()
        self.updates += 1

    def notice(self, message: str) -> None:
        self._out.write(plain(message) + "\n")
        self._out.flush()

    def new_section(self) -> None:
        # Whatever is still pending is written now: what follows (a tool step) comes after it.
        self._flush()


def make_view(
    shell: ShellLike | None, interval: float, fmt: str, math: str = "auto", remote: str = "off"
) -> View:
    view: View = (
        RichView(interval, fmt, math) if is_rich_frontend(shell) else TerminalView(interval, fmt)
    )
    view.remote = remote
    return view


def show_rows(
    shell: ShellLike | None, title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """A small table: Markdown in a front end, aligned text in a terminal."""
    cells = [[str(c) for c in row] for row in rows]
    if is_rich_frontend(shell):
        from IPython.display import display

        def md_cell(text: str) -> str:
            return html.escape(text).replace("|", "\\|").replace("\n", " ")

        lines = [f"**{html.escape(title)}**", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in cells]
        plain = _plain_table(title, header, cells)
        # Costs in the table (`~$0.0021`) must never pair up into math.
        display({"text/markdown": literal_block("\n".join(lines)), "text/plain": plain}, raw=True)
    else:
        print(_plain_table(title, header, cells))


def _plain_table(title: str, header: tuple[str, ...], cells: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)
    ]
    out = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(out)
