"""The offline demo (``%claude demo``): the built-in fake API, answering like Claude would.

``_answers`` turns a Messages request into a believable :class:`~kuroryuu_magic.testing.Reply`
(Markdown, a runnable fenced code block when code is asked for, JSON when JSON is
asked for, streamed at a visible pace); ``_server`` runs one fake per kernel with
those answers.  The magic surface points the kernel's credential at it.

May import ``testing``, ``models`` and ``core`` only.
"""

from __future__ import annotations

from ._answers import demo_reply
from ._server import DEMO_SOURCE, running, start, stop

__all__ = ["DEMO_SOURCE", "demo_reply", "running", "start", "stop"]
