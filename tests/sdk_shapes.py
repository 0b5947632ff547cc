"""Check a JSON body against the SDK's pydantic types: no missing and no extra fields.

The SDK's models accept extra keys and default missing optional ones, so a plain
``model_validate`` cannot tell a faithful body from a sloppy one.  ``problems``
walks the type (``model_fields`` of each ``BaseModel``, lists, dicts, optionals,
unions discriminated by ``type``, literals) next to the data and names every key
the type lacks (extra) and every field the data lacks (missing; ``null`` counts as
present, as the API sends ``null`` for empty optional fields).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

import pydantic


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _type_literal(model: type[pydantic.BaseModel]) -> tuple[Any, ...]:
    field = model.model_fields.get("type")
    if field is None:
        return ()
    ann = _unwrap(field.annotation)
    return get_args(ann) if get_origin(ann) is Literal else ()


def problems(data: Any, tp: Any, where: str = "$") -> list[str]:
    """Every shape problem of ``data`` against the SDK type ``tp`` (empty: conforms)."""
    tp = _unwrap(tp)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [_unwrap(a) for a in get_args(tp)]
        if data is None:
            return [] if type(None) in options else [f"{where}: null where a value is required"]
        options = [a for a in options if a is not type(None)]
        models = [a for a in options if isinstance(a, type) and issubclass(a, pydantic.BaseModel)]
        if models and isinstance(data, dict):
            chosen = [m for m in models if data.get("type") in _type_literal(m)]
            if len(models) == 1:
                chosen = models
            if not chosen:
                return [
                    f"{where}: type {data.get('type')!r} is none of {[m.__name__ for m in models]}"
                ]
            return problems(data, chosen[0], where)
        if len(options) == 1:
            return problems(data, options[0], where)
        return []
    if origin is Literal:
        return [] if data in get_args(tp) else [f"{where}: {data!r} not in {get_args(tp)}"]
    if origin in (list, typing.List):  # noqa: UP006
        if not isinstance(data, list):
            return [f"{where}: expected a list"]
        (item,) = get_args(tp) or (Any,)
        return [p for i, v in enumerate(data) for p in problems(v, item, f"{where}[{i}]")]
    if origin in (dict, typing.Dict):  # noqa: UP006
        return [] if isinstance(data, dict) else [f"{where}: expected an object"]
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        if not isinstance(data, dict):
            return [f"{where}: expected an object for {tp.__name__}"]
        names = {(f.alias or n): f for n, f in tp.model_fields.items()}
        out = [f"{where}.{k}: extra (not in {tp.__name__})" for k in sorted(set(data) - set(names))]
        out += [f"{where}.{k}: missing ({tp.__name__})" for k in sorted(set(names) - set(data))]
        for key, field in names.items():
            if key in data:
                out += problems(data[key], field.annotation, f"{where}.{key}")
        return out
    if data is None and tp is not type(None) and tp is not Any:
        return [f"{where}: null where {getattr(tp, '__name__', tp)} is required"]
    return []


def assert_shape(data: Any, tp: Any) -> None:
    """Fail with every problem when ``data`` does not match ``tp`` exactly; then validate."""
    found = problems(data, tp)
    assert not found, "\n".join(found)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        tp.model_validate(data)
    else:
        pydantic.TypeAdapter(tp).validate_python(data)
