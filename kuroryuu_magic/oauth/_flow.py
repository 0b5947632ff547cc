"""The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636), step by step.

1. :func:`start_login` makes a :class:`LoginAttempt`: a fresh verifier, an
   independent ``state`` and the authorization URL (``code=true`` makes the
   callback page show ``CODE#STATE`` for the user to copy).
2. :func:`parse_pasted` reads what the user pasted: ``CODE#STATE`` or the
   whole callback URL (whitespace tolerated).
3. :func:`check_callback` rejects a missing code, a server error such as
   ``access_denied``, a missing or wrong state, or a reused attempt, all
   before any network request (RFC 6749 §10.12).
4. :func:`exchange_code` posts the code and verifier to the token endpoint.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

from ..core.redact import Secret
from ._config import OAuthConfig, load_config
from ._http import RedactedBody, post_token_request
from ._lock import token_file_lock
from ._pkce import code_challenge, new_state, new_verifier
from ._tokenset import TokenSet
from .errors import (
    AuthorizationDeniedError,
    MissingCodeError,
    ReplayedCodeError,
    StateMismatchError,
)
from .tokens import save_tokens, token_file

if TYPE_CHECKING:  # httpx2 (the SDK's HTTP library) is imported when a request is sent
    from httpx2 import BaseTransport


__all__ = [
    "Callback",
    "LoginAttempt",
    "build_authorize_url",
    "check_callback",
    "complete_login",
    "exchange_code",
    "parse_pasted",
    "start_login",
]


def build_authorize_url(config: OAuthConfig, challenge: str, state: str) -> str:
    """The authorization request URL (RFC 6749 §4.1.1 plus RFC 7636 §4.3)."""
    query = urlencode(
        {
            "code": "true",
            "client_id": config.client_id,
            "response_type": "code",
            "redirect_uri": config.redirect_uri,
            "scope": config.scope,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        }
    )
    sep = "&" if urlsplit(config.authorize_url).query else "?"
    return f"{config.authorize_url}{sep}{query}"


@dataclass
class LoginAttempt:
    """One login: its verifier and state stay in this object and are used once."""

    config: OAuthConfig
    verifier: str = field(repr=False)
    state: str = field(repr=False)
    used: bool = False

    @property
    def authorize_url(self) -> str:
        return build_authorize_url(self.config, code_challenge(self.verifier), self.state)


def start_login(mode: str = "max", config: OAuthConfig | None = None) -> LoginAttempt:
    """A fresh :class:`LoginAttempt` for ``mode`` (``max`` or ``console``)."""
    return LoginAttempt(config or load_config(mode), new_verifier(), new_state())


@dataclass(frozen=True)
class Callback:
    """What the user pasted, split into its parts."""

    code: str | None = field(default=None, repr=False)
    state: str | None = field(default=None, repr=False)
    error: str | None = None
    error_description: str | None = None


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0].strip() or None if values else None


def parse_pasted(text: str) -> Callback:
    """``CODE#STATE`` or a callback URL (``?code=…&state=…``) → :class:`Callback`."""
    text = "".join(text.split())  # copy-paste adds spaces and line breaks anywhere
    if not text:
        return Callback()
    if "://" in text or text.startswith("?"):
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        fragment = parse_qs(parts.fragment)
        code = _first(query, "code") or _first(fragment, "code")
        state = _first(query, "state") or _first(fragment, "state")
        if code and not state and parts.fragment and "=" not in parts.fragment:
            state = parts.fragment  # ``?code=CODE#STATE``
        error = _first(query, "error") or _first(fragment, "error")
        desc = _first(query, "error_description") or _first(fragment, "error_description")
        return Callback(code, state, error, desc)
    code, _, state = text.partition("#")
    return Callback(code or None, state or None)


def _reveal(value: str | Secret) -> str:
    return value.reveal() if isinstance(value, Secret) else value


def check_callback(attempt: LoginAttempt, pasted: str | Secret) -> Secret:
    """The authorization code, once every local check passed; else a ``CallbackError``.

    Returned wrapped: ``%xmode Verbose`` prints arguments and locals of every frame,
    and the code is still a secret until the token endpoint has spent it.
    """
    callback = parse_pasted(_reveal(pasted))
    if callback.error:
        detail = f": {callback.error_description}" if callback.error_description else ""
        raise AuthorizationDeniedError(
            f"the authorization page answered {callback.error}{detail}; start the login again",
            error=callback.error,
            error_description=callback.error_description,
        )
    if not callback.code:
        raise MissingCodeError(
            "no authorization code found; paste the CODE#STATE shown after you approve",
            error="missing_code",
        )
    if attempt.used:
        raise ReplayedCodeError(
            "this login was already completed or tried; start a new login for a new code",
            error="replayed_code",
        )
    if not callback.state or not hmac.compare_digest(
        callback.state.encode(), attempt.state.encode()
    ):
        raise StateMismatchError(
            "the pasted state does not match this login (paste CODE#STATE from this login's "
            "page, or start again)",
            error="state_mismatch",
        )
    return Secret(callback.code)


def exchange_code(
    attempt: LoginAttempt, code: str | Secret, *, transport: BaseTransport | None = None
) -> TokenSet:
    """Trade ``code`` for tokens (RFC 6749 §4.1.3, with the PKCE verifier).

    Marks the attempt used first: an authorization code is single-use, so a
    second try must come from a new login.
    """
    if attempt.used:
        raise ReplayedCodeError(
            "this login was already completed or tried; start a new login for a new code",
            error="replayed_code",
        )
    attempt.used = True
    body = RedactedBody(
        grant_type="authorization_code",
        code=_reveal(code),
        state=attempt.state,
        client_id=attempt.config.client_id,
        redirect_uri=attempt.config.redirect_uri,
        code_verifier=attempt.verifier,
    )
    return post_token_request(attempt.config, body, transport=transport)


def complete_login(
    attempt: LoginAttempt,
    pasted: str | Secret,
    *,
    transport: BaseTransport | None = None,
    path: Path | None = None,
) -> TokenSet:
    """Check what was pasted, exchange the code, store the tokens; return them.

    Pass ``pasted`` as a :class:`~kuroryuu_magic.core.redact.Secret` so no frame of a
    traceback (``%xmode Verbose``) shows the ``CODE#STATE``.
    """
    code = check_callback(attempt, pasted)
    # The lock first: if another process holds it (or the file's place is unusable) we
    # fail before the single-use code is spent, not after, with tokens we could not keep.
    with token_file_lock(path or token_file()):
        tokens = exchange_code(attempt, code, transport=transport)
        save_tokens(tokens, path)
    return tokens
