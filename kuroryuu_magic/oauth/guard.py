"""Refuse any request that would impersonate another tool.

Subscription tokens are Claude Code's; the seed notes describe how other
tools spoof it (a ``claude-cli`` user agent, ``claude-code-*`` betas, metadata
copied from ``~/.claude.json``, a header-rewriting proxy).  We do none of
that, and this check makes sure nothing in the environment (for example
``ANTHROPIC_CUSTOM_HEADERS``) slips it in: every OAuth-related request passes
through :func:`check_headers` just before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import ForbiddenHeaderError

__all__ = ["USER_AGENT", "check_headers", "forbidden_reason"]

USER_AGENT = "kuroryuu-magic (OAuth diagnostics)"
_SPOOFED_AGENTS = ("claude-cli", "claude-code", "claude_code", "claudecode")


def forbidden_reason(headers: Iterable[tuple[str, str]]) -> str | None:
    """Why these headers must not be sent, or ``None`` when they are fine."""
    for name, value in headers:
        key, low = name.lower(), value.lower()
        if key == "user-agent" and any(agent in low for agent in _SPOOFED_AGENTS):
            return "a Claude Code user agent"
        if key == "anthropic-beta" and any(
            part.strip().startswith("claude-code-") for part in low.split(",")
        ):
            return "a claude-code-* beta header"
        if key == "x-app" and low == "cli":
            return "Claude Code's x-app header"
    return None


def check_headers(headers: Iterable[tuple[str, str]]) -> None:
    """Raise ``ForbiddenHeaderError`` if the headers impersonate Claude Code."""
    reason = forbidden_reason(headers)
    if reason:
        raise ForbiddenHeaderError(
            f"refusing to send {reason}: kuroryuu-magic never impersonates Claude Code "
            "(check ANTHROPIC_CUSTOM_HEADERS)"
        )
