"""Turn a user's type or JSON schema into the API's structured-output request part.

The schema goes through exactly what ``client.messages.parse(output_format=…)``
does: ``pydantic.TypeAdapter(T).json_schema()`` then the SDK's public
``anthropic.transform_schema`` (constraints the API cannot enforce move into
descriptions; objects get ``additionalProperties: false``).  A JSON-schema dict
goes through ``transform_schema`` alone.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

import anthropic
import pydantic
import typing_extensions as tx

from ._typeddict import pydantic_ready

__all__ = ["SchemaError", "SchemaKind", "SchemaSpec", "schema_for"]

SchemaKind = Literal["pydantic", "dataclass", "typeddict", "json_schema"]


class SchemaError(TypeError):
    """The object cannot serve as a schema.  One line, meant for a ``UsageError``."""


@dataclass(frozen=True, eq=False)
class SchemaSpec:
    """A schema ready to send (``schema``) and to validate answers against.

    ``source_schema`` is the untransformed JSON schema (validation of dict
    schemas uses it, constraints included); ``adapter`` validates answers for
    the three Python kinds and is ``None`` for a JSON-schema dict.
    """

    target: object  # the user's class, or their JSON-schema dict
    kind: SchemaKind
    name: str
    schema: dict[str, Any]
    source_schema: dict[str, Any]
    adapter: pydantic.TypeAdapter[Any] | None = dataclasses.field(default=None, repr=False)

    @property
    def output_format(self) -> dict[str, Any]:
        """``{"type": "json_schema", "schema": …}``: the SDK's ``JSONOutputFormatParam``."""
        return {"type": "json_schema", "schema": self.schema}

    @property
    def output_config(self) -> dict[str, Any]:
        """``{"format": …}``: the request's ``output_config`` (``OutputConfigParam``)."""
        return {"format": self.output_format}

    def merge_output_config(self, output_config: Mapping[str, Any] | None) -> dict[str, Any]:
        """``output_config`` (e.g. ``{"effort": "low"}``) with this schema as its ``format``."""
        return {**(output_config or {}), "format": self.output_format}


def _kind(obj: object) -> SchemaKind | None:
    if isinstance(obj, type) and issubclass(obj, pydantic.BaseModel):
        return "pydantic"
    if isinstance(obj, type) and dataclasses.is_dataclass(obj):
        return "dataclass"
    if tx.is_typeddict(obj):
        return "typeddict"
    return None


def _describe(obj: object) -> str:
    if isinstance(obj, type):
        return f"the class {obj.__name__}"
    return f"an object of type {type(obj).__name__}"


def schema_for(obj: object) -> SchemaSpec:
    """A :class:`SchemaSpec` for a pydantic model, a dataclass, a ``TypedDict`` or a
    JSON-schema dict; :class:`SchemaError` (one line) for anything else."""
    if isinstance(obj, SchemaSpec):
        return obj
    if isinstance(obj, Mapping):
        return _from_json_schema(obj)
    kind = _kind(obj)
    if kind is None:
        instance_of = _kind(type(obj))
        hint = (
            f" (it is an instance of {type(obj).__name__}; pass the class)" if instance_of else ""
        )
        raise SchemaError(
            f"a schema must be a pydantic model, a dataclass, a TypedDict or a JSON-schema dict, "
            f"not {_describe(obj)}{hint}"
        )
    name = getattr(obj, "__name__", kind)
    try:
        # a pydantic model's own fields are pydantic's to build; the rest may hold TypedDicts
        ready = obj if kind == "pydantic" else pydantic_ready(obj)
        # Every kind _kind accepts is a class, and pydantic_ready rebuilds a class as a class.
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(cast("type[Any]", ready))
        source = adapter.json_schema()
        schema = anthropic.transform_schema(source)
    except (pydantic.PydanticUserError, pydantic.errors.PydanticSchemaGenerationError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SchemaError(f"cannot build a JSON schema from {name}: {first}") from None
    except (
        TypeError,
        ValueError,
        RecursionError,
    ) as exc:  # RecursionError: a self-referencing TypedDict
        raise SchemaError(f"cannot build a JSON schema from {name}: {exc}") from None
    return SchemaSpec(obj, kind, name, schema, source, adapter)


_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions")


def _split_type_lists(node: object) -> object:
    """``{"type": ["number", "null"]}`` (valid JSON Schema, common in hand-written dicts)
    as ``anyOf`` of single types, the only spelling ``transform_schema`` accepts."""
    return _split_schema(node) if isinstance(node, dict) else node


def _split_schema(node: dict[str, Any]) -> dict[str, Any]:
    out = dict(node)
    for key in _SUBSCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_split_type_lists(s) for s in out[key]]
    for key in _SUBSCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {k: _split_type_lists(s) for k, s in out[key].items()}
    for key in ("items", "additionalProperties"):
        if key in out:
            out[key] = _split_type_lists(out[key])
    types = out.get("type")
    if isinstance(types, list) and types and all(isinstance(t, str) for t in types):
        del out["type"]
        if len(types) == 1:
            out["type"] = types[0]
        elif "anyOf" not in out:
            out["anyOf"] = [{"type": t} for t in types]
    return out


MAX_SCHEMA_DEPTH = 64  # real schemas nest a dozen levels; the API's own limits are far lower
MAX_SCHEMA_NODES = 100_000


def _check_depth(obj: object) -> None:
    """Refuse a schema nested deeper than :data:`MAX_SCHEMA_DEPTH` or larger than
    :data:`MAX_SCHEMA_NODES`, walked without recursion: copying or transforming it would
    overflow the stack."""
    stack: list[tuple[object, int]] = [(obj, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (Mapping, list, tuple)):
            continue
        if depth > MAX_SCHEMA_DEPTH:  # also a dict that holds itself: it nests forever
            raise SchemaError(f"the schema nests more than {MAX_SCHEMA_DEPTH} levels deep")
        nodes += 1
        if nodes > MAX_SCHEMA_NODES:  # one sub-dict shared many times over grows fast
            raise SchemaError(f"the schema has more than {MAX_SCHEMA_NODES:,} parts")
        children = node.values() if isinstance(node, Mapping) else node
        stack.extend((child, depth + 1) for child in children)


def _from_json_schema(obj: Mapping[str, Any]) -> SchemaSpec:
    _check_depth(obj)
    source = copy.deepcopy(dict(obj))  # the user may keep editing their dict
    try:
        schema = anthropic.transform_schema(_split_schema(source))
    # transform_schema walks arbitrary user data: anything malformed lands here.
    except (TypeError, ValueError, AttributeError, AssertionError, KeyError, RecursionError) as exc:
        raise SchemaError(f"not a usable JSON schema: {exc}") from None
    title = source.get("title")
    name = title if isinstance(title, str) and title else "schema"
    return SchemaSpec(obj, "json_schema", name, schema, source)
