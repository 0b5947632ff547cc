"""What ``%claude mcp`` prints and writes: the ``claude mcp add`` line and ``.mcp.json``.

Plain values in, text or a path out; the magic layer does the printing.  The
server command is this environment's Python running ``-m kuroryuu_magic.mcp``
with this kernel's connection file (its path only: the key inside stays there).

``.mcp.json`` is merged, never clobbered: the file is read as foreign input
(bounded, must be a JSON object whose ``mcpServers`` is an object), a symlink is
refused, another tool's server under the same name is refused, everything else
in the file is kept, and the new file replaces the old one atomically.
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any

MCP_JSON = ".mcp.json"
MAX_BYTES = 1024 * 1024
MODULE = "kuroryuu_magic.mcp"
DEFAULT_NAME = "notebook"


class SetupError(Exception):
    """``.mcp.json`` cannot be written safely: one line saying why and what to do."""


def server_args(connection_file: str, *, allow_run: bool = False) -> list[str]:
    args = ["-m", MODULE, "--connection-file", connection_file]
    return [*args, "--allow-run"] if allow_run else args


def add_command(name: str, python: str, args: list[str]) -> str:
    """The ``claude mcp add NAME -- COMMAND ARGS…`` line, quoted for a POSIX shell."""
    return shlex.join(["claude", "mcp", "add", name, "--", python, *args])


def server_entry(python: str, args: list[str]) -> dict[str, Any]:
    return {"command": python, "args": list(args), "env": {}}


def mcp_json(name: str, python: str, args: list[str]) -> str:
    """The ``.mcp.json`` (or Claude Desktop config) text holding just this server."""
    return json.dumps({"mcpServers": {name: server_entry(python, args)}}, indent=2)


def _ours(entry: object) -> bool:
    return isinstance(entry, dict) and MODULE in map(str, entry.get("args") or [])


def merge(directory: str | os.PathLike[str], name: str, python: str, args: list[str]) -> Path:
    """Write or merge ``directory/.mcp.json`` with this server under ``name``; the path written."""
    path = Path(directory) / MCP_JSON
    data: dict[str, Any] = {}
    if path.is_symlink():
        raise SetupError(
            f"{path} is a symbolic link; not writing through it (replace it with a file)"
        )
    if path.exists():
        if not path.is_file():
            raise SetupError(f"{path} is not a regular file; not touching it")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise SetupError(f"{path} is larger than 1 MB; not a config this tool will rewrite")
        try:
            data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            raise SetupError(f"{path} is not valid JSON; fix or move it, then run again") from None
        if not isinstance(data, dict):
            raise SetupError(f"{path} is not a JSON object; fix or move it, then run again")
    servers = data.get("mcpServers", {})
    if not isinstance(servers, dict):
        raise SetupError(f'{path}: "mcpServers" is not an object; fix it, then run again')
    if name in servers and not _ours(servers[name]):
        raise SetupError(
            f"{path} already has another server named {name[:60]!r}; choose a name with --name"
        )
    data["mcpServers"] = {**servers, name: server_entry(python, args)}
    fd, tmp = tempfile.mkstemp(prefix=".mcp.json.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def notebook_directory(user_ns: dict[str, Any]) -> Path:
    """Where the notebook is: VS Code's notebook path, Jupyter's session path, else the kernel's cwd.

    Jupyter starts a notebook's kernel in the notebook's directory, so the working
    directory is right unless the user changed it.
    """
    for candidate in (user_ns.get("__vsc_ipynb_file__"), os.environ.get("JPY_SESSION_NAME")):
        if isinstance(candidate, str) and os.path.isabs(candidate) and os.path.isfile(candidate):
            return Path(candidate).parent
    return Path.cwd()


def this_connection_file() -> str | None:
    """This kernel's connection file (absolute), or None outside a Jupyter kernel."""
    try:
        from ipykernel.connect import get_connection_file

        return str(Path(get_connection_file()).resolve())
    except Exception:  # not in a kernel (terminal IPython, a script)
        return None


def sdk_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("mcp") is not None
    except (ImportError, ValueError):
        return False
