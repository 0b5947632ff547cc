"""One record per tool: name, description, input model and the function that runs it.

Everything else is generated from :data:`TOOLS`: the Anthropic tool
definition (``Tool.definition``, its ``input_schema`` made by pydantic from
the input model), the input check (``Tool.validate``, the same model), and —
for ``kuroryuu_magic.mcp`` — the MCP tool listing, which reads the same
``name``, ``description`` and ``input_schema``.  Adding a tool is one entry
here and its function.

Inputs arrive as JSON from the model: the models are strict (no ``"3"`` for
3, no ``true`` for 1) and forbid unknown keys, so a typo is an error Claude
can read and correct rather than a silently ignored argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from . import _distribution, _frames, _kernel, _rows
from .outcome import ToolOutcome

if TYPE_CHECKING:
    from anthropic.types import ToolParam

__all__ = ["CODE_TOOL", "TOOLS", "Tool", "tool_named"]

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
