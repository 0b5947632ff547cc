"""The kernel side of an MCP tool call: what the server's silent request evaluates.

The server sends ``execute_request(code="", silent=True, store_history=False,
user_expressions={"r": EXPRESSION})`` where the expression imports this module
and calls :func:`call` with one JSON string.  ipykernel evaluates user
expressions in the user's namespace after the (empty) code, so the call queues
behind running cells, adds no name, no history entry, no execution count and no
output.  The answer goes back as the expression's value: a JSON string.

:func:`call` never raises: an exception in a user expression would land in
``sys.last_value`` and become the user's "last error".

Each call runs the very function ``--tools`` runs: :func:`tools.run_tool` for the
inspection tools (same bounds, redaction and error texts) and
``agent.python.run_code`` for ``run_python`` (the server lists it only with
``--allow-run``; Claude Code's permission prompt was the approval).  Before
running, the call checks that nobody gave up on it: the server's deadline, its
token file (which the server removes when it stops waiting: timeout, the
client's cancel, its own exit) and the kernel's identity (a request that waited through a restart must not run in the
new kernel).
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING

from ..core.session import session_for
from ..core.toollimits import ToolLimitsSource
from ..tools import CODE_TOOL, run_tool
from ..tools.outcome import DEFAULT_MAX_CHARS
from .calllog import CallLog

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

# False (not an exception, which would become the user's last error) when the kernel's
# environment lacks the package.
EXPRESSION = (
    "__import__('importlib.util').util.find_spec('kuroryuu_magic') is not None"
    " and __import__('kuroryuu_magic.mcp._inkernel', fromlist=['call']).call({request!r})"
)


def expression(request: dict[str, object]) -> str:
    """The user expression for one request (``repr`` of a str is always a safe literal)."""
    return EXPRESSION.format(request=json.dumps(request, separators=(",", ":")))


def _shell() -> InteractiveShell | None:
    try:
        from IPython import get_ipython
        from IPython.core.interactiveshell import InteractiveShell

        shell = get_ipython()  # IPython leaves it unannotated
        return shell if isinstance(shell, InteractiveShell) else None
    except Exception:
        return None


def _settings(shell: InteractiveShell | None) -> tuple[int, bool]:
    """``object_chars`` and ``schema_only`` of the loaded magic, else their defaults.

    The magic layer provides them (:mod:`~kuroryuu_magic.core.toollimits`): this
    package sits below it and never looks the magics object up.
    """
    limits = session_for(shell).state(ToolLimitsSource).current()
    return (DEFAULT_MAX_CHARS, False) if limits is None else limits


def kernel_session(shell: InteractiveShell | None) -> str:
    """The kernel's messaging session id: it changes when the kernel restarts."""
    session = getattr(getattr(shell, "kernel", None), "session", None)
    return str(getattr(session, "session", ""))


def _answer(status: str, text: str = "", is_error: bool = False) -> str:
    return json.dumps({"status": status, "text": text, "is_error": is_error})


def _run(shell: InteractiveShell | None, tool: str, tool_input: object) -> tuple[str, bool]:
    max_chars, schema_only = _settings(shell)
    if tool == CODE_TOOL:
        if not isinstance(tool_input, dict) or not isinstance(tool_input.get("code"), str):
            return "error: missing required input 'code'", True
        if shell is None:  # evaluated by ipykernel, so there is one; said plainly if not
            return "error: run_python needs an IPython kernel", True
        from ..agent.python import run_code

        outcome = run_code(shell, tool_input["code"], max_chars=max_chars)
    else:
        namespace = shell.user_ns if shell is not None else {}
        outcome = run_tool(
            tool,
            tool_input,
            namespace,
            max_chars=max_chars,
            schema_only=schema_only,
            shell=shell,
        )
    return outcome.text, outcome.is_error


def _withdrawn(token: str) -> bool:
    """The server stopped waiting: its token folder is visible here but the token is gone.

    A kernel that cannot see the server's files (another container) finds no folder and
    relies on the deadline alone.
    """
    return bool(token) and os.path.isdir(os.path.dirname(token)) and not os.path.exists(token)


def call(request: str) -> str:
    """Run one MCP tool call in this kernel; a JSON answer, never an exception."""
    try:
        req = json.loads(request)
        tool = str(req["tool"])
        tool_input = req.get("input")
        shell = _shell()
        log = session_for(shell).state(CallLog)
        status = ""
        if req.get("kernel") and req["kernel"] != kernel_session(shell):
            status = "restarted"
        elif time.time() > float(req.get("deadline") or "inf"):
            status = "expired"
        elif _withdrawn(str(req.get("wanted") or "")):
            status = "cancelled"
        if status:  # the server has given up on this request: run nothing
            log.record(tool, tool_input, status)
            return _answer(status)
        if tool == CODE_TOOL and not req.get("allow_run"):
            text, is_error = (
                "error: run_python is off: the MCP server was started without --allow-run",
                True,
            )
        else:
            text, is_error = _run(shell, tool, tool_input)
        log.record(tool, tool_input, "error" if is_error else "ok")
        return _answer("ok", text, is_error)
    except Exception as exc:  # never into sys.last_value
        return _answer("ok", f"error: the kernel side failed: {type(exc).__name__}", True)
