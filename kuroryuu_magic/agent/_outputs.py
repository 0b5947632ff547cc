"""The cell's displays during an investigation, so an expired approval can leave the page.

JupyterLab keeps a stdin box on screen until it is answered: when an approval
times out the kernel has stopped waiting, yet the y/N box stays, and a "y"
typed there later would look like it counts.  Only clearing the cell's output
removes it (``clear_output`` disposes every widget of the output area,
the stdin box included).  So while an investigation runs in a front end, every
display it publishes is recorded (updates replace their display's content),
and :meth:`CellOutputs.redraw` clears the cell and publishes them again, in
order and under the same display ids, so later updates still find them.
Recording stops when the cell finishes (``post_run_cell``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..core.frontend import is_rich_frontend
from ..core.shell import ShellLike

Publish = Callable[..., None]  # IPython's DisplayPublisher.publish(data, metadata, …)


class _Publisher(Protocol):
    """``shell.display_pub``: what publishes each display (the recorder stands in for it)."""

    publish: Publish


class CellOutputs:
    """Records the displays published through ``shell.display_pub`` until the cell ends."""

    def __init__(self, shell: ShellLike) -> None:
        self._shell = shell
        self._entries: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self._pub: _Publisher | None = getattr(shell, "display_pub", None)
        self._publish: Publish | None = None
        if not is_rich_frontend(shell) or self._pub is None:
            return
        if isinstance(getattr(self._pub.publish, "__self__", None), CellOutputs):
            return  # already recorded (a nested call): that recorder redraws
        self._publish = self._pub.publish
        self._pub.publish = self._record
        events = getattr(shell, "events", None)
        if events is not None:
            events.register("post_run_cell", self._stop)

    @property
    def active(self) -> bool:
        return self._publish is not None

    def _record(
        self,
        data: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        *args: object,
        transient: dict[str, Any] | None = None,
        update: bool = False,
        **kwargs: object,
    ) -> None:
        if self._publish is None:  # stopped: the original is back on display_pub
            return
        self._publish(data, metadata, *args, transient=transient, update=update, **kwargs)
        display_id = (transient or {}).get("display_id")
        if update:
            entry = self._by_id.get(display_id or "")
            if entry is not None:
                entry["data"], entry["metadata"] = data, metadata
            return
        entry = {"data": data, "metadata": metadata, "transient": transient}
        self._entries.append(entry)
        if display_id:
            self._by_id[display_id] = entry

    def redraw(self) -> None:
        """Clear the cell (and with it any stdin box) and show what it showed again."""
        publish = self._publish
        if publish is None:
            return
        from IPython.display import clear_output

        clear_output()
        for entry in self._entries:
            publish(entry["data"], entry["metadata"], transient=entry["transient"])

    def _stop(self, *args: object) -> None:
        if self._publish is not None and self._pub is not None:
            self._pub.publish = self._publish
            self._publish = None
        events = getattr(self._shell, "events", None)
        if events is not None:
            events.unregister("post_run_cell", self._stop)
