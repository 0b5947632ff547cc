"""Fake Claude OAuth 2.0 server: authorize (PKCE S256, RFC 7636) and the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
DEFAULT_SCOPE = "org:create_api_key user:profile user:inference"
REAL_REDIRECTS = (
    "https://platform.claude.com/oauth/code/callback",
    "https://console.anthropic.com/oauth/code/callback",
)
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_LOOPBACK_CALLBACK = re.compile(r"^http://(localhost|127\.0\.0\.1)(:\d+)?/callback$")


class OAuthError(ValueError):
    """A rejected authorize request (bad client, redirect, PKCE or state)."""


def s256(verifier: str) -> str:
    """base64url(sha256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthServer:
    """State of the fake authorization server; thread-safe."""

    def __init__(self, redirect_uri: str, expires_in: int) -> None:
        self.redirect_uri = redirect_uri
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.codes: dict[str, dict[str, str]] = {}
        self.used_codes: set[str] = set()
        self.access_expiry: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.refresh_count = 0
        self.challenges: list[str] = []

    # -- authorize ---------------------------------------------------------------
    def _check_authorize(self, query: dict[str, str]) -> None:
        if query.get("client_id") != CLIENT_ID:
            raise OAuthError("invalid_client: unknown client_id")
        if query.get("response_type") != "code":
            raise OAuthError("unsupported_response_type: response_type must be code")
        redirect = query.get("redirect_uri", "")
        if not (
            redirect == self.redirect_uri
            or redirect in REAL_REDIRECTS
            or _LOOPBACK_CALLBACK.match(redirect)
        ):
            raise OAuthError("invalid_request: redirect_uri is not registered for this client")
        if query.get("code_challenge_method") != "S256":
            raise OAuthError("invalid_request: code_challenge_method must be S256")
        if not _CHALLENGE.match(query.get("code_challenge", "")):
            raise OAuthError("invalid_request: code_challenge must be 43 base64url characters")
        if not query.get("state"):
            raise OAuthError("invalid_request: state is required")

    def authorize(self, query: dict[str, str]) -> str:
        """Validate an authorize request and return ``CODE#STATE``."""
        self._check_authorize(query)
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.challenges.append(query["code_challenge"])
            self.codes[code] = {
                "client_id": query["client_id"],
                "redirect_uri": query["redirect_uri"],
                "challenge": query["code_challenge"],
                "state": query["state"],
                "scope": query.get("scope") or DEFAULT_SCOPE,
            }
        return f"{code}#{query['state']}"

    def approve(self, authorize_url: str) -> str:
        return self.authorize(dict(parse_qsl(urlsplit(authorize_url).query)))

    def deny(self, authorize_url: str) -> str:
        """The callback URL a user who clicks "Deny" is sent to."""
        query = dict(parse_qsl(urlsplit(authorize_url).query))
        self._check_authorize(query)
        params = {
            "error": "access_denied",
            "error_description": "The user denied the request",
            "state": query["state"],
        }
        return f"{query['redirect_uri']}?{urlencode(params)}"

    # -- token endpoint -----------------------------------------------------------
    def token(self, content_type: str, raw: str) -> tuple[int, dict[str, Any]]:
        """Answer ``POST /v1/oauth/token``: (status, JSON body)."""
        kind = content_type.split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            # RFC 6749 §4.1.3: public clients post form-encoded bodies; accepted too.
            body: object = dict(parse_qsl(raw, keep_blank_values=True))
        elif kind == "application/json":
            try:
                body = json.loads(raw)
            except ValueError:
                return _err(400, "invalid_request", "Request body is not valid JSON")
        else:
            return _err(
                400,
                "invalid_request",
                "Content-Type must be application/json or application/x-www-form-urlencoded",
            )
        if not isinstance(body, dict):
            return _err(400, "invalid_request", "Request body must be a JSON object")
        if body.get("client_id") != CLIENT_ID:
            return _err(401, "invalid_client", "Client authentication failed")
        grant = body.get("grant_type")
        if grant == "authorization_code":
            return self._exchange(body)
        if grant == "refresh_token":
            return self._refresh(body)
        return _err(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")

    def _exchange(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        for name in ("code", "redirect_uri", "code_verifier", "state"):
            if not isinstance(body.get(name), str) or not body[name]:
                return _err(400, "invalid_request", f"Missing required parameter: {name}")
        with self.lock:
            code = body["code"]
            if code in self.used_codes:
                return _err(400, "invalid_grant", "Authorization code has already been used")
            grant = self.codes.pop(code, None)
            if grant is None:
                return _err(400, "invalid_grant", "Invalid authorization code")
            self.used_codes.add(code)
            if body["redirect_uri"] != grant["redirect_uri"]:
                return _err(400, "invalid_grant", "redirect_uri does not match")
            if body["state"] != grant["state"]:
                return _err(400, "invalid_grant", "state does not match")
            if s256(body["code_verifier"]) != grant["challenge"]:
                return _err(400, "invalid_grant", "Invalid code_verifier")
            return 200, self._issue(grant["scope"])

    def _refresh(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        token = body.get("refresh_token")
        with self.lock:
            if not isinstance(token, str) or token not in self.refresh_tokens:
                return _err(400, "invalid_grant", "Refresh token not found or invalid")
            self.refresh_tokens.discard(token)  # rotation: the old token dies now
            self.refresh_count += 1
            return 200, self._issue(body.get("scope") or DEFAULT_SCOPE)

    def _issue(self, scope: str) -> dict[str, Any]:
        access = "sk-ant-oat01-" + secrets.token_urlsafe(48)
        refresh = "sk-ant-ort01-" + secrets.token_urlsafe(48)
        self.access_expiry[access] = time.time() + self.expires_in
        self.refresh_tokens.add(refresh)
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.expires_in,
            "scope": scope,
            "organization": {"uuid": str(uuid.uuid4()), "name": "Fake Organization"},
            "account": {"uuid": str(uuid.uuid4()), "email_address": "fake.user@example.com"},
        }


def _err(status: int, error: str, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": error, "error_description": description}


def callback_page(code_and_state: str | None, error: str | None = None) -> str:
    """The page the real callback shows with ``code=true``: the code to paste."""
    if error is not None:
        inner = f'<p id="error">{html.escape(error)}</p>'
    else:
        inner = (
            "<p>Paste this code into the application:</p>"
            f'<code id="code">{html.escape(code_and_state or "")}</code>'
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Fake Claude sign-in</title>"
        f"</head><body><h1>Fake Claude authorization</h1>{inner}</body></html>"
    )
