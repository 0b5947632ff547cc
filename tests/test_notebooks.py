"""Every notebook in notebooks/ has a test that executes it against the fake API."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kuroryuu_magic.testing import FakeAnthropic
from tests.kernels import kernel_env

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
pytestmark = pytest.mark.kernel

EXECUTED_ELSEWHERE = {
    "quickstart.ipynb": "tests/test_quickstart_notebook.py",
    "data_exploration.ipynb": "tests/test_data_notebook.py",
    "oauth_diagnostics.ipynb": "tests/test_oauth_kernel.py",
    "setup.ipynb": "tests/test_notebooks.py",
}


def test_every_notebook_is_executed_by_some_test() -> None:
    root = NOTEBOOKS.parent
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        test_file = EXECUTED_ELSEWHERE.get(notebook.name)
        assert test_file, f"{notebook.name} is executed by no test"
        assert notebook.name in (root / test_file).read_text()


def test_notebooks_are_committed_without_outputs() -> None:
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), notebook.name
        assert "widgets" not in nb.metadata, notebook.name


def test_setup_notebook_runs_with_a_key_from_the_environment(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    nb = nbformat.read(NOTEBOOKS / "setup.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True)
    client.execute(env=kernel_env(tmp_path / "home", fake.env()))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    saved = nbformat.writes(nb)
    assert "application/vnd.jupyter.widget-view+json" in saved  # the panel was shown
    assert "Fake Claude" in saved and "ANTHROPIC_API_KEY environment variable" in saved
    assert fake.api_key not in saved
