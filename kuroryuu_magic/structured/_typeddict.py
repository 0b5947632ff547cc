"""Make a ``typing.TypedDict`` usable by pydantic on Python < 3.12.

pydantic refuses ``typing.TypedDict`` there (it needs ``typing_extensions``'
version for ``Required``/``NotRequired``), yet that is what most users write.
We rebuild the class, and any TypedDict nested in its fields, with
``typing_extensions.TypedDict``; validated values are plain dicts either way.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any, Protocol, cast

import typing_extensions as tx

__all__ = ["pydantic_ready"]


class _TypedDictClass(Protocol):
    """What the rebuild reads of a ``typing.TypedDict`` class."""

    __name__: str
    __module__: str
    __required_keys__: frozenset[str]


# An `if` on sys.version_info (not a conditional expression) so type checkers
# targeting 3.10 skip the branch that names typing.Required.
_MARKERS: set[object]
if sys.version_info >= (3, 11):
    _MARKERS = {typing.Required, typing.NotRequired, tx.Required, tx.NotRequired}
else:
    _MARKERS = {tx.Required, tx.NotRequired}


def _needs_rebuild(tp: object) -> bool:
    return sys.version_info < (3, 12) and tx.is_typeddict(tp) and type(tp).__module__ == "typing"


def _unwrap(hint: object, default: bool) -> tuple[object, bool]:
    """(the type inside any ``Required``/``NotRequired``, whether the key is required).

    An explicit marker wins over ``__required_keys__``: under ``from __future__
    import annotations`` Python < 3.12 cannot see markers in string annotations
    and files every key by its class's ``total`` alone.
    """
    required = default
    while (origin := tx.get_origin(hint)) in _MARKERS:
        required = origin in (getattr(typing, "Required", tx.Required), tx.Required)
        hint = tx.get_args(hint)[0]
    return hint, required


def pydantic_ready(tp: object, _seen: dict[int, object] | None = None) -> object:
    """``tp`` with every ``typing.TypedDict`` in it rebuilt so pydantic accepts it."""
    seen = {} if _seen is None else _seen
    if id(tp) in seen:
        return seen[id(tp)]
    if _needs_rebuild(tp):
        cls = cast("_TypedDictClass", tp)  # _needs_rebuild checked is_typeddict
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = {}
        for name, hint in hints.items():
            inner, required = _unwrap(hint, name in cls.__required_keys__)
            inner = pydantic_ready(inner, seen)
            fields[name] = tx.Required[inner] if required else tx.NotRequired[inner]
        # The functional form with a computed name: type checkers only accept a
        # literal there, so call it through an Any-typed alias.
        make_typeddict: Any = tx.TypedDict
        rebuilt = make_typeddict(cls.__name__, fields)
        rebuilt.__doc__ = cls.__doc__
        rebuilt.__module__ = cls.__module__
        seen[id(tp)] = rebuilt
        return rebuilt
    origin, args = tx.get_origin(tp), tx.get_args(tp)
    if origin is None or not args or origin is typing.Literal:
        return tp
    new_args = tuple(pydantic_ready(a, seen) for a in args)
    if new_args == args:
        return tp
    if origin is tx.Annotated:
        # Built at run time from a tuple, so go through an Any-typed alias.
        annotated: Any = tx.Annotated
        params = (new_args[0], *args[1:])  # Annotated's args: the type, then its metadata
        return annotated[params]
    if origin in (typing.Union, getattr(types, "UnionType", typing.Union)):
        return typing.Union[new_args]  # noqa: UP007  (built from a tuple)
    try:
        return origin[new_args]
    except TypeError:  # an origin that is not subscriptable this way: leave it to pydantic
        return tp
