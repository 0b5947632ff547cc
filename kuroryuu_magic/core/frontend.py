"""The one answer to "what can this front end render?": a rich one (Jupyter, Colab) or a terminal.

A rich front end updates a display in place (``display_id``), shows widgets and
HTML; a terminal shows text.  Code that must choose asks :func:`is_rich_frontend`
and nothing else: the streaming view, the tool-loop steps and the approval, the
``--map`` progress, the login panel and the status tables.  Everything that does
not need to choose publishes a MIME bundle with a good ``text/plain`` and lets
IPython pick.
"""

from __future__ import annotations

import sys


def is_rich_frontend(shell: object) -> bool:
    """True inside a kernel with a front end (ipykernel, Colab's shell), False in terminal IPython."""
    zmqshell = sys.modules.get("ipykernel.zmqshell")  # imported whenever such a shell exists
    return zmqshell is not None and isinstance(shell, zmqshell.ZMQInteractiveShell)
