"""Claude Code 2.x itself against the fake: a `claude -p` turn with one scripted tool call.

Claude Code is installed by `.ci/run` (tests/claude_code.py finds it); the test skips on
a machine without node and fails in CI.  It runs with an API key, an isolated HOME and
``ANTHROPIC_BASE_URL`` pointed at the fake; every request it makes must be answered
(side requests included), the scripted ``Read`` call must run in Claude Code, and its
result must come back in the next request.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kuroryuu_magic.testing import FakeAnthropic, Reply
from kuroryuu_magic.testing._validate import conversation
from kuroryuu_magic.testing._versions import KNOWN_BETAS, betas_of
from tests.claude_code import claude_code_version, isolated_claude_env, require_claude_code

CANARY = "kuroryuu-canary-7f3a"


def _has_result(body: dict[str, Any]) -> bool:
    return any(
        isinstance(b, dict) and b.get("type") == "tool_result"
        for m in conversation(body["messages"])
        if isinstance(m.get("content"), list)
        for b in m["content"]
    )


@pytest.mark.spoof_probe  # Claude Code's own requests carry its markers, by right
def test_claude_code_runs_a_scripted_tool_call_against_the_fake(
    tmp_path: Path, record_property: Any
) -> None:
    claude = require_claude_code()
    version = claude_code_version(claude)
    record_property("claude_code_version", version)
    project = tmp_path / "project"
    project.mkdir()
    target = project / "notes.txt"
    target.write_text(f"The secret word is {CANARY}.\n")

    def answer(body: dict[str, Any]) -> Reply | None:
        names = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
        if _has_result(body):
            return Reply(text="I read the file: it names the canary.")
        if "Read" in names:
            return Reply.call("Read", {"file_path": str(target)}, text="Reading it.")
        return None  # side requests (titles, probes): the fake's default answer

    with FakeAnthropic() as fake:
        fake.answer_hook = answer
        env = isolated_claude_env(tmp_path / "home", fake.base_url, fake.api_key)
        run = subprocess.run(
            [claude, "-p", "Read notes.txt and tell me what it says.", "--output-format", "json"],
            env=env,
            cwd=project,
            capture_output=True,
            text=True,
            timeout=240,
            stdin=subprocess.DEVNULL,
        )
        requests = fake.requests
        seen = [(r.method, r.path, r.status) for r in requests]
        assert run.returncode == 0, (run.stdout[-2000:], run.stderr[-2000:], seen)
        result = json.loads(run.stdout)
        assert result["is_error"] is False, result
        assert "names the canary" in result["result"]
        # Every request Claude Code made got a valid (2xx) answer, and the fake had no bug.
        assert requests and all(r.status is not None and r.status < 300 for r in requests), seen
        assert not fake.errors, fake.errors
        # The tool ran in Claude Code, and its output came back in the next request.
        assert [r["name"] for r in fake.tool_results] == ["Read"], fake.tool_results
        assert CANARY in json.dumps(fake.tool_results[0]["content"])
        assert not fake.tool_results[0]["is_error"]
        main = [r for r in fake.messages_requests() if r.body.get("tools")]
        assert len(main) >= 2 and _has_result(main[-1].body)
        # Its betas are all known to the fake (a new one would have been a 400 above),
        # and the spoof detector recognises it as Claude Code.
        sent = {b for r in requests for b in betas_of(r.headers)}
        assert sent <= KNOWN_BETAS and "claude-code-20250219" in sent
        assert fake.spoofed_requests()
        print(f"Claude Code {version}: {len(requests)} requests, betas {sorted(sent)}")
