"""Structured outputs: ask for a schema, validate answers into it, lay them out as columns.

``schema_for(T)`` builds the request's ``output_config`` the way the SDK's
``messages.parse`` does; ``parse_answer`` validates one answer's text;
``to_frame`` turns a run's results into a DataFrame on the input's index.
"""

from __future__ import annotations

from ._frame import ERROR_COLUMN, Column, columns_for, is_error, to_frame
from ._parse import SchemaValidationError, parse_answer
from ._schema import SchemaError, SchemaKind, SchemaSpec, schema_for

__all__ = [
    "ERROR_COLUMN",
    "Column",
    "SchemaError",
    "SchemaKind",
    "SchemaSpec",
    "SchemaValidationError",
    "columns_for",
    "is_error",
    "parse_answer",
    "schema_for",
    "to_frame",
]
