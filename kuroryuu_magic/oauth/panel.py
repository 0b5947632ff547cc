"""The OAuth diagnostics login widget (``%claude login``, ``kuroryuu_magic.login_panel()``).

A thin view over :mod:`._flow`, :mod:`.tokens` and :mod:`.diagnose`: a link to
the authorization page, a field for the pasted ``CODE#STATE``, and Complete
login / Refresh / Diagnose / Log out buttons.  Network work runs on one
background thread so a click never blocks the kernel; ``wait()`` lets code
(tests, notebooks) wait for it.  Handlers never raise (a raising callback
prints a traceback with its locals) and the view holds no token: the code
field is emptied as soon as it is read, and tokens are only ever shown masked.
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..core.frontend import is_rich_frontend
from ..core.mask import mask
from ..core.redact import Secret, redact
from ..core.secretfiles import SecretFileError
from ..core.widgets import ClickWorker, fit_layout, link, safe_message, status_html
from . import POLICY_NOTE
from ._config import MODES
from ._tokenset import TokenSet
from .errors import OAuthError

if TYPE_CHECKING:  # the flow (and httpx2 with it) is imported on the first click
    from ._flow import LoginAttempt

__all__ = ["LoginPanel", "run_login"]

# Short link text: the full URL is only in the href (a raw URL of ~400 characters
# filled the widget).
_LINK = (
    "<p><b>1.</b> "
    + link("{href}", "Open the Claude authorization page")
    + " on {host} ({mode} login), approve, and copy "
    "the code it shows.</p>"
    "<p><b>2.</b> Paste the code below and click <i>Complete login</i>.</p>"
)


def _safe_message(exc: BaseException) -> str:
    return safe_message(exc, (OAuthError, SecretFileError), "Something went wrong")


def _account_html(tokens: TokenSet | None, *, said: bool = False) -> str:
    """The account facts; ``said``: the status line already says there is no login."""
    if tokens is None:
        return "" if said else "<i>Not logged in.</i>"
    rows = [
        ("Account", tokens.account_email or "(unknown)"),
        ("Organization", tokens.organization_name or "(unknown)"),
        ("Scopes", tokens.scope or "(none)"),
        ("Expires", tokens.expires_text()),
        ("Access token", mask(tokens.access_token)),
        ("Refresh token", mask(tokens.refresh_token)),
        ("Mode", tokens.mode),
    ]
    if tokens.needs_login:
        rows.insert(0, ("State", "refresh token rejected: log in again"))
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


class LoginPanel(widgets.VBox):
    """Policy note, authorization link, code field, four buttons, account and status."""

    def __new__(cls, mode: str = "max", **kwargs: object) -> LoginPanel:
        # Checked before the widget exists: a half-built widget fails in __del__.
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        panel: LoginPanel = super().__new__(cls, mode=mode, **kwargs)
        return panel

    def __init__(self, mode: str = "max", *, threaded: bool = True, **kwargs: object) -> None:
        self._mode = mode
        self._attempt: LoginAttempt | None = None
        self._status_text = ""

        self._policy = widgets.HTML(f"<p><b>Diagnostics only.</b> {html.escape(POLICY_NOTE)}</p>")
        self._link = widgets.HTML()
        self._code = widgets.Text(
            placeholder="CODE#STATE or the full callback URL",
            description="Code",
            layout=widgets.Layout(width="40em"),
        )
        self._complete = widgets.Button(
            description="Complete login", button_style="primary", layout=fit_layout()
        )
        self._refresh = widgets.Button(description="Refresh", icon="refresh", layout=fit_layout())
        self._diagnose = widgets.Button(
            description="Diagnose", icon="stethoscope", layout=fit_layout()
        )
        self._logout = widgets.Button(
            description="Log out", button_style="danger", layout=fit_layout()
        )
        self._new_link = widgets.Button(description="New login link", layout=fit_layout())
        self._api_key = widgets.Button(
            description="Use an API key instead", button_style="info", layout=fit_layout()
        )
        self._account = widgets.HTML()
        self._report = widgets.HTML()
        self._status = widgets.HTML()
        self._extra = widgets.Output()
        self._buttons = (
            self._complete,
            self._refresh,
            self._diagnose,
            self._logout,
            self._new_link,
        )
        self._worker = ClickWorker(
            "kuroryuu-oauth", self._show, self._buttons, _safe_message, threaded=threaded
        )

        # Wiring: every button has one handler named after it.
        self._complete.on_click(self._on_complete_click)
        self._refresh.on_click(self._on_refresh_click)
        self._diagnose.on_click(self._on_diagnose_click)
        self._logout.on_click(self._on_logout_click)
        self._new_link.on_click(self._on_new_link_click)
        self._api_key.on_click(self._on_api_key_click)

        row1 = widgets.HBox([self._complete, self._refresh, self._diagnose, self._logout])
        row2 = widgets.HBox([self._new_link, self._api_key])
        children = [self._policy, self._link, self._code, row1, row2]
        children += [self._status, self._account, self._report, self._extra]
        super().__init__(children=children, **kwargs)
        self._start_attempt()
        self._show_account()

    # -- public surface -------------------------------------------------------------
    @property
    def authorize_url(self) -> str:
        return self._attempt.authorize_url if self._attempt is not None else ""

    @property
    def status(self) -> str:
        return self._status_text

    @property
    def code_field(self) -> widgets.Text:
        return self._code

    @property
    def report(self) -> str:
        text: str = self._report.value
        return text

    def button(self, word: str) -> widgets.Button:
        """The button whose description contains ``word`` (e.g. ``"Complete"``)."""
        for b in (*self._buttons, self._api_key):
            if word.lower() in b.description.lower():
                return b
        raise KeyError(word)

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the last clicked action finished (for code and tests)."""
        self._worker.wait(timeout)

    # -- handlers ---------------------------------------------------------------------
    def _on_complete_click(self, _button: object) -> None:
        # Never leave the code in widget state, nor plain in a frame a traceback could print.
        pasted, self._code.value = Secret(self._code.value), ""
        self._run("Completing login…", lambda: self._complete_login(pasted))

    def _on_refresh_click(self, _button: object) -> None:
        self._run("Refreshing…", self._do_refresh)

    def _on_diagnose_click(self, _button: object) -> None:
        self._run("Diagnosing…", self._do_diagnose)

    def _on_logout_click(self, _button: object) -> None:
        self._run("Logging out…", self._do_logout)

    def _on_new_link_click(self, _button: object) -> None:
        self._start_attempt()
        self._show("New login link ready: open it, approve, and paste the new code.", "info")

    def _on_api_key_click(self, _button: object) -> None:
        from IPython import get_ipython

        from ..keys.panel import run_setup

        shell = get_ipython()
        if not is_rich_frontend(shell):
            # Outside a kernel run_setup would prompt with getpass inside a click handler.
            self._show("Store an API key with %claude setup (or set ANTHROPIC_API_KEY).", "info")
            return
        self._extra.clear_output()
        try:
            with self._extra:
                run_setup(shell)
        except Exception as exc:
            self._show(f"Run %claude setup ({_safe_message(exc)}).", "error")

    # -- actions (run on the worker thread) -------------------------------------------
    def _complete_login(self, pasted: Secret) -> None:
        from ._flow import complete_login

        attempt = self._attempt
        if attempt is None:  # making the link failed, and the panel says why where it would be
            raise OAuthError("There is no login link to complete; see the message above.")
        try:
            tokens = complete_login(attempt, pasted)
        finally:
            if attempt.used:  # the code was spent (or tried): the next login needs a new link
                self._start_attempt()
        self._show_account(tokens)
        self._report.value = ""
        who = tokens.account_email or "your account"
        self._show(f"Logged in as {who}. Click Diagnose to see what the API says.", "ok")

    def _do_refresh(self) -> None:
        from .tokens import refresh_tokens

        tokens, ours = refresh_tokens(force=True)
        self._show_account(tokens)
        how = "Refreshed" if ours else "Another process had just refreshed; using its tokens"
        self._show(f"{how}: valid until {tokens.expires_text()}.", "ok")

    def _do_diagnose(self) -> None:
        from .diagnose import diagnose

        result = diagnose()
        # The verdict goes to the status line only, and "not logged in" is said once.
        self._report.value = redact(result.checks_html())
        self._show_account(said=True)
        level = "ok" if all(c.ok for c in result.checks) else "error"
        self._show(result.verdict, level)

    def _do_logout(self) -> None:
        from .tokens import logout

        message = logout()
        self._report.value = ""
        self._show_account(None)
        self._show(message, "ok")

    # -- helpers ------------------------------------------------------------------------
    def _run(self, busy: str, action: Callable[[], None]) -> None:
        self._worker.run(busy, action)

    def _start_attempt(self) -> None:
        from ._flow import start_login

        try:
            self._attempt = start_login(self._mode)
        except OAuthError as exc:
            self._attempt = None
            self._link.value = f"<p>{html.escape(str(exc))}</p>"
            return
        url = self._attempt.authorize_url
        # The href keeps the URL verbatim (urlencode leaves no quote or angle bracket to
        # escape), so the widget's value contains the exact URL the browser opens.
        href = url.replace('"', "%22").replace("<", "%3C").replace(">", "%3E")
        host = urllib.parse.urlsplit(url).hostname or "the login server"
        self._link.value = _LINK.format(
            href=href, host=html.escape(host), mode=html.escape(self._mode)
        )

    def _show_account(self, tokens: TokenSet | bool | None = True, *, said: bool = False) -> None:
        if tokens is True:
            from .tokens import load_tokens

            try:
                tokens = load_tokens()
            except SecretFileError as exc:
                self._account.value = f"<i>{html.escape(redact(exc))}</i>"
                return
        account = tokens if isinstance(tokens, TokenSet) else None
        self._account.value = _account_html(account, said=said)

    def _show(self, text: str, level: str) -> None:
        text = redact(text)  # statuses quote the token endpoint and the API
        self._status_text = text
        self._status.value = status_html(text, level)

    def close(self) -> None:
        self._worker.close()
        super().close()


def run_login(shell: object, mode: str = "max") -> None:
    """The widget in a Jupyter kernel; the ``input()`` flow in terminal IPython."""
    from IPython.core.error import UsageError

    if mode not in MODES:
        raise UsageError(f"unknown login mode {mode!r}; use --mode max or --mode console")
    if is_rich_frontend(shell):
        from IPython.display import display

        try:
            panel = LoginPanel(mode=mode)
        except OAuthError as exc:
            raise UsageError(str(exc)) from None
        display(panel)
    else:
        from ._terminal import terminal_login

        terminal_login(mode)
