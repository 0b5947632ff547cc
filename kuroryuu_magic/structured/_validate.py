"""Check a decoded answer against a JSON-schema dict (the subset structured outputs use).

Used only for ``--schema`` given as a dict; the Python kinds validate through
pydantic.  Covers ``type``, ``enum``, ``const``, ``anyOf``/``oneOf`` (as any),
``allOf``, ``properties``/``required``/``additionalProperties``, ``items`` and
local ``$ref``s, plus the common constraints the API cannot enforce itself
(``minimum``/``maximum``, lengths, ``pattern``, item counts): those only reach
the model as hints in a description, so an answer may break them.

Why not ``jsonschema``: the package's dependencies are kept to IPython, ipywidgets,
the SDK (with its pydantic), platformdirs and filelock, and a schema given to
``--schema`` must also pass the SDK's ``transform_schema``, so the keywords to
check are few and fixed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["resolve_ref", "schema_errors"]

_MAX_ERRORS = 20
_MAX_REF_DEPTH = 64


def _is_type(value: object, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    return True  # an unknown type name constrains nothing we can check


def _same(a: object, b: object) -> bool:
    # JSON equality: True is not 1.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


class _Checker:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        if len(self.errors) < _MAX_ERRORS:
            self.errors.append(f"{path or '(root)'}: {message}")

    def check(self, value: object, schema: object, path: str, depth: int = 0) -> None:
        if not isinstance(schema, Mapping) or depth > _MAX_REF_DEPTH:
            return
        resolved = resolve_ref(self.root, schema)
        if not isinstance(resolved, Mapping):
            return
        schema = resolved
        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else list(types)
            if not any(_is_type(value, t) for t in names):
                self.fail(path, f"expected {' or '.join(names)}, got {_json_type(value)}")
                return
        if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
            self.fail(path, f"expected one of {schema['enum']}")
        if "const" in schema and not _same(value, schema["const"]):
            self.fail(path, f"expected {schema['const']!r}")
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and not any(
                self._passes(value, s, path, depth) for s in schema[key]
            ):
                self.fail(path, "matches none of the allowed shapes")
        for sub in schema.get("allOf") or []:
            self.check(value, sub, path, depth + 1)
        if isinstance(value, dict):
            self._object(value, schema, path, depth)
        elif isinstance(value, list):
            self._array(value, schema, path, depth)
        elif isinstance(value, str):
            self._string(value, schema, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self._number(value, schema, path)

    def _passes(self, value: object, schema: object, path: str, depth: int) -> bool:
        probe = _Checker(self.root)
        probe.check(value, schema, path, depth + 1)
        return not probe.errors

    def _object(
        self, value: dict[str, Any], schema: Mapping[str, Any], path: str, depth: int
    ) -> None:
        props = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if name not in value:
                self.fail(path, f"missing required field {name!r}")
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            where = f"{path}.{name}" if path else str(name)
            if name in props:
                self.check(item, props[name], where, depth + 1)
            elif extra is False:
                self.fail(path, f"unexpected field {name!r}")
            elif isinstance(extra, Mapping):
                self.check(item, extra, where, depth + 1)

    def _size(self, size: int, schema: Mapping[str, Any], path: str, kind: str, unit: str) -> None:
        low, high = schema.get(f"min{kind}"), schema.get(f"max{kind}")
        if isinstance(low, int) and size < low:
            self.fail(path, f"expected at least {low} {unit}")
        if isinstance(high, int) and size > high:
            self.fail(path, f"expected at most {high} {unit}")

    def _array(self, value: list[Any], schema: Mapping[str, Any], path: str, depth: int) -> None:
        self._size(len(value), schema, path, "Items", "items")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                self.check(item, items, f"{path}.{i}" if path else str(i), depth + 1)

    def _string(self, value: str, schema: Mapping[str, Any], path: str) -> None:
        self._size(len(value), schema, path, "Length", "characters")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                if re.search(pattern, value) is None:
                    self.fail(path, f"does not match the pattern {pattern!r}")
            except re.error:
                pass  # a pattern Python cannot compile constrains nothing we can check

    def _number(self, value: float, schema: Mapping[str, Any], path: str) -> None:
        bounds: tuple[tuple[str, Callable[[float], bool], str], ...] = (
            ("minimum", lambda b: value >= b, ">="),
            ("maximum", lambda b: value <= b, "<="),
            ("exclusiveMinimum", lambda b: value > b, ">"),
            ("exclusiveMaximum", lambda b: value < b, "<"),
        )
        for key, ok, sign in bounds:
            bound = schema.get(key)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool) and not ok(bound):
                self.fail(path, f"expected a number {sign} {bound}")


def resolve_ref(root: Mapping[str, Any], schema: object) -> object:
    """``schema`` with local ``$ref``s (``#/$defs/X``) followed; ``None`` if one does not resolve."""
    depth = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        if not ref.startswith("#") or depth >= _MAX_REF_DEPTH:
            return None  # remote refs are not fetched; a ref cycle ends here
        node: object = root
        for part in [p for p in ref[1:].split("/") if p]:
            key = part.replace("~1", "/").replace("~0", "~")
            node = node.get(key) if isinstance(node, Mapping) else None
        schema, depth = node, depth + 1
    return schema


def _json_type(value: object) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(value, name):
            return name
    return type(value).__name__


def schema_errors(value: object, schema: Mapping[str, Any]) -> list[str]:
    """``path: problem`` lines (at most 20) for each way ``value`` breaks ``schema``; [] when valid."""
    checker = _Checker(schema)
    checker.check(value, schema, "")
    return checker.errors
