"""Terminal IPython (TerminalInteractiveShell, its own process): plain text, never display reprs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.kernels import kernel_env

SCRIPT = r"""
from IPython.terminal.interactiveshell import TerminalInteractiveShell
ip = TerminalInteractiveShell.instance(colors="nocolor")
ip.run_line_magic("load_ext", "kuroryuu_magic")
for cell in [
    "%%claude --thinking adaptive\nHello **there**",
    "%claude status",
    "%claude models",
    "%claude history",
    "%claude usage",
    "%%claude --dry-run\nwhat would you send?",
    "%%claude -f code --no-history\nwrite code",
    "%claude --bogus",
]:
    ip.run_cell(cell, store_history=True)
print("NEXT INPUT:", repr(ip.rl_next_input))
"""


def test_terminal_ipython_streams_plain_text(tmp_path: Path) -> None:
    with FakeAnthropic() as fake:
        fake.enqueue(Reply(text="Hi *you*", thinking="pondering", deltas=5))
        fake.enqueue(Reply(text="```python\nx = 1\n```"))
        env = kernel_env(tmp_path / "home", fake.env())
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
        )
    out = done.stdout + done.stderr
    assert "<IPython.core.display" not in out and "<IPython.display" not in out
    assert "Hi *you*\n(thinking: 9 characters, in _claude.thinking)\n── claude-sonnet-5-5 · " in out
    assert "ANTHROPIC_API_KEY environment variable" in out and "claude-haiku-4-5" in out
    assert "Dry run: nothing was sent" in out
    assert "NEXT INPUT: 'x = 1'" in out
    assert "UsageError: Unknown option --bogus" in out
    assert fake.api_key not in out
