"""notebooks/data_exploration.ipynb runs top to bottom in a real kernel against the fake API."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.kernels import kernel_env

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "data_exploration.ipynb"
pytestmark = pytest.mark.kernel

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")


def outputs_of(cell) -> list:
    return cell.get("outputs", [])


def text_of(cell) -> str:
    parts = []
    for out in outputs_of(cell):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        else:
            parts += [str(v) for k, v in out.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


def orders_frame(tmp_path: Path):
    """The notebook's orders table, built independently by running its data cell here."""
    source = cell_with(nbformat.read(NOTEBOOK, as_version=4), "rng = np.random.default_rng").source
    namespace: dict = {}
    exec(compile(source, str(tmp_path / "data_cell.py"), "exec"), namespace)  # our own notebook
    return namespace["orders"]


def cell_with(nb, fragment: str):
    return next(c for c in nb.cells if c.cell_type == "code" and fragment in c.source)


def test_data_exploration_notebook_runs_against_the_fake(fake: FakeAnthropic, tmp_path: Path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The four single prompts, in notebook order; the --map rows get the fake's echo.
    fake.enqueue(
        Reply(text="Row 17 has a price of 4999.0, far above the rest; 12 ratings are missing.")
    )
    fake.enqueue(
        Reply(
            text="```python\nrated = orders.dropna(subset=['rating'])\n"
            "rated.groupby('category').agg(median_days=('delivery_days', 'median'),"
            " mean_rating=('rating', 'mean'))\n```"
        )
    )
    fake.enqueue(
        Reply(text="Ratings fall slightly as delivery days grow; the plot can't show causes.")
    )
    fake.enqueue(
        Reply(
            text="There is no `revenue` column yet.\n\n```python\n"
            "orders['revenue'] = orders['price']\n"
            "weekly = orders.groupby(orders['order_date'].dt.isocalendar().week)['revenue'].sum()\n```"
        )
    )
    # The investigation cells come after --map (whose rows take the echo), so their
    # scripted answers are queued just before each of them runs.
    scripts = {
        "%claude explore orders": [
            Reply.call("null_counts", {"name": "orders"}, text="First the nulls."),
            Reply.call("duplicates", {"name": "orders"}),
            Reply(text="12 ratings are missing and no order is duplicated."),
        ],
        "%%claude --tools\n": [
            Reply.call(
                "groupby",
                {"name": "orders", "by": "category", "column": "delivery_days", "agg": "median"},
            ),
            Reply(text="The medians are close; no category stands out."),
        ],
        "%%claude --tools code": [
            Reply.call("run_python", {"code": "orders['late'] = orders['delivery_days'] > 7"}),
            Reply(text="I could not run it: approval was declined."),
        ],
    }

    def queue_scripted(cell, cell_index):
        for start, replies in scripts.items():
            if cell.source.startswith(start):
                for reply in replies:
                    fake.enqueue(reply)

    client = NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        on_cell_execute=queue_scripted,
    )
    env = kernel_env(
        tmp_path / "home", {**fake.env(), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    )
    client.execute(env=env)

    # Only the cell tagged raises-exception failed.
    failed = [c for c in nb.cells if any(o.output_type == "error" for o in outputs_of(c))]
    assert [c.metadata.get("tags") for c in failed] == [["raises-exception"]]
    assert "KeyError" in text_of(failed[0])

    requests = fake.messages_requests()
    summary_prompt = json.dumps(requests[0].body["messages"][-1]["content"])
    assert "pandas.DataFrame" in summary_prompt and "240" in summary_prompt
    assert len(summary_prompt) < 12_000  # a bounded summary, not 240 rows
    assert "4999.0" in text_of(cell_with(nb, "What looks odd in it"))

    # The dry run sent nothing; schema-only sent dtypes but no values.
    schema_prompt = json.dumps(requests[1].body["messages"][-1]["content"])
    assert "delivery_days" in schema_prompt and "courier left it" not in schema_prompt
    assert "Dry run: nothing was sent" in text_of(cell_with(nb, "--dry-run"))
    assert "rated = orders.dropna" in text_of(cell_with(nb, "print(_claude.code)"))

    # The plot went as an image block; %claude fix sent the failing cell and the KeyError.
    assert requests[2].images and requests[2].images[0]["media_type"] == "image/png"
    fix_prompt = json.dumps(requests[3].body["messages"][-1]["content"])
    assert "revenue" in fix_prompt and "KeyError" in fix_prompt

    # --map: one request per complaint, a progress widget, JSON parsed per row.
    map_requests = [r for r in requests[4:] if "tools" not in r.body]  # not the investigation
    table = text_of(cell_with(nb, "labelled = complaints.join"))
    assert len(map_requests) >= 5
    assert "triage_issue" in table and "delivery|damage|quality|other" in table
    map_cell = cell_with(nb, "--map complaints -o triage -f json --concurrency 8")
    assert any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for o in outputs_of(map_cell)
    )
    assert f"{len(map_requests)}/{len(map_requests)} ok" in text_of(
        cell_with(nb, "_claude  # the whole run")
    )

    # --batch: submitted once, with one custom id per complaint, results fetched.
    [post] = [r for r in fake.requests if r.method == "POST" and r.path == "/v1/messages/batches"]
    assert len(post.body["requests"]) == len(map_requests)
    assert "msgbatch_" in text_of(cell_with(nb, "_claude.batch_id, triage_batch"))

    # The investigation: exact tool results, steps above the answer, approval declined
    # without stdin (nbclient), so the new column was never added.
    dup = next(r for r in fake.tool_results if r["name"] == "duplicates")
    nulls = next(r for r in fake.tool_results if r["name"] == "null_counts")
    truth = orders_frame(tmp_path)
    assert f"rating     {truth['rating'].isna().sum()}" in nulls["content"]
    assert f"{truth.duplicated().sum()} duplicated rows" in dup["content"]
    explore = text_of(cell_with(nb, "%claude explore orders"))
    assert explore.index("null_counts(") < explore.index("12 ratings are missing")
    assert "2 tool calls in 2 rounds" in explore
    groupby = next(r for r in fake.tool_results if r["name"] == "groupby")
    assert not groupby["is_error"] and "kitchen" in groupby["content"]
    declined = next(r for r in fake.tool_results if r["name"] == "run_python")
    assert declined["is_error"] and "no stdin" in declined["content"]
    assert "approval was declined" in text_of(cell_with(nb, "%%claude --tools code"))

    usage = text_of(cell_with(nb, "%claude usage"))
    assert "claude-" in usage and "total" in usage
    assert fake.api_key not in nbformat.writes(nb)
