"""What a person approves is what runs: run_python's approval, in a terminal and in Jupyter.

Code Claude sends can hide a line from a display: an ANSI escape or a bare
carriage return moves the cursor back over it in a terminal, bidi controls
reorder it (Trojan Source), zero-width characters make two different texts
look the same.  Each class is rendered visibly (``\\x1b``, ``\\r``,
``<U+202E>``) and flagged in one line above the code, on both surfaces.  An
approval answer is bound to its own prompt, and an answer that arrives after
the timeout never runs the code.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import queue
import time
from html import escape
from pathlib import Path

import pytest

from kuroryuu_magic.core.visible import terminal_safe, visible
from kuroryuu_magic.testing import Reply
from tests.conftest import run_cell

# One example per class: the hidden character, what the approval must show instead.
CLASSES = {
    "escape_sequence": ("\x1b[2K\x1b[1A", "\\x1b[2K\\x1b[1A"),
    "carriage_return": ("\r", "\\r"),
    "control_character": ("\x08\x08\x08", "\\x08\\x08\\x08"),
    "bidi_control": ("\u202e\u2066", "<U+202E><U+2066>"),
    "zero_width": ("\u200b\ufeff\u2060", "<U+200B><U+FEFF><U+2060>"),
}
LABELS = {
    "escape_sequence": "escape sequence",
    "carriage_return": "carriage return",
    "control_character": "control character",
    "bidi_control": "bidi control",
    "zero_width": "invisible character",
}
HIDDEN = "open({path!r}, 'w').write('ran')  # {mark}df.describe()"


def _code(sentinel: Path, hidden: str) -> str:
    return HIDDEN.format(path=str(sentinel), mark=hidden)


@pytest.fixture
def answers(monkeypatch):
    given: list[str] = []
    monkeypatch.setattr(builtins, "input", lambda prompt="": given.pop(0))
    return given


@pytest.mark.parametrize("kind", list(CLASSES))
def test_terminal_approval_shows_hidden_characters_visibly_and_flags_them(
    ip, fake, answers, tmp_path, capsys, kind
):
    hidden, shown = CLASSES[kind]
    sentinel = tmp_path / "ran.txt"
    answers.append("n")
    fake.enqueue(Reply.call("run_python", {"code": _code(sentinel, hidden)}))
    fake.enqueue(Reply(text="Fine."))
    run_cell(ip, "%%claude --tools code\nRun it")
    out = capsys.readouterr().out
    assert hidden not in out  # nothing raw reaches the terminal
    lines = out.splitlines()
    assert _code(sentinel, shown) in lines  # the code, exactly, with the marks visible
    header = next(i for i, line in enumerate(lines) if line.startswith("Claude wants to run"))
    assert lines[header + 1].startswith("⚠ Hidden characters shown visibly")  # flagged above it
    assert LABELS[kind] in lines[header + 1]
    assert not sentinel.exists()


def test_terminal_approval_of_plain_code_has_no_flag(ip, fake, answers, tmp_path, capsys):
    answers.append("n")
    fake.enqueue(Reply.call("run_python", {"code": "x = 'café → ✓'\nx"}))
    fake.enqueue(Reply(text="Fine."))
    run_cell(ip, "%%claude --tools code\nRun it")
    out = capsys.readouterr().out
    assert "x = 'café → ✓'" in out and "Hidden characters" not in out


@pytest.mark.parametrize("kind", list(CLASSES))
def test_jupyter_approval_shows_hidden_characters_visibly_and_flags_them(
    fresh_kernel, server, tmp_path, kind
):
    hidden, shown = CLASSES[kind]
    sentinel = tmp_path / "ran.txt"
    server.enqueue(Reply.call("run_python", {"code": _code(sentinel, hidden)}))
    server.enqueue(Reply(text="Fine."))
    run = fresh_kernel.run("%%claude --tools code\nRun it", on_input=lambda p: "n")
    assert run.status == "ok", run.text()
    html, plain = run.text("text/html"), run.text("text/plain")
    code_html = escape(_code(sentinel, shown))
    assert code_html in html and hidden not in html
    assert html.index("Hidden characters shown visibly") < html.index(code_html)
    assert _code(sentinel, shown) in plain and hidden not in plain
    assert not sentinel.exists()


def test_visible_names_every_class_once_per_character():
    text = "".join(hidden for hidden, _ in CLASSES.values())
    shown = visible(text)
    assert shown.text == "".join(s for _, s in CLASSES.values())
    assert shown.found == {
        "escape sequence": 2,
        "carriage return": 1,
        "control character": 3,
        "bidi control": 2,
        "invisible character": 3,
    }
    assert visible("a\r\nb\tc").text == "a\r\nb\tc"  # line ends and tabs are what they look like
    assert terminal_safe("\x1b]52;c;ZXZpbA==\x07 \u202e") == "\\x1b]52;c;ZXZpbA==\\x07 \u202e"


def test_an_answer_that_arrives_after_the_timeout_never_runs(ip, fake, monkeypatch, tmp_path):
    """The race of issue 18: the "y" was on its way when the timer fired."""

    def late_yes(prompt: str = "") -> str:
        # The reply had already been read when the interrupt came.
        with contextlib.suppress(KeyboardInterrupt):
            time.sleep(30)
        return "y"

    monkeypatch.setattr(builtins, "input", late_yes)
    run_cell(ip, "%config ClaudeMagics.approval_timeout = 0.3")
    sentinel = tmp_path / "ran.txt"
    fake.enqueue(Reply.call("run_python", {"code": _code(sentinel, "")}))
    fake.enqueue(Reply(text="Understood."))
    run_cell(ip, "%%claude --tools code\nRun it")
    assert not sentinel.exists()
    [result] = fake.tool_results
    assert result["is_error"] and "no answer within 0.3 seconds" in result["content"]
    assert ip.user_ns["_claude"].status == "complete"  # the interrupt did not leak into the loop


def test_jupyter_approval_refuses_a_late_answer_to_an_expired_prompt(
    fresh_kernel, server, tmp_path
):
    """A "y" typed into an expired prompt's box must not approve the next prompt's code."""
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    fresh_kernel.ok("%config ClaudeMagics.approval_timeout = 2")
    server.enqueue(Reply.call("run_python", {"code": _code(first, "")}))
    server.enqueue(Reply.call("run_python", {"code": _code(second, "")}))
    server.enqueue(Reply(text="Done."))
    kc = fresh_kernel.kc
    msg_id = kc.execute("%%claude --tools code\nRun twice", allow_stdin=True)
    requests: list[dict] = []
    deadline = time.monotonic() + 60
    idle = False
    try:
        while not idle:
            assert time.monotonic() < deadline, "the cell did not finish"
            try:
                request = kc.get_stdin_msg(timeout=0.05)
            except queue.Empty:
                request = None
            if request is not None and request["msg_type"] == "input_request":
                requests.append(request)
                if len(requests) == 2:  # the first expired unanswered; now answer it late
                    kc.stdin_channel.send(
                        kc.session.msg("input_reply", {"value": "y"}, requests[0])
                    )
                    time.sleep(0.3)
                    kc.stdin_channel.send(kc.session.msg("input_reply", {"value": "n"}, request))
            try:
                msg = kc.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                continue
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                idle = True
    finally:
        fresh_kernel.ok("%config ClaudeMagics.approval_timeout = 300")
    assert len(requests) == 2
    assert not first.exists() and not second.exists()
    timed_out, declined = server.tool_results
    assert "no answer within 2 seconds" in timed_out["content"]
    assert "declined by the user" in declined["content"]


def test_jupyter_approval_asks_without_input_history(fresh_kernel, server, tmp_path):
    """JupyterLab's stdin box shows "↑↓ for history" unless the request is a password one."""
    seen: list[dict] = []
    kc = fresh_kernel.kc
    original = kc.get_stdin_msg

    def spy(*args, **kwargs):
        msg = original(*args, **kwargs)
        seen.append(msg)
        return msg

    kc.get_stdin_msg = spy
    try:
        server.enqueue(Reply.call("run_python", {"code": "1 + 1"}))
        server.enqueue(Reply(text="Fine."))
        run = fresh_kernel.run("%%claude --tools code\nRun it", on_input=lambda p: "n")
    finally:
        del kc.get_stdin_msg
    [request] = [m for m in seen if m["msg_type"] == "input_request"]
    assert request["content"]["password"] is True
    assert "declined — nothing ran" in run.text()  # what was answered, in a plain line


