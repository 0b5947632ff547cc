"""Claude in notebook cells.

Load with ``%load_ext kuroryuu_magic`` (or ``c.InteractiveShellApp.extensions =
["kuroryuu_magic"]``).  Configure with ``c.ClaudeMagics.model = "opus"`` in
``ipython_config.py`` or ``%config ClaudeMagics.model = "opus"`` at run time.

Everything heavy (the ``anthropic`` SDK, ``ipywidgets``) is imported on first
use, so loading the extension stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["__version__", "load_ipython_extension", "login_panel", "setup_panel"]

DISTRIBUTION = "kuroryuu-magic"
# An uninstalled source tree (on sys.path, never `pip install`ed) has no metadata:
# a local version that no release can carry says so.
UNINSTALLED_VERSION = "0+unknown"


def __getattr__(name: str) -> Any:
    # `__version__` is read from the installed package's metadata (pyproject.toml is
    # the one source), on first use: the lookup scans sys.path, which `%load_ext` skips.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(DISTRIBUTION)
        except PackageNotFoundError:
            return UNINSTALLED_VERSION
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
