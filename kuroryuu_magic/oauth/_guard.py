"""Refuse any request that would impersonate another tool.

Subscription tokens are Claude Code's; the seed notes describe how other
tools spoof it (a ``claude-cli`` user agent, ``claude-code-*`` betas, metadata
copied from ``~/.claude.json``, a header-rewriting proxy).  We do none of
that, and this check makes sure nothing in the environment (for example
``ANTHROPIC_CUSTOM_HEADERS``) slips it in: every OAuth-related request passes
through :func:`check_headers` just before it is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import ForbiddenHeaderError

if TYPE_CHECKING:  # httpx2 (the SDK's HTTP library) is imported when a request is sent
    import httpx2

__all__ = ["USER_AGENT", "check_headers", "check_request", "forbidden_reason"]

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
        if key == "x-anthropic-client-name" and low.strip() == "claude-code":
            return "Claude Code's x-anthropic-client-name header"
    return None


# Claude Code's metadata.user_id ("user_<64 hex>_account_<uuid>_session_<uuid>", or a
# JSON object with a device id): only ever found by copying it from its config.
_CLAUDE_CODE_USER_ID = re.compile(
    r"^user_[0-9a-f]{64}(_account_[0-9a-f-]*)?_session_[0-9a-f-]{36}$|\"device_id\"", re.I
)


def _body_reason(content: bytes) -> str | None:
    try:
        body = json.loads(content) if content else None
    except ValueError:
        return None
    metadata = body.get("metadata") if isinstance(body, dict) else None
    user_id = metadata.get("user_id") if isinstance(metadata, dict) else None
    if isinstance(user_id, str) and _CLAUDE_CODE_USER_ID.search(user_id):
        return "a metadata.user_id copied from Claude Code's config"
    return None


def check_request(request: httpx2.Request) -> None:
    """Like :func:`check_headers`, for a whole ``httpx`` request: also refuses a
    ``?beta=true`` query (Claude Code's) and Claude Code's ``metadata.user_id``."""
    check_headers(request.headers.items())
    reason = None
    if str(request.url.params.get("beta", "")).lower() == "true":
        reason = "Claude Code's ?beta=true query"
    else:
        reason = _body_reason(getattr(request, "content", b"") or b"")
    if reason:
        raise ForbiddenHeaderError(
            f"refusing to send {reason}: kuroryuu-magic never impersonates Claude Code"
        )


def check_headers(headers: Iterable[tuple[str, str]]) -> None:
    """Raise ``ForbiddenHeaderError`` if the headers impersonate Claude Code."""
    reason = forbidden_reason(headers)
    if reason:
        raise ForbiddenHeaderError(
            f"refusing to send {reason}: kuroryuu-magic never impersonates Claude Code "
            "(check ANTHROPIC_CUSTOM_HEADERS)"
        )
