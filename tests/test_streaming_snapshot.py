"""The streaming view reads the SDK's ``current_message_snapshot`` (issue 22 item 3).

The SDK's ``MessageStream`` already accumulates the answer, so the view is not handed
each delta: every event only ticks it, and when an update is due it catches up with
the snapshot through the redactor.  What it shows stays masked, paced and the same.
"""

from __future__ import annotations

import secrets
from typing import Any

import anthropic
import pytest
from anthropic.types import Message, TextBlock, ThinkingBlock, ToolUseBlock, Usage

from kuroryuu_magic.ask.display import RichView, TerminalView
from kuroryuu_magic.ask.streaming import _Reader, stream_answer
from kuroryuu_magic.core.redact import redact
from kuroryuu_magic.testing import FakeAnthropic, Reply, ToolCall

CANARY = "SNAPCANARY"
REQUEST = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 4096,
    "messages": [{"role": "user", "content": "hi"}],
}


def _client(fake: FakeAnthropic) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-api03-test", base_url=fake.base_url, max_retries=0)


class _Published(RichView):
    """A RichView whose displays are recorded instead of sent to a front end."""

    def __init__(self, interval: float) -> None:
        super().__init__(interval)
        self.bundles: list[str] = []
        self._display = lambda bundle, **kw: self.bundles.append(str(bundle))


def test_the_view_is_not_handed_deltas_and_shows_the_snapshots_text() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    with FakeAnthropic() as fake:
        fake.enqueue(Reply(text=text, thinking="first this, then that " * 20, deltas=300))
        view = TerminalView(0.0, stream=_Sink())
        handed: list[str] = []
        view.add_text = handed.append  # type: ignore[method-assign]
        view.add_thinking = handed.append  # type: ignore[method-assign]
        thinking = {"type": "adaptive"}
        outcome = stream_answer(_client(fake), {**REQUEST, "thinking": thinking}, view)
    assert outcome.status == "complete" and handed == []
    assert outcome.message is not None
    assert outcome.text == "".join(b.text for b in outcome.message.content if b.type == "text")
    assert outcome.text == text and outcome.thinking == "first this, then that " * 20
    # Read in a few larger pieces, not one per delta.
    assert 1 < len(view.text) < 300


def test_a_key_split_across_deltas_shows_in_no_update() -> None:
    key = f"sk-ant-api03-{CANARY}{secrets.token_hex(30)}"
    text = f"Your key is {key} and again x-api-key: {key[8:]} done. " + "more words " * 40
    with FakeAnthropic() as fake:
        fake.enqueue(Reply(text=text, deltas=120))
        view = _Published(0.0)  # an update at every chance the pacing gives
        outcome = stream_answer(_client(fake), REQUEST, view)
        view.finish(None, None, None)
    assert len(view.bundles) > 3
    assert all(CANARY not in b for b in view.bundles)
    assert outcome.text == redact(text) and CANARY not in outcome.text


def test_tool_rounds_join_text_blocks_as_before() -> None:
    with FakeAnthropic() as fake:
        fake.enqueue(Reply(text="Looking now.", tool_calls=[ToolCall("list_variables", {})]))
        view = TerminalView(0.0, stream=_Sink())
        request = {
            **REQUEST,
            "tools": [
                {
                    "name": "list_variables",
                    "description": "list",
                    "input_schema": {"type": "object", "properties": {}},
                }
            ],
        }
        outcome = stream_answer(_client(fake), request, view)
    assert outcome.stop_reason == "tool_use" and outcome.text == "Looking now."


def _message(content: list[Any]) -> Message:
    return Message(
        id="msg_1",
        type="message",
        role="assistant",
        model="claude-sonnet-5-5",
        content=content,
        stop_reason=None,
        stop_sequence=None,
        usage=Usage(input_tokens=1, output_tokens=1),
    )


def test_the_reader_takes_only_what_is_new_across_blocks() -> None:
    out: list[str] = []
    reader = _Reader("text", out.append)
    first = TextBlock(type="text", text="alpha ")
    message = _message([ThinkingBlock(type="thinking", thinking="hmm ", signature="s"), first])
    reader.read(message)
    first.text += "beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
    reader.read(message)
    reader.read(message)  # nothing new: nothing passed on twice
    message.content.append(ToolUseBlock(type="tool_use", id="t1", name="x", input={}))
    message.content.append(TextBlock(type="text", text="pi rho sigma"))
    reader.read(message)
    reader.flush()
    joined = "".join(b.text for b in message.content if b.type == "text")
    assert "".join(out) == joined


@pytest.mark.parametrize("kind", ["text", "thinking"])
def test_a_reader_reads_only_its_own_kind(kind: str) -> None:
    out: list[str] = []
    reader = _Reader(kind, out.append)
    message = _message(
        [
            ThinkingBlock(type="thinking", thinking="thought one ", signature="s"),
            TextBlock(type="text", text="said one"),
        ]
    )
    reader.read(message)
    reader.flush()
    assert "".join(out) == ("thought one " if kind == "thinking" else "said one")


class _Sink:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
