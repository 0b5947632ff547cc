"""One record per tool: name, description, input model and the function that runs it.

Everything else is generated from :data:`TOOLS`: the Anthropic tool
definition (``Tool.definition``, its ``input_schema`` made by pydantic from
the input model), the input check (``Tool.validate``, the same model), and —
for ``kuroryuu_magic.mcp`` — the MCP tool listing, which reads the same
``name``, ``description`` and ``input_schema``.  Adding a tool is one entry
here and its function.

At the end of the module, the two things the agent loop and the MCP server use:
:data:`DEFINITIONS` (every tool in the Anthropic format, ``run_python``
included; running it, with the user's approval, belongs to the agent loop) and
:func:`run_tool`, which validates a call's input with the tool's own input
model, turns pydantic's verdict into one line Claude can act on, and runs the
tool; it never raises.

Inputs arrive as JSON from the model: the models are strict (no ``"3"`` for
3, no ``true`` for 1) and forbid unknown keys, so a typo is an error Claude
can read and correct rather than a silently ignored argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from ..core.redact import redact
from ..core.shell import ShellLike
from . import _distribution, _frames, _kernel, _rows
from .outcome import ToolOutcome
from .text import bounded

if TYPE_CHECKING:
    from anthropic.types import ToolParam

CODE_TOOL = "run_python"

Name = Annotated[StrictStr, Field(description="A variable name in the user's namespace.")]
ColumnRef = StrictStr | StrictInt  # described once where it appears alone, not in every item
Column = Annotated[
    ColumnRef,
    Field(description="A column name as listed by describe (non-string names as their str())."),
]
Columns = Annotated[
    list[ColumnRef], Field(max_length=500, description="Column names; omit for all columns.")
]
# A comparison value in a `where` condition: any JSON value but an object.
Value = StrictStr | StrictInt | StrictFloat | StrictBool | None | list[Any]
Condition = tuple[ColumnRef, _rows.Op] | tuple[ColumnRef, _rows.Op, Value]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoInput(_Input):
    pass


class NameInput(_Input):
    name: Name


class DescribeInput(_Input):
    name: Name
    columns: Columns = None  # type: ignore[assignment]  # omitted means all; null is refused


class ValueCountsInput(_Input):
    name: Name
    column: Column
    top: Annotated[StrictInt, Field(ge=1, le=1000)] = 20
    normalize: StrictBool = False


class DuplicatesInput(_Input):
    name: Name
    subset: Columns = None  # type: ignore[assignment]
    show: Annotated[StrictInt, Field(ge=0, le=50)] = 5


class QuantilesInput(_Input):
    name: Name
    column: Column
    q: Annotated[
        list[Annotated[float, Field(strict=True, ge=0, le=1)]],
        Field(min_length=1, max_length=101),
    ] = list(_distribution.DEFAULT_Q)


class CorrelationsInput(_Input):
    name: Name
    columns: Columns = None  # type: ignore[assignment]
    method: _distribution.Method = "pearson"


class SampleRowsInput(_Input):
    name: Name
    n: Annotated[StrictInt, Field(ge=0, le=_rows.MAX_ROWS)] = 10
    where: Annotated[list[Condition], Field(max_length=20)] = None  # type: ignore[assignment]
    columns: Columns = None  # type: ignore[assignment]


class GroupbyInput(_Input):
    name: Name
    by: Annotated[
        StrictStr | StrictInt | Annotated[list[ColumnRef], Field(max_length=_rows.MAX_BY)],
        Field(description="One key column or a list of them."),
    ]
    column: Column
    agg: _rows.Agg


class HistogramInput(_Input):
    name: Name
    column: Column
    bins: Annotated[StrictInt, Field(ge=1, le=200)] = 20


class CellInput(_Input):
    n: StrictInt


class CodeInput(_Input):
    code: Annotated[StrictStr, Field(description="The Python code to run.")]


def _tidy_object(schema: Mapping[str, object]) -> dict[str, object]:
    """pydantic's schema without its ``title``s and ``null`` defaults: tokens Claude reads."""
    return {
        k: _tidy(v)
        for k, v in schema.items()
        if k != "title" and not (k == "default" and v is None)
    }


def _tidy(schema: object) -> object:
    if isinstance(schema, dict):
        return _tidy_object(schema)
    if isinstance(schema, list):
        return [_tidy(v) for v in schema]
    return schema


