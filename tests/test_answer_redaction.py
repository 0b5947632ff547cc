"""Model text is redacted like server text (issue 19): an answer that echoes the API key is
masked before it is shown, kept (``_claude``, the thread, the answer cache) or sent again."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from kuroryuu_magic.core.redact import StreamRedactor, redact, register_secret
from kuroryuu_magic.map import _batches
from kuroryuu_magic.testing import FakeAnthropic, Reply, ToolCall
from tests.conftest import run_cell

CANARY = "ECHOCANARY"


def _key() -> str:
    return f"sk-ant-api03-{CANARY}{secrets.token_hex(30)}"


@pytest.fixture
def eip(ip: Any, fake: FakeAnthropic) -> Any:
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    return ip


def _everything_kept(shell: Any) -> str:
    magics = shell.magics_manager.registry["ClaudeMagics"]
    result = shell.user_ns["_claude"]
    turns = [
        t.assistant
        for n in magics.conversations.names()
        for t in magics.conversations.thread(n).turns
    ]
    return "\n".join([result.text, repr(result), *turns])


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "no-stream"])
def test_an_answer_echoing_the_key_is_masked_everywhere(
    eip: Any, fake: FakeAnthropic, capsys: Any, stream: bool
) -> None:
    key = _key()
    # Many small deltas: the key arrives split across them.
    fake.enqueue(Reply(text=f"Your key is {key} and x-api-key: {key[8:]} ok.", deltas=40))
    run_cell(eip, f"%claude {'' if stream else '--no-stream '}What is my key?")
    shown = capsys.readouterr().out
    assert CANARY not in shown and "sk-ant-…" in shown
    assert CANARY not in _everything_kept(eip)
    fake.enqueue(Reply(text="fine"))
    run_cell(eip, "%claude And now?")
    assert CANARY not in str(fake.messages_requests()[-1].body)  # the thread sent again


def test_the_registered_key_in_use_is_masked_in_answers(
    eip: Any, fake: FakeAnthropic, capsys: Any
) -> None:
    secret = (
        f"opaque-{CANARY}-{secrets.token_hex(16)}"  # no known shape: only the registry knows it
    )
    register_secret(secret)
    fake.enqueue(Reply(text=f"here: {secret}", deltas=12))
    run_cell(eip, "%claude say it")
    assert CANARY not in capsys.readouterr().out and CANARY not in _everything_kept(eip)


def test_tool_rounds_send_masked_text_again(eip: Any, fake: FakeAnthropic, capsys: Any) -> None:
    key = _key()
    eip.user_ns["df"] = [1, 2, 3]
    fake.enqueue(
        Reply(text=f"Looking with {key} now.", tool_calls=[ToolCall("list_variables", {})])
    )
    fake.enqueue(Reply(text="Done."))
    run_cell(eip, "%claude --tools inspect --no-history What is there?")
    second = fake.messages_requests()[-1].body
    assert CANARY not in str(second["messages"])
    assert CANARY not in capsys.readouterr().out


def test_map_and_batch_results_echoing_the_key_are_masked(
    eip: Any, fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuroryuu_magic.core.session import session_for

    key = _key()
    eip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    eip.user_ns["items"] = ["a", "b"]
    for _ in range(2):
        fake.enqueue(Reply(text=f"label {key}"))
    run_cell(eip, "%%claude --map items -o live -f text\n{item}")
    assert all(CANARY not in str(v) for v in eip.user_ns["live"])

    monkeypatch.setattr(_batches, "POLL_FIRST", 0.01)
    session_for().drop(_batches.KnownJobs)
    # The fake's batch results echo each prompt: one that holds the key makes a result that does.
    run_cell(eip, f"%%claude --map items -o batched --batch --fresh -f text\n{{item}} {key}")
    [post] = [r for r in fake.requests if r.path == "/v1/messages/batches" and r.method == "POST"]
    assert CANARY in str(post.body)  # so the results did echo it
    values = [str(v) for v in eip.user_ns["batched"]]
    assert values and all(CANARY not in v and "sk-ant-…" in v for v in values)


def test_stream_redactor_masks_keys_split_anywhere_and_stays_linear() -> None:
    key = _key()
    text = f"a {key} b; x-api-key: {key[8:]}\nauthorization: Bearer {key[10:]} end"
    for size in (1, 2, 3, 7, 50):
        out: list[str] = []
        feeder = StreamRedactor(out.append)
        for i in range(0, len(text), size):
            feeder.feed(text[i : i + size])
        feeder.flush()
        joined = "".join(out)
        assert CANARY not in joined and joined == redact(text), size
    # A long stream with no whitespace is held back in bounded pieces, never rescanned.
    calls: list[int] = []
    feeder = StreamRedactor(lambda piece: calls.append(len(piece)))
    for _ in range(20_000):
        feeder.feed("abcde")
    feeder.flush()
    assert sum(calls) == 100_000 and len(calls) > 10 and max(calls) <= StreamRedactor._HOLD + 5
