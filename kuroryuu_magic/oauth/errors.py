"""Typed OAuth errors carrying ``error``, ``error_description`` and ``status_code``.

The same three fields RFC 6749 §5.2 defines for a token endpoint error, which
is exactly what the diagnostics view shows.  Messages never quote a token,
a code or a verifier; what a server said passes :func:`..core.redact.redact`
here, once for every error type.
"""

from __future__ import annotations

from ..core.redact import redact

__all__ = [
    "AuthorizationDeniedError",
    "CallbackError",
    "ForbiddenHeaderError",
    "InsecureEndpointError",
    "InvalidGrantError",
    "LoginRequiredError",
    "MalformedTokenResponseError",
    "MissingCodeError",
    "NotLoggedInError",
    "OAuthError",
    "ReplayedCodeError",
    "StateMismatchError",
    "TokenEndpointError",
    "TokenEndpointUnreachableError",
    "TokenLockError",
    "TokenLockTimeoutError",
]


class OAuthError(Exception):
    """Base class.  ``str(err)`` is one actionable line."""

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(redact(message))
        self.error = redact(error) if error is not None else None
        self.error_description = (
            redact(error_description) if error_description is not None else None
        )
        self.status_code = status_code


class InsecureEndpointError(OAuthError):
    """An endpoint is not https (only loopback may use plain http)."""


class ForbiddenHeaderError(OAuthError):
    """A request would have carried a header that impersonates another tool."""


class CallbackError(OAuthError):
    """What the user pasted cannot complete this login; no token request was made."""


class StateMismatchError(CallbackError):
    """The pasted ``state`` is missing or is not the one this login generated."""


class MissingCodeError(CallbackError):
    """Nothing that looks like an authorization code was pasted."""


class AuthorizationDeniedError(CallbackError):
    """The authorization server answered with an error (e.g. ``access_denied``)."""


class ReplayedCodeError(CallbackError):
    """This login attempt was already used; codes are single-use."""


class TokenEndpointError(OAuthError):
    """The token endpoint answered with an error."""


class InvalidGrantError(TokenEndpointError):
    """``invalid_grant``: the code or refresh token is no longer valid."""


class MalformedTokenResponseError(TokenEndpointError):
    """The token endpoint answered something that is not a usable token response."""


class TokenEndpointUnreachableError(TokenEndpointError):
    """The token endpoint could not be reached (network failure, timeout)."""


class NotLoggedInError(OAuthError):
    """No tokens are stored."""


class LoginRequiredError(OAuthError):
    """The stored refresh token was rejected; only a new login helps."""


class TokenLockError(OAuthError):
    """The token lock could not be taken (its directory is unwritable, say)."""


class TokenLockTimeoutError(TokenLockError):
    """Another process (or thread) held the token lock for too long."""
