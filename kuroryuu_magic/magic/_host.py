"""What the subcommand handlers use of ``ClaudeMagics``, as a structural type.

The handlers (``_commands``, ``_explore``, ``_cache_command``, ``_mcp_command``)
are imported by the subcommand table, which ``magics`` imports: naming the class
itself there would be an import circle.  ``ClaudeMagics`` satisfies this Protocol
(mypy checks it where ``magics`` hands itself to ``_subcommands.run``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from ..ask.memory import ConversationStore
    from ..ask.usage import SessionUsage


class MagicsHost(Protocol):
    """The shell, the traits the handlers read, the session's threads and usage."""

    @property
    def shell(self) -> InteractiveShell | None: ...

    @property
    def model(self) -> str: ...

    @property
    def thinking(self) -> str: ...

    @property
    def timeout(self) -> float: ...

    @property
    def max_retries(self) -> int: ...

    @property
    def math(self) -> str: ...

    @property
    def remote_images(self) -> str: ...

    @property
    def tools(self) -> str: ...

    @property
    def answer_cache(self) -> str: ...

    @property
    def answer_cache_path(self) -> str: ...

    @property
    def conversations(self) -> ConversationStore: ...

    @property
    def session_usage(self) -> SessionUsage: ...

    def _prompt(self, opts: argparse.Namespace, text: str) -> None: ...


def shell_of(magics: MagicsHost) -> InteractiveShell:
    """The shell a handler runs in: a magic is only called by the shell that registered it."""
    shell = magics.shell
    assert shell is not None  # Magics.shell is None only for an instance no shell holds
    return shell