def test_terminal_approval_drops_typeahead(monkeypatch):
    """A "y" typed before the prompt appeared (late, for the last one) is not read as its answer."""
    import sys

    from kuroryuu_magic.agent.python import _drop_typeahead

    master, slave = os.openpty()
    try:
        os.write(master, b"y\n")
        with os.fdopen(os.dup(slave), "r") as tty:
            monkeypatch.setattr(sys, "stdin", tty)
            _drop_typeahead()
            os.set_blocking(slave, False)
            with pytest.raises(BlockingIOError):
                os.read(slave, 10)
    finally:
        os.close(master)
        os.close(slave)


def test_terminal_words_before_a_tool_call_come_before_its_step_line(ip, fake, capsys):
    """Coalesced output must not leave Claude's sentence pending while the tool runs."""
    run_cell(ip, "import pandas as pd\ndf = pd.DataFrame({'x': [1, 2, 2]})")
    run_cell(ip, "%config ClaudeMagics.update_interval = 30")  # nothing flushes on its own
    words = "First I will look at the duplicates in df, then answer."
    fake.enqueue(Reply.call("duplicates", {"name": "df"}, text=words))
    fake.enqueue(Reply(text="One duplicate."))
    run_cell(ip, "%claude --tools Look")
    out = capsys.readouterr().out
    assert f"{words}\n\n  · duplicates(" in out  # the whole sentence, then the step on its own line


def test_a_declined_call_is_labelled_declined_not_error(ip, fake, answers, capsys):
    answers.append("n")
    fake.enqueue(Reply.call("run_python", {"code": "1 + 1"}))
    fake.enqueue(Reply(text="Fine."))
    run_cell(ip, "%%claude --tools code\nRun it")
    [step] = [line for line in capsys.readouterr().out.splitlines() if "· run_python(" in line]
    assert "→ declined ·" in step and "error" not in step
