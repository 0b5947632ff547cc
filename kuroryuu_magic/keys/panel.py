"""The API-key panel that ``%claude setup`` shows: paste, Save, Test, Forget.

A thin view over :mod:`kuroryuu_magic.keys.chain`.  The key only ever sits in
the ``Password`` field until a button is clicked; every handler empties the
field first and shows nothing but the masked form.  Handlers never raise: an
ipywidgets callback that raises prints a traceback, and under ``%xmode
Verbose`` a traceback prints the handler's locals, the key among them.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..core.frontend import is_rich_frontend
from ..core.redact import redact
from ..core.secretfiles import SecretFileError
from ..core.widgets import ClickWorker, fit_layout, link, safe_message, status_html
from . import chain
from ._shape import KeyShapeError, normalize_key
from ._store import KeyringError

__all__ = ["SetupPanel", "run_setup"]

_INTRO = (
    "<b>Anthropic API key</b> for <code>%%claude</code>. Create one at "
    + link("https://console.anthropic.com/settings/keys", "console.anthropic.com")
    + ". The key is never shown or saved in this notebook."
)


def _safe_message(exc: BaseException) -> str:
    typed = (KeyShapeError, KeyringError, SecretFileError)
    return safe_message(exc, typed, "Could not store the key")


class SetupPanel(widgets.VBox):
    """Password field, store choice, Save / Test / Forget buttons and a status line."""

    def __init__(self, *, threaded: bool = True, **kwargs: object) -> None:
        self._key = widgets.Password(
            placeholder="sk-ant-…", description="API key", layout=widgets.Layout(width="32em")
        )
        choices = chain.available_stores()
        self._store = widgets.RadioButtons(
            options=choices, value=choices[0][1], description="Store in", layout=fit_layout()
        )
        self._store.layout.display = None if len(choices) > 1 else "none"
        self._save = widgets.Button(
            description="Save", button_style="primary", icon="save", layout=fit_layout()
        )
        self._test = widgets.Button(description="Test", icon="plug", layout=fit_layout())
        self._forget = widgets.Button(
            description="Forget", button_style="danger", icon="trash", layout=fit_layout()
        )
        self._status = widgets.HTML()
        # A key that Test found valid, kept (in memory only) so Save needs no second paste.
        self._tested_key: str | None = None

        # Test makes a network call: it runs on a worker thread so the kernel stays free.
        self._worker = ClickWorker(
            "kuroryuu-key-test",
            self._show,
            [self._save, self._test, self._forget],
            _safe_message,
            threaded=threaded,
        )

        # Wiring: every handler is event-driven and returns at once.
        self._save.on_click(self._on_save_click)
        self._test.on_click(self._on_test_click)
        self._forget.on_click(self._on_forget_click)

        super().__init__(
            children=[
                widgets.HTML(_INTRO),
                self._key,
                self._store,
                widgets.HBox([self._save, self._test, self._forget]),
                self._status,
            ],
            **kwargs,
        )
        self.refresh()

    # --- public surface --------------------------------------------------------------------

    @property
    def key_field(self) -> widgets.Password:
        return self._key

    @property
    def store_choice(self) -> widgets.RadioButtons:
        return self._store

    @property
    def save_button(self) -> widgets.Button:
        return self._save

    @property
    def test_button(self) -> widgets.Button:
        return self._test

    def wait(self, timeout: float = 30.0) -> None:
        """Block until a running Test finished (for code and tests)."""
        self._worker.wait(timeout)

    def close(self) -> None:
        self._worker.close()
        super().close()

    @property
    def status(self) -> str:
        """The status line as plain text (already masked)."""
        return self._status_text

    def refresh(self) -> None:
        """Show which credential is in use now."""
        try:
            cred = chain.resolve_credential()
        except Exception as exc:  # a refused key file: its message says why and what to do
            self._show(str(exc), "error")
            return
        if cred is None:
            self._show("No key yet: paste one above and click Save.", "info")
        elif cred.source == chain.SOURCE_ENV:
            self._show(
                f"In use: {cred.masked} from ANTHROPIC_API_KEY, which wins over a saved key.", "ok"
            )
        else:
            self._show(f"In use: {cred.masked} ({cred.source}).", "ok")

    # --- handlers ----------------------------------------------------------------------------

    def _take_field(self) -> str:
        raw: str = self._key.value
        self._key.value = ""
        return raw

    def _on_save_click(self, _button: object) -> None:
        raw = self._take_field()
        pending, self._tested_key = self._tested_key, None
        if not raw.strip() and pending:
            raw = pending
        try:
            self._show(chain.save_key(raw, self._store.value), "ok")
        except Exception as exc:
            self._show(_safe_message(exc), "error")

    def _on_test_click(self, _button: object) -> None:
        raw = self._take_field()  # emptied at once, before the call is made
        self._tested_key = None
        try:
            key = normalize_key(raw) if raw.strip() else None
        except KeyShapeError as exc:
            self._show(str(exc), "error")
            return
        self._worker.run("Testing…", lambda: self._check(key))

    def _check(self, key: str | None) -> None:
        result = chain.check_key(key)
        if result.ok and key is not None:
            self._tested_key = key
            self._show(f"{result.message} Click Save to keep it.", "ok")
        else:
            self._show(result.message, "ok" if result.ok else "error")

    def _on_forget_click(self, _button: object) -> None:
        self._take_field()
        self._tested_key = None
        try:
            self._show(chain.forget_key(), "info")
        except Exception as exc:
            self._show(_safe_message(exc), "error")

    def _show(self, text: str, level: str) -> None:
        text = redact(text)  # statuses quote servers and keyrings; never show a key
        self._status_text = text
        self._status.value = status_html(text, level)


def run_setup(shell: object) -> None:
    """Show the panel in a Jupyter kernel; prompt with getpass in terminal IPython."""
    if is_rich_frontend(shell):
        from IPython.display import display

        display(SetupPanel())
    else:
        from ._terminal import run_terminal_setup

        run_terminal_setup()
