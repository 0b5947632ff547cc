"""The status line both panels share: one template, one palette, messages that can't leak."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .redact import redact

_TEMPLATE = '<span style="color:{color}">{text}</span>'
_COLORS = {"info": "inherit", "ok": "#1a7f37", "error": "#cf222e", "busy": "#9a6700"}


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
    """Runs a panel's slow click handlers (network calls) on one worker thread.

    The kernel stays free while an API call is under way; buttons are disabled
    meanwhile and a second click is refused with a status message.  ``wait()``
    lets code and tests block until the last action finished.
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
        self._executor: ThreadPoolExecutor | None = None
        self._future: Future[None] | None = None
        self._lock = threading.Lock()

    def run(self, busy: str, action: Callable[[], None]) -> None:
        with self._lock:
            if self._future is not None and not self._future.done():
                self._show("Still working on the previous click…", "busy")
                return
            self._show(busy, "busy")
            if not self._threaded:
                self._guarded(action)
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix=self._name)
            self._future = self._executor.submit(self._guarded, action)

    def _guarded(self, action: Callable[[], None]) -> None:
        for button in self._buttons:
            button.disabled = True
        try:
            action()
        except Exception as exc:
            self._show(self._on_error(exc), "error")
        finally:
            for button in self._buttons:
                button.disabled = False

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the last clicked action finished."""
        future = self._future
        if future is not None:
            future.result(timeout=timeout)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
