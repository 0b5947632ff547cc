"""The parts of an IPython shell the package uses, as structural types.

The package is handed IPython's ``InteractiveShell`` (or ipykernel's subclass)
but reads only its namespace and hooks cell events; these Protocols say so,
so signatures carry a real type, tests may pass a small stand-in, and nothing
here imports IPython.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class EventsLike(Protocol):
    """``shell.events``: IPython's ``EventManager``."""

    def register(self, event: str, function: Callable[..., Any]) -> None: ...

    def unregister(self, event: str, function: Callable[..., Any]) -> None: ...


class NamespaceLike(Protocol):
    """What building a prompt reads: the user's namespace.

    A mapping, not the shell's dict: ``%claude map`` layers each item over it.
    """

    @property
    def user_ns(self) -> Mapping[str, Any]: ...


class ShellLike(Protocol):
    """What the package uses of a shell: the namespace, cell events, the next input."""

    @property
    def user_ns(self) -> dict[str, Any]: ...

    @property
    def events(self) -> EventsLike: ...

    def set_next_input(self, s: str, replace: bool = False) -> None: ...
