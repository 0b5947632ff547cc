"""Views coalesce updates and finish with the whole answer."""

from __future__ import annotations

import io
from typing import Any

import pytest

from kuroryuu_magic.ask import display as display_mod
from kuroryuu_magic.ask.display import RichView, TerminalView


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(display_mod.time, "monotonic", fake)
    return fake


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    calls: list[tuple[dict[str, Any], dict[str, Any]]] = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: calls.append((obj, kw)))
    return calls


def test_rich_view_sends_at_most_one_update_per_interval(clock: Clock, published: list) -> None:
    view = RichView(interval=0.1)
    view.start()
    for i in range(1000):  # 1000 deltas over 1 simulated second
        clock.now = i / 1000
        view.add_text("x")
    view.finish(None, "footer", None)
    updates = view.updates
    # At most ~10 coalesced updates + start + final + footer; fewer once resending the
    # growing paragraph costs more than the text that arrived since (display._Pace).
    assert 6 <= updates <= 14, updates
    final_bundle, final_kwargs = published[-2]
    assert final_bundle["text/markdown"] == "x" * 1000 and final_kwargs["update"] is True
    assert published[-1][0]["text/plain"] == "footer"


def test_thinking_stands_above_the_answer(clock: Clock, published: list) -> None:
    view = RichView(interval=0.0)
    view.start()
    clock.now = 1
    view.add_thinking("hmm")
    clock.now = 2
    view.add_text("answer")
    view.finish(None, None, None)
    ids = [kw["display_id"] for _, kw in published]
    thinking_id = ids[0]  # the placeholder became the thinking block
    assert "<details" in published[1][0]["text/markdown"] and ids[1] == thinking_id
    answer_updates = [b for b, kw in published if kw["display_id"] != thinking_id]
    assert answer_updates[-1]["text/markdown"] == "answer"


def test_warning_is_appended_visibly(clock: Clock, published: list) -> None:
    view = RichView(interval=0.0)
    view.start()
    view.add_text("part")
    view.finish(None, None, "Interrupted — partial answer kept")
    shown = published[-1][0]["text/markdown"]
    assert shown.startswith("part\n\n> ⚠️ **") and "Interrupted — partial answer kept" in shown


def test_terminal_view_writes_plain_text_once(clock: Clock) -> None:
    out = io.StringIO()
    view = TerminalView(interval=0.1, stream=out)
    for i, word in enumerate(["Hello", " ", "world"]):
        clock.now = i * 0.01
        view.add_text(word)
    view.finish(None, "model · 1 in / 2 out", None)
    assert out.getvalue() == "Hello world\n── model · 1 in / 2 out\n"
    assert "IPython.core.display" not in out.getvalue()


def test_front_end_detection_covers_subclasses_like_colabs_shell() -> None:
    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython.core.interactiveshell import InteractiveShell

    class ColabShell(ZMQInteractiveShell):  # google.colab._shell.Shell subclasses it
        pass

    assert display_mod.is_rich_frontend(object.__new__(ColabShell))
    assert not display_mod.is_rich_frontend(object.__new__(InteractiveShell))
    assert not display_mod.is_rich_frontend(None)


def _raw_dollars(markdown: str) -> list[str]:
    """`$` a math typesetter could read: outside the product's no-math elements."""
    import re

    hidden = re.sub(
        r'<(\w+) class="mathjax_ignore tex2jax_ignore">.*?</\1>', "", markdown, flags=re.S
    )
    return re.findall(r"(?<!\\)\$", hidden)


def test_product_text_is_never_math_and_answers_are_guarded(clock: Clock, published: list) -> None:
    view = RichView(interval=0.0)
    view.start("Asking $model…")
    view.notice("note with ~$0.0020 and $3")
    view.add_text("from $5 to $10, and $x^2$")
    view.finish(None, "m · ~$0.0021 · cache (saved ~$0.0020) · ~$0.0035", "cost ~$1 $2")
    shown = [call[0]["text/markdown"] for call in published]
    answer = [s for s in shown if "from" in s][-1]
    # The math stays, the money doesn't.
    assert answer.split("> ⚠️")[0].count("$") == 2 and "$x^2$" in answer
    for markdown in shown:
        assert _raw_dollars(markdown.replace("$x^2$", "")) == [], markdown
    plain = [call[0].get("text/plain", "") for call in published]
    assert plain[-2].startswith("from $5 to $10, and $x^2$")  # text/plain: as written


def test_math_off_and_on(clock: Clock, published: list) -> None:
    for mode, dollars in (("off", 0), ("on", 2)):
        published.clear()
        view = RichView(interval=0.0, math=mode)
        view.start()
        view.add_text("from $5 to $10")
        view.finish(None, None, None)
        assert published[-1][0]["text/markdown"].count("$") == dollars
