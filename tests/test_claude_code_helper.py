"""tests/claude_code.py: where the Claude Code CLI is (the .ci/run install or an override)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests import claude_code


def test_override_names_an_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "claude"
    exe.write_text("#!/bin/sh\necho '9.9.9 (Claude Code)'\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(claude_code.ENV_VAR, str(exe))
    assert claude_code.claude_code_path() == str(exe)
    assert claude_code.claude_code_version(str(exe)) == "9.9.9"


def test_override_to_a_missing_file_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(claude_code.ENV_VAR, str(tmp_path / "nope"))
    assert claude_code.claude_code_path() is None


def test_isolated_env_points_only_at_the_fake(tmp_path: Path) -> None:
    env = claude_code.isolated_claude_env(tmp_path / "h", "http://127.0.0.1:9", "sk-ant-api03-x")
    assert env["HOME"] == str(tmp_path / "h")
    assert env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:9"
    assert not any(k.startswith("KURORYUU_") for k in env)


def test_installed_claude_code_is_version_2() -> None:
    """The .ci/run install step worked (skips on a machine without node; fails in CI)."""
    path = claude_code.require_claude_code()
    assert claude_code.claude_code_version(path).startswith("2.")
