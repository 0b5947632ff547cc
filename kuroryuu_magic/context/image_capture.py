"""Remember the images that cells display, for ``--plot`` and ``--image Out[n]``.

In Jupyter the inline backend closes each figure right after showing it, so a
later cell can't find it with ``plt.gcf()``.  This hook on ipykernel's display
publisher keeps the last few displayed images, keyed by execution count; it
passes every message on untouched.  Installed at extension load, so it imports
nothing heavy.  Each shell's capture lives in its session (``core.session``).
"""

from __future__ import annotations

import base64
import contextlib
from collections import OrderedDict
from typing import TypeVar

from ..core.session import session_for
from ..core.shell import ShellLike

_KEEP_DISPLAYED = 20

_Msg = TypeVar("_Msg")


class ImageCapture:
    """Keeps the last few images each cell displayed, keyed by execution count.

    Installed on ipykernel's display publisher (``register_hook``), it sees each
    display message on its way out and passes it on untouched.
    """

    def __init__(self) -> None:
        self.images: OrderedDict[int, bytes] = OrderedDict()
        # The last image the running cell displayed, still encoded (base64 text or bytes).
        self._pending: str | bytes | None = None
        self._shell: ShellLike | None = None

    def last(self) -> bytes | None:
        return next(reversed(self.images.values()), None) if self.images else None

    def __call__(self, msg: _Msg) -> _Msg:
        # On every display message (streaming updates too): two dict lookups, no decoding.
        try:
            content = (msg.get("content") if isinstance(msg, dict) else None) or {}
            data = content.get("data") if isinstance(content, dict) else None
            if data and isinstance(data, dict):
                raw = data.get("image/png") or data.get("image/jpeg")
                if raw and isinstance(raw, (str, bytes)):
                    self._pending = raw
        except Exception:  # noqa: S110 - a capture problem must never swallow the output
            pass
        return msg

    def _post_run_cell(self, result: object = None) -> None:
        # The execution count is only reliable here: IPython 9 has already moved
        # it on when pre_run_cell fires, and the inline backend displays the
        # cell's figures in post_execute, which runs before this.
        raw, self._pending = self._pending, None
        count = getattr(result, "execution_count", None)
        if raw is None or count is None:
            return
        self.images[count] = base64.b64decode(raw) if isinstance(raw, str) else raw
        self.images.move_to_end(count)
        while len(self.images) > _KEEP_DISPLAYED:
            self.images.popitem(last=False)

    def install(self, shell: ShellLike) -> bool:
        pub = getattr(shell, "display_pub", None)
        if pub is None or not hasattr(pub, "register_hook") or self._shell is not None:
            return False
        self._shell = shell
        pub.register_hook(self)
        shell.events.register("post_run_cell", self._post_run_cell)
        return True

    def uninstall(self, shell: ShellLike) -> None:
        if self._shell is not shell:
            return
        self._shell = None
        pub = getattr(shell, "display_pub", None)
        if pub is not None and hasattr(pub, "unregister_hook"):
            pub.unregister_hook(self)
        with contextlib.suppress(ValueError):
            shell.events.unregister("post_run_cell", self._post_run_cell)


def install(shell: ShellLike) -> bool:
    """Start remembering the images ``shell`` displays; False outside ipykernel or if already on."""
    return session_for(shell).state(ImageCapture).install(shell)


def uninstall(shell: ShellLike) -> None:
    capture = session_for(shell).peek(ImageCapture)
    if capture is not None:
        capture.uninstall(shell)


def captured(shell: object = None) -> ImageCapture | None:
    """The capture of ``shell`` (default: the running shell), if one was installed."""
    return session_for(shell).peek(ImageCapture)
