"""Which credential the magic uses, and where it came from.

One function, :func:`resolve_credential`, documents the lookup order:

1. ``ANTHROPIC_API_KEY`` in the environment;
2. a key entered in the setup panel during this kernel session;
3. (to come) Colab's secret store, the OS keyring, the key file;
4. the Anthropic SDK's own chain (``ANTHROPIC_AUTH_TOKEN``, profiles).

``None`` means nothing resolved; the caller turns that into a ``UsageError``
naming ``%claude setup`` and ``ANTHROPIC_API_KEY``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from .masking import mask

CredentialKind = Literal["api_key", "sdk"]

_session_key: str | None = None


@dataclass(frozen=True)
class Credential:
    """A resolved credential.  Its repr and str show only the masked form."""

    kind: CredentialKind
    source: str
    secret: str | None = field(default=None, repr=False, compare=False)

    @property
    def masked(self) -> str:
        return mask(self.secret) if self.secret else "(managed by the Anthropic SDK)"

    def __repr__(self) -> str:
        return f"Credential(kind={self.kind!r}, source={self.source!r}, secret={self.masked!r})"

    __str__ = __repr__


def set_session_key(key: str | None) -> None:
    """Use ``key`` for the rest of this kernel session (``None`` forgets it)."""
    global _session_key
    _session_key = key or None


def resolve_credential() -> Credential | None:
    """The first credential in the documented order, or ``None``."""
    env_key = os.environ.get("ANTHROPIC_API_KEY")
    if env_key:
        return Credential("api_key", "ANTHROPIC_API_KEY environment variable", env_key)
    if _session_key:
        return Credential("api_key", "key entered in this session", _session_key)
    if _sdk_chain_resolves():
        return Credential("sdk", "Anthropic SDK credential chain (ANTHROPIC_AUTH_TOKEN or a profile)")
    return None


def _sdk_chain_resolves() -> bool:
    if os.environ.get("ANTHROPIC_AUTH_TOKEN"):
        return True
    try:
        from anthropic import Anthropic

        client = Anthropic()
    except Exception:  # a broken profile is the SDK's to report, at request time
        return False
    try:
        return bool(client.api_key or client.auth_token or client.credentials)
    finally:
        client.close()
