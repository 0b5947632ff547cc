"""The key panel and the OAuth widget in JupyterLab: typed into, clicked, saved to disk."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from kuroryuu_magic.testing import Reply

pytestmark = pytest.mark.browser

MODEL = "claude-sonnet-5-5"


def _saved_notebook_text(nb) -> str:
    """Save through the UI and return the .ipynb as written to disk."""
    nb.save()
    return (nb.lab.root / nb.name).read_text(encoding="utf-8")


def _widget_state(saved: str) -> dict:
    state = json.loads(saved)["metadata"].get("widgets", {})
    return state.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})


def test_setup_panel_saves_key_and_notebook_holds_none(open_notebook, lab_server, lab_fake):
    canary = "sk-ant-api03-CANARY" + secrets.token_hex(32) + "-Zq9w"
    nb = open_notebook("setup-e2e.ipynb", cells=[""])
    # The lab's kernels get the fake's key from the environment; drop it so the panel's
    # key is the one in use.
    i = nb.append_and_run(
        "import os\nos.environ.pop('ANTHROPIC_API_KEY', None)\n%load_ext kuroryuu_magic"
    )
    nb.wait_done(i)
    i = nb.append_and_run("%claude setup")
    panel = nb.cell(i).locator(".jp-Cell-outputArea")
    field = panel.locator("input[type=password]").first
    field.wait_for()
    field.fill(canary)
    panel.get_by_role("button", name="Save").click()
    status = panel.get_by_text("Saved sk-ant-")
    status.wait_for()
    shown = panel.inner_text()
    assert canary[-4:] in shown and canary not in shown  # masked: prefix + last 4 only
    assert field.input_value() == ""  # emptied right after Save

    j = nb.append_and_run("%claude status")
    nb.wait_done(j)
    status_text = nb.output_text(j)
    assert canary[-4:] in status_text and canary not in status_text

    lab_fake.enqueue(Reply(text="Key works.", deltas=2))
    k = nb.append_and_run(f"%%claude -m {MODEL} --no-history\nping")
    nb.wait_done(k)
    nb.cell(k).get_by_text("Key works.").first.wait_for()
    headers = lab_fake.messages_requests()[-1].headers
    sent_key = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
    assert sent_key == canary  # the saved key is used at once

    saved = _saved_notebook_text(nb)
    assert canary not in saved and canary[13:-4] not in saved
    # The check means something only if widget state really was saved.
    state = _widget_state(saved)
    passwords = [m for m in state.values() if m.get("model_name") == "PasswordModel"]
    assert passwords and all(m["state"].get("value", "") == "" for m in passwords)
    assert canary not in lab_server.log.read_text(errors="replace")
    assert canary not in "\n".join(nb.page.console_log)


def test_login_widget_flow_against_the_fake(open_notebook, lab_server, lab_fake):
    nb = open_notebook("login-e2e.ipynb", cells=[""])
    i = nb.append_and_run("%load_ext kuroryuu_magic\n%claude login")
    widget = nb.cell(i).locator(".jp-Cell-outputArea")
    link = widget.get_by_role("link", name="Open the Claude authorization page")
    link.wait_for()
    href = link.get_attribute("href") or ""
    assert href.startswith(f"{lab_fake.base_url}/oauth/authorize?")
    assert "code_challenge_method=S256" in href
    code_field = widget.get_by_placeholder("CODE#STATE or the full callback URL")
    code_field.wait_for()

    # What a user does: open the link (a new tab), approve, copy the code shown there.
    with nb.page.context.expect_page() as popup_info:
        link.click()
    popup = popup_info.value
    code = popup.locator("#code").inner_text().strip()
    popup.close()
    assert "#" in code

    code_field.fill(code)
    widget.get_by_role("button", name="Complete login").click()
    widget.get_by_text("Logged in as").first.wait_for()
    assert code_field.input_value() == ""
    grants = [r.body.get("grant_type") for r in lab_fake.token_requests]
    assert grants == ["authorization_code"]

    widget.get_by_role("button", name="Diagnose").click()
    widget.get_by_text("What to do:").first.wait_for()
    report = widget.inner_text()
    assert "only for Claude Code" in report or "only for\nClaude Code" in report
    diag = [r for r in lab_fake.requests if r.path == "/v1/messages"][-1]
    assert diag.headers.get("authorization", "").startswith("Bearer sk-ant-oat")
    assert "claude-code" not in diag.headers.get("user-agent", "").lower()
    assert "claude-code" not in diag.headers.get("anthropic-beta", "").lower()

    # Tokens on disk, never in the notebook, its widget state, the page or the logs.
    tokens = json.loads(Path(lab_server.env["KURORYUU_OAUTH_TOKEN_FILE"]).read_text())
    secrets_ = [tokens["access_token"], tokens["refresh_token"], code.split("#")[0]]
    saved = _saved_notebook_text(nb)
    assert _widget_state(saved)  # widget state really was saved
    shown = widget.inner_text()
    server_log = lab_server.log.read_text(errors="replace")
    console = "\n".join(nb.page.console_log)
    for secret in secrets_:
        assert secret not in saved and secret not in shown
        assert secret not in server_log and secret not in console
