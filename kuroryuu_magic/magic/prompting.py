"""What every prompt does before it is sent, with or without tools: settings and content.

Shared by the plain prompt (``magics``) and the tool loop (``explore``); the
``ask`` imports stay inside the function so that ``%load_ext`` stays cheap.
"""

from __future__ import annotations

import argparse
from typing import Any


def prepare(magics: Any, opts: argparse.Namespace, text: str) -> tuple[Any, Any]:
    """``(settings, content)`` for ``text``: options over traits, ``--new`` applied, ``{…}`` filled."""
    from ..ask.prompt import build_content
    from ..ask.run import effective_settings

    settings = effective_settings(magics, opts)
    if opts.new:
        magics.conversations.reset(settings.thread)
    content, _ = build_content(
        magics.shell,
        text,
        opts,
        context_chars=magics.context_chars,
        object_chars=magics.object_chars,
        schema_only=magics.schema_only,
    )
    return settings, content
