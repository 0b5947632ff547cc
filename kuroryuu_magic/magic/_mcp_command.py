"""``%claude mcp [--write] [--allow-run] [--name NAME] [log]``: hand this kernel to Claude Code.

The handler of the ``mcp`` row of the subcommand table (``subcommands``).  It
prints the exact ``claude mcp add …`` line and the ``.mcp.json`` entry for this
kernel (this environment's Python, this kernel's connection file), writes the
entry with ``--write``, and shows the kernel's MCP call log with ``log``.  The
work is in :mod:`kuroryuu_magic.mcp` (no SDK import here: the command works,
and says what to install, without the ``mcp`` package).
"""

from __future__ import annotations

import argparse
import sys

from ..core.errors import UsageError
from ..core.session import session_for
from ..mcp import calllog, setup
from ._host import MagicsHost, shell_of

__all__ = ["run_mcp"]


def run_mcp(magics: MagicsHost, opts: argparse.Namespace) -> None:
    """Print the Claude Code command and ``.mcp.json`` entry, write it, or show the log."""
    shell = shell_of(magics)
    if opts.action == "log":
        if opts.write or opts.allow_run:
            raise UsageError("`%claude mcp log` takes no other options.")
        log = session_for(shell).state(calllog.CallLog)
        print(calllog.render(log.entries(), log.total))
        return
    connection_file = setup.this_connection_file()
    if connection_file is None:
        raise UsageError(
            "%claude mcp needs a Jupyter kernel (a notebook, JupyterLab, VS Code); "
            "this IPython has no connection file for Claude Code to attach to."
        )
    name = opts.name or setup.DEFAULT_NAME
    python = sys.executable
    args = setup.server_args(connection_file, allow_run=opts.allow_run)
    lines = [
        "Claude Code can work on this notebook's live variables through MCP: exact, read-only "
        "tools run in this kernel; no key or token passes through this notebook.",
        "1. In a terminal, in the folder where you run `claude`, add this kernel as a server:",
        f"   {setup.add_command(name, python, args)}",
        f'2. Start `claude` and ask, e.g. "what is odd about df in my notebook?" '
        f"(its tools are mcp__{name}__describe, …; Claude Code asks before each call "
        "unless you allow them).",
    ]
    if opts.allow_run:
        lines.append(
            "   --allow-run also offers run_python: Claude Code's permission prompt is then "
            "the only approval before code runs in this kernel."
        )
    lines += [
        "Or as a .mcp.json entry (project scope; Claude Desktop takes the same under "
        '"mcpServers"):',
        setup.mcp_json(name, python, args),
        "The connection file is this kernel's: after the kernel is shut down and started "
        "anew, run %claude mcp again (a restart keeps it).",
    ]
    if not setup.sdk_installed():
        lines.append(
            "The server needs the mcp package in this environment: pip install 'kuroryuu-magic[mcp]'"
        )
    print("\n".join(lines))
    if opts.write:
        directory = setup.notebook_directory(shell.user_ns)
        try:
            path = setup.merge(directory, name, python, args)
        except setup.SetupError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(
                f"could not write {directory / setup.MCP_JSON}: {exc.strerror or type(exc).__name__}"
            ) from None
        print(
            f"Wrote the {name!r} server into {path} (other servers kept). Claude Code started in "
            "that folder asks once whether to use it."
        )
