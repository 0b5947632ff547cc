"""Streaming display traffic: finished blocks published once, the whole renders as one document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import mistune
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuroryuu_magic.ask import display as display_mod
from kuroryuu_magic.ask._blocks import needs_whole, safe_cut
from kuroryuu_magic.ask.display import RichView

BLOCKS = [
    "A paragraph with *emphasis* and `code`.",
    "Two lines\nof one paragraph.",
    "# A heading",
    "- tight\n- list",
    "- loose\n\n- list",
    "1. first\n\n   continued\n\n2. second",
    "3. starts at three",
    "```python\nx = 1\n\n\ny = 2\n```",
    "~~~\nno closer yet?\n\n~~~",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "> quoted\n> twice",
    "    indented code\n\n    still code",
    "$$\na^2\n\nb^2\n$$",
    "---",
    "<details>\n<summary>more</summary>\n\ninside\n\n</details>",
]

_render = mistune.create_markdown(plugins=["table"])


def _html(markdown: str) -> str:
    return re.sub(r">\s+<", "><", str(_render(markdown))).strip()


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def _capture(freeze_at: int | None = None) -> Iterator[dict[str, Any]]:
    """The last bundle of every display, in page order (as a front end shows them)."""
    state: dict[str, Any] = {"order": [], "last": {}, "bytes": 0, "clock": Clock()}
    import IPython.display

    def display(obj: dict[str, str], **kw: Any) -> None:
        key = kw.get("display_id") or len(state["order"])
        if key not in state["last"]:
            state["order"].append(key)
        state["last"][key] = obj
        state["bytes"] += sum(len(v) for v in obj.values())

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(IPython.display, "display", display)
        mp.setattr(display_mod.time, "monotonic", state["clock"])
        if freeze_at is not None:
            mp.setattr(RichView, "FREEZE_AT", freeze_at)
        yield state


@pytest.fixture
def shown() -> Iterator[dict[str, Any]]:
    with _capture() as state:
        yield state


def _stream(
    shown: dict[str, Any], text: str, sizes: list[int], interval: float = 0.0, **view_args: Any
) -> RichView:
    view = RichView(interval=interval, **view_args)
    view.start()
    pos = 0
    for i, size in enumerate(sizes * (len(text) // max(1, sum(sizes)) + 1)):
        if pos >= len(text):
            break
        shown["clock"].now = i * 0.01
        view.add_text(text[pos : pos + size])
        pos += size
    view.finish(None, None, None)
    return view


def _answer_displays(shown: dict[str, Any]) -> list[str]:
    return [
        shown["last"][k]["text/markdown"]
        for k in shown["order"]
        if "text/markdown" in shown["last"][k]
    ]


@given(
    blocks=st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=12),
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=8),
    gap=st.sampled_from(["\n\n", "\n\n\n"]),
)
def test_pieces_render_as_the_whole_document(blocks: list[str], sizes: list[int], gap: str) -> None:
    text = gap.join(blocks)
    with _capture(freeze_at=1) as state:  # cut at every chance the rules allow
        _stream(state, text, sizes, math="on")
    pieces = _answer_displays(state)
    assert "".join(pieces) == text  # contiguous, nothing lost or repeated
    assert "".join(_html(p) for p in pieces) == _html(text)


def test_safe_cut_examples() -> None:
    assert safe_cut("a\n\nb\n\nc") == 3
    assert safe_cut("- x\n\n- y\n\npara\n\nq") == len("- x\n\n- y\n\n")
    assert safe_cut("```\nx\n\nz\n```\n\nafter\n") == len("```\nx\n\nz\n```\n\n")
    assert safe_cut("para\n\n    code\n") == 0  # an indented block may continue what is above
    assert safe_cut("<details>\n\ninside\n\n</details>\n") == 0
    assert needs_whole("see [docs][1]\n\n[1]: https://example.org")


def test_link_references_publish_one_document() -> None:
    text = "See [the docs][d].\n\n" + "More text.\n\n" * 20 + "[d]: https://example.org\n"
    with _capture(freeze_at=1) as state:
        _stream(state, text, [7])
    pieces = [p for p in _answer_displays(state) if p]
    assert pieces == [text]


@pytest.mark.parametrize("size", [2_000, 20_000, 200_000])
def test_traffic_is_linear_in_the_answer(shown: dict[str, Any], size: int) -> None:
    paragraph = "Lorem ipsum dolor sit amet, " * 12
    text = ("\n\n".join([paragraph, "- one\n- two", "```python\nx = 1\n```"] * 400))[:size]
    # 20-character deltas, 100 of them a second: ~10 updates a second, like a real stream.
    view = _stream(shown, text, [20], interval=0.1)
    final = len(text) * 2  # Markdown and plain text of one display holding the answer
    assert shown["bytes"] <= 4 * final, (shown["bytes"], final, view.updates)
    assert view.updates >= min(10, size // 2000)  # it still streams


def test_a_shaped_body_replaces_every_piece() -> None:
    """``-f code``/``json``: the finished answer is one bundle, in the first display."""
    text = "Intro paragraph.\n\n" * 10 + "```python\nx = 1\n```\n"
    body = {"text/markdown": "```python\nx = 1\n```", "text/plain": "x = 1"}
    with _capture(freeze_at=1) as state:
        view = RichView(interval=0.0)
        view.start()
        for i in range(0, len(text), 9):
            view.add_text(text[i : i + 9])
        assert len(view._answer_ids) > 2  # it had split while streaming
        view.finish(body, None, None)
    shown = [state["last"][k] for k in state["order"]]
    assert shown[0] == body and all(b == {"text/plain": ""} for b in shown[1:])
