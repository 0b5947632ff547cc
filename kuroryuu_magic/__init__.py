"""Claude in notebook cells.

Load with ``%load_ext kuroryuu_magic`` (or ``c.InteractiveShellApp.extensions =
["kuroryuu_magic"]``).  Configure with ``c.ClaudeMagics.model = "opus"`` in
``ipython_config.py`` or ``%config ClaudeMagics.model = "opus"`` at run time.

Everything heavy (the ``anthropic`` SDK, ``ipywidgets``) is imported on first
use, so loading the extension stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "load_ipython_extension", "login_panel", "setup_panel"]


def load_ipython_extension(ipython: Any) -> None:
    from .context import image_capture
    from .magic import inputfix
    from .magic.magics import ClaudeMagics

    ipython.register_magics(ClaudeMagics)
    inputfix.install(ipython)
    image_capture.install(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .context import image_capture
    from .magic import inputfix
    from .magic.magics import unregister

    unregister(ipython)
    inputfix.uninstall(ipython)
    image_capture.uninstall(ipython)


def setup_panel() -> Any:
    """The API-key panel (what ``%claude setup`` shows)."""
    from .keys.panel import SetupPanel

    return SetupPanel()


def login_panel(mode: str = "max") -> Any:
    """The OAuth diagnostics login widget (what ``%claude login`` shows)."""
    from .oauth.panel import LoginPanel

    return LoginPanel(mode=mode)
