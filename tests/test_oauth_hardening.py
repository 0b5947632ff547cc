"""OAuth hardening (issue 11 item 3): no bearer token over plain http to a remote API, and
no ``CODE#STATE`` in a ``%xmode Verbose`` traceback of the terminal login."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from kuroryuu_magic.oauth._tokenset import TokenSet
from kuroryuu_magic.oauth.diagnose import diagnose
from kuroryuu_magic.oauth.tokens import save_tokens


def _tokens() -> TokenSet:
    return TokenSet(
        "sk-ant-oat01-" + "a" * 60, "sk-ant-ort01-" + "b" * 60, time.time() + 3600, scope="x"
    )


@pytest.mark.parametrize(
    "base_url", ["http://api.example.com", "http://10.0.0.8:8080", "ftp://api.example.com"]
)
def test_diagnose_refuses_plain_http_to_a_remote_base_url(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx2

    api_calls: list[str] = []

    def handler(request: Any) -> Any:
        if request.url.path.endswith("/oauth/token"):
            body = {"access_token": "sk-ant-oat01-" + "c" * 60, "expires_in": 3600}
            return httpx2.Response(200, json={**body, "refresh_token": "sk-ant-ort01-" + "d" * 60})
        api_calls.append(str(request.url))
        return httpx2.Response(200, json={"type": "message"})

    save_tokens(_tokens())
    monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url)
    result = diagnose(transport=httpx2.MockTransport(handler))
    assert api_calls == []  # the bearer token never left
    last = result.checks[-1]
    assert last.ok is False and "not an https URL" in last.detail and base_url in last.detail
    assert result.verdict.startswith("Nothing was sent")


def test_diagnose_still_calls_a_loopback_http_fake(fake: Any) -> None:
    from kuroryuu_magic.oauth import _flow as flow

    attempt = flow.start_login("max")
    flow.complete_login(attempt, fake.approve(attempt.authorize_url))
    result = diagnose()
    assert result.status_code == 400 and fake.messages_requests()


def test_verbose_traceback_of_the_terminal_login_shows_no_code(
    ip: Any, fake: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kuroryuu_magic.oauth import _flow as flow

    seen: dict[str, str] = {}

    def print_fn(line: str) -> None:
        if line.startswith(fake.base_url + "/oauth/authorize"):
            seen["url"] = line

    def input_fn(prompt: str) -> str:
        seen["pasted"] = fake.approve(seen["url"])
        return seen["pasted"]

    def failing_save(tokens: TokenSet, path: Any = None) -> None:
        raise RuntimeError("the disk is on fire")  # any unexpected failure after the exchange

    monkeypatch.setattr(flow, "save_tokens", failing_save)
    ip.user_ns.update(print_fn=print_fn, input_fn=input_fn)
    ip.run_line_magic("xmode", "Verbose")
    ip.run_cell(
        "from kuroryuu_magic.oauth._terminal import terminal_login\n"
        "terminal_login(input_fn=input_fn, print_fn=print_fn, run_diagnosis=False)"
    )
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "the disk is on fire" in text and "complete_login" in text  # Verbose ran
    code, _, state = seen["pasted"].partition("#")
    assert code not in text and state not in text and seen["pasted"] not in text
    assert json.dumps(code) not in text
