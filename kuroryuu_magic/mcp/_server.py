"""``python -m kuroryuu_magic.mcp``: the stdio MCP server over one running kernel.

Built on the official ``mcp`` SDK's low-level :class:`mcp.server.Server`: the tool
list is generated from the tool records in :mod:`kuroryuu_magic.tools` (the same
definitions ``--tools`` sends to the API, input schemas included), so the two can
not drift; each call goes to the kernel through :class:`._bridge.KernelBridge`.

The inspection tools are annotated read-only; ``run_python`` is listed only with
``--allow-run``, annotated destructive, and its description says that Claude
Code's own permission prompt is the approval.  Tool mistakes (unknown variable,
bad input) are tool results with ``isError`` and the same one-line texts as
``--tools``; a kernel that is gone is one MCP error.  Nothing listens on the
network: the transport is the process's stdin and stdout.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import TYPE_CHECKING

from ..tools import CODE_TOOL, run_tool, tool_definitions
from ..tools.outcome import DEFAULT_MAX_CHARS
from . import _connection
from ._bridge import KernelBridge, KernelBusy, KernelGone

if TYPE_CHECKING:
    from mcp.server import Server, ServerRequestContext
    from mcp.types import CallToolRequestParams, PaginatedRequestParams, Tool

SERVER_NAME = "kuroryuu-magic"
INSTALL_HINT = "pip install 'kuroryuu-magic[mcp]'"
RUN_PYTHON_DESCRIPTION = (
    "Run Python code in the user's live notebook kernel, in its namespace (it can create or "
    "change variables). Claude Code's permission prompt is the approval: the user sees this "
    "call's code there and must allow it; this server runs exactly what was allowed. Returns "
    "stdout, the last expression's repr, or the exception. Prefer the read-only tools."
)
INSTRUCTIONS = (
    "Tools over the variables of a live Jupyter notebook kernel: exact, bounded, read-only "
    "answers computed in the kernel (start with list_variables). Calls wait behind the cell "
    "the user is running."
)


def tool_list(*, allow_run: bool) -> list[Tool]:
    """The MCP ``Tool`` records, generated from the ``--tools`` definitions."""
    from mcp.types import Tool, ToolAnnotations

    tools = []
    for definition in tool_definitions(code=allow_run):
        code = definition["name"] == CODE_TOOL
        annotations = ToolAnnotations(
            read_only_hint=not code,
            destructive_hint=code,
            idempotent_hint=not code,
            open_world_hint=False,
        )
        tools.append(
            Tool(
                name=definition["name"],
                description=RUN_PYTHON_DESCRIPTION if code else definition["description"],
                input_schema=dict(definition["input_schema"]),  # a JSON schema object
                annotations=annotations,
            )
        )
    return tools


def busy_text(timeout: float) -> str:
    return (
        f"error: kernel busy running a cell (no answer within {timeout:g} s); this call did not "
        "run and will not run later: ask again when the cell has finished"
    )


def build_server(bridge: KernelBridge, *, allow_run: bool) -> Server:
    """The SDK server: ``tools/list`` and ``tools/call`` over ``_bridge``."""
    from mcp.server import Server
    from mcp.shared.exceptions import MCPError
    from mcp.types import INTERNAL_ERROR, CallToolResult, ListToolsResult, TextContent

    tools = tool_list(allow_run=allow_run)
    listed = {t.name for t in tools}

    def result(text: str, is_error: bool) -> CallToolResult:
        return CallToolResult(content=[TextContent(text=text)], is_error=is_error)

    async def on_list_tools(
        ctx: ServerRequestContext, params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        return ListToolsResult(tools=tools)

    async def on_call_tool(
        ctx: ServerRequestContext, params: CallToolRequestParams
    ) -> CallToolResult:
        name, arguments = params.name, params.arguments or {}
        if name not in listed:
            if name == CODE_TOOL:
                return result(
                    "error: run_python is off: this server was started without --allow-run", True
                )
            # Not a kernel call: run_tool answers an unknown name with the --tools text.
            outcome = run_tool(name, arguments, {}, max_chars=DEFAULT_MAX_CHARS, schema_only=True)
            return result(outcome.text, True)
        try:
            text, is_error = await bridge.call(name, arguments, allow_run=allow_run)
        except KernelBusy:
            return result(busy_text(bridge.timeout), True)
        except KernelGone as exc:
            raise MCPError(code=INTERNAL_ERROR, message=str(exc)) from None
        return result(text, is_error)

    return Server(
        SERVER_NAME,
        instructions=INSTRUCTIONS,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
    )


async def serve_stdio(server: Server) -> None:
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}") from None
    if not 0 < value <= 24 * 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 86400 seconds")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m kuroryuu_magic.mcp",
        description="Serve a running Jupyter kernel's inspection tools to an MCP client "
        "(Claude Code) over stdio. `%claude mcp` in the notebook prints the command for it.",
    )
    p.add_argument(
        "--connection-file", required=True, metavar="FILE", help="the kernel's connection file"
    )
    p.add_argument("--allow-run", action="store_true", help="also offer run_python (destructive)")
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=30.0,
        metavar="S",
        help="seconds to wait for a busy kernel (30)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        _connection.read(args.connection_file)
    except _connection.ConnectionFileError as exc:
        print(f"kuroryuu_magic.mcp: {exc}", file=sys.stderr)
        return 2
    try:
        import anyio
        import jupyter_client  # noqa: F401 - checked here so a missing one is one line
        import mcp.server  # noqa: F401
    except ImportError as exc:
        print(
            f"kuroryuu_magic.mcp: {exc.name or 'a package'} is missing: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    bridge = KernelBridge(args.connection_file, timeout=args.timeout)

    def on_term(signum: int, frame: object) -> None:
        # A client ending the server with SIGTERM: withdraw the queued calls' tokens so they
        # never run, then leave at once (a worker thread blocked reading stdin would hold up
        # an orderly shutdown).
        bridge.withdraw()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        anyio.run(serve_stdio, build_server(bridge, allow_run=args.allow_run))
    except KeyboardInterrupt:
        pass
    finally:
        bridge.close()
    return 0
