"""Fuzzing across module seams (security.md 10, 19–21), under the hypothesis profiles.

The module owners fuzz their own parsers; these cover what sits between them: the
prompt builder over a namespace full of odd objects, whole ``%%claude`` cells with
any text (sent or refused cleanly, never a crash), and pasted OAuth codes / callback
URLs (rejected before any token request unless they are this login's own).
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from kuroryuu_magic.ask.prompt import build_content
from kuroryuu_magic.core.errors import ClaudeAPIError
from kuroryuu_magic.magic._options import parse_cell_line

# -- odd objects -----------------------------------------------------------------------


class RaisingRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


class NonStrRepr:
    def __repr__(self) -> Any:
        return 42


class AttrBomb:
    def __getattr__(self, name: str) -> Any:
        raise ValueError(f"no {name}")

    def __getitem__(self, key: Any) -> Any:
        raise TypeError("unsubscriptable today")


class EndlessProxy:
    """Every attribute and item is another proxy: reference chains never end."""

    def __getattr__(self, name: str) -> Any:
        return EndlessProxy()

    def __getitem__(self, key: Any) -> Any:
        return EndlessProxy()

    def __repr__(self) -> str:
        return "EndlessProxy()"


class BadBool:
    def __bool__(self) -> bool:
        raise RuntimeError("no truth")

    def __len__(self) -> int:
        raise RuntimeError("no len")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no eq")

    __hash__ = object.__hash__


class SlowHugeRepr:
    def __repr__(self) -> str:
        return "x" * 2_000_000


def _recursive_list() -> list[Any]:
    a: list[Any] = [1]
    a.append(a)
    return a


def _gen() -> Any:
    yield 1


ODD: dict[str, Any] = {
    "raising": RaisingRepr(),
    "nonstr": NonStrRepr(),
    "bomb": AttrBomb(),
    "proxy": EndlessProxy(),
    "badbool": BadBool(),
    "huge": SlowHugeRepr(),
    "hugestr": "y" * 1_000_000,
    "rec": _recursive_list(),
    "gen": _gen(),
    "cls": RaisingRepr,
    "mod": sys,
    "none": None,
    "nan": math.nan,
    "raw": b"\x00\xff\xfe",
    "surrogate": "\ud800 lone",
    "nul": "a\x00b",
    "nested": {"k": [{"deep": ("t", {1, 2})}]},
    "In": ["", "x = 1", "{raising}"],
    "Out": {1: RaisingRepr(), 2: "{hugestr}"},
}

NAMES = sorted(ODD)
_ref = st.builds(
    lambda name, tail: "{" + name + tail + "}",
    st.sampled_from([*NAMES, "missing", "In", "Out"]),
    st.sampled_from(
        ["", ".x", ".__class__", ".__dict__", "[0]", "[1]", "[-1]", "['k']", '["k"]', "[99]", "()"]
    ),
)
_piece = st.one_of(_ref, st.text(max_size=20), st.sampled_from(["{{", "}}", "{", "}", "\\", "{0}"]))
templates = st.lists(_piece, max_size=12).map("".join)

MAGIC_OPTS = parse_cell_line("")


class _Shell:
    def __init__(self, ns: dict[str, Any]) -> None:
        self.user_ns = ns


@given(templates)
def test_prompt_building_survives_an_odd_namespace(template: str) -> None:
    shell = _Shell(dict(ODD))
    try:
        content, _ = build_content(
            shell, template, MAGIC_OPTS, context_chars=20_000, object_chars=4_000, schema_only=False
        )
    except UsageError:  # only the empty prompt may be refused
        assert not template.strip() or "{" in template
        return
    text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
    assert isinstance(text, str)
    # Big objects are cut to the budget; nothing balloons to the megabyte objects.
    assert len(text) <= len(template) + 13 * 4_200 + 20_000


# -- whole cells against the fake ----------------------------------------------------------

_any_char = st.characters(codec=None, exclude_categories=())  # surrogates and NUL included
prompts = st.one_of(
    st.text(_any_char, min_size=1, max_size=200),
    st.sampled_from(
        [
            "{",
            "}}{{",
            "\\",
            "\\u0000\x00",
            "f'{x!r:>{width}}'",
            '{"json": [1, 2, {"a": null}]}',
            "\ud83d",
            "line\r\nbreaks\rand\ttabs",
            "x" * 50_000,
        ]
    ),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(prompts)
def test_any_cell_text_is_sent_or_refused_cleanly(ip: Any, fake: Any, text: str) -> None:
    before = len(fake.messages_requests())
    result = ip.run_cell(f"%%claude --no-history --no-interpolate -m claude-sonnet-5-5\n{text}")
    err = result.error_before_exec or result.error_in_exec
    assert err is None or type(err) in (UsageError, ClaudeAPIError), repr(err)
    sent = fake.messages_requests()[before:]
    if err is None:
        assert len(sent) == 1
        body = sent[0].body["messages"][-1]["content"]
        received = body if isinstance(body, str) else "".join(b["text"] for b in body)
        prompt = text.strip("\n").rstrip()
        # Sent verbatim, except lone surrogates, which cannot travel as UTF-8.
        if not any("\ud800" <= c <= "\udfff" for c in prompt):
            assert received == prompt
    elif type(err) is UsageError:
        assert "\n" not in str(err) and len(sent) == 0
    else:
        assert "\n" not in str(err)


# -- pasted OAuth codes and callback URLs ------------------------------------------------


class _Recorder:
    """An httpx2 transport that records token requests and never answers them well."""

    def __init__(self) -> None:
        import httpx2

        self.calls = 0

        def handler(request: Any) -> Any:
            self.calls += 1
            return httpx2.Response(400, json={"error": "invalid_grant"})

        self.transport = httpx2.MockTransport(handler)


def _pastes(state: str) -> st.SearchStrategy[str]:
    code = st.text(st.characters(codec="ascii", exclude_characters="#&?="), max_size=40)
    wrong_state = st.text(max_size=40).filter(lambda s: s.strip() != state)
    return st.one_of(
        st.text(max_size=200),
        st.builds(lambda c, s: f"{c}#{s}", code, wrong_state),
        st.builds(
            lambda c, s, extra: (
                "https://console.anthropic.com/oauth/code/callback?"
                + urlencode({"code": c, "state": s, **extra})
            ),
            code,
            wrong_state,
            st.dictionaries(st.sampled_from(["error", "x", "scope"]), st.text(max_size=10)),
        ),
        st.builds(
            lambda s: (
                "https://console.anthropic.com/oauth/code/callback?"
                + urlencode({"error": "access_denied", "state": s})
            ),
            st.just(state) | wrong_state,
        ),
        st.just(f"#{state}"),  # the right state but no code
    )


@given(st.data())
def test_pasted_codes_are_rejected_before_any_token_request(data: st.DataObject) -> None:
    from kuroryuu_magic.oauth._flow import complete_login, start_login
    from kuroryuu_magic.oauth.errors import OAuthError

    attempt = start_login("max")
    pasted = data.draw(_pastes(attempt.state))
    recorder = _Recorder()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "tokens.json"
        with pytest.raises(OAuthError) as info:
            complete_login(attempt, pasted, transport=recorder.transport, path=target)
        assert not target.exists()
    assert recorder.calls == 0  # security.md 10: refused before any token request
    assert attempt.state not in str(info.value) and attempt.verifier not in str(info.value)


# Real codes are URL-safe tokens (RFC 6749 §A.11 allows more, but never "#", "?" or "://").
_CODE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


@given(st.text(st.sampled_from(_CODE_CHARS), min_size=1, max_size=80))
def test_this_logins_own_code_reaches_the_token_endpoint_once(code: str) -> None:
    from kuroryuu_magic.oauth._flow import complete_login, start_login
    from kuroryuu_magic.oauth.errors import OAuthError

    assume(code.strip())
    attempt = start_login("max")
    recorder = _Recorder()
    with tempfile.TemporaryDirectory() as tmp, pytest.raises(OAuthError):
        complete_login(
            attempt,
            f" {code}#{attempt.state}\n",
            transport=recorder.transport,
            path=Path(tmp) / "t",
        )
    assert recorder.calls == 1 and attempt.used
    with pytest.raises(OAuthError):  # a replayed code never reaches the endpoint
        complete_login(attempt, f"{code}#{attempt.state}", transport=recorder.transport)
    assert recorder.calls == 1


# -- text a server sends (security.md 22): hostile input that may echo a secret ---------

_SECRET_BODY = "LEAKCANARY" + "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
_KEY = "sk-ant-api03-" + _SECRET_BODY
_OPAQUE = "opaque-" + _SECRET_BODY  # a stored token of no known shape: only the registry knows it


def _encodings(secret: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            secret,
            "".join(f"%{ord(c):02X}" for c in secret),  # URL-encoded, every character
            "\\u" + f"{ord(secret[0]):04x}" + secret[1:],  # JSON-escaped first character
        ]
    )


@st.composite
def _server_text(draw: st.DrawFn) -> tuple[str, str]:
    """``(text, encoded secret)``: any text with a secret, escaped or not, somewhere in it."""
    encoded = draw(_encodings(draw(st.sampled_from([_KEY, _OPAQUE]))))
    around = st.text(st.characters(exclude_characters="\\%"), max_size=300)
    return draw(around) + encoded + draw(around), encoded


def _assert_clean(shown: str, encoded: str) -> None:
    assert _SECRET_BODY not in shown and encoded not in shown
    assert _SECRET_BODY[:12] not in shown  # nor half of it, cut by a length cap


class APIStatusError(Exception):
    """Shaped like the SDK's: what ``describe_api_error`` reads is duck-typed."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"Error code: {status} - {body}")
        self.status_code, self.body, self.request_id = status, body, "req_fuzz"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_server_text(), st.sampled_from([400, 401, 403, 500, 529]), st.text(max_size=40))