@dataclass(frozen=True)
class Tool:
    """One tool: what Claude (or an MCP client) is told, and what runs."""

    name: str
    description: str
    input: type[BaseModel]
    # ``run(namespace, **input, max_chars=…, schema_only=…)``; ``None``: the agent loop runs it
    # (``run_python``, after the user approves the code).
    run: Callable[..., ToolOutcome] | None
    needs_shell: bool = False  # the kernel's history or last error, not just its namespace
    read_only: bool = True

    @cached_property
    def input_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = _tidy_object(self.input.model_json_schema())
        schema.setdefault("properties", {})
        schema.setdefault("required", [])
        return schema

    def definition(self) -> ToolParam:
        """The Anthropic tool definition (a fresh copy: callers may add ``cache_control``)."""
        import copy

        return {
            "name": self.name,
            "description": self.description,
            "input_schema": copy.deepcopy(self.input_schema),
        }

    def validate(self, value: object) -> None:
        """Raise pydantic's ``ValidationError`` when ``value`` is not a valid input."""
        self.input.model_validate(value)


TOOLS: tuple[Tool, ...] = (
    Tool(
        "list_variables",
        "List the user's variables in the notebook kernel: names, types and shapes "
        "(no values). Call first to learn what data exists.",
        NoInput,
        _kernel.list_variables,
        needs_shell=True,
    ),
    Tool(
        "describe",
        "Exact per-column profile of a DataFrame, Series or array: dtype, non-null "
        "and distinct counts, min/max, mean/std/quartiles, share of zeros, top values with counts "
        "for low-cardinality columns, string lengths, date ranges.",
        DescribeInput,
        _frames.describe,
    ),
    Tool(
        "value_counts",
        "Most frequent values of one column with exact counts (or shares with "
        "normalize=true), the remainder summed, and the null count.",
        ValueCountsInput,
        _frames.value_counts,
    ),
    Tool(
        "null_counts",
        "Null (None/NaN/NaT) count and share per column, and rows with any null.",
        NameInput,
        _frames.null_counts,
    ),
    Tool(
        "duplicates",
        "Count of rows identical to an earlier row (over subset columns, or all) "
        "and the most repeated rows with their index labels.",
        DuplicatesInput,
        _frames.duplicates,
    ),
    Tool(
        "quantiles",
        "Exact quantiles (linear interpolation) of a numeric or datetime column.",
        QuantilesInput,
        _distribution.quantiles,
    ),
    Tool(
        "correlations",
        "Pairwise correlations between numeric columns, strongest first, each with "
        "the number of rows where both are present.",
        CorrelationsInput,
        _distribution.correlations,
    ),
    Tool(
        "sample_rows",
        "Up to n rows matching every where condition. Each condition is "
        "[column, op, value] with op one of == != < <= > >= in not_in isnull notnull contains "
        "(in/not_in take a list; isnull/notnull take no value; contains is a plain substring).",
        SampleRowsInput,
        _rows.sample_rows,
    ),
    Tool(
        "groupby",
        "An aggregate of one column per group of one or more key columns, largest "
        "value first, with each group's row count. Null keys form their own group.",
        GroupbyInput,
        _rows.groupby,
    ),
    Tool(
        "histogram",
        "Counts in equal-width bins over a numeric, datetime or bool column.",
        HistogramInput,
        _distribution.histogram,
    ),
    Tool(
        "cell",
        "Source code of notebook cell In[n] and the text of its value Out[n]; "
        "negative n counts back from the latest cell.",
        CellInput,
        _kernel.cell,
        needs_shell=True,
    ),
    Tool(
        "last_error",
        "The last exception in the kernel: type, message, traceback trimmed to the "
        "user's code, and the failing cell's source.",
        NoInput,
        _kernel.last_error,
        needs_shell=True,
    ),
    Tool(
        CODE_TOOL,
        "Propose Python code to run in the user's kernel namespace. The user sees the "
        "exact code and must approve it before it runs; a declined call runs nothing. Returns "
        "stdout, the last expression's repr, or the exception. Prefer the read-only tools.",
        CodeInput,
        None,
        read_only=False,
    ),
)
_BY_NAME = {t.name: t for t in TOOLS}


def tool_named(name: str) -> Tool | None:
    return _BY_NAME.get(name)


# -- what the agent loop and the MCP server use ------------------------------------------

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
