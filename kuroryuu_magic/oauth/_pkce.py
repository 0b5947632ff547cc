"""PKCE (RFC 7636) and the OAuth ``state`` value (RFC 6749 §10.12).

The verifier is 32 random bytes, base64url without padding (43 characters of
the unreserved set, RFC 7636 §4.1); the challenge is ``S256`` (§4.2).  The
state is an independent random value, never derived from the verifier.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

__all__ = ["code_challenge", "new_state", "new_verifier", "valid_verifier"]

_VERIFIER_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_verifier() -> str:
    """A fresh code verifier: 43 unreserved characters (256 random bits)."""
    return _b64url(secrets.token_bytes(32))


def valid_verifier(verifier: str) -> bool:
    """True for 43–128 characters of ``[A-Za-z0-9-._~]`` (RFC 7636 §4.1)."""
    return bool(_VERIFIER_RE.fullmatch(verifier))


def code_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` — the S256 method of RFC 7636 §4.2."""
    if not valid_verifier(verifier):
        raise ValueError("a PKCE verifier must be 43-128 characters of [A-Za-z0-9-._~]")
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_state() -> str:
    """A fresh ``state``: 256 random bits, independent of the verifier."""
    return _b64url(secrets.token_bytes(32))
