"""Structured outputs: the JSON-schema shape the API accepts, and answers checked against it.

Source: the SDK's ``anthropic/lib/_parse/_transform.py`` (2.14), which rewrites a
schema into what the API accepts: every node has a ``type`` (object, array,
string, integer, number, boolean, null), ``anyOf``/``allOf``, ``enum``/``const``
or ``$ref``; objects carry ``properties`` and ``additionalProperties: false``;
arrays may have ``minItems`` 0 or 1; strings a ``format`` of a fixed set;
``description``/``title`` anywhere; ``$defs`` at any level.  Any other keyword is
refused by the API, so the fake refuses it too.
"""

from __future__ import annotations

from typing import Any

TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")
STRING_FORMATS = frozenset(
    [
        "date-time",
        "time",
        "date",
        "duration",
        "email",
        "hostname",
        "uri",
        "ipv4",
        "ipv6",
        "uuid",
        "text",
    ]
)
_COMMON = {"description", "title", "$defs", "type", "anyOf", "allOf", "enum", "const", "$ref"}
_BY_TYPE = {
    "object": {"properties", "additionalProperties", "required"},
    "array": {"items", "minItems"},
    "string": {"format"},
}


def output_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The request's ``output_config.format.schema``, if it asks for JSON."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = fmt.get("schema")
        return schema if isinstance(schema, dict) else None
    return None


def check_format(fmt: object) -> str | None:
    """Why ``output_config.format`` is refused, or None."""
    if fmt is None:
        return None
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return "output_config.format.type: Input should be 'json_schema'"
    if set(fmt) - {"type", "schema"}:
        return f"output_config.format.{sorted(set(fmt) - {'type', 'schema'})[0]}: Extra inputs are not permitted"
    schema = fmt.get("schema")
    if not isinstance(schema, dict):
        return "output_config.format.schema: Field required"
    return _shape(schema, "output_config.format.schema", schema)


def _shape(node: object, where: str, root: dict[str, Any]) -> str | None:
    if not isinstance(node, dict):
        return f"{where}: a schema must be an object"
    kind = node.get("type")
    allowed = _COMMON | _BY_TYPE.get(kind if isinstance(kind, str) else "", set())
    extra = sorted(set(node) - allowed)
    if extra:
        return f"{where}: '{extra[0]}' is not supported in output_config.format schemas"
    if not ({"type", "anyOf", "allOf", "enum", "const", "$ref"} & set(node)):
        return f"{where}: a schema needs 'type', 'anyOf', 'allOf', 'enum', 'const' or '$ref'"
    if kind is not None and kind not in TYPES:
        return f"{where}.type: '{kind}' is not a supported type"
    if "$ref" in node and _resolve(node["$ref"], root) is None:
        return f"{where}.$ref: '{node['$ref']}' does not resolve"
    if kind == "object":
        if node.get("additionalProperties") is not False:
            return f"{where}: For 'object' type, 'additionalProperties' must be explicitly set to false"
        props = node.get("properties", {})
        if not isinstance(props, dict):
            return f"{where}.properties: Input should be an object"
        for name, sub in props.items():
            problem = _shape(sub, f"{where}.properties.{name}", root)
            if problem:
                return problem
        required = node.get("required", [])
        if not isinstance(required, list) or set(required) - set(props):
            return f"{where}.required: names a property that is not defined"
    if kind == "array":
        if node.get("minItems", 0) not in (0, 1):
            return f"{where}.minItems: only 0 or 1 is supported"
        if "items" in node:
            problem = _shape(node["items"], f"{where}.items", root)
            if problem:
                return problem
    if kind == "string" and node.get("format", "text") not in STRING_FORMATS:
        return f"{where}.format: '{node['format']}' is not a supported string format"
    for key in ("anyOf", "allOf"):
        for i, sub in enumerate(node.get(key) or []):
            problem = _shape(sub, f"{where}.{key}.{i}", root)
            if problem:
                return problem
    for name, sub in (node.get("$defs") or {}).items():
        problem = _shape(sub, f"{where}.$defs.{name}", root)
        if problem:
            return problem
    return None


def _resolve(ref: object, root: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    node: object = root
    for part in ref[2:].split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def mismatch(
    value: object, schema: dict[str, Any], root: dict[str, Any] | None = None, where: str = "$"
) -> str | None:
    """Why ``value`` does not match ``schema`` (the accepted subset), or None."""
    root = root or schema
    if "$ref" in schema:
        target = _resolve(schema["$ref"], root)
        return None if target is None else mismatch(value, target, root, where)
    if "const" in schema and value != schema["const"]:
        return f"{where}: expected {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where}: {value!r} is not one of {schema['enum']!r}"
    if "anyOf" in schema and all(mismatch(value, s, root, where) for s in schema["anyOf"]):
        return f"{where}: matches none of anyOf"
    for sub in schema.get("allOf") or []:
        problem = mismatch(value, sub, root, where)
        if problem:
            return problem
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind in checks and not checks[kind](value):
        return f"{where}: expected {kind}, got {type(value).__name__}"
    # The type check above returned unless value is a dict (object) or a list (array).
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                return f"{where}: missing required property {name!r}"
        for name, item in value.items():
            if name not in props:
                return f"{where}: unexpected property {name!r}"
            problem = mismatch(item, props[name], root, f"{where}.{name}")
            if problem:
                return problem
    if kind == "array" and isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"{where}: fewer than {schema['minItems']} items"
        for i, item in enumerate(value):
            problem = mismatch(item, schema.get("items", {}), root, f"{where}[{i}]")
            if problem:
                return problem
    return None


def example_for(schema: dict[str, Any], root: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A small value that matches ``schema``: the fake's default structured answer."""
    root = root or schema
    if depth > 8:
        return None
    if "$ref" in schema:
        target = _resolve(schema["$ref"], root)
        return None if target is None else example_for(target, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("anyOf"):
        return example_for(schema["anyOf"][0], root, depth + 1)
    if schema.get("allOf"):
        return example_for(schema["allOf"][0], root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the first non-null type
        kind = next((k for k in kind if k != "null"), "null")
    if kind in ("integer", "number") and isinstance(schema.get("minimum"), (int, float)):
        return schema["minimum"]
    if kind == "string" and isinstance(schema.get("minLength"), int) and schema["minLength"] > 4:
        return "f" * schema["minLength"]
    if kind == "object":
        props = schema.get("properties", {})
        return {
            name: example_for(props[name], root, depth + 1)
            for name in schema.get("required", list(props))
            if name in props
        }
    if kind == "array":
        item = example_for(schema.get("items", {"type": "string"}), root, depth + 1)
        return [item] * schema.get("minItems", 0)
    return {"string": "fake", "integer": 0, "number": 0, "boolean": False, "null": None}.get(
        str(kind)
    )
