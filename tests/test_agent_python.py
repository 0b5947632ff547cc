"""run_python: nothing runs without the user's approval of that exact code.

In-process (the approval answered through ``builtins.input``, as the kernel
installs it) and in a real terminal IPython whose stdin answers the y/N prompt.
"""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kuroryuu_magic.testing import Reply
from tests.conftest import run_cell
from tests.kernels import kernel_env


def _code(sentinel: Path) -> str:
    return f"open({str(sentinel)!r}, 'w').write('ran')\nprint('wrote it')\nrows = 6 * 7\nrows"


@pytest.fixture
def answers(monkeypatch):
    given: list[str] = []
    asked: list[str] = []

    def fake_input(prompt: str = "") -> str:
        asked.append(prompt)
        return given.pop(0)

    monkeypatch.setattr(builtins, "input", fake_input)
    return given, asked


def test_approved_code_runs_in_the_user_namespace(ip, fake, answers, tmp_path, capsys):
    given, asked = answers
    sentinel = tmp_path / "ran.txt"
    given.append("y")
    fake.enqueue(Reply.call("run_python", {"code": _code(sentinel)}))
    fake.enqueue(Reply(text="It ran."))
    run_cell(ip, "%%claude --tools code\nRun something")
    assert sentinel.read_text() == "ran"
    assert ip.user_ns["rows"] == 42
    [result] = fake.tool_results
    assert not result["is_error"]
    assert "wrote it" in result["content"] and "42" in result["content"]
    out = capsys.readouterr().out
    assert _code(sentinel) in out  # the exact code was shown before the prompt
    assert asked == ["Run this code in your kernel? [y/N] "]


@pytest.mark.parametrize("answer", ["n", "", "yes please", "N"])
def test_anything_but_yes_declines_and_nothing_runs(ip, fake, answers, tmp_path, answer):
    given, _ = answers
    sentinel = tmp_path / "ran.txt"
    given.append(answer)
    fake.enqueue(Reply.call("run_python", {"code": _code(sentinel)}))
    fake.enqueue(Reply(text="Understood."))
    run_cell(ip, "%%claude --tools code\nRun something")
    assert not sentinel.exists() and "rows" not in ip.user_ns
    [result] = fake.tool_results
    assert result["is_error"] and "declined" in result["content"]


def test_no_stdin_and_end_of_input_decline(ip, fake, monkeypatch, tmp_path):
    from IPython.core.error import StdinNotImplementedError

    sentinel = tmp_path / "ran.txt"
    for exc in (StdinNotImplementedError("no stdin"), EOFError()):

        def refuse(prompt: str = "", exc: BaseException = exc) -> str:
            raise exc

        monkeypatch.setattr(builtins, "input", refuse)
        fake.enqueue(Reply.call("run_python", {"code": _code(sentinel)}))
        fake.enqueue(Reply(text="ok"))
        run_cell(ip, "%%claude --tools code\nRun something")
    assert not sentinel.exists()
    assert [r["is_error"] for r in fake.tool_results] == [True, True]
    assert "no stdin" in fake.tool_results[0]["content"]


def test_run_python_is_not_offered_or_run_without_tools_code(ip, fake, answers, tmp_path):
    _, asked = answers
    sentinel = tmp_path / "ran.txt"
    # run_python is not declared here: a model that calls it anyway must be refused.
    fake.enqueue(Reply.call("run_python", {"code": _code(sentinel)}, off_tools=True))
    fake.enqueue(Reply(text="ok"))
    run_cell(ip, "%%claude --tools\nRun something")
    assert "run_python" not in [t["name"] for t in fake.messages_requests()[0].body["tools"]]
    assert not asked and not sentinel.exists()
    assert fake.tool_results[0]["is_error"]


def test_each_call_is_asked_for_on_its_own(ip, fake, answers, tmp_path):
    given, asked = answers
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    given += ["y", "n"]
    fake.enqueue(Reply.call("run_python", {"code": _code(first)}))
    fake.enqueue(Reply.call("run_python", {"code": _code(second)}))
    fake.enqueue(Reply(text="ok"))
    run_cell(ip, "%%claude --tools code\nTwice")
    assert first.exists() and not second.exists() and len(asked) == 2


