"""Read-only inspection tools Claude can call on the user's kernel objects.

Plain functions over the user's namespace (``shell.user_ns``); each computes
an exact answer with pandas/polars/numpy operations on named columns, returns
bounded and redacted text, and never raises: mistakes come back as
``ToolOutcome(text, is_error=True)``.

- :data:`TOOLS` — one :class:`Tool` record per tool (name, description, pydantic
  input model, the function): everything below, and the MCP server's tool
  list, is generated from it;
- :data:`DEFINITIONS` / :func:`tool_definitions` — Anthropic tool definitions
  (``run_python`` included; running it, with approval, belongs to the loop);
- :func:`run_tool` — validate one call's input with its model and run it;
- the tools themselves, importable for direct use and tests.

This package imports nothing from the magic layer; the agent loop imports it.
"""

from __future__ import annotations

from ._distribution import correlations, histogram, quantiles
from ._frames import describe, duplicates, null_counts, value_counts
from ._kernel import cell, last_error, list_variables
from ._records import (
    CODE_TOOL,
    DEFINITIONS,
    INSPECT_TOOLS,
    TOOLS,
    Tool,
    run_tool,
    tool_definitions,
    tool_named,
)
from ._rows import groupby, sample_rows
from .outcome import ToolError, ToolOutcome

__all__ = [
    "CODE_TOOL",
    "DEFINITIONS",
    "INSPECT_TOOLS",
    "TOOLS",
    "Tool",
    "ToolError",
    "ToolOutcome",
    "cell",
    "correlations",
    "describe",
    "duplicates",
    "groupby",
    "histogram",
    "last_error",
    "list_variables",
    "null_counts",
    "quantiles",
    "run_tool",
    "sample_rows",
    "tool_definitions",
    "tool_named",
    "value_counts",
]
