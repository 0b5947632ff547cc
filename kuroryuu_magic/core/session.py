"""One :class:`Session` per kernel: everything the extension remembers between cells.

Each concern keeps defining its own state class (conversation threads, session
usage, the model listing behind the aliases, the session key, captured images,
cached clients, the offline demo) and asks for it with
``session_for(shell).state(ThatClass)``, which builds it on first use.  So this
module imports nothing of the package, and no concern imports another to find
its state.

The session belongs to the IPython shell (``get_ipython()`` when none is given):
two shells in one process (tests) never share threads, keys or usage.  Outside
IPython, one process-wide session stands in.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

T = TypeVar("T")

_ATTRIBUTE = "_kuroryuu_session"  # where a shell carries its session


class Session:
    """Per-kernel state objects, one per type, created on first use."""

    def __init__(self) -> None:
        self._states: dict[type, Any] = {}
        self._lock = threading.Lock()  # widget callbacks and --map threads ask too

    def state(self, cls: type[T]) -> T:
        """This session's ``cls()`` (built on first use; ``cls`` takes no arguments)."""
        with self._lock:
            found = self._states.get(cls)
            if found is None:
                found = self._states[cls] = cls()
            return found

    def peek(self, cls: type[T]) -> T | None:
        """This session's ``cls`` state if one was made, without making it."""
        with self._lock:
            return self._states.get(cls)

    def drop(self, cls: type) -> None:
        """Forget one state (the next :meth:`state` call builds it afresh)."""
        with self._lock:
            self._states.pop(cls, None)

    def clear(self) -> None:
        with self._lock:
            self._states.clear()

    def __repr__(self) -> str:  # type names only: some states hold secrets
        with self._lock:
            names = ", ".join(sorted(t.__name__ for t in self._states))
        return f"<Session: {names or 'empty'}>"


_outside = Session()  # for code running with no IPython shell (scripts, unit tests)
_creating = threading.Lock()


def session_for(shell: object = None) -> Session:
    """The session of ``shell`` (default: the running IPython shell)."""
    if shell is None:
        shell = _current_shell()
    if shell is None:
        return _outside
    found = getattr(shell, _ATTRIBUTE, None)
    if found is None:
        with _creating:  # a widget's worker thread may ask at the same moment as the cell
            found = getattr(shell, _ATTRIBUTE, None)
            if found is None:
                found = Session()
                try:
                    setattr(shell, _ATTRIBUTE, found)
                except AttributeError:  # a shell-like object that takes no attributes
                    return _outside
    return found


def _current_shell() -> Any:
    import sys

    # Only ask IPython when it is loaded: importing it here would cost every script.
    if "IPython" not in sys.modules:
        return None
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell._instance if InteractiveShell.initialized() else None


def forget_outside_session() -> None:
    """Reset the process-wide stand-in session (test isolation)."""
    _outside.clear()
