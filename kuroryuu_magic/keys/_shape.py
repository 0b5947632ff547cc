"""Check that a pasted string looks like an Anthropic API key before we store it.

Catches the usual paste accidents (surrounding whitespace or quotes, a copied
``ANTHROPIC_API_KEY=`` or ``export`` prefix, a line break, a truncated key) and
the wrong kind of credential (an OAuth or Admin token).  Messages describe the
problem by position and kind, never by quoting the input.
"""

from __future__ import annotations

import re

from ..core.redact import hides_secret_args, register_secret

__all__ = ["KeyShapeError", "normalize_key"]

API_KEY_PREFIX = "sk-ant-"
# Real keys are ~108 characters; the bounds only catch truncation and run-on pastes.
_MIN_LENGTH = 40
_MAX_LENGTH = 256
_ALLOWED = re.compile(r"[A-Za-z0-9_-]")
# `export ANTHROPIC_API_KEY=…`, `ANTHROPIC_API_KEY: …`, `x-api-key: …`, `Bearer …`
_LABEL = re.compile(
    r"^(?:export\s+|set\s+|\$env:)?"
    r"(?:ANTHROPIC_API_KEY|api[_-]?key|x-api-key|authorization)\s*[:=]\s*",
    re.IGNORECASE,
)
_BEARER = re.compile(r"^bearer\s+", re.IGNORECASE)
_QUOTES = "\"'`"
_OTHER_TOKENS = {
    "sk-ant-oat": "an OAuth access token (from a Claude subscription login)",
    "sk-ant-ort": "an OAuth refresh token",
    "sk-ant-admin": "an Admin API key, which cannot call the Messages API",
}


class KeyShapeError(ValueError):
    """The input does not look like an Anthropic API key.  The message never quotes it."""


def _strip_wrapping(text: str) -> str:
    text = text.strip()
    text = _LABEL.sub("", text, count=1).strip()
    text = _BEARER.sub("", text, count=1).strip()
    text = text.rstrip(";").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in _QUOTES:
        text = text[1:-1].strip()
    return text


@hides_secret_args
def normalize_key(raw: str) -> str:
    """The API key in ``raw`` with paste accidents removed, or ``KeyShapeError``.

    Tolerated and removed: surrounding whitespace, matching quotes, a
    ``ANTHROPIC_API_KEY=`` / ``export …=`` / ``x-api-key:`` / ``Bearer`` prefix.
    Refused: empty input, inner whitespace, characters keys never contain,
    a missing ``sk-ant-`` prefix, OAuth and Admin tokens, implausible lengths.
    """
    if not isinstance(raw, str):
        raise KeyShapeError("The API key must be text.")
    key = _strip_wrapping(raw)
    if not key:
        raise KeyShapeError(
            "No key entered: paste your Anthropic API key (it starts with sk-ant-)."
        )
    for index, char in enumerate(key, start=1):
        if char.isspace():
            raise KeyShapeError(
                f"The key contains a space or line break at character {index}; "
                "copy it again in one piece."
            )
    for prefix, kind in _OTHER_TOKENS.items():
        if key.startswith(prefix):
            raise KeyShapeError(
                f"That is {kind}, not an API key. Create an API key at "
                "https://console.anthropic.com/settings/keys and paste that."
            )
    if not key.startswith(API_KEY_PREFIX):
        raise KeyShapeError(
            "Anthropic API keys start with sk-ant-; check that you copied the whole key "
            "from https://console.anthropic.com/settings/keys."
        )
    for index, char in enumerate(key, start=1):
        if not _ALLOWED.fullmatch(char):
            raise KeyShapeError(
                f"The key contains a character API keys never have, at character {index}; "
                "copy it again from the console."
            )
    if len(key) < _MIN_LENGTH:
        raise KeyShapeError(
            f"The key is too short ({len(key)} characters); it looks cut off, copy it again."
        )
    if len(key) > _MAX_LENGTH:
        raise KeyShapeError(
            f"The input is too long ({len(key)} characters) to be one API key; paste only the key."
        )
    if key.count(API_KEY_PREFIX) > 1:
        raise KeyShapeError("The input holds more than one key; paste only one.")
    register_secret(key)  # about to be used or stored: mask it wherever a server echoes it
    return key
