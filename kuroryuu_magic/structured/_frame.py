"""Validated answers as a DataFrame: one typed column per top-level field, plus ``_error``.

The frame is built on the caller's index, so ``df.join(out)`` lines up with
the rows that were labelled.  pandas is optional and imported only here, when
a frame is asked for.  Column dtypes come from the schema: integer → Int64,
number → Float64, boolean → boolean, string → string, an enum of strings →
category (in the schema's order), anything else (lists, objects, unions) →
object.  Values are the answer's JSON values (enum members as their values,
dates as ISO strings, nested objects as dicts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from typing import TYPE_CHECKING, Any, NamedTuple

from ._schema import SchemaSpec
from ._validate import resolve_ref

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ERROR_COLUMN", "Column", "columns_for", "is_error", "to_frame"]

ERROR_COLUMN = "_error"
_VALUE_COLUMN = "value"  # the one column for a schema whose root is not an object
_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


class Column(NamedTuple):
    name: str
    dtype: str  # "Int64", "Float64", "boolean", "string", "category" or "object"
    categories: tuple[object, ...] = ()


def _dtype(schema: object, root: Mapping[str, Any]) -> tuple[str, tuple[object, ...]]:
    schema = resolve_ref(root, schema)
    if not isinstance(schema, Mapping):
        return "object", ()
    variants = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(variants, list):  # Optional[X] is anyOf [X, null]: X's dtype, nullable
        non_null = [v for v in variants if resolve_ref(root, v) != {"type": "null"}]
        return _dtype(non_null[0], root) if len(non_null) == 1 else ("object", ())
    enum = schema.get("enum")
    if isinstance(enum, list):
        values = tuple(v for v in enum if v is not None)
        if values and all(isinstance(v, str) for v in values):
            return "category", values
        return "object", ()
    if isinstance(schema.get("const"), str):
        return "string", ()
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        kind = non_null[0] if len(non_null) == 1 else None
    return _DTYPES.get(kind, "object") if isinstance(kind, str) else "object", ()


def _layout(spec: SchemaSpec) -> tuple[list[Column], bool]:
    """(columns, whether each answer is one ``value`` rather than an object of fields)."""
    root = spec.source_schema
    top = resolve_ref(root, root)
    props = top.get("properties") if isinstance(top, Mapping) else None
    if isinstance(top, Mapping) and top.get("type") == "object" and isinstance(props, Mapping):
        return [Column(str(name), *_dtype(prop, root)) for name, prop in props.items()], False
    return [Column(_VALUE_COLUMN, *_dtype(top, root))], True


def columns_for(spec: SchemaSpec) -> list[Column]:
    """The frame's columns for ``spec``, ``_error`` excluded."""
    return _layout(spec)[0]


def is_error(item: object) -> bool:
    """An exception, or an ``ItemError``-like stand-in (it has ``kind`` and ``message``)."""
    return isinstance(item, BaseException) or (
        hasattr(item, "kind") and hasattr(item, "message") and not item
    )


def _record(spec: SchemaSpec, item: object, single: bool) -> Mapping[str, object]:
    if spec.adapter is not None:
        target = spec.target  # a class for these two kinds (schema_for checked)
        kinds = ("pydantic", "dataclass")
        if spec.kind in kinds and isinstance(target, type) and not isinstance(item, target):
            raise TypeError(f"expected a {spec.name} or an error, got {type(item).__name__}")
        item = spec.adapter.dump_python(item, mode="json", by_alias=True)
    if single:
        return {_VALUE_COLUMN: item}
    if not isinstance(item, Mapping):
        raise TypeError(
            f"expected an object for {spec.name} or an error, got {type(item).__name__}"
        )
    return item


def _array(values: list[object], column: Column) -> object:
    import pandas as pd

    try:
        if column.dtype == "category":
            return pd.Categorical(values, categories=list(column.categories))
        return pd.array(values, dtype=column.dtype)
    except (TypeError, ValueError, OverflowError):
        # A value the schema's dtype cannot hold (an int past int64): keep it as it is.
        return pd.array(values, dtype=object)


def to_frame(
    spec: SchemaSpec, results: Sequence[object], index: Sized | None = None
) -> pd.DataFrame:
    """A DataFrame with a row per result, on ``index`` (default: 0…n-1).

    Each result is a validated value (what :func:`parse_answer` returns), an
    error (an exception or an ``ItemError``; its row's fields are missing and
    ``_error`` holds it) or ``None`` (fields missing, ``_error`` None).
    """
    import pandas as pd

    columns, single = _layout(spec)
    if index is None:
        index = pd.RangeIndex(len(results))
    elif len(index) != len(results):
        raise ValueError(f"{len(results)} results for an index of {len(index)} rows")
    data: dict[str, list[object]] = {c.name: [] for c in columns}
    errors: list[object] = []
    for item in results:
        if item is None or is_error(item):
            record: Mapping[str, object] = {}
            errors.append(item)
        else:
            record = _record(spec, item, single)
            errors.append(None)
        for column in columns:
            data[column.name].append(record.get(column.name))
    frame = {c.name: _array(data[c.name], c) for c in columns}
    frame[ERROR_COLUMN] = pd.array(errors, dtype=object)
    # Arrays, not Series: they are placed by position on ``index``, never re-aligned.
    return pd.DataFrame(frame, index=index, columns=[*data, ERROR_COLUMN])
