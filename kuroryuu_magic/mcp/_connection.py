"""A kernel's connection file, read as foreign input; its key is never shown.

:func:`read` returns the validated fields ``jupyter_client`` needs, or raises
:class:`ConnectionFileError` whose text names the file and what is wrong with
it — never a value from it (the ``key`` signs every message to the kernel: with
it anyone can run code there).  :func:`fingerprint` tells whether the file
changed (a kernel started anew writes new ports and a new key).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

MAX_BYTES = 64 * 1024  # a real connection file is ~300 bytes
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


class ConnectionFileError(Exception):
    """The connection file is missing, unreadable or not a kernel connection file."""


def read(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The connection info in ``path``, checked field by field."""
    where = Path(path)
    try:
        with open(where, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConnectionFileError(f"no connection file at {where}") from None
    except OSError as exc:
        raise ConnectionFileError(
            f"cannot read connection file {where}: {exc.strerror or type(exc).__name__}"
        ) from None
    if len(raw) > MAX_BYTES:
        raise ConnectionFileError(f"{where} is too large to be a kernel connection file")
    try:
        info = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ConnectionFileError(f"{where} is not JSON (not a kernel connection file)") from None
    if not isinstance(info, dict):
        raise ConnectionFileError(f"{where} is not a kernel connection file (not a JSON object)")
    problem = _problem(info)
    if problem:
        raise ConnectionFileError(f"{where} is not a usable kernel connection file: {problem}")
    keep = (*PORTS, "ip", "transport", "key", "signature_scheme")
    return {k: info[k] for k in keep if k in info}


def _problem(info: dict[str, Any]) -> str:
    """What is wrong, named by field only (values stay unsaid)."""
    for port in PORTS:
        value = info.get(port)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            return f"{port} is missing or not a port number"
    if info.get("transport", "tcp") not in ("tcp", "ipc"):
        return "transport must be tcp or ipc"
    if not isinstance(info.get("ip", ""), str) or not info.get("ip"):
        return "ip is missing"
    if not isinstance(info.get("key", ""), str):
        return "key is not a string"
    scheme = info.get("signature_scheme", "hmac-sha256")
    if not isinstance(scheme, str) or not scheme.startswith("hmac-"):
        return "signature_scheme is not an hmac scheme"
    return ""


def fingerprint(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of the file, or None when it is gone: cheap change detection."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
