"""One redaction step for text from outside the process (security.md 1, 22).

Unit tests of :func:`kuroryuu_magic.core.redact.redact`, then every error path in
process against a fake server that echoes the credential in its error messages:
the magic's one-line error (and the raw SDK error with ``short_errors`` off),
``%claude models``, the key panel's Test status, ``--map``'s ``ItemError``, batch
result errors, OAuth Refresh and Diagnose.  Outputs, exceptions, widget state and
the DEBUG logs of ``kuroryuu_magic``, ``anthropic`` and ``httpx`` are grepped for
the canary.  (The saved-notebook side is in ``test_echo_leaks.py``.)
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import ipywidgets as widgets
import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.core.errors import ClaudeAPIError, describe_api_error
from kuroryuu_magic.core.redact import (
    Secret,
    forget_secret,
    redact,
    redact_exception,
    register_secret,
)
from kuroryuu_magic.testing import Fault
from tests.conftest import run_cell

CANARY = "LEAKCANARY"


def _key() -> str:
    return f"sk-ant-api03-{CANARY}{secrets.token_hex(36)}"


# -- the step itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix", ["sk-ant-api03-", "sk-ant-oat01-", "sk-ant-ort01-", "sk-ant-admin01-"]
)
def test_key_and_token_shapes_are_masked_anywhere(prefix: str) -> None:
    secret = prefix + CANARY + secrets.token_urlsafe(40)
    for text in (secret, f"invalid x-api-key {secret}.", f'{{"m":"{secret}"}}', f"a{secret}b"):
        shown = redact(text)
        assert CANARY not in shown and "sk-ant-…" in shown


def test_url_and_json_escaped_keys_are_masked_in_place() -> None:
    key = _key()
    every_char = "".join(f"%{ord(c):02X}" for c in key)
    json_escaped = "\\u0073" + key[1:]
    for text in (
        f"url={quote(key, safe='')}&x=1",
        f"url={every_char}",
        json.dumps({"error": {"message": json_escaped}}),
        json.dumps(json.dumps({"message": json_escaped})),  # a JSON string inside JSON
    ):
        shown = redact(text)
        assert CANARY not in shown, text
    assert redact(f"url={quote(key)}&x=1").endswith("&x=1")


def test_registered_secrets_of_any_shape_are_masked() -> None:
    token = f"oat-{CANARY}-{secrets.token_hex(20)}"
    assert redact(f"token {token} refused") == f"token {token} refused"  # no known shape
    register_secret(token)
    try:
        for text in (f"token {token} refused", quote(token), json.dumps(token), token * 2):
            assert CANARY not in redact(text)
        assert redact(f"x {token} y").startswith("x …") and redact(f"x {token} y").endswith(" y")
    finally:
        forget_secret(token)
    assert CANARY in redact(token)


def test_labelled_tokens_and_url_passwords_are_masked() -> None:
    opaque = "Zm9vYmFy" + secrets.token_hex(12)
    for text in (
        f"Authorization: Bearer {opaque}",
        f'{{"access_token": "{opaque}", "token_type": "Bearer"}}',
        f"refresh_token={opaque}&client_id=x",
        f"x-api-key: {opaque}",
    ):
        assert opaque not in redact(text), text
    assert redact("https://me:hunter2hunter2@proxy.example/v1") == "https://me:***@proxy.example/v1"


def test_ordinary_text_is_left_alone() -> None:
    for text in (
        "OAuth token has expired. Please refresh.",
        "keys start with sk-ant-; yours is sk-ant-…wxyz",
        "Bearer tokens need the anthropic-beta header",
        "100% done, path C:\\Users\\me",
        "",
    ):
        assert redact(text) == text
    masked = redact(_key())
    assert redact(masked) == masked  # idempotent


def test_short_values_are_not_registered_and_odd_input_never_raises() -> None:
    register_secret("abc")
    assert redact("abc abc") == "abc abc"
    assert redact(None) == "None" and redact(42) == "42"

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert redact(Broken()) == "(unprintable)"


def test_secret_wrapper_never_shows_its_value() -> None:
    value = f"code-{CANARY}-" + secrets.token_hex(16)
    s = Secret(value)
    assert CANARY not in repr(s) and CANARY not in str(s) and CANARY not in f"{s}"
    assert s.reveal() == value and CANARY not in redact(f"pasted {value}")
    with pytest.raises(TypeError):
        __import__("pickle").dumps(s)


def test_redact_exception_cleans_args_message_and_body() -> None:
    key = _key()
    exc = ValueError(f"Error code: 401 - {{'message': 'invalid x-api-key {key}'}}")
    exc.body = {"error": {"message": f"invalid {key}"}, "n": [key]}  # type: ignore[attr-defined]
    exc.message = f"invalid {key}"  # type: ignore[attr-defined]
    redact_exception(exc)
    assert CANARY not in str(exc) + repr(exc.body) + exc.message  # type: ignore[attr-defined]


# -- a server that echoes the credential --------------------------------------------------


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path)
    handler.setLevel(logging.DEBUG)
    names = ("kuroryuu_magic", "anthropic", "httpx", "httpx2", "httpcore", "httpcore2")
    saved = {n: logging.getLogger(n).level for n in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(handler)
    yield path
    for name in names:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).setLevel(saved[name])
    handler.close()


@pytest.fixture
def echo(fake: Any, monkeypatch: pytest.MonkeyPatch, debug_log: Path) -> dict[str, Any]:
    """The canary key is active; ``say(path)`` makes the fake echo it (and its escapes)."""
    key = _key()
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)

    def say(path: str = "/v1/messages", status: int = 401, times: int = 1, *extra: str) -> None:
        words = [key, quote(key, safe=""), *extra]
        fake.enqueue(
            Fault(
                "status",
                status=status,
                error_type="authentication_error" if status == 401 else None,
                message="invalid x-api-key " + " / ".join(words),
                path=path,
                times=times,
            )
        )

    return {"key": key, "say": say, "log": debug_log}


def _all_state(widget: widgets.Widget) -> str:
    parts = [json.dumps(widget.get_state(), default=str)]
    for child in getattr(widget, "children", ()):
        parts.append(_all_state(child))
    return "\n".join(parts)


def _clean(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text, text[:2000]


def test_prompt_401_echo_is_masked_in_the_one_line_error(ip, echo, capsys) -> None:
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    echo["say"]()
    with pytest.raises(ClaudeAPIError) as info:
        run_cell(ip, "%%claude\nhello")
    message = str(info.value)
    assert message.startswith("Claude API error 401 authentication_error") and "sk-ant-…" in message
    out = capsys.readouterr()
    _clean(message, "".join(info.value._render_traceback_()), out.out, out.err)
    _clean(echo["log"].read_text())


def test_prompt_echo_is_masked_with_short_errors_off(ip, echo, capsys) -> None:
    import anthropic

    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    ip.run_line_magic("config", "ClaudeMagics.short_errors = False")
    echo["say"](status=400)
    with pytest.raises(anthropic.APIStatusError) as info:
        run_cell(ip, "%%claude\nhello")
    exc = info.value
    assert exc.status_code == 400
    out = capsys.readouterr()
    _clean(str(exc), repr(exc.args), repr(exc.body), exc.message, out.out, out.err)


def test_models_listing_echo_is_masked(ip, echo, capsys) -> None:
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    echo["say"]("/v1/models*", status=401)
    with pytest.raises(ClaudeAPIError) as info:
        run_cell(ip, "%claude models --refresh")
    out = capsys.readouterr()
    _clean(str(info.value), out.out, out.err, echo["log"].read_text())


def test_key_panel_test_status_is_masked(echo) -> None:
    from kuroryuu_magic.keys import chain
    from kuroryuu_magic.keys.panel import SetupPanel

    echo["say"]("/v1/models*", status=500, times=2)
    check = chain.check_key()
    assert check.verdict == "error" and "500" in check.message
    _clean(check.message, repr(check))

    panel = SetupPanel()
    try:
        echo["say"]("/v1/models*", status=500)
        panel.test_button.click()
        panel.wait(30)
        assert "500" in panel.status
        _clean(panel.status, _all_state(panel), echo["log"].read_text())
    finally:
        panel.close()


def test_map_item_errors_are_masked(ip, echo, capsys) -> None:
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.user_ns["things"] = ["a", "b", "c"]
    echo["say"](status=400, times=3)
    run_cell(ip, "%%claude --map things -o out --concurrency 1\nSay {item}")
    errors = ip.user_ns["_claude"].errors
    assert len(errors) == 3 and all("400" in str(e) for e in errors)
    out = capsys.readouterr()
    _clean(*(str(e) + repr(e) for e in errors), repr(ip.user_ns["out"]), out.out, out.err)
    _clean(echo["log"].read_text())


def test_item_error_from_any_exception_is_masked() -> None:
    from kuroryuu_magic.map._results import ItemError

    key = _key()
    padded = "x" * 290 + key  # cut at 300 characters: half a key must not survive either
    for exc in (RuntimeError(f"boom {key}"), RuntimeError(padded)):
        err = ItemError.from_exception(exc, index=0)
        _clean(str(err), repr(err))
        assert "sk-ant-api03-" not in str(err)


def test_batch_result_errors_are_masked() -> None:
    from kuroryuu_magic.map._batches import _errored

    key = _key()
    result = SimpleNamespace(
        error=SimpleNamespace(
            request_id="req_1",
            error=SimpleNamespace(type="authentication_error", message=f"bad key {key}"),
        )
    )
    err = _errored(result)
    assert "authentication_error" in str(err)
    _clean(str(err), repr(err))


def test_api_error_detail_is_redacted_before_it_is_cut(fake: Any) -> None:
    import anthropic

    key = _key()
    fake.enqueue(Fault("status", status=400, message="x" * 180 + key, path="/v1/models*"))
    client = anthropic.Anthropic(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as info:
        client.models.list()
    message = describe_api_error(info.value)
    assert "sk-ant-api" not in message and CANARY not in message


# -- OAuth: Refresh and Diagnose when the token endpoint and the API echo tokens ----------


def _store_canary_tokens() -> dict[str, str]:
    from kuroryuu_magic.oauth._tokenset import TokenSet
    from kuroryuu_magic.oauth.tokens import save_tokens

    # Shapes no pattern knows: only the registry of secrets in use can mask them.
    access = f"opaque-access-{CANARY}-{secrets.token_hex(20)}"
    refresh = f"opaque-refresh-{CANARY}-{secrets.token_hex(20)}"
    save_tokens(TokenSet(access, refresh, expires_at=time.time() + 3600, scope="user:inference"))
    for value in (access, refresh):
        forget_secret(value)  # as in a fresh kernel: registered again when loaded
    return {"access": access, "refresh": refresh}


def test_oauth_refresh_and_diagnose_mask_echoed_tokens(fake: Any, debug_log: Path) -> None:
    from kuroryuu_magic.oauth.diagnose import diagnose
    from kuroryuu_magic.oauth.panel import LoginPanel

    tokens = _store_canary_tokens()
    echoed = f"bad grant {tokens['refresh']} for {tokens['access']} ({quote(tokens['refresh'])})"
    fake.enqueue(Fault("status", status=400, message=echoed, path="/v1/oauth/token", times=3))
    fake.enqueue(Fault("status", status=401, message=f"token {tokens['access']}", times=2))

    result = diagnose()
    assert any(c.ok is False for c in result.checks)
    assert "bad grant" in result.to_text() and "token …" in result.to_text()
    _clean(result.to_text(), result._repr_html_(), repr(result))

    panel = LoginPanel("max", threaded=False)
    try:
        panel.button("Refresh").click()
        assert "bad grant" in panel.status
        _clean(panel.status, _all_state(panel))
        panel.button("Diagnose").click()
        _clean(panel.status, panel.report, _all_state(panel))
    finally:
        panel.close()
    _clean(debug_log.read_text())


def test_oauth_errors_mask_what_the_server_said() -> None:
    from kuroryuu_magic.oauth.errors import TokenEndpointError

    key = _key()
    err = TokenEndpointError(f"refused: {key}", error=key, error_description=f"echo {key}")
    _clean(str(err), err.error or "", err.error_description or "")


def test_terminal_usage_errors_from_oauth_are_masked(fake: Any) -> None:
    from kuroryuu_magic.oauth.tokens import refresh_tokens

    tokens = _store_canary_tokens()
    fake.enqueue(
        Fault("status", status=400, message=f"no {tokens['refresh']}", path="/v1/oauth/token")
    )
    with pytest.raises(Exception) as info:
        refresh_tokens(force=True)
    _clean(str(info.value))
    assert not isinstance(info.value, UsageError)


# -- linear and bounded (issue 19) ------------------------------------------------------------

# Each made of one unit repeated: the shapes that made a pattern rescan a run from many
# start positions (``a-a-a-…`` with a ``://`` and an ``@`` took 33 s at 128 KB), and the
# ones that make the most matches or escapes.
HOSTILE_UNITS = {
    "scheme run": "a-",
    "userinfo": "a://b:cc@",
    "labels": "api_key=abcdefghijklmnopqrst1 ",
    "bearer": "bearer ",
    "key shapes": "sk-ant-abcdefg ",
    "url escapes": "%2541",
    "json escapes": "\\\\",
    "escaped keys": "sk%2Dant%2Dapi03xxxxxxxx ",
}


def _hostile(unit: str, size: int) -> str:
    text = (unit * (size // len(unit) + 1))[:size]
    return f"://@ {text}"  # the cheap gates (``://`` and ``@``) open for every pattern


def _cpu_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        redact(text)
        best = min(best, time.process_time() - start)
    return max(best, 1e-4)


@pytest.mark.parametrize("name", list(HOSTILE_UNITS))
def test_redaction_is_linear_in_the_input(name: str) -> None:
    # CPU time of this process (not wall time, which other work on the machine skews), for
    # input 8x longer: linear work grows ~8x, the old quadratic pattern ~64x.
    unit = HOSTILE_UNITS[name]
    small, large = _cpu_seconds(_hostile(unit, 16_000)), _cpu_seconds(_hostile(unit, 128_000))
    assert large / small < 24, f"{name}: {small:.4f}s -> {large:.4f}s for 8x the input"


def test_redaction_cuts_before_it_scans() -> None:
    from kuroryuu_magic.core.redact import MAX_REDACT_CHARS

    key = _key()
    text = key + " " + _hostile("a-", 10_000_000)  # 10 MB of hostile text after a key
    shown = redact(text)
    assert CANARY not in shown and shown.startswith("sk-ant-…")
    assert len(shown) < MAX_REDACT_CHARS + 100 and "characters cut before redaction" in shown
    # Text within the bound is never cut.
    assert redact("x" * 1000) == "x" * 1000


def test_ctrl_c_while_redacting_is_one_quiet_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from kuroryuu_magic.core import redact as redact_module
    from kuroryuu_magic.core.errors import ClaudeInterrupted

    def interrupted(text: str, secrets: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(redact_module, "_spans", interrupted)
    with pytest.raises(ClaudeInterrupted) as info:
        redact("anything")
    assert info.value.__suppress_context__
    [line] = info.value._render_traceback_()
    assert "masking secrets" in line and "\n" not in line


def test_a_huge_server_error_is_one_short_line_and_ctrl_c_in_it_no_traceback(
    ip: Any, fake: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuroryuu_magic.core import redact as redact_module

    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    key = _key()
    message = key + " " + "a-" * 100_000 + " ://@"
    fake.enqueue(Fault("status", status=400, message=message))
    result = ip.run_cell("%claude --no-history hi")
    assert isinstance(result.error_in_exec, ClaudeAPIError)
    text = str(result.error_in_exec)
    assert "\n" not in text and len(text) < 600 and CANARY not in text

    real = redact_module._spans

    def interrupted(text: str, secrets: Any) -> Any:
        if "a-a-a-" in text:  # the server's message, not anything before it
            raise KeyboardInterrupt
        return real(text, secrets)

    monkeypatch.setattr(redact_module, "_spans", interrupted)
    fake.enqueue(Fault("status", status=400, message=message))
    capsys.readouterr()
    result = ip.run_cell("%claude --no-history hi")
    shown = capsys.readouterr()
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert "Traceback" not in shown.out + shown.err and "masking secrets" in shown.out + shown.err
    assert CANARY not in shown.out + shown.err
