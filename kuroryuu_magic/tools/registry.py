"""The tool definitions sent to the API and the dispatcher that runs one call.

:data:`DEFINITIONS` holds every tool in the Anthropic format (``name``,
``description``, ``input_schema``), ``run_python`` included (its running,
with the user's approval, belongs to the agent loop, not here).
:func:`run_tool` checks a call's input against its schema — required keys,
JSON types, enums, bounds, no unknown keys — and runs the tool; it never
raises.  Imports this package's tool modules only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from ..core.redact import redact
from ..core.shell import ShellLike
from . import distribution, frames, kernel, rows
from .outcome import ToolOutcome
from .text import bounded

_NAME = {"type": "string", "description": "A variable name in the user's namespace."}
_COLUMN = {
    "type": ["string", "integer"],
    "description": "A column name as listed by describe (non-string names as their str()).",
}
_COLUMNS = {
    "type": "array",
    "items": _COLUMN,
    "maxItems": 500,
    "description": "Column names; omit for all columns.",
}
_ANY_VALUE = {"type": ["string", "number", "integer", "boolean", "null", "array"]}


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


DEFINITIONS: list[dict[str, Any]] = [
    {
        "name": "list_variables",
        "description": "List the user's variables in the notebook kernel: names, types and shapes "
        "(no values). Call first to learn what data exists.",
        "input_schema": _schema({}, []),
    },
    {
        "name": "describe",
        "description": "Exact per-column profile of a DataFrame, Series or array: dtype, non-null "
        "and distinct counts, min/max, mean/std/quartiles, share of zeros, top values with counts "
        "for low-cardinality columns, string lengths, date ranges.",
        "input_schema": _schema({"name": _NAME, "columns": _COLUMNS}, ["name"]),
    },
    {
        "name": "value_counts",
        "description": "Most frequent values of one column with exact counts (or shares with "
        "normalize=true), the remainder summed, and the null count.",
        "input_schema": _schema(
            {
                "name": _NAME,
                "column": _COLUMN,
                "top": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 20},
                "normalize": {"type": "boolean", "default": False},
            },
            ["name", "column"],
        ),
    },
    {
        "name": "null_counts",
        "description": "Null (None/NaN/NaT) count and share per column, and rows with any null.",
        "input_schema": _schema({"name": _NAME}, ["name"]),
    },
    {
        "name": "duplicates",
        "description": "Count of rows identical to an earlier row (over subset columns, or all) "
        "and the most repeated rows with their index labels.",
        "input_schema": _schema(
            {
                "name": _NAME,
                "subset": _COLUMNS,
                "show": {"type": "integer", "minimum": 0, "maximum": 50, "default": 5},
            },
            ["name"],
        ),
    },
    {
        "name": "quantiles",
        "description": "Exact quantiles (linear interpolation) of a numeric or datetime column.",
        "input_schema": _schema(
            {
                "name": _NAME,
                "column": _COLUMN,
                "q": {
                    "type": "array",
                    "items": {"type": "number", "minimum": 0, "maximum": 1},
                    "minItems": 1,
                    "maxItems": 101,
                    "default": list(distribution.DEFAULT_Q),
                },
            },
            ["name", "column"],
        ),
    },
    {
        "name": "correlations",
        "description": "Pairwise correlations between numeric columns, strongest first, each with "
        "the number of rows where both are present.",
        "input_schema": _schema(
            {
                "name": _NAME,
                "columns": _COLUMNS,
                "method": {"type": "string", "enum": ["pearson", "spearman"], "default": "pearson"},
            },
            ["name"],
        ),
    },
    {
        "name": "sample_rows",
        "description": "Up to n rows matching every where condition. Each condition is "
        "[column, op, value] with op one of == != < <= > >= in not_in isnull notnull contains "
        "(in/not_in take a list; isnull/notnull take no value; contains is a plain substring).",
        "input_schema": _schema(
            {
                "name": _NAME,
                "n": {"type": "integer", "minimum": 0, "maximum": rows.MAX_ROWS, "default": 10},
                "where": {
                    "type": "array",
                    "maxItems": 20,
                    "items": {
                        "type": "array",
                        "minItems": 2,
                        "maxItems": 3,
                        "prefixItems": [
                            _COLUMN,
                            {"type": "string", "enum": list(rows.ALL_OPS)},
                            _ANY_VALUE,
                        ],
                    },
                },
                "columns": _COLUMNS,
            },
            ["name"],
        ),
    },
    {
        "name": "groupby",
        "description": "An aggregate of one column per group of one or more key columns, largest "
        "value first, with each group's row count. Null keys form their own group.",
        "input_schema": _schema(
            {
                "name": _NAME,
                "by": {
                    "type": ["string", "integer", "array"],
                    "items": _COLUMN,
                    "maxItems": rows.MAX_BY,
                    "description": "One key column or a list of them.",
                },
                "column": _COLUMN,
                "agg": {"type": "string", "enum": list(rows.AGGS)},
            },
            ["name", "by", "column", "agg"],
        ),
    },
    {
        "name": "histogram",
        "description": "Counts in equal-width bins over a numeric, datetime or bool column.",
        "input_schema": _schema(
            {
                "name": _NAME,
                "column": _COLUMN,
                "bins": {"type": "integer", "minimum": 1, "maximum": 200, "default": 20},
            },
            ["name", "column"],
        ),
    },
    {
        "name": "cell",
        "description": "Source code of notebook cell In[n] and the text of its value Out[n]; "
        "negative n counts back from the latest cell.",
        "input_schema": _schema({"n": {"type": "integer"}}, ["n"]),
    },
    {
        "name": "last_error",
        "description": "The last exception in the kernel: type, message, traceback trimmed to the "
        "user's code, and the failing cell's source.",
        "input_schema": _schema({}, []),
    },
    {
        "name": "run_python",
        "description": "Propose Python code to run in the user's kernel namespace. The user sees the "
        "exact code and must approve it before it runs; a declined call runs nothing. Returns "
        "stdout, the last expression's repr, or the exception. Prefer the read-only tools.",
        "input_schema": _schema(
            {"code": {"type": "string", "description": "The Python code to run."}}, ["code"]
        ),
    },
]

_RUNNERS: dict[str, Callable[..., ToolOutcome]] = {
    "list_variables": kernel.list_variables,
    "describe": frames.describe,
    "value_counts": frames.value_counts,
    "null_counts": frames.null_counts,
    "duplicates": frames.duplicates,
    "quantiles": distribution.quantiles,
    "correlations": distribution.correlations,
    "sample_rows": rows.sample_rows,
    "groupby": rows.groupby,
    "histogram": distribution.histogram,
    "cell": kernel.cell,
    "last_error": kernel.last_error,
}
_NEEDS_SHELL = frozenset({"list_variables", "cell", "last_error"})
_BY_NAME = {d["name"]: d for d in DEFINITIONS}
INSPECT_TOOLS = tuple(_RUNNERS)
CODE_TOOL = "run_python"


def tool_definitions(*, code: bool = False) -> list[dict[str, Any]]:
    """Definitions to send: the inspection tools, plus ``run_python`` when ``code`` is True."""
    return [copy.deepcopy(d) for d in DEFINITIONS if code or d["name"] != CODE_TOOL]


_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def check(value: Any, schema: Mapping[str, Any], where: str, depth: int = 0) -> str | None:
    """The first way ``value`` breaks ``schema`` (the subset our definitions use), or None."""
    if depth > 8:
        return f"{where}: nested too deep"
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_JSON_TYPES[k](value) for k in kinds):
            return f"{where} must be {' or '.join(kinds)}, got {type(value).__name__}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where} must be one of {', '.join(map(str, schema['enum']))}"
    if _JSON_TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{where} must be >= {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{where} must be <= {schema['maximum']}"
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"{where} needs at least {schema['minItems']} items"
        if len(value) > schema.get("maxItems", 10**9):
            return f"{where} takes at most {schema['maxItems']} items"
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items")
            if sub:
                problem = check(item, sub, f"{where}[{i}]", depth + 1)
                if problem:
                    return problem
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for key in schema.get("required", []):
            if key not in value:
                return f"missing required input {key!r}"
        if schema.get("additionalProperties") is False:
            extra = [k for k in value if k not in props]
            if extra:
                return f"unknown input {extra[0]!r}; inputs are {', '.join(props) or 'none'}"
        for key, item in value.items():
            problem = check(item, props[key], key, depth + 1) if key in props else None
            if problem:
                return problem
    return None


def run_tool(
    name: str,
    input: Any,
    namespace: Mapping[str, Any],
    *,
    max_chars: int,
    schema_only: bool,
    shell: ShellLike | None = None,
) -> ToolOutcome:
    """Run one inspection tool call; bad names and inputs come back as error outcomes."""
    try:
        if name == CODE_TOOL:
            return ToolOutcome("error: run_python runs only through the approval step", True)
        if name not in _RUNNERS:
            known = ", ".join(_RUNNERS)
            text = f"error: no tool {str(name)[:60]!r}; tools are {known}"
            return ToolOutcome(bounded(redact(text), max_chars), True)
        problem = check(input, _BY_NAME[name]["input_schema"], "input")
        if problem:
            return ToolOutcome(bounded(redact(f"error: {problem}"), max_chars), True)
        kwargs = dict(input)
        if name in _NEEDS_SHELL:
            kwargs["shell"] = shell
        return _RUNNERS[name](namespace, **kwargs, max_chars=max_chars, schema_only=schema_only)
    except Exception as exc:  # the contract: never raises into the loop
        return ToolOutcome(f"error: {name} failed: {type(exc).__name__}", True)
