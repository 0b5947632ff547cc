"""Showing an answer while it streams.

Two views share one interface: :class:`RichView` for front ends (Markdown in
an updatable display, thinking in a collapsed ``<details>``) and
:class:`TerminalView` for terminal IPython (plain text to stdout).  Both
coalesce: however many deltas arrive, the front end gets at most one update
per ``interval`` seconds, plus a final one.
"""

from __future__ import annotations

import html
import sys
import time
import uuid
from typing import Any

from ..core.frontend import is_rich_frontend
from ..core.nomath import (
    IGNORE_CLASS,
    escape_dollars,
    literal_block,
    literal_html,
    literal_inline,
)
from .mathguard import guard_math

CURSOR = " ▍"


class View:
    """Coalescing base: subclasses implement ``_flush``, ``_finish`` and ``notice``."""

    def __init__(self, interval: float, fmt: str = "markdown", math: str = "auto") -> None:
        self.interval = max(0.0, float(interval))
        self.fmt = fmt
        self.math = math
        self.text: list[str] = []
        self.thinking: list[str] = []
        self.updates = 0  # messages sent to the front end; the benchmark reads it
        self._due = 0.0

    def add_text(self, delta: str) -> None:
        self.text.append(delta)
        self._tick()

    def add_thinking(self, delta: str) -> None:
        self.thinking.append(delta)
        self._tick()

    def _tick(self) -> None:
        # Called once per delta: one clock read, and a flush only when one is due.
        now = time.monotonic()
        if now >= self._due:
            self._due = now + self.interval
            self._flush()

    def finish(self, body: dict[str, str] | None, footer: str | None, warning: str | None) -> None:
        """Final state. ``body`` (a mimebundle) replaces the streamed text when given."""
        self._finish(body, footer, warning)

    def _flush(self) -> None:
        raise NotImplementedError

    def _finish(self, body: dict[str, str] | None, footer: str | None, warning: str | None) -> None:
        raise NotImplementedError

    def notice(self, message: str) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Nothing to show (the request failed before any text): remove the placeholder."""


def thinking_markdown(thinking: str, *, done: bool) -> str:
    label = "Thinking" if done else "Thinking…"
    # Shown as escaped text, never as math: the block carries the no-math class.
    body = escape_dollars(html.escape(thinking)).replace("\n", "<br>\n")
    return (
        f'<details class="{IGNORE_CLASS}"><summary>💭 {label} ({len(thinking):,} characters)'
        f"</summary>\n\n{body}\n\n</details>"
    )


def answer_bundle(text: str, fmt: str, math: str = "auto") -> dict[str, str]:
    """Claude's text as published: Markdown guarded for ``$`` (see ``mathguard``), plain as is."""
    if fmt == "text":
        return {"text/plain": text}
    return {"text/markdown": guard_math(text, math), "text/plain": text}


class RichView(View):
    """Markdown in an updatable display; thinking in a collapsed block above the answer."""

    def __init__(self, interval: float, fmt: str = "markdown", math: str = "auto") -> None:
        super().__init__(interval, fmt, math)
        from IPython.display import display

        self._display = display
        self._slot = uuid.uuid4().hex  # the placeholder shown before anything arrives
        self._thinking_id: str | None = None
        self._answer_id: str | None = None

    def _publish(self, bundle: dict[str, str], display_id: str, *, update: bool) -> None:
        self._display(bundle, raw=True, display_id=display_id, update=update)
        self.updates += 1

    def start(self, waiting: str = "Waiting for Claude…") -> None:
        self._publish(
            {"text/markdown": f"*{literal_inline(waiting)}*", "text/plain": waiting},
            self._slot,
            update=False,
        )

    def _show(self, kind: str, bundle: dict[str, str]) -> None:
        """Update the block ``kind`` ("thinking" or "answer"), creating it on first use.

        The first block to arrive takes over the placeholder; a later one is
        created below it, so thinking always stands above the answer.
        """
        current = self._thinking_id if kind == "thinking" else self._answer_id
        if current is not None:
            self._publish(bundle, current, update=True)
            return
        if self._slot:
            current, self._slot, update = self._slot, "", True
        else:
            current, update = uuid.uuid4().hex, False
        if kind == "thinking":
            self._thinking_id = current
        else:
            self._answer_id = current
        self._publish(bundle, current, update=update)

    def _thinking_bundle(self, done: bool) -> dict[str, str]:
        return {
            "text/markdown": thinking_markdown("".join(self.thinking), done=done),
            "text/plain": "",
        }

    def _flush(self) -> None:
        if self.thinking and (self._thinking_id is None or not self.text):
            self._show("thinking", self._thinking_bundle(done=False))
        if self.text:
            self._show("answer", answer_bundle("".join(self.text) + CURSOR, self.fmt, self.math))

    def _finish(self, body: dict[str, str] | None, footer: str | None, warning: str | None) -> None:
        if self.thinking:
            self._show("thinking", self._thinking_bundle(done=True))
        bundle = body or answer_bundle("".join(self.text), self.fmt, self.math)
        if warning:
            bundle = {k: v + _warning_suffix(warning, k) for k, v in bundle.items()}
        self._show("answer", bundle)
        if footer:
            self._display(
                {"text/markdown": literal_inline(footer, "sub"), "text/plain": footer},
                raw=True,
            )
            self.updates += 1

    def notice(self, message: str) -> None:
        self._display(
            {"text/markdown": f"*{literal_inline(message)}*", "text/plain": message}, raw=True
        )
        self.updates += 1

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

    def __init__(self, interval: float, fmt: str = "markdown", stream: Any = None) -> None:
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
            self._out.write(f"── {footer}\n")
        self._out.flush()
        self.updates += 1

    def notice(self, message: str) -> None:
        self._out.write(message + "\n")
        self._out.flush()


def make_view(shell: Any, interval: float, fmt: str, math: str = "auto") -> View:
    if is_rich_frontend(shell):
        return RichView(interval, fmt, math)
    return TerminalView(interval, fmt)


def show_rows(shell: Any, title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
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
