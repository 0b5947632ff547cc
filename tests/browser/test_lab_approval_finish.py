"""Approvals that feel finished, in JupyterLab and Notebook 7 (headless Chromium).

An expired approval leaves no y/N box behind (the cell is redrawn without
it, ending in a plain "timed out — nothing ran" line), the box has no input
history hint, and a declined call is labelled "declined" in the steps.
"""

from __future__ import annotations

from typing import Any

import pytest

from kuroryuu_magic.testing import Reply

pytestmark = pytest.mark.browser

MODEL = "claude-sonnet-5-5"


@pytest.fixture(params=["lab", "notebook"])
def jupyter_server(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(f"{request.param}_server")


def test_an_expired_approval_leaves_no_stdin_box(open_notebook, lab_fake, tmp_path):
    sentinel = tmp_path / "ran.txt"
    code = f"open({str(sentinel)!r}, 'w').write('ran')"
    nb = open_notebook("expire.ipynb", cells=[""])
    nb.wait_done(
        nb.append_and_run("%load_ext kuroryuu_magic\n%config ClaudeMagics.approval_timeout = 4")
    )
    lab_fake.enqueue(Reply.call("run_python", {"code": code}, text="Let me write it."))
    lab_fake.enqueue(Reply(text="**Fine**, nothing ran."))
    i = nb.append_and_run(f"%%claude --tools code -m {MODEL}\nWrite the file")
    out = nb.cell(i).locator(".jp-Cell-outputArea")
    box = out.locator(".jp-Stdin-input").first
    box.wait_for(timeout=60_000)  # the question was on screen …
    assert (box.get_attribute("placeholder") or "") == ""  # … with no "↑↓ for history" hint
    out.locator("strong", has_text="Fine").first.wait_for(timeout=60_000)
    nb.wait_done(i)
    assert out.locator(".jp-Stdin-input").count() == 0  # … and is gone once it expired
    text = out.inner_text()
    assert "timed out after 4 s — nothing ran" in text
    assert "Let me write it." in text and "Claude wants to run" in text  # redrawn, in order
    assert text.index("Let me write it.") < text.index("timed out") < text.index("Fine")
    assert "→ declined" in text and "→ error" not in text
    assert not sentinel.exists()
