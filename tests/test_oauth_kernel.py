"""The login widget in a real kernel (nbclient, widget state saved), then grep the notebook.

A user's flow driven from cells: find the link, approve at the fake (an HTTP
GET of the authorization page, as a browser would), paste ``CODE#STATE``,
click Complete, Refresh, Diagnose and Log out.  The saved ``.ipynb`` (outputs,
metadata, widget state) must hold none of the tokens or codes the fake issued.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.kernels import kernel_env

pytestmark = pytest.mark.kernel

CELLS = [
    "%load_ext kuroryuu_magic",
    "%claude login --mode max",
    "import kuroryuu_magic\npanel = kuroryuu_magic.login_panel()\npanel",
    # Find the link and open it the way a browser would; the page shows CODE#STATE.
    "import html, re, urllib.request\n"
    'url = html.unescape(re.search(r\'href="([^"]+)"\', panel.children[1].value).group(1))\n'
    "page = urllib.request.urlopen(url, timeout=10).read().decode()\n"
    "panel.code_field.value = html.unescape(re.search(r'id=\"code\">([^<]+)<', page).group(1))",
    "panel.button('Complete').click(); panel.wait(60); print(panel.status)",
    "panel.button('Refresh').click(); panel.wait(60); print(panel.status)",
    "panel.button('Diagnose').click(); panel.wait(60); print(panel.status)",
    "from IPython.display import HTML; HTML(panel.report)",
    "%claude status",
    "panel.button('Log out').click(); panel.wait(60); print(panel.status)",
    "%claude logout",
]


def _secrets(fake) -> list[str]:
    found = set(fake.oauth.access_expiry) | set(fake.oauth.refresh_tokens) | fake.oauth.used_codes
    for req in fake.token_requests:
        if isinstance(req.body, dict):
            for key in ("refresh_token", "code", "code_verifier"):
                if isinstance(req.body.get(key), str):
                    found.add(req.body[key])
    return sorted(found)


def test_widget_flow_in_a_kernel_leaks_no_token(fake, tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    env = kernel_env(tmp_path / "kernel-home", fake.env())
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", store_widget_state=True, allow_errors=False
    )
    client.execute(env=env, cwd=str(tmp_path))
    saved = tmp_path / "oauth.ipynb"
    nbformat.write(nb, saved)

    def text(i: int) -> str:
        return "".join(o.get("text", "") for o in nb.cells[i].outputs)

    assert text(4).startswith("Logged in as fake.user@example.com"), text(4)
    assert text(5).startswith("Refreshed"), text(5)
    assert "only for Claude Code" in text(6)
    assert "Logged out" in text(9)
    assert "Not logged in" in text(10)
    assert fake.refresh_count >= 2  # Refresh, then Diagnose's refresh check

    widget_state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(s["model_name"] == "HTMLModel" and "/oauth/authorize?" in str(s["state"].get("value"))
               for s in widget_state.values())  # fmt: skip
    # The magic's panel displayed a widget too.
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in nb.cells[1].outputs)  # fmt: skip

    raw = saved.read_text()
    secrets = _secrets(fake)
    assert len(secrets) >= 6
    leaked = [s[:12] for s in secrets if s in raw]
    assert leaked == []
    for req in fake.requests:
        ua = req.headers.get("user-agent", "").lower()
        assert "claude-cli" not in ua and "claude-code" not in ua
        assert "claude-code" not in req.headers.get("anthropic-beta", "")


def test_walkthrough_notebook_runs_and_leaks_nothing(tmp_path: Path) -> None:
    import re

    source = Path(__file__).parent.parent / "notebooks" / "oauth_diagnostics.ipynb"
    nb = nbformat.read(source, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored clean
    client = NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True)
    client.execute(env=kernel_env(tmp_path / "home"), cwd=str(tmp_path))
    saved = tmp_path / "walkthrough.ipynb"
    nbformat.write(nb, saved)
    raw = saved.read_text()
    assert "Logged in as fake.user@example.com" in raw
    assert "only for Claude Code" in raw and "Logged out" in raw
    # Real tokens look like sk-ant-oat01-<64 chars>; masked ones are sk-ant-…abcd.
    assert re.findall(r"sk-ant-o[ar]t01-[A-Za-z0-9_-]{8,}", raw) == []
