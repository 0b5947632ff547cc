"""Clients users have, against the fake: each on a basic prompt, a streamed prompt, one
tool round and errors (issue 20's conformance suite; the SDK itself is driven by
tests/test_fake_conformance.py).

- in this venv (the ``conformance`` extra): ``langchain-anthropic``, ``pydantic-ai-slim``,
  ``litellm`` (plain HTTP, ``anthropic-version: 2023-06-01``);
- in a venv of their own (they need ``anthropic`` < 2): the ``llm`` CLI with
  ``llm-anthropic``, and that venv's ``anthropic`` 1.x SDK (``2023-06-01``).  ``.ci/run``
  makes it and exports its path as ``KURORYUU_CONFORMANCE_VENV``.

A client that is missing skips on a developer machine and fails in CI (``CI=true``).
Every test also runs the ``fake`` fixture's check that no request posed as Claude Code.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kuroryuu_magic.testing import FakeAnthropic, Fault, Reply

MODEL = "claude-sonnet-4-6"
RETIRED = "claude-sonnet-4-5"
VENV_VAR = "KURORYUU_CONFORMANCE_VENV"
# Read at import: the autouse isolated_env fixture strips KURORYUU_* before each test.
_VENV = os.environ.get(VENV_VAR, "")
LEGACY_DRIVER = Path(__file__).parent / "conformance" / "legacy_sdk.py"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _missing(what: str) -> None:
    msg = f"{what} is not installed (pip install -e '.[conformance]', or run .ci/run)"
    if _in_ci():
        pytest.fail(f"CI=true but {msg}", pytrace=False)
    pytest.skip(msg)


def _need(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        _missing(module)
        raise


def _ask(fake: FakeAnthropic) -> dict[str, Any]:
    """The body of the last /v1/messages request."""
    return fake.messages_requests()[-1].body


def _script_tool_round(fake: FakeAnthropic) -> None:
    fake.enqueue(Reply.call("add", {"a": 2, "b": 3}, text="Let me add."))
    fake.enqueue(Reply(text="2 + 3 = 5."))


def _check_tool_round(fake: FakeAnthropic) -> None:
    assert [(r["name"], r["input"]) for r in fake.tool_results] == [("add", {"a": 2, "b": 3})]
    assert "5" in json.dumps(fake.tool_results[0]["content"])
    assert not fake.errors, fake.errors


# -- langchain-anthropic --------------------------------------------------------------------
def test_langchain_anthropic(fake: FakeAnthropic) -> None:
    lc = _need("langchain_anthropic")
    messages = _need("langchain_core.messages")
    tools = _need("langchain_core.tools")
    import anthropic

    chat = lc.ChatAnthropic(
        model=MODEL, base_url=fake.base_url, api_key=fake.api_key, max_retries=0
    )
    # 1. basic prompt, with the client's default max_tokens (the model's published cap).
    fake.enqueue(Reply(text="Hello from the fake."))
    assert chat.invoke("Say hello").content == "Hello from the fake."
    assert _ask(fake)["max_tokens"] <= 128_000
    # 2. streamed prompt
    fake.enqueue(Reply(text="one two three four", deltas=4))
    chunks = [c.content for c in chat.stream("Count")]
    assert "".join(c for c in chunks if isinstance(c, str)) == "one two three four"
    assert sum(1 for c in chunks if c) >= 2
    assert _ask(fake)["stream"] is True

    # 3. one tool round
    @tools.tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    bound = chat.bind_tools([add])
    _script_tool_round(fake)
    question = messages.HumanMessage("What is 2 + 3?")
    ai = bound.invoke([question])
    call = ai.tool_calls[0]
    assert call["name"] == "add" and call["args"] == {"a": 2, "b": 3}
    result = messages.ToolMessage(str(add.invoke(call["args"])), tool_call_id=call["id"])
    final = bound.invoke([question, ai, result])
    assert "5" in str(final.content)
    _check_tool_round(fake)
    # 4. errors: a retired model, and an API error the client surfaces as the SDK's
    with pytest.raises(anthropic.NotFoundError, match=RETIRED):
        lc.ChatAnthropic(
            model=RETIRED, base_url=fake.base_url, api_key=fake.api_key, max_retries=0
        ).invoke("hi")
    fake.enqueue(Fault("status", status=529, message="Overloaded"))
    with pytest.raises(anthropic.APIStatusError) as err:
        chat.invoke("hi")
    assert err.value.status_code == 529


# -- pydantic-ai ------------------------------------------------------------------------------
def test_pydantic_ai(fake: FakeAnthropic) -> None:
    pai = _need("pydantic_ai")
    models = _need("pydantic_ai.models.anthropic")
    providers = _need("pydantic_ai.providers.anthropic")
    exceptions = _need("pydantic_ai.exceptions")

    def model(name: str = MODEL) -> Any:
        provider = providers.AnthropicProvider(api_key=fake.api_key, base_url=fake.base_url)
        return models.AnthropicModel(name, provider=provider)

    agent = pai.Agent(model(), retries=0)
    # 1. basic prompt
    fake.enqueue(Reply(text="Plain answer."))
    assert agent.run_sync("Say something").output == "Plain answer."
    # 2. streamed prompt
    fake.enqueue(Reply(text="streamed words arrive here", deltas=4))

    async def streamed() -> list[str]:
        async with agent.run_stream("Stream it") as run:
            return [t async for t in run.stream_text(delta=True, debounce_by=None)]

    pieces = asyncio.run(streamed())
    assert "".join(pieces) == "streamed words arrive here" and len(pieces) >= 2
    assert _ask(fake)["stream"] is True
    # 3. one tool round (the agent runs the tool and sends its result back)
    tool_agent = pai.Agent(model(), retries=0)

    @tool_agent.tool_plain
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    _script_tool_round(fake)
    assert "5" in tool_agent.run_sync("What is 2 + 3?").output
    _check_tool_round(fake)
    # 4. errors
    with pytest.raises(exceptions.ModelHTTPError) as err:
        pai.Agent(model(RETIRED)).run_sync("hi")
    assert err.value.status_code == 404
    fake.enqueue(Fault("status", status=400, message="prompt is too long"))
    with pytest.raises(exceptions.ModelHTTPError) as err:
        agent.run_sync("hi")
    assert err.value.status_code == 400


# -- litellm (its own HTTP code, anthropic-version 2023-06-01) --------------------------------
@pytest.fixture
def litellm(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # Offline: the bundled model cost map, never the remote one; no telemetry.
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("LITELLM_TELEMETRY", "False")
    return _need("litellm")


def test_litellm(fake: FakeAnthropic, litellm: ModuleType) -> None:
    common = dict(model=f"anthropic/{MODEL}", api_base=fake.base_url, api_key=fake.api_key)
    ask = [{"role": "user", "content": "What is 2 + 3?"}]
    # 1. basic prompt, with temperature: accepted under the version litellm sends
    fake.enqueue(Reply(text="Plain litellm answer."))
    r = litellm.completion(messages=ask, temperature=0.2, **common)
    assert r.choices[0].message.content == "Plain litellm answer."
    sent = fake.messages_requests()[-1]
    assert sent.headers["anthropic-version"] == "2023-06-01" and sent.body["temperature"] == 0.2
    # 2. streamed prompt
    fake.enqueue(Reply(text="a b c d e", deltas=5))
    parts = [
        c.choices[0].delta.content for c in litellm.completion(messages=ask, stream=True, **common)
    ]
    assert "".join(p for p in parts if p) == "a b c d e"
    # 3. one tool round, in OpenAI's format (litellm translates both ways)
    add = {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Add two integers",
            "parameters": {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"],
            },
        },
    }
    _script_tool_round(fake)
    first = litellm.completion(messages=ask, tools=[add], **common).choices[0].message
    call = first.tool_calls[0]
    assert call.function.name == "add" and json.loads(call.function.arguments) == {"a": 2, "b": 3}
    follow = [
        *ask,
        first.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "5"},
    ]
    final = litellm.completion(messages=follow, tools=[add], **common)
    assert "5" in final.choices[0].message.content
    _check_tool_round(fake)
    # 4. errors: a retired model, and temperature out of the 2023-06-01 range
    with pytest.raises(litellm.NotFoundError):
        litellm.completion(messages=ask, **{**common, "model": f"anthropic/{RETIRED}"})
    with pytest.raises(litellm.BadRequestError, match="temperature"):
        litellm.completion(messages=ask, temperature=1.5, **common)


# -- the llm CLI (llm-anthropic) and the anthropic 1.x SDK, in their own venv -------------------
@pytest.fixture
def legacy_venv() -> Path:
    venv = Path(_VENV) if _VENV else None
    if venv is None or not (venv / "bin" / "llm").exists():
        _missing(f"the legacy client venv (llm + llm-anthropic; set {VENV_VAR})")
    assert venv is not None
    return venv


def _legacy_env(fake: FakeAnthropic, home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LLM_USER_PATH": str(home / "llm"),
        "ANTHROPIC_BASE_URL": fake.base_url,
        "ANTHROPIC_API_KEY": fake.api_key,
        "LANG": "C.UTF-8",
    }


def _llm(venv: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "llm"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_llm_cli_with_llm_anthropic(fake: FakeAnthropic, legacy_venv: Path, tmp_path: Path) -> None:
    env = _legacy_env(fake, tmp_path)
    # 1. basic prompt (no streaming), with the plugin's temperature option
    fake.enqueue(Reply(text="Hello from llm."))
    run = _llm(
        legacy_venv,
        env,
        "-m",
        "claude-sonnet-4.6",
        "--no-stream",
        "-o",
        "temperature",
        "0.3",
        "Say hello",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Hello from llm."
    sent = fake.messages_requests()[-1]
    assert sent.headers["anthropic-version"] == "2023-06-01" and sent.body["temperature"] == 0.3
    # 2. streamed prompt (llm streams by default)
    fake.enqueue(Reply(text="streamed by llm", deltas=3))
    run = _llm(legacy_venv, env, "-m", "claude-sonnet-4.6", "Stream please")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "streamed by llm" and sent is not fake.messages_requests()[-1]
    assert fake.messages_requests()[-1].body.get("stream") is True
    # 3. one tool round: llm runs the Python function and sends its result back
    _script_tool_round(fake)
    run = _llm(
        legacy_venv, env, "-m", "claude-sonnet-4.6", "--no-stream",
        "--functions", "def add(a: int, b: int) -> int:\n    return a + b",
        "What is 2 + 3?",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "5" in run.stdout
    _check_tool_round(fake)
    # 4. errors: a retired model's 404 and a 529 reach the user as errors
    run = _llm(legacy_venv, env, "-m", "claude-sonnet-4.5", "--no-stream", "hi")
    assert run.returncode != 0 and RETIRED in run.stderr
    fake.enqueue(Fault("status", status=529, message="Overloaded", times=5))
    run = _llm(legacy_venv, env, "-m", "claude-sonnet-4.6", "--no-stream", "hi")
    assert run.returncode != 0 and "Overloaded" in run.stderr


def _legacy_sdk(venv: Path, env: dict[str, str], case: str) -> dict[str, Any]:
    run = subprocess.run(
        [str(venv / "bin" / "python"), str(LEGACY_DRIVER), case],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out: dict[str, Any] = json.loads(run.stdout)
    assert out["sdk"].startswith(("0.", "1.")), out["sdk"]
    return out


def test_anthropic_1x_sdk_speaking_2023_06_01(
    fake: FakeAnthropic, legacy_venv: Path, tmp_path: Path
) -> None:
    env = _legacy_env(fake, tmp_path)
    fake.enqueue(Reply(text="Old SDK, fine."))
    assert _legacy_sdk(legacy_venv, env, "basic")["text"] == "Old SDK, fine."
    assert fake.messages_requests()[-1].headers["anthropic-version"] == "2023-06-01"
    fake.enqueue(Reply(text="old sdk streams too", deltas=4))
    out = _legacy_sdk(legacy_venv, env, "stream")
    assert out["text"] == "old sdk streams too" and out["pieces"] >= 2
    _script_tool_round(fake)
    out = _legacy_sdk(legacy_venv, env, "tool")
    assert (out["first_stop"], out["call"]) == ("tool_use", "add") and "5" in out["text"]
    _check_tool_round(fake)
    out = _legacy_sdk(legacy_venv, env, "errors")
    assert out["retired"][:2] == [404, "NotFoundError"] and RETIRED in out["retired"][2]
    assert out["temperature"][:2] == [400, "BadRequestError"]
    assert "temperature" in out["temperature"][2]
