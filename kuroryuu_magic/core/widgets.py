"""The status line both panels share: one template, one palette, messages that can't leak."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from .redact import redact

_TEMPLATE = '<span style="color:{color}">{text}</span>'
# JupyterLab's widget CSS resets links to the body text's colour with no underline, so a
# link in a panel looked like plain text: styled inline, in the theme's link colour.
LINK_STYLE = "color:var(--jp-content-link-color,#0969da);text-decoration:underline"


def link(href: str, text: str) -> str:
    """An ``<a>`` that looks like a link in every front end (``href``/``text``: trusted HTML)."""
    return (
        f'<a href="{href}" target="_blank" rel="noopener noreferrer" style="{LINK_STYLE}">'
        f"{text}</a>"
    )


_COLORS = {"info": "inherit", "ok": "#1a7f37", "error": "#cf222e", "busy": "#9a6700"}


def fit_layout(**kwargs: object) -> object:
    """A layout that lets a widget grow to its text.

    ipywidgets gives buttons and radio groups a fixed width (``--jp-widgets-inline-width``):
    a longer description is cut (``Use an API key in…``) and a longer radio label
    wraps into the next option's fixed-height row, drawn over it.
    """
    import ipywidgets as widgets

    return widgets.Layout(width="auto", min_width="fit-content", **kwargs)


def status_html(text: str, level: str = "info") -> str:
    return _TEMPLATE.format(color=_COLORS[level], text=html.escape(redact(text)))


def safe_message(exc: BaseException, typed: tuple[type[BaseException], ...], fallback: str) -> str:
    """A status-line message for ``exc``.

    Only our own typed errors (``typed``) are quoted: their messages are written
    to be shown.  Anything else may carry request data, so it is named by class.
    """
    if isinstance(exc, typed):
        if isinstance(exc, OSError):  # a typed file error: say what was being done first
            return redact(f"{fallback}: {exc}")
        return redact(str(exc))
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return redact(f"{fallback}: {exc.strerror or type(exc).__name__}{where}.")
    return f"{fallback} ({type(exc).__name__})."


class ClickWorker:
    """Runs a panel's slow click handlers (network calls) off the kernel's thread.

    The kernel stays free while an API call is under way; buttons are disabled
    meanwhile and a second click is refused with a status message.  Each click
    gets its own short-lived thread that ends with the action, so an idle or
    closed panel holds no thread (fifty panels clicked once leave none behind).
    ``wait()`` lets code and tests block until the last action finished.
    """

    def __init__(
        self,
        name: str,
        show: Callable[[str, str], None],
        buttons: Sequence[Any],
        on_error: Callable[[BaseException], str],
        *,
        threaded: bool = True,
    ) -> None:
        self._name = name
        self._show = show
        self._buttons = list(buttons)
        self._on_error = on_error
        self._threaded = threaded
        self._future: Future[None] | None = None
        self._closed = False
        self._lock = threading.Lock()

    def run(self, busy: str, action: Callable[[], None]) -> None:
        with self._lock:
            if self._closed:
                return
            if self._future is not None and not self._future.done():
                self._show("Still working on the previous click…", "busy")
                return
            self._show(busy, "busy")
            if not self._threaded:
                self._guarded(action, None)
                return
            done: Future[None] = Future()
            self._future = done
            thread = threading.Thread(
                target=self._guarded, args=(action, done), name=self._name, daemon=True
            )
            thread.start()

    def _guarded(self, action: Callable[[], None], done: Future[None] | None) -> None:
        for button in self._buttons:
            button.disabled = True
        try:
            action()
        except Exception as exc:
            self._show(self._on_error(exc), "error")
        finally:
            for button in self._buttons:
                button.disabled = False
            if done is not None:
                done.set_result(None)

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the last clicked action finished."""
        future = self._future
        if future is not None:
            future.result(timeout=timeout)

    def close(self) -> None:
        """No more clicks; a running action finishes and its thread ends."""
        with self._lock:
            self._closed = True
