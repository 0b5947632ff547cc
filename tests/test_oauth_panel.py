"""The login widget and the terminal flow, driven like a user would, against the fake."""

from __future__ import annotations

import json
import re
from typing import Any

import ipywidgets as widgets
import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.oauth import panel as panel_mod
from kuroryuu_magic.oauth._guard import forbidden_reason
from kuroryuu_magic.oauth._terminal import terminal_login
from kuroryuu_magic.oauth.panel import LoginPanel, run_login
from kuroryuu_magic.oauth.tokens import load_tokens, token_file


def _all_state(widget: widgets.Widget) -> str:
    """Every trait value of a widget tree, as the front end (and a saved notebook) sees it."""
    parts = [json.dumps(widget.get_state(), default=str)]
    for child in getattr(widget, "children", ()):
        parts.append(_all_state(child))
    if isinstance(widget, widgets.Output):
        parts.append(json.dumps(widget.outputs, default=str))
    return "\n".join(parts)


def _issued_secrets(fake, extra: list[str]) -> list[str]:
    secrets = list(fake.oauth.access_expiry)  # every access token the fake issued
    for req in fake.token_requests:
        if isinstance(req.body, dict) and req.body.get("refresh_token"):
            secrets.append(req.body["refresh_token"])
    return [*secrets, *extra]


def _click(panel: LoginPanel, word: str) -> None:
    panel.button(word).click()
    panel.wait(30)


def test_widget_full_flow(fake) -> None:
    panel = LoginPanel("max")
    link = panel.children[1]
    assert isinstance(link, widgets.HTML)
    url = re.search(r'href="([^"]+)"', link.value).group(1)
    assert url == panel.authorize_url and url.startswith(fake.base_url + "/oauth/authorize?")
    assert "only in its own apps" in panel.children[0].value

    panel.code_field.value = "  " + fake.approve(url) + "\n"
    _click(panel, "Complete")
    assert panel.code_field.value == ""
    assert panel.status.startswith("Logged in as fake.user@example.com"), panel.status
    account = panel.children[6].value
    for fact in ("fake.user@example.com", "Fake Organization", "user:inference", "UTC"):
        assert fact in account
    stored = [load_tokens().refresh_token]

    _click(panel, "Refresh")
    assert panel.status.startswith("Refreshed"), panel.status
    assert fake.refresh_count == 1
    stored.append(load_tokens().refresh_token)

    _click(panel, "Diagnose")
    assert "authorizes this subscription token only for Claude Code" in panel.status
    assert "%claude setup" in panel.report and "FAIL" not in panel.report
    assert panel.report.count("✓") == 3 and panel.report.count("✗") == 1
    stored.append(load_tokens().refresh_token)

    _click(panel, "Log out")
    assert panel.status.startswith("Logged out")
    assert not token_file().exists()
    assert "Not logged in" in panel.children[6].value

    state = _all_state(panel)
    for secret in _issued_secrets(fake, stored):
        assert secret not in state
        assert secret not in repr(panel)
    for req in fake.requests:
        assert forbidden_reason(req.headers.items()) is None


def test_wrong_state_or_denial_makes_no_token_request(fake) -> None:
    panel = LoginPanel("max", threaded=False)
    url = panel.authorize_url
    code = fake.approve(url).partition("#")[0]
    panel.code_field.value = f"{code}#not-the-state"
    _click(panel, "Complete")
    assert "does not match" in panel.status
    assert panel.authorize_url == url  # a local mistake keeps this login's link
    panel.code_field.value = fake.deny(url)
    _click(panel, "Complete")
    assert "access_denied" in panel.status
    panel.code_field.value = ""
    _click(panel, "Complete")
    assert "no authorization code" in panel.status
    assert fake.token_requests == []
    assert load_tokens() is None


def test_replayed_code_in_panel_makes_no_second_request(fake) -> None:
    panel = LoginPanel("max", threaded=False)
    first_url = panel.authorize_url
    pasted = fake.approve(first_url)
    panel.code_field.value = pasted
    _click(panel, "Complete")
    assert panel.authorize_url != first_url  # a spent login gets a fresh link
    panel.code_field.value = pasted
    _click(panel, "Complete")
    assert "does not match" in panel.status
    assert len(fake.token_requests) == 1


