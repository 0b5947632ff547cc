"""Real Claude Code (``claude -p``) uses the notebook through ``%claude mcp``'s server.

Claude Code runs in API-key mode against the project's fake (``ANTHROPIC_BASE_URL``);
the fake scripts a call to ``mcp__notebook__describe``; Claude Code starts
``python -m kuroryuu_magic.mcp`` from the ``.mcp.json`` entry ``%claude mcp`` prints,
calls the tool, and sends its result back to the fake: that result must hold the
kernel's exact numbers.  Skips without Claude Code locally; fails in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from kuroryuu_magic.mcp import setup
from kuroryuu_magic.testing import FakeAnthropic, Reply
from kuroryuu_magic.tools import run_tool
from tests.claude_code import isolated_claude_env, require_claude_code
from tests.kernels import kernel_env, start_kernel

pytestmark = pytest.mark.kernel


@pytest.mark.spoof_probe  # Claude Code's own requests carry its markers, by right
def test_claude_code_calls_describe_and_gets_the_kernels_exact_numbers(tmp_path: Path) -> None:
    claude = require_claude_code()
    from statsmodels.datasets import longley

    expected = run_tool(
        "describe",
        {"name": "longley"},
        {"longley": longley.load_pandas().data},
        max_chars=4000,
        schema_only=False,
    )
    with start_kernel(kernel_env(tmp_path / "kernel-home")) as kernel, FakeAnthropic() as fake:
        kernel.ok("from statsmodels.datasets import longley\nlongley = longley.load_pandas().data")
        config = tmp_path / "mcp.json"
        args = setup.server_args(kernel.km.connection_file)
        config.write_text(setup.mcp_json("notebook", sys.executable, args))
        tool = "mcp__notebook__describe"

        def answer(body: dict[str, Any]) -> Reply | None:
            names = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
            if tool not in names:
                return None  # side requests (titles, probes): the fake's default answer
            if '"tool_result"' in json.dumps(body.get("messages")):  # the result came back
                return Reply(text="longley has 16 rows.")
            return Reply.call(tool, {"name": "longley"})

        fake.answer_hook = answer
        env = isolated_claude_env(tmp_path / "claude-home", fake.base_url, fake.api_key)
        # Headless mode: wait for the server's tool list before the first request.
        env["MCP_CONNECTION_NONBLOCKING"] = "false"
        run = subprocess.run(
            [
                claude,
                "-p",
                "What is in longley, in my notebook?",
                "--mcp-config",
                str(config),
                "--strict-mcp-config",
                "--allowedTools",
                "mcp__notebook__describe",
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
            stdin=subprocess.DEVNULL,
        )
        results = [r for r in fake.tool_results if r["name"] == tool]
        key = json.loads(Path(kernel.km.connection_file).read_text())["key"]
    assert run.returncode == 0, (run.stdout[-1500:], run.stderr[-1500:], fake.errors)
    assert len(results) == 1 and not results[0]["is_error"], results
    content = results[0]["content"]
    text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
    assert expected.text in text  # exactly what --tools computes: 16 rows, YEAR 1947..1962, …
    assert "16 rows" in text and "min 1947  max 1962" in text
    assert key and key not in run.stdout + run.stderr
