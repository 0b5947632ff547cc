"""The browser infrastructure itself: JupyterLab runs a plain cell in headless Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_plain_cell_runs_in_jupyterlab(open_notebook, lab_server):
    nb = open_notebook("smoke.ipynb", cells=[""])
    nb.run_cell(0, "1+1")
    out = nb.outputs(0)
    out.first.wait_for()
    assert out.first.inner_text().strip() == "2"
    # The server really ran it in a kernel (not just a rendered page).
    assert any(k["execution_state"] in {"idle", "busy"} for k in lab_server.api("/api/kernels"))