def test_buttons_and_refresh_without_login(fake) -> None:
    panel = LoginPanel("console", threaded=False)
    descriptions = [b.description for b in panel.children[3].children]
    assert descriptions == ["Complete login", "Refresh", "Diagnose", "Log out"]
    _click(panel, "Refresh")
    assert "not logged in" in panel.status
    _click(panel, "Diagnose")
    assert "not logged in" in panel.status.lower()
    _click(panel, "API key")
    assert "%claude setup" in panel.status


def test_busy_panel_refuses_a_second_click(fake) -> None:
    panel = LoginPanel("max")
    panel.code_field.value = fake.approve(panel.authorize_url)
    _click(panel, "Complete")
    fake.token_delay = 0.5
    panel.button("Refresh").click()
    panel.button("Refresh").click()
    assert "Still working" in panel.status
    panel.wait(30)
    assert fake.refresh_count == 1


def test_login_panel_factory_and_bad_mode() -> None:
    import kuroryuu_magic

    assert isinstance(kuroryuu_magic.login_panel(), LoginPanel)
    with pytest.raises(ValueError):
        LoginPanel(mode="pro")


# -- run_login / terminal -------------------------------------------------------------------


def test_run_login_shows_widget_in_a_kernel(monkeypatch) -> None:
    shown: list[Any] = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    monkeypatch.setattr(panel_mod, "is_rich_frontend", lambda shell: True)
    run_login(object(), mode="console")
    assert len(shown) == 1 and isinstance(shown[0], LoginPanel)


def test_run_login_bad_mode_is_usage_error() -> None:
    with pytest.raises(UsageError, match="--mode max or --mode console") as info:
        run_login(object(), mode="pro")
    assert type(info.value) is UsageError


def _approving_input(fake, capsys, answers: list[str] | None = None):
    def fake_input(prompt: str) -> str:
        out = capsys.readouterr().out
        url = next(line for line in out.splitlines() if "/oauth/authorize?" in line)
        return fake.approve(url.strip()) if answers is None else answers.pop(0)

    return fake_input


def test_terminal_login_prints_url_reads_code_and_diagnoses(fake, capsys, monkeypatch) -> None:
    monkeypatch.setattr("builtins.input", _approving_input(fake, capsys))
    run_login(object(), mode="max")  # a terminal shell
    out = capsys.readouterr().out
    tokens = load_tokens()
    assert "Logged in as fake.user@example.com" in out
    assert "only for Claude Code" in out and "%claude setup" in out
    for secret in _issued_secrets(fake, [tokens.refresh_token]):
        assert secret not in out


def test_terminal_login_cancel_and_mismatch(fake, capsys) -> None:
    assert terminal_login("max", input_fn=lambda _p: "") is None
    assert "cancelled" in capsys.readouterr().out

    def eof(_prompt: str) -> str:
        raise EOFError

    assert terminal_login("max", input_fn=eof) is None
    with pytest.raises(UsageError, match="does not match") as info:
        terminal_login("max", input_fn=lambda _p: "code#bad-state")
    assert type(info.value) is UsageError
    assert fake.token_requests == []


def _widgets_text(panel: LoginPanel) -> str:
    values = [c.value for c in panel.children if isinstance(c, widgets.HTML)]
    return re.sub(r"<[^>]+>", " ", " ".join(values))


def test_diagnose_without_login_says_it_once_and_the_link_is_short(fake) -> None:
    panel = LoginPanel("max", threaded=False)
    url = panel.authorize_url
    link = panel.children[1].value
    assert f'href="{url}"' in link  # the full URL, where the browser reads it
    assert "oauth/authorize" not in re.sub(r"<[^>]+>", "", link)  # not as text
    _click(panel, "Diagnose")
    shown = _widgets_text(panel).lower()  # the status line is one of these HTML widgets
    assert "not logged in" in panel.status.lower()
    assert shown.count("not logged in") == 1, shown
    assert "what to do" in shown


def test_buttons_grow_to_their_labels(fake) -> None:
    panel = LoginPanel("max", threaded=False)
    buttons = [w for row in panel.children if isinstance(row, widgets.HBox) for w in row.children]
    assert {b.description for b in buttons} >= {"Use an API key instead", "Complete login"}
    assert all(b.layout.width == "auto" for b in buttons)
