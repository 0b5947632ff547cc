"""The tool limits the MCP kernel side uses come down from the magic, never looked up in it.

``mcp/`` sits below the magic layer: the magic registers a reader of its
``object_chars``/``schema_only`` traits (``core.toollimits``), and an MCP call
inside the kernel asks that reader, live, for each call (issue 22: no layer
reaches back up).  ``tests/test_mcp.py`` drives the same through a real kernel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kuroryuu_magic.core.session import session_for
from kuroryuu_magic.core.toollimits import ToolLimits, ToolLimitsSource
from kuroryuu_magic.mcp import _inkernel
from kuroryuu_magic.tools.outcome import DEFAULT_MAX_CHARS

PACKAGE = Path(__file__).resolve().parent.parent / "kuroryuu_magic"


def test_the_kernel_side_reads_the_magics_traits_live(ip: Any) -> None:
    assert _inkernel._settings(ip) == (4000, False)
    ip.run_line_magic("config", "ClaudeMagics.object_chars = 300")
    ip.run_line_magic("config", "ClaudeMagics.schema_only = True")
    assert _inkernel._settings(ip) == (300, True)


def test_an_unloaded_magic_leaves_the_tools_defaults(ip: Any) -> None:
    ip.run_line_magic("config", "ClaudeMagics.object_chars = 300")
    ip.run_line_magic("unload_ext", "kuroryuu_magic")
    try:
        assert _inkernel._settings(ip) == (DEFAULT_MAX_CHARS, False)
    finally:
        ip.run_line_magic("load_ext", "kuroryuu_magic")  # the fixture unloads it again
    # The new magic registers itself again; %config values outlive a reload.
    assert _inkernel._settings(ip) == (300, False)


def test_a_reader_that_fails_means_the_defaults() -> None:
    source = ToolLimitsSource()
    assert source.current() is None
    source.provide(lambda: ToolLimits(123, True))
    assert source.current() == (123, True)

    def broken() -> ToolLimits:
        raise AttributeError("half torn down")

    source.provide(broken)
    assert source.current() is None


def test_a_shell_without_the_magic_gets_the_defaults() -> None:
    class Bare:
        pass

    shell = Bare()
    assert session_for(shell).peek(ToolLimitsSource) is None
    assert _inkernel._settings(shell) == (DEFAULT_MAX_CHARS, False)  # type: ignore[arg-type]


def test_the_mcp_package_never_names_the_magics_object() -> None:
    for path in sorted((PACKAGE / "mcp").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in ("ClaudeMagics", "magics_manager"):
            assert name not in text, f"{path.name} names {name}"
