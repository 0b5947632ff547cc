"""Which kind of front end a shell talks to: a rich one (Jupyter, Colab) or a terminal.

Only the streaming view needs to know (``display_id`` updates); everything
else publishes a MIME bundle with a good ``text/plain`` and lets IPython choose.
"""

from __future__ import annotations

import sys


def is_rich_frontend(shell: object) -> bool:
    """True inside a kernel with a front end (ipykernel, Colab's shell), False in terminal IPython."""
    zmqshell = sys.modules.get("ipykernel.zmqshell")  # imported whenever such a shell exists
    return zmqshell is not None and isinstance(shell, zmqshell.ZMQInteractiveShell)
