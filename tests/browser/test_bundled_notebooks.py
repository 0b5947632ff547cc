"""Every bundled notebook, Run All in JupyterLab and in Notebook 7, on a machine with no key.

The server's kernels get no ``ANTHROPIC_API_KEY`` (the newcomer's case), so each
notebook's own ``%claude demo`` cell is what answers.  The test clicks Run ▸ Run All
Cells, answers the one approval prompt (``--tools code``), waits for every code cell,
saves through the UI and reads the saved file: no error output except in a cell tagged
``raises-exception``, and the prompts' answers say "offline demo".  On failure the
page's screenshot and logs land in ``test-artifacts/`` (see ``conftest.page``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.browser.conftest import REPO, LabServer, _serve

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
RUN_ALL_SECONDS = 240  # data_exploration takes ~40 s headless; two shared cores, a browser


@pytest.fixture(scope="module")
def keyless_lab(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Any]:
    yield from _serve("lab", tmp_path_factory, None, keyless=True)


@pytest.fixture(scope="module")
def keyless_notebook(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Any]:
    yield from _serve("notebook", tmp_path_factory, None, keyless=True)


@pytest.fixture(params=["lab", "notebook"])
def jupyter_server(request: pytest.FixtureRequest) -> LabServer:
    """A keyless JupyterLab, then a keyless Notebook 7."""
    server: LabServer = request.getfixturevalue(f"keyless_{request.param}")
    return server


def _run_all(page: Any) -> None:
    """Run ▸ Run All Cells, from the menu bar both front ends share."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).first.click()


def _wait_all(nb: Any, expected: int, deadline: float) -> list[str]:
    """Wait until every code cell ran, answering approval prompts with "n"; what was asked."""
    asked: list[str] = []
    code = nb.panel.locator(".jp-Notebook .jp-CodeCell")
    while True:
        stdin = nb.panel.locator(".jp-Stdin-input")
        if stdin.count():
            asked.append(nb.panel.locator(".jp-Stdin-prompt").first.inner_text())
            stdin.first.fill("n")
            stdin.first.press("Enter")
        prompts = [p.strip() for p in code.locator(".jp-InputPrompt").all_inner_texts()]
        ran = [p for p in prompts if re.fullmatch(r"\[\d+\]:?", p)]
        # `-f code` inserts its answer as a new cell below: never run, so "[ ]" is fine there.
        if len(ran) >= expected and not any("*" in p for p in prompts):
            return asked
        if time.monotonic() > deadline:
            raise AssertionError(f"not every cell ran: prompts {prompts}")
        time.sleep(0.5)


def _read_saved(path: Path) -> Any:
    """The saved notebook, once the server has finished writing it (the mtime moves first)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return nbformat.read(path, as_version=4)
        except (ValueError, nbformat.reader.NotJSONError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.timeout(RUN_ALL_SECONDS + 180)  # + opening, saving and the server's start
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_bundled_notebook_runs_top_to_bottom_under_the_demo(
    open_notebook: Any, jupyter_server: LabServer, name: str
) -> None:
    original = nbformat.read(REPO / "notebooks" / name, as_version=4)
    expected = sum(c.cell_type == "code" for c in original.cells)
    nb = open_notebook(name)
    _run_all(nb.page)
    asked = _wait_all(nb, expected, time.monotonic() + RUN_ALL_SECONDS)
    nb.save()
    saved = _read_saved(jupyter_server.root / name)
    errors = [
        f"cell {i}: {out.ename}: {out.evalue[:200]}"
        for i, cell in enumerate(saved.cells)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", [])
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]
    assert not errors, errors
    text = nbformat.writes(saved)
    if any("%%claude" in c.source for c in saved.cells if c.cell_type == "code"):
        assert "offline demo" in text
    if "--tools code" in text:
        assert asked and "[y/N]" in asked[0]  # the approval was asked in the page, and declined
        assert "Nothing ran" in text
