"""run_python's approval in JupyterLab and Notebook 7 in Chromium: the code is shown, the stdin box asks.

The cell is still executing while the kernel waits for the answer, which is
why approval is an ``input()`` prompt (Lab's stdin box) and not a widget.
"""

from __future__ import annotations

from typing import Any

import pytest

from kuroryuu_magic.testing import Reply

pytestmark = pytest.mark.browser

MODEL = "claude-sonnet-5-5"


@pytest.fixture(params=["lab", "notebook"])
def jupyter_server(request: pytest.FixtureRequest) -> Any:
    """Once in JupyterLab and once in Notebook 7."""
    return request.getfixturevalue(f"{request.param}_server")


def _code(path) -> str:
    return f"open({str(path)!r}, 'w').write('ran')\nprint('approved run')"


def _answer(nb, i, text):
    out = nb.cell(i).locator(".jp-Cell-outputArea")
    out.get_by_text("Claude wants to run this code").first.wait_for(timeout=30_000)
    box = out.locator(".jp-Stdin-input").first
    box.wait_for(timeout=30_000)
    box.fill(text)
    box.press("Enter")
    nb.wait_done(i)
    return out


def test_approve_runs_and_reject_runs_nothing(open_notebook, lab_fake, tmp_path):
    approved, rejected = tmp_path / "approved.txt", tmp_path / "rejected.txt"
    nb = open_notebook("agent.ipynb", cells=[""])
    nb.wait_done(nb.append_and_run("%load_ext kuroryuu_magic"))

    lab_fake.enqueue(Reply.call("run_python", {"code": _code(approved)}, text="Let me write it."))
    lab_fake.enqueue(Reply(text="**Done**, the file is written."))
    i = nb.append_and_run(f"%%claude --tools code -m {MODEL}\nWrite the file")
    out = _answer(nb, i, "y")
    text = out.inner_text()
    assert _code(approved).splitlines()[0] in text  # the exact code was on screen
    out.locator("strong", has_text="Done").first.wait_for()
    assert approved.read_text() == "ran"
    assert "run_python(" in text and "1 tool call in 1 round" in text
    order = [text.index(s) for s in ("run_python(", "Let me write it.", "Claude wants", "Done")]
    assert order == sorted(order), text
    assert "approved run" in lab_fake.tool_results[-1]["content"]

    lab_fake.enqueue(Reply.call("run_python", {"code": _code(rejected)}))
    lab_fake.enqueue(Reply(text="Understood, nothing ran."))
    j = nb.append_and_run(f"%%claude --tools code -m {MODEL}\nWrite the other file")
    out = _answer(nb, j, "n")
    out.get_by_text("Understood, nothing ran.").first.wait_for()
    assert not rejected.exists()
    result = lab_fake.tool_results[-1]
    assert result["is_error"] and "declined by the user" in result["content"]
