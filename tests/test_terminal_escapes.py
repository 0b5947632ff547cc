"""Terminal IPython never writes a control sequence that came from an answer or a server.

OSC 52 writes the user's clipboard, ``ESC[2J`` clears the screen; a real
terminal IPython runs each surface (a streamed answer, ``-f code``, an API
error's text, a tool step) and its raw output must carry none of them, only
their visible form (``\\x1b``).
"""

from __future__ import annotations

import os
import subprocess
import sys

from kuroryuu_magic.core.visible import terminal_safe
from kuroryuu_magic.testing import Fault, Reply
from tests.conftest import run_cell
from tests.kernels import kernel_env

CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"  # OSC 52: "evil" into the clipboard
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b2J"


def _terminal(fake, tmp_path, lines: str) -> subprocess.CompletedProcess[str]:
    env = kernel_env(tmp_path / "home", fake.env())
    env["PYTHONPATH"] = os.getcwd()
    script = tmp_path / "s.ipy"
    script.write_text(
        "%load_ext kuroryuu_magic\n%config ClaudeMagics.warm_up = False\n" + lines,
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _assert_no_raw_sequences(text: str) -> None:
    for raw in (CLIPBOARD, CLEAR, "\x1b]52", "\x1b[2J", "\x07", C1_CSI):
        assert raw not in text, repr(raw)


def test_terminal_answer_code_and_error_write_no_control_sequences(fake, tmp_path):
    fake.enqueue(Reply(text=f"Copied{CLIPBOARD} and cleared{CLEAR} and {C1_CSI}.", deltas=5))
    fake.enqueue(Reply(text=f"```python\nprint(1)  # {CLEAR}{CLIPBOARD}\n```"))
    fake.enqueue(
        Fault(
            "status",
            status=400,
            error_type="invalid_request_error",
            message=f"bad request {CLIPBOARD}{CLEAR}",
        )
    )
    proc = _terminal(fake, tmp_path, "%claude Say it\n%claude -f code Code it\n%claude Fail it\n")
    out = proc.stdout + proc.stderr
    _assert_no_raw_sequences(out)
    assert "Copied\\x1b]52;c;ZXZpbA==\\x07 and cleared\\x1b[2J\\x1b[H" in out  # the answer
    assert "print(1)  # \\x1b[2J" in out  # -f code
    assert "bad request \\x1b]52" in out  # the server's error text


def test_terminal_tool_step_and_error_line_write_no_control_sequences(ip, fake, capsys):
    """In-process terminal shell: a hostile tool name in a step line, and the error's own line."""
    from kuroryuu_magic.core.errors import ClaudeAPIError

    fake.enqueue(Reply.call(f"describe{CLEAR}", {"name": f"df{CLIPBOARD}"}))
    fake.enqueue(Reply(text="Done."))
    run_cell(ip, "%claude --tools Look")
    _assert_no_raw_sequences(capsys.readouterr().out)
    [line] = ClaudeAPIError(f"oops {CLEAR}")._render_traceback_()
    assert "\\x1b[2J" in line and CLEAR not in line


def test_terminal_safe_keeps_text_and_line_ends():
    assert terminal_safe("a\r\nb\tc é ‮ ✓\n") == "a\r\nb\tc é ‮ ✓\n"
    assert terminal_safe("50%\rdone") == "50%\\rdone"
