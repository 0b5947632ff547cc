"""Where the OAuth flow talks to, and with which client id (RFC 6749 §3).

Defaults are the public endpoints of Anthropic's OAuth server for the two
modes (``max``: a Claude.ai subscription; ``console``: a Console account).
The environment variables ``KURORYUU_OAUTH_AUTHORIZE_URL``,
``KURORYUU_OAUTH_TOKEN_URL``, ``KURORYUU_OAUTH_CLIENT_ID`` and
``KURORYUU_OAUTH_REDIRECT_URI`` override them (tests point them at a local
fake).  Endpoints must be https; plain http is accepted for loopback only
(RFC 6749 §3.1, §3.2 require TLS).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .errors import InsecureEndpointError, OAuthError

__all__ = [
    "CLIENT_ID",
    "MODES",
    "SCOPES",
    "OAuthConfig",
    "is_loopback_host",
    "load_config",
    "require_secure_url",
]

MODES = ("max", "console")
# Claude Code's public client id: the one the seed notes used.  Only for the
# diagnostic login; no request ever claims to *be* Claude Code.
CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
AUTHORIZE_URLS = {
    "max": "https://claude.ai/oauth/authorize",
    "console": "https://platform.claude.com/oauth/authorize",
}
TOKEN_URL = "https://platform.claude.com/v1/oauth/token"  # noqa: S105 (a URL)
REDIRECT_URI = "https://platform.claude.com/oauth/code/callback"
SCOPES = ("org:create_api_key", "user:profile", "user:inference")

ENV_AUTHORIZE_URL = "KURORYUU_OAUTH_AUTHORIZE_URL"
ENV_TOKEN_URL = "KURORYUU_OAUTH_TOKEN_URL"  # noqa: S105 (a name)
ENV_CLIENT_ID = "KURORYUU_OAUTH_CLIENT_ID"
ENV_REDIRECT_URI = "KURORYUU_OAUTH_REDIRECT_URI"


@dataclass(frozen=True)
class OAuthConfig:
    """Endpoints, client id, redirect URI and scopes for one mode."""

    mode: str
    authorize_url: str
    token_url: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...] = SCOPES

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str, what: str) -> str:
    """``url`` if it is https, or http on a loopback host; else ``InsecureEndpointError``."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return url
    raise InsecureEndpointError(
        f"the OAuth {what} must be an https URL (plain http only for 127.0.0.1/localhost): {url}"
    )


def load_config(mode: str = "max", **overrides: str | tuple[str, ...]) -> OAuthConfig:
    """The configuration for ``mode``: defaults, then environment, then ``overrides``."""
    if mode not in MODES:
        raise OAuthError(f"unknown login mode {mode!r}; use one of: {', '.join(MODES)}")
    env = os.environ
    config = OAuthConfig(
        mode=mode,
        authorize_url=env.get(ENV_AUTHORIZE_URL) or AUTHORIZE_URLS[mode],
        token_url=env.get(ENV_TOKEN_URL) or TOKEN_URL,
        client_id=env.get(ENV_CLIENT_ID) or CLIENT_ID,
        redirect_uri=env.get(ENV_REDIRECT_URI) or REDIRECT_URI,
    )
    if overrides:
        config = replace(config, **overrides)  # type: ignore[arg-type]
    require_secure_url(config.authorize_url, "authorize URL")
    require_secure_url(config.token_url, "token URL")
    return config