def test_server_error_text_never_shows_a_secret(
    sample: tuple[str, str], status: int, err_type: str
) -> None:
    from kuroryuu_magic.core.errors import api_error_from, describe_api_error
    from kuroryuu_magic.core.redact import register_secret
    from kuroryuu_magic.map._batches import _errored
    from kuroryuu_magic.map._results import ItemError

    register_secret(_OPAQUE)
    text, encoded = sample
    body = {"type": "error", "error": {"type": err_type, "message": text}}
    exc = APIStatusError(status, body)
    _assert_clean(describe_api_error(exc), encoded)
    _assert_clean(str(api_error_from(exc)), encoded)
    _assert_clean(repr(ItemError.from_exception(RuntimeError(text))), encoded)
    batch = type("R", (), {"error": type("E", (), {"error": type("I", (), {"message": text})})})
    _assert_clean(str(_errored(batch)), encoded)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(_server_text(), st.sampled_from([200, 400, 401, 500]), st.booleans())
def test_token_endpoint_answers_never_show_a_secret(
    sample: tuple[str, str], status: int, as_json: bool
) -> None:
    import httpx2

    from kuroryuu_magic.core.redact import register_secret
    from kuroryuu_magic.oauth._config import load_config
    from kuroryuu_magic.oauth._http import RedactedBody, post_token_request
    from kuroryuu_magic.oauth.errors import OAuthError

    register_secret(_OPAQUE)
    text, encoded = sample
    if as_json:
        raw = json.dumps({"error": text, "error_description": text}).encode()
    else:
        raw = text.encode("utf-8", "surrogatepass")
    transport = httpx2.MockTransport(lambda request: httpx2.Response(status, content=raw))
    config = load_config("max", token_url="http://127.0.0.1:9/v1/oauth/token")
    with pytest.raises(OAuthError) as info:
        post_token_request(config, RedactedBody(grant_type="refresh_token"), transport=transport)
    err = info.value
    for shown in (str(err), err.error or "", err.error_description or ""):
        _assert_clean(shown, encoded)
