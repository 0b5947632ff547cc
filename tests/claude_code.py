"""Where the Claude Code CLI is, for tests that drive it against the fake.

`.ci/run` installs ``@anthropic-ai/claude-code@2`` with npm into ``.cache/claude-code``
under the repository root (when ``node`` and ``npm`` exist); tests never install it.
``KURORYUU_CLAUDE_CODE`` (a path to a ``claude`` executable) overrides that location.

Tests that need it skip on a developer machine without it and fail in CI
(``CI=true``), like the browser tests with a missing browser::

    from tests.claude_code import claude_code_path, require_claude_code

    claude = require_claude_code()      # skip locally / fail in CI when absent
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO / ".cache" / "claude-code"
ENV_VAR = "KURORYUU_CLAUDE_CODE"
# Read at import too: the autouse ``isolated_env`` fixture strips KURORYUU_* variables
# before each test runs, so a value the developer exported must be captured here.
_OVERRIDE_AT_IMPORT = os.environ.get(ENV_VAR, "")


def claude_code_path() -> str | None:
    """The ``claude`` executable to run, or None when it is not installed."""
    override = (os.environ.get(ENV_VAR) or _OVERRIDE_AT_IMPORT).strip()
    if override:
        path = Path(override).expanduser()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    if shutil.which("node") is None:
        return None
    candidate = CACHE_DIR / "node_modules" / ".bin" / "claude"
    return str(candidate) if candidate.exists() and os.access(candidate, os.X_OK) else None


def claude_code_version(path: str) -> str:
    """``claude --version`` output's first word, e.g. ``2.1.197``."""
    out = subprocess.run(
        [path, "--version"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return out.split()[0] if out.split() else "unknown"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_claude_code() -> str:
    """The ``claude`` path; else skip (developer machine) or fail (``CI=true``)."""
    path = claude_code_path()
    if path is not None:
        return path
    msg = (
        f"Claude Code is not installed (.ci/run puts it in {CACHE_DIR.relative_to(REPO)}; "
        f"or set {ENV_VAR})"
    )
    if _in_ci():
        pytest.fail(f"CI=true but {msg}", pytrace=False)
    pytest.skip(msg)


def isolated_claude_env(home: Path, base_url: str, api_key: str) -> dict[str, str]:
    """A minimal environment for ``claude -p``: its own HOME, the fake, an API key.

    Nothing of the caller's environment leaks in except PATH (node) and locale;
    telemetry, auto-update and non-essential traffic are off so every request it
    makes goes to ``base_url``.
    """
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "CLAUDE_CONFIG_DIR": str(home / ".claude"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": api_key,
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "CI": "true",
    }
