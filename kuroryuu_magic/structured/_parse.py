"""Validate an answer's text into the schema's type, keeping the raw text when it fails."""

from __future__ import annotations

import json
from typing import Any

import pydantic

from ._schema import SchemaSpec
from ._validate import schema_errors

__all__ = ["SchemaValidationError", "parse_answer"]

_SHOWN = 3  # problems named in the one-line message; the rest are counted


class SchemaValidationError(ValueError):
    """The answer is not valid JSON for the schema.

    ``raw_text`` keeps the answer as it came; ``errors`` lists every problem as
    ``path: message``.  The message is one line and never quotes the answer.
    """

    def __init__(self, message: str, *, raw_text: str, errors: list[str] | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.raw_text = raw_text
        self.errors = list(errors or [])


def _summary(name: str, errors: list[str]) -> str:
    shown = "; ".join(errors[:_SHOWN])
    more = f" (+{len(errors) - _SHOWN} more)" if len(errors) > _SHOWN else ""
    return f"answer does not match {name}: {shown}{more}"


def _pydantic_errors(exc: pydantic.ValidationError) -> list[str]:
    out = []
    # include_input=False: the answer's own values stay out of the message.
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        path = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
        out.append(f"{path}: {err.get('msg', 'invalid')}")
    return out


def parse_answer(spec: SchemaSpec, text: str) -> Any:
    """The answer as the schema's type: a model or dataclass instance, or a dict for a
    TypedDict or a JSON-schema dict.  Raises :class:`SchemaValidationError`."""
    if not text or not text.strip():
        raise SchemaValidationError(f"answer for {spec.name} is empty", raw_text=text or "")
    if spec.adapter is not None:
        try:
            return spec.adapter.validate_json(text)
        except pydantic.ValidationError as exc:
            errors = _pydantic_errors(exc)
            raise SchemaValidationError(
                _summary(spec.name, errors), raw_text=text, errors=errors
            ) from None
        except (Exception, RecursionError) as exc:
            # The user's own validator raised something pydantic does not wrap (KeyError,
            # a deep answer's RecursionError): the answer was paid for, so it is kept as
            # text and the failure is named in one line, as for any mismatch.
            error = f"(root): {spec.name}'s validation raised {type(exc).__name__}"
            raise SchemaValidationError(
                _summary(spec.name, [error]), raw_text=text, errors=[error]
            ) from None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        error = f"(root): Invalid JSON: {reason}"
        raise SchemaValidationError(
            _summary(spec.name, [error]), raw_text=text, errors=[error]
        ) from None
    try:
        errors = schema_errors(value, spec.source_schema)
    except RecursionError:  # an answer nested past what the checker walks
        errors = ["(root): the answer is nested too deeply to check"]
    if errors:
        raise SchemaValidationError(_summary(spec.name, errors), raw_text=text, errors=errors)
    return value
