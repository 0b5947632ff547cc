"""OAuth 2.0 (PKCE) login for *diagnostics*: why a Claude subscription token is refused.

Anthropic permits subscription (Free/Pro/Max) OAuth tokens only in its own
apps (Claude Code, Claude.ai).  This package runs the real authorization-code
flow (RFC 6749 §4.1 with PKCE, RFC 7636), stores and refreshes the tokens
safely, and explains what the API answers when they are used elsewhere.  It
never impersonates Claude Code.  The supported path is an API key
(``%claude setup``).

One concern per module: :mod:`._pkce`, :mod:`._config`, :mod:`._flow`,
:mod:`._http`, :mod:`._tokenset`, :mod:`._lock`, :mod:`.tokens`, :mod:`.diagnose`,
:mod:`._guard`, :mod:`.panel` (widget), :mod:`._terminal` (``input()`` flow).
The public face: ``panel``, ``tokens``, ``errors`` (the magic's ``%claude login``
and ``logout``) and ``diagnose`` (the diagnostics notebook calls it); the rest is
private to the package.
Kept import-light: nothing here imports ``httpx2``, ``anthropic`` or
``ipywidgets`` until it is used.
"""

from __future__ import annotations

POLICY_NOTE = (
    "Anthropic permits subscription (Free/Pro/Max) OAuth tokens only in its own apps "
    "(Claude Code and Claude.ai); using them in another tool is not permitted. "
    "This login is a diagnostic that shows what the API answers. "
    "The supported way to use Claude from a notebook is an API key: %claude setup. "
    "With a subscription, Claude Code itself can use this notebook's data: %claude mcp."
)
