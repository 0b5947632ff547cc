"""``--schema NAME``: the namespace object named on the magic line, as a :class:`SchemaSpec`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import UsageError
from ..structured import SchemaError, SchemaSpec, schema_for

__all__ = ["resolve_schema"]


def resolve_schema(user_ns: Mapping[str, Any], name: str | None) -> SchemaSpec | None:
    """The schema for ``--schema NAME``; every mistake is one ``UsageError`` line."""
    if not name:
        return None
    name = name.strip()
    if not name.isidentifier():
        raise UsageError(f"--schema needs the name of a variable, not {name[:80]!r}.")
    if name not in user_ns:
        raise UsageError(
            f"--schema: no variable named {name!r} in this notebook "
            "(define a pydantic model, dataclass, TypedDict or JSON-schema dict first)."
        )
    try:
        return schema_for(user_ns[name])
    except SchemaError as exc:
        raise UsageError(f"--schema {name}: {' '.join(str(exc).split())}") from None
