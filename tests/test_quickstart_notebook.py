"""notebooks/quickstart.ipynb runs top to bottom against the fake API."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.kernels import kernel_env

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
pytestmark = pytest.mark.kernel


def test_quickstart_runs_and_shows_answers(fake: FakeAnthropic, tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The notebook's own cells decide what is asked; script the two formatted answers.
    fake.enqueue(Reply(text="In short: ..."))
    fake.enqueue(Reply(text="Use the median: 45.0 is an outlier."))
    fake.enqueue(Reply(text="Use a robust z-score."))
    fake.enqueue(Reply(text="```python\ndef flag(xs):\n    return xs\n```"))
    fake.enqueue(Reply(text='{"median": 3.05, "mean": 10.0}'))
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.km_env = kernel_env(tmp_path / "home", fake.env())  # type: ignore[attr-defined]
    client.execute(env=client.km_env)  # type: ignore[attr-defined]

    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    markdown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    assert "Use the median: 45.0 is an outlier." in markdown
    assert "def flag(xs):" in markdown and '"median": 3.05' in markdown
    assert "Dry run: nothing was sent" in markdown
    sent = [r.body["messages"][-1]["content"] for r in fake.messages_requests()]
    assert any("[3.1, 2.7, 45.0, 3.3, 2.9, 3.0]" in str(s) for s in sent)
    assert len(fake.messages_requests()) == 5  # the dry run sent nothing
    assert fake.api_key not in nbformat.writes(nb)
