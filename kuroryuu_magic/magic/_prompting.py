"""What every prompt does before it is sent, with or without tools: the request, settings
and content.

Shared by the plain prompt (``magics``), the tool loop (``explore``) and ``--map``;
:func:`request_of` is where the ``Magics`` object and the argparse namespace end —
below this layer only the frozen :class:`~kuroryuu_magic.ask.settings.Request`
travels.  The ``ask`` imports stay inside the functions so that ``%load_ext``
stays cheap.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..ask.settings import Request, Settings, Traits
    from ..core.shell import ShellLike


def traits_of(magics: object) -> Traits:
    """The configuration, as values: the traits' current settings, read by name from
    ``ClaudeMagics`` (``object``: naming the class here would be an import circle)."""
    from ..ask.settings import Traits

    return Traits.of(magics)


def request_of(magics: object, opts: argparse.Namespace) -> Request:
    """The parsed options and the traits as one frozen request."""
    from ..ask.settings import Request

    return Request.parsed(traits_of(magics), opts)


def prepare(
    shell: ShellLike, req: Request, text: str
) -> tuple[Settings, str | list[dict[str, Any]]]:
    """``(settings, content)`` for ``text``: options over traits, ``--new`` applied, ``{…}`` filled."""
    from ..ask.memory import ConversationStore
    from ..ask.prompt import build_content
    from ..ask.run import effective_settings
    from ..core.session import session_for

    settings = effective_settings(shell, req)
    if req.new:
        session_for(shell).state(ConversationStore).reset(settings.thread)
    traits = req.traits
    content, _ = build_content(
        shell,
        text,
        req,
        context_chars=traits.context_chars,
        object_chars=traits.object_chars,
        schema_only=traits.schema_only,
    )
    return settings, content