def test_errors_come_back_bounded_and_code_with_a_key_is_never_shown_or_run(
    ip, fake, answers, tmp_path, capsys
):
    given, asked = answers
    given.append("y")
    fake.enqueue(Reply.call("run_python", {"code": "x = [1]\nx[5]"}))
    key = "sk-ant-api03-" + "Z" * 86 + "AA"
    sentinel = tmp_path / "ran.txt"
    fake.enqueue(Reply.call("run_python", {"code": f"k = {key!r}\n" + _code(sentinel)}))
    fake.enqueue(Reply(text="ok"))
    run_cell(ip, "%config ClaudeMagics.object_chars = 300")
    run_cell(ip, "%%claude --tools code\nBreak it")
    error, keyed = fake.tool_results
    assert error["is_error"] and "IndexError" in error["content"] and len(error["content"]) <= 300
    assert keyed["is_error"] and "credential" in keyed["content"]
    assert len(asked) == 1 and not sentinel.exists()
    assert "ZZZZZZZZ" not in capsys.readouterr().out


def test_terminal_ipython_y_runs_and_n_does_not(fake, tmp_path):
    """A real terminal IPython: the y/N prompt is answered on its stdin."""
    env = kernel_env(tmp_path / "home", fake.env())
    env["PYTHONPATH"] = os.getcwd()
    for answer, runs in (("y", True), ("n", False)):
        sentinel = tmp_path / f"ran-{answer}.txt"
        fake.enqueue(Reply.call("run_python", {"code": _code(sentinel)}))
        fake.enqueue(Reply(text=f"Finished {answer}."))
        script = tmp_path / f"s-{answer}.ipy"
        script.write_text(
            "%load_ext kuroryuu_magic\n"
            "%config ClaudeMagics.warm_up = False\n"
            "%claude --tools code Run it\n"
        )
        proc = subprocess.run(
            [sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", str(script)],
            input=f"{answer}\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "Claude wants to run this code" in proc.stdout
        assert _code(sentinel) in proc.stdout and "[y/N]" in proc.stdout
        assert f"Finished {answer}." in proc.stdout
        assert sentinel.exists() is runs
        result = fake.tool_results[-1]
        assert ("declined" in result["content"]) is not runs


def test_ctrl_c_at_the_prompt_stops_and_runs_nothing(ip, fake, monkeypatch, tmp_path):
    from kuroryuu_magic.core.errors import ClaudeInterrupted

    def interrupt(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(builtins, "input", interrupt)
    sentinel = tmp_path / "ran.txt"
    fake.enqueue(Reply.call("run_python", {"code": _code(sentinel)}, text="I will write it."))
    with pytest.raises(ClaudeInterrupted):
        ip.run_cell_magic("claude", "--tools code", "Run something")
    assert not sentinel.exists()
    assert ip.user_ns["_claude"].status == "interrupted"
    assert "I will write it." in ip.user_ns["_claude"].text
    assert len(fake.messages_requests()) == 1  # nothing more was sent


def test_no_answer_within_the_approval_timeout_declines_and_nothing_runs(
    ip, fake, monkeypatch, tmp_path
):
    import time

    waited: list[float] = []

    def never_answers(prompt: str = "") -> str:  # as a user who walked away
        started = time.monotonic()
        try:
            time.sleep(30)
        finally:
            waited.append(time.monotonic() - started)
        return "y"

    monkeypatch.setattr(builtins, "input", never_answers)
    run_cell(ip, "%config ClaudeMagics.approval_timeout = 0.3")
    sentinel = tmp_path / "ran.txt"
    fake.enqueue(Reply.call("run_python", {"code": _code(sentinel)}))
    fake.enqueue(Reply(text="Understood; I will not run it."))
    run_cell(ip, "%%claude --tools code\nRun something")
    # The prompt itself was cut by the timer (not the 30 s sleep); the two API rounds
    # around it are not timed, since they are slow on a loaded machine.
    [seconds] = waited
    assert seconds < 10
    assert not sentinel.exists()
    assert fake.tool_results[0]["is_error"]
    assert "no answer within 0.3 seconds" in fake.tool_results[0]["content"]
    assert ip.user_ns["_claude"].text == "Understood; I will not run it."  # the loop went on


def test_approval_timeout_is_validated(ip):
    from traitlets import TraitError

    magics = ip.magics_manager.registry["ClaudeMagics"]
    for bad in (-1.0, float("inf"), float("nan")):
        with pytest.raises(TraitError):
            magics.approval_timeout = bad
    magics.approval_timeout = 0  # 0: wait as long as it takes
