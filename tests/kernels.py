"""Real kernels for tests: start one with an isolated environment, run cells, read outputs.

Used by every kernel-level test so they all see outputs the way a front end
does: display updates applied in place, streams concatenated.
"""

from __future__ import annotations

import os
import queue
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ISOLATED_PREFIXES = ("ANTHROPIC_", "KURORYUU_")


def isolated_vars(home: Path) -> dict[str, str]:
    """The one place that says how a test is isolated: HOME, config dirs and keyring in tmp.

    Used by the in-process fixture (``conftest.isolated_env``, which also removes
    every ``ANTHROPIC_*``/``KURORYUU_*`` variable) and by :func:`kernel_env`.
    """
    home.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "KURORYUU_CONFIG_DIR": str(home / ".config" / "kuroryuu"),
        "KURORYUU_OAUTH_TOKEN_FILE": str(home / ".kuroryuu_anthropic_oauth.json"),
        "ANTHROPIC_CONFIG_DIR": str(home / ".config" / "anthropic"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }


def kernel_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a kernel: this one minus ANTHROPIC_*/KURORYUU_*, HOME in tmp."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ISOLATED_PREFIXES)}
    env.update(isolated_vars(home))
    env.update(
        IPYTHONDIR=str(home / ".ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.update(extra or {})
    return env


@dataclass
class CellRun:
    """What one executed cell showed, as a front end would render it."""

    status: str
    outputs: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    updates: int = 0  # update_display_data messages received
    payload: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def text(self, mime: str = "text/plain") -> str:
        """Every output's ``mime`` (or stream text) joined, in order."""
        parts = []
        for out in self.outputs:
            if out["type"] == "stream":
                parts.append(out["text"])
            elif mime in out.get("data", {}):
                parts.append(out["data"][mime])
        if self.error:
            parts.append(f"{self.error['ename']}: {self.error['evalue']}")
        return "\n".join(parts)


class Kernel:
    """A thin synchronous wrapper around a jupyter_client kernel."""

    def __init__(self, km: Any, kc: Any) -> None:
        self.km, self.kc = km, kc

    def run(
        self, code: str, timeout: float = 60, on_output: Any = None, on_input: Any = None
    ) -> CellRun:
        """Run ``code``; ``on_input(prompt) -> str`` answers ``input()`` as a front end would."""
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=on_input is not None)
        started = time.monotonic()
        run = CellRun(status="?")
        by_display: dict[str, dict[str, Any]] = {}
        deadline = started + timeout
        reply_seen = idle_seen = False
        while not (reply_seen and idle_seen):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"cell did not finish in {timeout}s: {code[:60]!r}")
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                msg = None
            if msg is not None and msg["parent_header"].get("msg_id") == msg_id:
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    if (
                        run.outputs
                        and run.outputs[-1]["type"] == "stream"
                        and run.outputs[-1]["name"] == content["name"]
                    ):
                        run.outputs[-1]["text"] += content["text"]
                    else:
                        run.outputs.append(
                            {"type": "stream", "name": content["name"], "text": content["text"]}
                        )
                elif kind in ("display_data", "execute_result"):
                    out = {"type": kind, "data": content["data"]}
                    display_id = content.get("transient", {}).get("display_id")
                    if display_id:
                        by_display.setdefault(display_id, out)
                        by_display[display_id]["data"] = content["data"]
                        if by_display[display_id] is out:
                            run.outputs.append(out)
                    else:
                        run.outputs.append(out)
                elif kind == "update_display_data":
                    run.updates += 1
                    display_id = content.get("transient", {}).get("display_id")
                    if display_id in by_display:
                        by_display[display_id]["data"] = content["data"]
                elif kind == "error":
                    run.error = content
                elif kind == "status" and content["execution_state"] == "idle":
                    idle_seen = True
                if on_output is not None:
                    on_output(msg)
            if on_input is not None:
                try:
                    request = self.kc.get_stdin_msg(timeout=0)
                except queue.Empty:
                    request = None
                if request is not None and request["msg_type"] == "input_request":
                    self.kc.input(on_input(request["content"]["prompt"]))
            if not reply_seen:
                try:
                    reply = self.kc.get_shell_msg(timeout=0)
                except queue.Empty:
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    run.status = reply["content"]["status"]
                    run.payload = reply["content"].get("payload", [])
                    reply_seen = True
        run.seconds = time.monotonic() - started
        return run

    def ok(self, code: str, timeout: float = 60) -> CellRun:
        """Run a cell that must succeed."""
        run = self.run(code, timeout)
        if run.status != "ok":
            raise AssertionError(f"cell failed: {run.text()[-2000:]}")
        return run


@contextmanager
def start_kernel(env: Mapping[str, str], cwd: Path | None = None) -> Iterator[Kernel]:
    """A fresh python3 kernel (this interpreter) with ``env``; shut down afterwards."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.kernel_cmd = None
    km.kernel_spec  # noqa: B018 - resolve the spec before overriding argv
    km.kernel_spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    km.start_kernel(env=dict(env), cwd=str(cwd) if cwd else None)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        yield Kernel(km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
