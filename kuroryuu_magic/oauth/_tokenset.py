"""The tokens one login holds, and the validation of a token response (RFC 6749 §5.1).

A :class:`TokenSet` never shows a token in its repr or str: only the masked
form.  :func:`token_set_from_response` validates everything before anything
is stored, so a malformed response writes nothing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from ..core.mask import mask
from ..core.redact import register_secret
from .errors import MalformedTokenResponseError

__all__ = ["TokenSet", "token_set_from_file", "token_set_from_response"]

FILE_VERSION = 1
# Longer than any real access-token lifetime; a bigger value is a broken server.
_MAX_EXPIRES_IN = 366 * 24 * 3600
# Epoch seconds pass this in the year 5138; a bigger expires_at is milliseconds.
_MILLISECONDS_THRESHOLD = 1e11
_LAST_SECOND = 253_402_300_799  # 9999-12-31 23:59:59 UTC, the last time datetime can show


@dataclass(frozen=True)
class TokenSet:
    """Access and refresh token plus the non-secret facts shown to the user."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float
    mode: str = "max"
    scope: str = ""
    account_email: str | None = None
    account_uuid: str | None = None
    organization_name: str | None = None
    organization_uuid: str | None = None
    obtained_at: float = 0.0
    needs_login: bool = False

    def __post_init__(self) -> None:
        # Tokens loaded, received or saved: masked wherever a server echoes them.
        register_secret(self.access_token)
        register_secret(self.refresh_token)

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token={mask(self.access_token)!r}, "
            f"refresh_token={mask(self.refresh_token)!r}, expires={self.expires_text()!r}, "
            f"account={self.account_email!r}, scope={self.scope!r})"
        )

    __str__ = __repr__

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.scope.split())

    def seconds_left(self, now: float | None = None) -> float:
        return self.expires_at - (time.time() if now is None else now)

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        return self.seconds_left(now) <= seconds

    def expires_text(self, now: float | None = None) -> str:
        """``2026-11-27 18:00 UTC (in 7 h 59 min)`` or ``… (expired 3 min ago)``."""
        when = datetime.fromtimestamp(self.expires_at, tz=timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"
        )
        left = self.seconds_left(now)
        span = _span(abs(left))
        return f"{when} (in {span})" if left > 0 else f"{when} (expired {span} ago)"

    def with_needs_login(self) -> TokenSet:
        return replace(self, needs_login=True)

    def to_file(self) -> dict[str, Any]:
        return {
            "version": FILE_VERSION,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "mode": self.mode,
            "scope": self.scope,
            "account": {"email_address": self.account_email, "uuid": self.account_uuid},
            "organization": {"name": self.organization_name, "uuid": self.organization_uuid},
            "obtained_at": self.obtained_at,
            "needs_login": self.needs_login,
        }


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _sub(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _problem(message: str, status: int | None) -> MalformedTokenResponseError:
    return MalformedTokenResponseError(
        f"the token endpoint sent an unusable response: {message}",
        error="malformed_response",
        error_description=message,
        status_code=status,
    )


def token_set_from_response(
    data: object,
    *,
    mode: str,
    previous: TokenSet | None = None,
    status_code: int | None = None,
    now: float | None = None,
) -> tuple[TokenSet | None, MalformedTokenResponseError | None]:
    """Validate a successful token response; return ``(tokens, None)`` or ``(None, error)``.

    Returns the error instead of raising it so that the caller raises from a
    frame whose locals hold no raw token (``%xmode Verbose`` prints locals).
    On refresh, ``previous`` supplies what the response may omit (RFC 6749
    §6 lets a server keep the old refresh token; the account facts).
    """
    if not isinstance(data, dict):
        return None, _problem("not a JSON object", status_code)
    token_type = data.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        return None, _problem("token_type is not Bearer", status_code)
    access = data.get("access_token")
    if not isinstance(access, str) or not access.strip() or len(access) > 10_000:
        return None, _problem("no access_token", status_code)
    refresh = data.get("refresh_token")
    if refresh is None and previous is not None:
        refresh = previous.refresh_token
    if not isinstance(refresh, str) or not refresh.strip() or len(refresh) > 10_000:
        return None, _problem("no refresh_token", status_code)
    expires_in = data.get("expires_in")
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, (int, float))
        or not math.isfinite(expires_in)
        or not 0 < expires_in <= _MAX_EXPIRES_IN
    ):
        return None, _problem("expires_in is missing or not a sensible number", status_code)
    scope = data.get("scope", previous.scope if previous else "")
    if not isinstance(scope, str):
        return None, _problem("scope is not a string", status_code)
    account, org = _sub(data, "account"), _sub(data, "organization")
    now = time.time() if now is None else now
    tokens = TokenSet(
        access_token=access,
        refresh_token=refresh,
        expires_at=now + float(expires_in),
        mode=mode,
        scope=scope,
        account_email=_str_or_none(account.get("email_address"))
        or (previous.account_email if previous else None),
        account_uuid=_str_or_none(account.get("uuid"))
        or (previous.account_uuid if previous else None),
        organization_name=_str_or_none(org.get("name"))
        or (previous.organization_name if previous else None),
        organization_uuid=_str_or_none(org.get("uuid"))
        or (previous.organization_uuid if previous else None),
        obtained_at=now,
    )
    return tokens, None


def token_set_from_file(data: dict[str, Any]) -> TokenSet | None:
    """A :class:`TokenSet` from the stored JSON, or ``None`` if it is not one."""
    access, refresh = data.get("access_token"), data.get("refresh_token")
    expires_at = data.get("expires_at")
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        return None
    if isinstance(expires_at, bool) or not isinstance(expires_at, (int, float)):
        return None
    if not math.isfinite(expires_at):
        return None
    if expires_at > _MILLISECONDS_THRESHOLD:  # JavaScript tools store milliseconds
        expires_at = expires_at / 1000
    if not 0 <= expires_at <= _LAST_SECOND:
        return None
    account, org = _sub(data, "account"), _sub(data, "organization")
    mode = data.get("mode")
    obtained = data.get("obtained_at")
    scope = data.get("scope")
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        expires_at=float(expires_at),
        mode=mode if mode in ("max", "console") else "max",
        scope=scope if isinstance(scope, str) else "",
        account_email=_str_or_none(account.get("email_address")),
        account_uuid=_str_or_none(account.get("uuid")),
        organization_name=_str_or_none(org.get("name")),
        organization_uuid=_str_or_none(org.get("uuid")),
        obtained_at=float(obtained)
        if isinstance(obtained, (int, float)) and not isinstance(obtained, bool)
        else 0.0,
        needs_login=data.get("needs_login") is True,
    )
