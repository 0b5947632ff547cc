"""Claude in notebook cells.

Load with ``%load_ext kuroryuu_magic`` (or ``c.InteractiveShellApp.extensions =
["kuroryuu_magic"]``).  Configure with ``c.ClaudeMagics.model = "opus"`` in
``ipython_config.py`` or ``%config ClaudeMagics.model = "opus"`` at run time.

Everything heavy (the ``anthropic`` SDK, ``ipywidgets``) is imported on first
use, so loading the extension stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # names for annotations only: %load_ext imports none of them
    from IPython.core.interactiveshell import InteractiveShell

    from .keys.panel import SetupPanel
    from .oauth.panel import LoginPanel

__all__ = ["__version__", "load_ipython_extension", "login_panel", "setup_panel"]

DISTRIBUTION = "kuroryuu-magic"
# An uninstalled source tree (on sys.path, never `pip install`ed) has no metadata:
# a local version that no release can carry says so.
UNINSTALLED_VERSION = "0+unknown"


if TYPE_CHECKING:
    # What `__getattr__` below provides; a type checker sees this and no module-level
    # `__getattr__`, so a misspelt attribute of the package is still an error.
    __version__: str
else:

    def __getattr__(name: str) -> str:
        # `__version__` is read from the installed package's metadata (pyproject.toml is
        # the one source), on first use: the lookup scans sys.path, which `%load_ext` skips.
        if name == "__version__":
            from importlib.metadata import PackageNotFoundError, version

            try:
                return version(DISTRIBUTION)
            except PackageNotFoundError:
                return UNINSTALLED_VERSION
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_ipython_extension(ipython: InteractiveShell) -> None:
    from .context import image_capture
    from .magic import inputfix
    from .magic.magics import ClaudeMagics

    ipython.register_magics(ClaudeMagics)
    inputfix.install(ipython)
    image_capture.install(ipython)


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    from .context import image_capture
    from .magic import inputfix
    from .magic.magics import unregister

    unregister(ipython)
    inputfix.uninstall(ipython)
    image_capture.uninstall(ipython)


def setup_panel() -> SetupPanel:
    """The API-key panel (what ``%claude setup`` shows)."""
    from .keys.panel import SetupPanel

    return SetupPanel()


def login_panel(mode: str = "max") -> LoginPanel:
    """The OAuth diagnostics login widget (what ``%claude login`` shows)."""
    from .oauth.panel import LoginPanel

    return LoginPanel(mode=mode)
