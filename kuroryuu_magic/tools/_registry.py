"""The tool definitions sent to the API and the dispatcher that runs one call.

Both are generated from the records in :mod:`._records`: :data:`DEFINITIONS`
holds every tool in the Anthropic format (``name``, ``description``,
``input_schema``), ``run_python`` included (its running, with the user's
approval, belongs to the agent loop, not here).  :func:`run_tool` validates a
call's input with the tool's own input model — required keys, JSON types,
enums, bounds, no unknown keys — turns pydantic's verdict into one line
Claude can act on, and runs the tool; it never raises.  Imports this
package's modules only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from pydantic import ValidationError

from ..core.redact import redact
from ..core.shell import ShellLike
from ._records import CODE_TOOL, TOOLS, Tool, tool_named
from .outcome import ToolOutcome
from .text import bounded

if TYPE_CHECKING:
    from anthropic.types import ToolParam

DEFINITIONS: list[ToolParam] = [t.definition() for t in TOOLS]
INSPECT_TOOLS = tuple(t.name for t in TOOLS if t.run is not None)


def tool_definitions(*, code: bool = False) -> list[ToolParam]:
    """Definitions to send: the inspection tools, plus ``run_python`` when ``code`` is True."""
    return [t.definition() for t in TOOLS if code or t.name != CODE_TOOL]


# pydantic's error types, as the JSON type a value should have had.
_KINDS = {
    "string_type": "string",
    "int_type": "integer",
    "float_type": "number",
    "bool_type": "boolean",
    "list_type": "array",
    "tuple_type": "array",
    "none_required": "null",
    "dict_type": "object",
    "model_type": "object",
}
# pydantic names the member of a union it tried inside the location: not a place in the input.
_MEMBER = ("str", "int", "float", "bool", "none")


def _where(loc: tuple[int | str, ...]) -> str:
    where = "input"
    for i, part in enumerate(p for p in loc if not _is_member(p)):
        if isinstance(part, int):
            where += f"[{part}]"
        else:
            where = part if i == 0 else f"{where}.{part}"
    return where


def _is_member(part: int | str) -> bool:
    return isinstance(part, str) and (part in _MEMBER or "[" in part or "-" in part)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def problem_of(exc: ValidationError, tool: Tool) -> str:
    """The one line Claude reads for an invalid input (the most specific of pydantic's errors)."""
    errors = exc.errors()
    depth = max(len([p for p in e["loc"] if not _is_member(p)]) for e in errors)
    deepest = [e for e in errors if len([p for p in e["loc"] if not _is_member(p)]) == depth]
    other = [e for e in deepest if e["type"] not in _KINDS]
    if not other:  # only "wrong type" errors, one per member of a union: name them all
        kinds = list(dict.fromkeys(_KINDS[e["type"]] for e in deepest))
        got = type(deepest[0]["input"]).__name__
        return f"{_where(deepest[0]['loc'])} must be {' or '.join(kinds)}, got {got}"
    e = other[0]
    where, ctx = _where(e["loc"]), e.get("ctx") or {}
    kind = e["type"]
    if kind == "missing":
        return f"missing required input {e['loc'][0]!r}"
    if kind == "extra_forbidden":
        inputs = ", ".join(tool.input.model_fields) or "none"
        return f"unknown input {e['loc'][0]!r}; inputs are {inputs}"
    if kind == "literal_error":
        return f"{where} must be one of {ctx.get('expected', '')}"
    if kind == "greater_than_equal":
        return f"{where} must be >= {_number(ctx.get('ge'))}"
    if kind == "less_than_equal":
        return f"{where} must be <= {_number(ctx.get('le'))}"
    if kind == "too_short":
        return f"{where} needs at least {ctx.get('min_length')} items"
    if kind == "too_long":
        return f"{where} takes at most {ctx.get('max_length')} items"
    return f"{where}: {e['msg']}"


def run_tool(
    name: str,
    input: object,
    namespace: Mapping[str, object],
    *,
    max_chars: int,
    schema_only: bool,
    shell: ShellLike | None = None,
) -> ToolOutcome:
    """Run one inspection tool call; bad names and inputs come back as error outcomes."""
    try:
        if name == CODE_TOOL:
            return ToolOutcome("error: run_python runs only through the approval step", True)
        tool = tool_named(name) if isinstance(name, str) else None
        if tool is None or tool.run is None:
            known = ", ".join(INSPECT_TOOLS)
            text = f"error: no tool {str(name)[:60]!r}; tools are {known}"
            return ToolOutcome(bounded(redact(text), max_chars), True)
        try:
            tool.validate(input)
        except ValidationError as exc:
            text = f"error: {problem_of(exc, tool)}"
            return ToolOutcome(bounded(redact(text), max_chars), True)
        # The input as sent (validated): each tool's own defaults fill what was left out.
        kwargs = dict(
            cast("Mapping[str, object]", input)
        )  # validated: an object, as the model says
        if tool.needs_shell:
            kwargs["shell"] = shell
        return tool.run(namespace, **kwargs, max_chars=max_chars, schema_only=schema_only)
    except Exception as exc:  # the contract: never raises into the loop
        return ToolOutcome(f"error: {name} failed: {type(exc).__name__}", True)
