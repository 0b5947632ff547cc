"""The token store: load, save, refresh with rotation (RFC 6749 §6), log out, status.

Tokens live in one JSON file (``paths.oauth_token_file()``: default
``~/.kuroryuu_anthropic_oauth.json``, or ``KURORYUU_OAUTH_TOKEN_FILE``),
0600 and written atomically through :mod:`kuroryuu_magic.securefile`.  Every
write and every refresh happens under :func:`._lock.token_file_lock`, and a
refresh re-reads the file under the lock: if another process rotated the
tokens meanwhile, we adopt its tokens instead of spending (and clobbering)
them.  ``invalid_grant`` marks the file "log in again" so nothing retries.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core import paths
from ..core.mask import mask
from ..core.secretfiles import (
    CorruptSecretFileError,
    SecretFileError,
    delete_secret_file,
    read_secret_json,
    write_secret_json,
)
from ._config import load_config
from ._http import RedactedBody, post_token_request
from ._lock import lock_state, token_file_lock
from ._tokenset import TokenSet, token_set_from_file
from .errors import InvalidGrantError, LoginRequiredError, NotLoggedInError

if TYPE_CHECKING:  # httpx2 (the SDK's HTTP library) is imported when a request is sent
    from httpx2 import BaseTransport


__all__ = [
    "REFRESH_MARGIN_SECONDS",
    "ensure_fresh",
    "load_tokens",
    "logout",
    "refresh_tokens",
    "save_tokens",
    "token_file",
    "token_status",
]

# Refresh this long before expiry so a token never dies in the middle of a call.
REFRESH_MARGIN_SECONDS = 300.0


def token_file() -> Path:
    return paths.oauth_token_file()


def load_tokens(path: Path | None = None) -> TokenSet | None:
    """The stored tokens, ``None`` if there is no file; ``SecretFileError`` if unusable."""
    path = path or token_file()
    data = read_secret_json(path, private_dir=False)  # by default a file in $HOME
    if data is None:
        return None
    tokens = token_set_from_file(data)
    if tokens is None:
        raise CorruptSecretFileError(
            f"{path} does not hold OAuth tokens; run %claude logout and log in again"
        )
    return tokens


def save_tokens(tokens: TokenSet, path: Path | None = None) -> None:
    """Write ``tokens`` atomically (0600) under the token lock."""
    path = path or token_file()
    with token_file_lock(path):
        # $HOME is not ours to chmod, so only the file itself is made private.
        write_secret_json(path, tokens.to_file(), private_dir=False)


def refresh_tokens(
    *,
    force: bool = True,
    margin: float = REFRESH_MARGIN_SECONDS,
    path: Path | None = None,
    transport: BaseTransport | None = None,
) -> tuple[TokenSet, bool]:
    """Refresh the stored tokens; return ``(tokens, refreshed_by_us)``.

    ``force=False`` refreshes only when the access token expires within
    ``margin`` seconds.  At most one request is made, under the lock; a
    process that finds the tokens rotated by someone else while it waited
    adopts them (``refreshed_by_us`` is False).  ``invalid_grant`` raises
    ``LoginRequiredError`` and marks the file so later calls don't retry.
    """
    path = path or token_file()
    seen = load_tokens(path)
    if seen is None:
        raise NotLoggedInError("not logged in: run %claude login first")
    with token_file_lock(path):
        current = load_tokens(path)
        if current is None:
            raise NotLoggedInError("not logged in (the tokens were deleted): run %claude login")
        if current.refresh_token != seen.refresh_token:
            return current, False  # rotated by another process while we waited
        if current.needs_login:
            raise LoginRequiredError(
                "the stored refresh token was rejected earlier; log in again (%claude login)"
            )
        if not force and not current.expires_within(margin):
            return current, False
        body = RedactedBody(
            grant_type="refresh_token",
            refresh_token=current.refresh_token,
            client_id=load_config(current.mode).client_id,
        )
        try:
            new = post_token_request(
                load_config(current.mode), body, previous=current, transport=transport
            )
        except InvalidGrantError as exc:
            write_secret_json(path, current.with_needs_login().to_file(), private_dir=False)
            raise LoginRequiredError(
                "the refresh token was rejected (invalid_grant); log in again (%claude login)",
                error=exc.error,
                error_description=exc.error_description,
                status_code=exc.status_code,
            ) from None
        write_secret_json(path, new.to_file(), private_dir=False)
        return new, True


def ensure_fresh(*, path: Path | None = None, transport: BaseTransport | None = None) -> TokenSet:
    """The stored tokens, refreshed first if they expire within the margin."""
    tokens, _ = refresh_tokens(force=False, path=path, transport=transport)
    return tokens


def logout(path: Path | None = None) -> str:
    """Delete the stored tokens; a one-line message saying what happened."""
    path = path or token_file()
    with token_file_lock(path):
        removed = delete_secret_file(path)
    if removed:
        return f"Logged out: deleted the OAuth tokens in {path}."
    return f"Not logged in: no OAuth tokens at {path}."


def token_status(path: Path | None = None) -> list[tuple[str, str]]:
    """Rows for ``%claude status``: logged in?, account, expiry; tokens only masked."""
    path = path or token_file()
    busy = lock_state(path)
    lock_row = [("token lock", busy)] if busy else []
    try:
        tokens = load_tokens(path)
    except SecretFileError as exc:
        return [("login", f"token file unusable: {exc}"), *lock_row]
    if tokens is None:
        return [("login", "not logged in (diagnostics only: %claude login)"), *lock_row]
    state = "log in again (refresh token rejected)" if tokens.needs_login else "logged in"
    return [
        ("login", f"{state} (mode {tokens.mode}; diagnostics only, not used for calls)"),
        ("account", tokens.account_email or "(unknown)"),
        ("organization", tokens.organization_name or "(unknown)"),
        ("scopes", tokens.scope or "(none)"),
        ("access token", f"{mask(tokens.access_token)}, expires {tokens.expires_text()}"),
        ("token file", str(path)),
        *lock_row,
    ]
