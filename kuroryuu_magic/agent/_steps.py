"""Each tool call as a collapsed step above the growing answer.

In a front end the steps live in one display created before the answer's, so
they stay above it; each step is a ``<details>`` whose summary says the tool,
its arguments, the size of its result and the time it took, and whose body is
the result itself (already bounded and redacted by the tools).  In a terminal
each step is one line.  Everything shown is literal text, never math.
"""

from __future__ import annotations

import html
import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from ..core.frontend import is_rich_frontend
from ..core.nomath import IGNORE_CLASS, escape_dollars
from ..core.redact import redact
from ..core.shell import ShellLike
from ..core.visible import visible

ARGS_CHARS = 160  # a step's summary shows this much of the arguments


@dataclass
class Step:
    name: str
    input: object  # the call's input as Claude sent it (a JSON object, not yet validated)
    result: str = ""
    is_error: bool = False
    seconds: float | None = None  # None while it runs
    note: str = ""  # "declined", "approved" for run_python


def arguments(input: object) -> str:
    """``name="df", column="x"``: the call's input, short and redacted."""
    if isinstance(input, dict):
        text = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in input.items()
        )
    else:
        text = json.dumps(input, ensure_ascii=False, default=str)
    # Shown as it would run: hidden characters (escapes, bidi, zero-width) made visible.
    text = visible(redact(text.replace("\n", "⏎"))).text
    return text if len(text) <= ARGS_CHARS else text[: ARGS_CHARS - 1] + "…"


ICON, ICON_ERROR = "•", "×"


def summary(step: Step) -> str:
    head = f"{step.name}({arguments(step.input)})"
    if step.seconds is None:
        return f"{head} … {step.note or 'running'}"
    parts = [f"{len(step.result):,} characters", f"{step.seconds:.2f} s"]
    if step.note:
        parts.insert(0, step.note)
    if step.is_error and step.note != "declined":  # a "no" is the user's choice, not an error
        parts.insert(0, "error")
    return f"{head} → {' · '.join(parts)}"


def step_markdown(step: Step) -> str:
    # Characters every font has (WGL4): emoji such as a wrench render as a missing-glyph box
    # in some notebook fonts.  A declined call is the user's choice, not an error.
    icon = ICON_ERROR if step.is_error and step.note != "declined" else ICON
    title = escape_dollars(html.escape(summary(step)))
    if step.seconds is None:
        return f'<div class="{IGNORE_CLASS}">{icon} {title}</div>'
    # No literal line break: a blank line would end the <details> HTML block, and the
    # rest of the result would be read as live Markdown (images fetched, links made).
    body = escape_dollars(html.escape(step.result)).replace("\r", "&#13;").replace("\n", "&#10;")
    return (
        f'<details class="{IGNORE_CLASS}"><summary>{icon} {title}</summary>'
        f"<pre>{body}</pre></details>"
    )


class RichSteps:
    """The steps of one investigation in one updatable display."""

    def __init__(self) -> None:
        from IPython.display import display

        # Typed here: IPython leaves display() unannotated.
        self._display: Callable[..., object] = display
        self._id = uuid.uuid4().hex
        self.steps: list[Step] = []
        self.updates = 0
        # Created empty now, so it sits above the answer's displays that come later.
        display({"text/plain": ""}, raw=True, display_id=self._id)

    def show(self) -> None:
        markdown = "\n\n".join(step_markdown(s) for s in self.steps)
        plain = "\n".join(summary(s) for s in self.steps)
        self._display(
            {"text/markdown": markdown, "text/plain": plain},
            raw=True,
            display_id=self._id,
            update=True,
        )
        self.updates += 1

    def begin(self, step: Step) -> None:
        self.steps.append(step)
        self.show()

    def end(self, step: Step) -> None:
        self.show()


class TerminalSteps:
    """One line per finished step, written between the answer's text."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._out = stream or sys.stdout
        self.steps: list[Step] = []
        self.updates = 0

    def begin(self, step: Step) -> None:
        self.steps.append(step)

    def end(self, step: Step) -> None:
        # Starts on its own line: the loop ends Claude's words with a paragraph break first.
        self._out.write(f"  · {summary(step)}\n")
        self._out.flush()
        self.updates += 1


def make_steps(shell: ShellLike | None) -> RichSteps | TerminalSteps:
    return RichSteps() if is_rich_frontend(shell) else TerminalSteps()
