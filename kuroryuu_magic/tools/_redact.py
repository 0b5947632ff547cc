"""The one redaction step every tool result passes (security.md item 22).

Tool results are text built from user objects, so a key sitting in a
DataFrame cell or an environment dump must not travel to the API.  This masks
Anthropic key and token shapes (``sk-ant-api03-…``, ``sk-ant-oat01-…``) plus
any wider ``sk-ant-`` run the prompt renderer already masks.  It is a seam:
when the package-wide redaction module lands, this file should delegate to it.
Imports only :mod:`re` and the masking helper.
"""

from __future__ import annotations

import re

from ..masking import mask

# The documented shapes first; the looser prompt-renderer pattern catches the rest.
_TOKEN = re.compile(r"sk-ant-[a-z]+\d\d-[A-Za-z0-9_-]{20,}|sk-ant-[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    """``text`` with every Anthropic key/token shape replaced by its masked form."""
    if "sk-ant-" not in text:
        return text
    return _TOKEN.sub(lambda m: mask(m.group(0)), text)
