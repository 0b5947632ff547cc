"""The server's connection to the running kernel: one silent request per tool call.

:class:`KernelBridge` attaches with ``jupyter_client``'s async client to the
kernel named by a connection file (shell and control channels only: no iopub, so
the user's outputs never pass through here; no stdin, so nothing can prompt).
Each call is an ``execute_request`` with empty code, ``silent=True``,
``store_history=False`` and one user expression (:mod:`._inkernel`): it queues
behind the user's cells and leaves no trace in the notebook.

Faults, each one sentence for the MCP client:

- no answer within ``timeout`` seconds → :class:`KernelBusy`; the request is
  given up (a deadline inside it, and a token file the kernel must still find,
  removed when the server stops waiting; see :func:`_token_dir`) so that when the
  kernel reaches it later it runs nothing.  Nothing is interrupted.
- the MCP client cancels, or the server exits → the token is gone, so the queued
  request runs nothing.
- the kernel restarted (its session id changed) or stops answering on the control
  channel → :class:`KernelGone`; the next call reconnects, re-reading the
  connection file if it changed.

Calls are serialised: the kernel runs one request at a time anyway, and one
reader per channel keeps replies matched to their requests.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import queue
import stat
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from . import _connection
from ._inkernel import expression

if TYPE_CHECKING:
    from jupyter_client.asynchronous.client import AsyncKernelClient

# How often a waiting call asks the control channel whether the kernel is still the same one.
PROBE_EVERY = 1.0
# Control-channel silence after which the kernel counts as gone (ipykernel answers control
# requests from its own thread, even while a cell runs).
PROBE_PATIENCE = 5.0
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")  # noqa: S104 - names, not a bind
NOT_INSTALLED = "kuroryuu-magic is not importable in the kernel's environment"


class KernelBusy(Exception):
    """No answer within the timeout: a cell is running."""


class KernelGone(Exception):
    """The kernel is not there (dead, restarted, or the connection file is gone)."""


RESTARTED = (
    "the notebook's kernel restarted, so its variables are gone and this call did not run; "
    "run the notebook's cells again, then ask again"
)

NOT_RUNNING = (
    "the kernel is not running (nothing answers on its connection file's ports); "
    "it may have died: restart it in the notebook"
)
STOPPED = (
    "the kernel stopped answering (it died or is restarting); this call did not finish: "
    "ask again once the kernel is back"
)


def _token_dir() -> Path:
    """Where call tokens live: one private folder per user that is never removed.

    It stays so that a kernel can tell "my token was withdrawn" (the folder is there, the
    file is not) from "I cannot see this machine's files" (no folder: a kernel in another
    container), where only the deadline applies.  A folder someone else owns, a symlink or
    loose permissions are not trusted: then a fresh private folder of its own.
    """
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        path = Path(tempfile.gettempdir()) / f"kuroryuu-mcp-{getuid()}"
        with contextlib.suppress(OSError):
            path.mkdir(mode=0o700, exist_ok=True)
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode) and st.st_uid == getuid() and not st.st_mode & 0o077:
                return path
    return Path(tempfile.mkdtemp(prefix="kuroryuu-mcp-"))


class KernelBridge:
    """Tool calls into one kernel, named by its connection file."""

    def __init__(self, connection_file: str, *, timeout: float = 30.0) -> None:
        self.path = connection_file
        self.timeout = timeout
        self._client: AsyncKernelClient | None = None
        self._fingerprint: tuple[int, int, int] | None = None
        self._kernel = ""  # the kernel's session id as last seen
        self._lock = anyio.Lock()
        self._tokens = _token_dir()
        self._local = True  # the kernel shares this machine's files (set from the connection info)
        self._pending: set[Path] = set()

    # -- connection --------------------------------------------------------------------------

    def _close(self, *, forget: bool = False) -> None:
        """Drop the connection; ``forget`` the kernel too once the user was told it is gone."""
        if forget:
            self._kernel = ""  # the next kernel answers without a second "restarted" error
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # already half-closed: nothing to keep
                client.stop_channels()

    def withdraw(self) -> None:
        """Every call still queued in the kernel loses its token: it will run nothing."""
        for token in list(self._pending):
            token.unlink(missing_ok=True)

    def close(self) -> None:
        self._close()
        self.withdraw()

    async def _ensure(self) -> None:
        """Connected to the kernel the file names now (reconnects after a change or a fault)."""
        fingerprint = _connection.fingerprint(self.path)
        if self._client is not None and fingerprint == self._fingerprint:
            return
        self._close()
        if fingerprint is None:
            self._kernel = ""
            raise KernelGone(
                f"the kernel is not running: its connection file {self.path} is gone "
                "(start the notebook's kernel and run %claude mcp again)"
            )
        try:
            info = _connection.read(self.path)
        except _connection.ConnectionFileError as exc:
            self._kernel = ""
            raise KernelGone(str(exc)) from None
        from jupyter_client.asynchronous.client import AsyncKernelClient

        client = AsyncKernelClient()
        client.load_connection_info(info)  # type: ignore[arg-type]  # validated in _connection.read
        # No iopub (the user's outputs never pass through here), no stdin (nothing can prompt).
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=True)  # noqa: S604
        self._client, self._fingerprint = client, fingerprint
        self._local = info.get("transport") == "ipc" or info.get("ip") in LOCAL_HOSTS
        await self._check_kernel(NOT_RUNNING)

    def _connected(self) -> AsyncKernelClient:
        """The client :meth:`_ensure` made (every exchange runs after it)."""
        if self._client is None:
            raise KernelGone(NOT_RUNNING)
        return self._client

    async def _identity(self, patience: float) -> str | None:
        """The kernel's session id from a ``kernel_info_request`` on the control channel."""
        client = self._connected()
        msg = client.session.msg("kernel_info_request")
        client.control_channel.send(msg)
        end = time.monotonic() + patience
        while (left := end - time.monotonic()) > 0:
            try:
                reply = await client.get_control_msg(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg["header"]["msg_id"]:
                return str(reply.get("header", {}).get("session", ""))
        return None

    # -- calls ---------------------------------------------------------------------------------

    async def call(self, tool: str, tool_input: object, *, allow_run: bool) -> tuple[str, bool]:
        """Run one tool call in the kernel: ``(text, is_error)`` as ``--tools`` would get it."""
        # The kernel runs the call only while this token file exists: it is removed the moment
        # this server stops waiting (answer, timeout, client cancel, or the server exiting, which
        # removes the whole folder), so a request the kernel reaches too late runs nothing.
        token = self._tokens / uuid.uuid4().hex
        token.touch(mode=0o600)
        self._pending.add(token)
        wall_deadline = time.time() + self.timeout
        try:
            with anyio.fail_after(self.timeout):
                async with self._lock:
                    for _attempt in range(2):  # once more if a failing cell aborted the queue
                        await self._ensure()
                        request: dict[str, object] = {
                            "tool": tool,
                            "input": tool_input,
                            "deadline": wall_deadline,
                            "wanted": str(token) if self._local else "",
                            "kernel": self._kernel,
                            "allow_run": allow_run,
                        }
                        reply = await self._exchange(request)
                        if reply.get("status") != "aborted":
                            return self._answer(reply)
                    raise KernelBusy
        except TimeoutError:
            raise KernelBusy from None
        finally:
            token.unlink(missing_ok=True)
            self._pending.discard(token)

    async def _exchange(self, request: dict[str, object]) -> dict[str, Any]:
        """Send one silent execute request and wait for its reply, watching the kernel."""
        client = self._connected()
        msg_id = client.execute(
            "",
            silent=True,
            store_history=False,
            user_expressions={"r": expression(request)},
            allow_stdin=False,
        )
        next_probe = time.monotonic() + PROBE_EVERY
        while True:
            try:
                msg = await client.get_shell_msg(timeout=0.25)
            except queue.Empty:
                if time.monotonic() >= next_probe:
                    await self._check_kernel(STOPPED)
                    next_probe = time.monotonic() + PROBE_EVERY
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                content: dict[str, Any] = msg.get("content", {})
                return content
            # else: the late reply to a request this server gave up on; it ran nothing.

    async def _check_kernel(self, silence: str) -> None:
        """Raise :class:`KernelGone` when nothing answers (``silence`` says so) or a new kernel does."""
        identity = await self._identity(PROBE_PATIENCE)
        if identity is None:
            self._close(forget=True)
            raise KernelGone(silence)
        known, self._kernel = self._kernel, identity
        if known and known != identity:
            raise KernelGone(RESTARTED)

    def _answer(self, content: dict[str, Any]) -> tuple[str, bool]:
        result = content.get("user_expressions", {}).get("r", {})
        if content.get("status") != "ok" or result.get("status") != "ok":
            return "error: the kernel could not run the call", True
        try:
            value = ast.literal_eval(result.get("data", {}).get("text/plain", ""))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return "error: the kernel's answer was not readable", True
        if value is False:
            return f"error: {NOT_INSTALLED}", True
        answer = json.loads(value) if isinstance(value, str) else {}
        status = answer.get("status")
        if status == "restarted":  # the request reached a new kernel, which refused it
            self._close(forget=True)
            raise KernelGone(RESTARTED)
        if status != "ok":  # expired or cancelled while the caller still waited: the clock ran out
            raise KernelBusy
        return str(answer.get("text", "")), bool(answer.get("is_error"))
