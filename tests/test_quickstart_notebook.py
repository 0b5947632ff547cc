"""notebooks/quickstart.ipynb runs top to bottom against the fake API."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kuroryuu_magic.ask.result import DEMO_NOTE
from kuroryuu_magic.core.nomath import plain
from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.kernels import kernel_env

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
pytestmark = pytest.mark.kernel


def run_all(nb: nbformat.NotebookNode, tmp_path: Path, env: dict[str, str]) -> list:
    """Run All in a fresh kernel; every output of every code cell."""
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.km_env = kernel_env(tmp_path / "home", env)  # type: ignore[attr-defined]
    client.execute(env=client.km_env)  # type: ignore[attr-defined]
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _text(outputs: list) -> str:
    return "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)


def test_quickstart_has_visible_setup_and_demo_cells() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sources = [c.source.strip() for c in nb.cells if c.cell_type == "code"]
    assert "%claude setup" in sources and "%claude demo" in sources
    assert sources.index("%claude demo") < next(i for i, s in enumerate(sources) if "%%claude" in s)


def test_quickstart_runs_with_no_key_through_the_demo(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    outputs = run_all(nb, tmp_path, {})
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    assert "Offline demo on" in _text(outputs)
    markdown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    asking = [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and (c.source.startswith("%%claude") or c.source.startswith("%claude And"))
        and "--dry-run" not in c.source
    ]
    assert len(asking) == 5
    for cell in asking:  # every answer's footer says where it came from
        shown = "\n".join(str(o.get("data", {})) + o.get("text", "") for o in cell.outputs)
        assert plain(DEMO_NOTE) in shown, cell.source  # the text/plain footer: no backticks
    assert "def flag_outliers" in markdown and '"median": 3.05' in markdown
    assert "Dry run: nothing was sent" in markdown


def test_quickstart_runs_and_shows_answers(fake: FakeAnthropic, tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The notebook's own cells decide what is asked; script the two formatted answers.
    fake.enqueue(Reply(text="In short: ..."))
    fake.enqueue(Reply(text="Use the median: 45.0 is an outlier."))
    fake.enqueue(Reply(text="Use a robust z-score."))
    fake.enqueue(Reply(text="```python\ndef flag(xs):\n    return xs\n```"))
    fake.enqueue(Reply(text='{"median": 3.05, "mean": 10.0}'))
    outputs = run_all(nb, tmp_path, fake.env())
    assert not [o for o in outputs if o.output_type == "error"]
    markdown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    assert "changed nothing" in _text(outputs) and "offline demo" not in markdown
    assert "Use the median: 45.0 is an outlier." in markdown
    assert "def flag(xs):" in markdown and '"median": 3.05' in markdown
    assert "Dry run: nothing was sent" in markdown
    sent = [r.body["messages"][-1]["content"] for r in fake.messages_requests()]
    assert any("[3.1, 2.7, 45.0, 3.3, 2.9, 3.0]" in str(s) for s in sent)
    assert len(fake.messages_requests()) == 5  # the dry run sent nothing
    assert fake.api_key not in nbformat.writes(nb)
