"""Progress for many requests: a widget bar in a front end, a throttled text line in a terminal.

Both take ``update(done, failed, total)`` as often as the caller likes and
show counts, failures and an ETA; the text line rewrites itself at most every
``text_interval`` seconds so a terminal or a log is not flooded.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..core.shell import ShellLike


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA …"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"ETA {seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"ETA {minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"ETA {hours} h {minutes:02d} min"


def status_line(done: int, failed: int, total: int, elapsed: float, note: str = "") -> str:
    """``120/200 done · 3 failed · ETA 5 s`` (the ETA from the pace so far)."""
    eta = elapsed / done * (total - done) if done else None
    parts = [f"{done:,}/{total:,} done"]
    if failed:
        parts.append(f"{failed:,} failed")
    if done < total:
        parts.append(format_eta(eta))
    else:
        parts.append(f"{elapsed:.1f} s")
    if note:
        parts.append(note)
    return " · ".join(parts)


class TextProgress:
    """``[#####-----] 120/200 done · 3 failed · ETA 5 s`` rewritten in place with ``\\r``."""

    width = 24

    def __init__(
        self,
        total: int,
        description: str = "",
        stream: TextIO | None = None,
        text_interval: float = 0.5,
    ) -> None:
        self.total = total
        self.description = description
        self._out = stream or sys.stdout
        self._interval = text_interval
        self._due = 0.0
        self._started = time.monotonic()
        self._last = ""

    def _line(self, done: int, failed: int, note: str) -> str:
        filled = int(self.width * done / self.total) if self.total > 0 else self.width
        filled = min(max(filled, 0), self.width)  # done may pass total; the bar may not
        bar = "#" * filled + "-" * (self.width - filled)
        text = status_line(done, failed, self.total, time.monotonic() - self._started, note)
        prefix = f"{self.description} " if self.description else ""
        return f"{prefix}[{bar}] {text}"

    def update(self, done: int, failed: int = 0, note: str = "") -> None:
        now = time.monotonic()
        if now < self._due and done < self.total:
            return
        self._due = now + self._interval
        line = self._line(done, failed, note)
        if line == self._last:
            return
        pad = " " * max(0, len(self._last) - len(line))
        self._out.write(f"\r{line}{pad}")
        self._out.flush()
        self._last = line

    def close(self, done: int, failed: int = 0, note: str = "") -> None:
        line = self._line(done, failed, note)
        if line == self._last:
            self._out.write("\n")
        else:
            pad = " " * max(0, len(self._last) - len(line))
            self._out.write(f"\r{line}{pad}\n")
        self._out.flush()


class WidgetProgress:
    """An ``IntProgress`` bar with a label; green when all succeeded, orange with failures."""

    def __init__(self, total: int, description: str = "") -> None:
        import ipywidgets as widgets
        from IPython.display import display

        self.total = total
        self._started = time.monotonic()
        self.bar = widgets.IntProgress(
            value=0, min=0, max=max(1, total), description=description or "Claude"
        )
        self.label = widgets.Label(value=f"0/{total:,} done")
        self.box = widgets.HBox([self.bar, self.label])
        display(self.box)

    def update(self, done: int, failed: int = 0, note: str = "") -> None:
        self.bar.value = done
        if failed and self.bar.bar_style != "warning":
            self.bar.bar_style = "warning"
        self.label.value = status_line(
            done, failed, self.total, time.monotonic() - self._started, note
        )

    def close(self, done: int, failed: int = 0, note: str = "") -> None:
        self.update(done, failed, note)
        if done < self.total:
            self.bar.bar_style = "danger"
        elif not failed:
            self.bar.bar_style = "success"


def make_progress(
    shell: ShellLike | None, total: int, description: str = ""
) -> TextProgress | WidgetProgress:
    """A widget in a kernel with a front end, text otherwise (or when ipywidgets is missing)."""
    from ..core.frontend import is_rich_frontend

    if is_rich_frontend(shell):
        try:
            return WidgetProgress(total, description)
        except ImportError:
            pass
    return TextProgress(total, description)
