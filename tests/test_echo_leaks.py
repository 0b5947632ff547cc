"""A server that echoes the credential in every error message, in a real kernel (security.md 1, 22).

Every API path answers with an error whose message quotes the active key and the
stored OAuth tokens (plain and URL-encoded): the prompt, the raw SDK error with
``short_errors`` off under ``%xmode Verbose``, ``%claude models``, the key panel's
Test, ``--map``, OAuth Refresh and Diagnose, ``%claude status``.  The saved
notebook (outputs, widget state) and the DEBUG logs of ``kuroryuu_magic``,
``anthropic`` and ``httpx`` must not hold the canary.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.test_key_leaks import _LOGGING, _run, _text

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(240)]

MARKER = "LEAKCANARY"

_CELLS = [
    _LOGGING,
    # Status loads the stored tokens (a server can only echo a token after it was sent,
    # and it is sent only after it was loaded); every fault below echoes all three.
    "%load_ext kuroryuu_magic\n%config ClaudeMagics.max_retries = 0\n%claude status",
    "%%claude\nHello?",
    "%config ClaudeMagics.short_errors = False\n%xmode Verbose",
    "%%claude\nHello again?",
    "%config ClaudeMagics.short_errors = True",
    "%claude models --refresh",
    "import kuroryuu_magic\npanel = kuroryuu_magic.setup_panel()\n"
    "panel.test_button.click()\npanel.wait()\nprint(panel.status)\npanel",
    "things = ['a', 'b']",
    "%%claude --map things -o out --concurrency 1\nSay {item}",
    "print(out, _claude.errors)",
    "from kuroryuu_magic.oauth.panel import LoginPanel\nlogin = LoginPanel('max')\n"
    "login.button('Refresh').click()\nlogin.wait()\nprint(login.status)\n"
    "login.button('Diagnose').click()\nlogin.wait()\nprint(login.status)\nlogin",
    "%claude status",
]


@pytest.fixture
def canaries(tmp_path: Path, fake: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from kuroryuu_magic.core.redact import forget_secret
    from kuroryuu_magic.oauth._tokenset import TokenSet
    from kuroryuu_magic.oauth.tokens import save_tokens
    from kuroryuu_magic.testing import Fault

    values = {
        "key": f"sk-ant-api03-{MARKER}{secrets.token_hex(36)}",
        # No known shape: only the kernel's registry of secrets in use can mask these.
        "access": f"opaque-access-{MARKER}-{secrets.token_hex(20)}",
        "refresh": f"opaque-refresh-{MARKER}-{secrets.token_hex(20)}",
    }
    save_tokens(
        TokenSet(values["access"], values["refresh"], time.time() + 3600, scope="user:inference")
    )
    for value in values.values():
        forget_secret(value)
    monkeypatch.setenv("ANTHROPIC_API_KEY", values["key"])
    monkeypatch.setenv("LEAKTEST_LOG", str(tmp_path / "debug.log"))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    echoed = " / ".join(v for value in values.values() for v in (value, quote(value, safe="")))
    for path in ("/v1/messages", "/v1/models*", "/v1/oauth/token", "/v1/messages/count_tokens"):
        fake.enqueue(
            Fault("status", status=401, message=f"invalid credential {echoed}", path=path, times=50)
        )
    return values


def test_echoed_credentials_appear_nowhere(
    tmp_path: Path, fake: Any, canaries: dict[str, str]
) -> None:
    saved, cells = _run(_CELLS, tmp_path / "echo.ipynb")
    log = Path(os.environ["LEAKTEST_LOG"]).read_text()

    assert MARKER not in saved, "an echoed secret leaked into the saved notebook"
    assert MARKER not in log, "an echoed secret leaked into the DEBUG log"

    # ...and every path really ran and saw the echo.
    assert "401" in _text(cells[2]) and "invalid credential" in _text(cells[2])
    assert "AuthenticationError" in _text(cells[4])
    assert "401" in _text(cells[6])
    assert "rejected (401)" in _text(cells[7])
    assert "ItemError" in _text(cells[10]) and "invalid credential" in _text(cells[10])
    assert "invalid credential" in _text(cells[11])
    notebook = json.loads(saved)
    assert notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    sent = [r.headers.get("authorization", "") for r in fake.requests]
    assert f"Bearer {canaries['key']}" in sent and f"Bearer {canaries['access']}" in sent
    assert "DEBUG" in log and "anthropic" in log
