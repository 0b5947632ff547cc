"""Render kernel objects as bounded prompt text, dispatching by type.

pandas, polars and numpy are optional: an object is only recognised as one of
theirs when the library is already in ``sys.modules`` (a user who holds a
DataFrame has imported pandas), so rendering never imports them.
"""

from __future__ import annotations

import contextlib
import html
import sys
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from ..core.redact import redact
from .text import safe_repr, truncate, type_name

if TYPE_CHECKING:
    import polars as pl
    from numpy.typing import NDArray

# Per-container caps for nested values; the running character budget below is
# what actually bounds the total, these keep one huge level from eating it.
_MAX_ITEMS = 50
_MAX_NESTED_ITEMS = 10
_MAX_DEPTH = 4
_MAX_ITEM_STR = 200


def _module_class(module: str, name: str) -> type | None:
    mod = sys.modules.get(module)
    cls = getattr(mod, name, None) if mod is not None else None
    return cls if isinstance(cls, type) else None


def _isinstance(obj: object, module: str, *names: str) -> bool:
    classes = tuple(c for c in (_module_class(module, n) for n in names) if c is not None)
    return bool(classes) and isinstance(obj, classes)


def short_summary(obj: object) -> str | None:
    """One line for heavy objects nested inside containers (``<pandas.DataFrame 10×3>``)."""
    if _isinstance(obj, "pandas", "DataFrame", "Series", "Index") or _isinstance(
        obj, "polars", "DataFrame", "Series"
    ):
        shape = "×".join(f"{d:,}" for d in getattr(obj, "shape", ()))
        return f"<{type_name(obj)} {shape}>"
    if _isinstance(obj, "numpy", "ndarray"):
        return (
            f"<numpy.ndarray shape={getattr(obj, 'shape', ())} dtype={getattr(obj, 'dtype', '')}>"
        )
    return None


def render_value(obj: object, *, max_chars: int = 4000, schema_only: bool = False) -> str:
    """How ``{name}`` renders in a prompt: compact, typed, and at most ``max_chars`` long."""
    max_chars = max(0, int(max_chars))
    try:
        # Statistics over odd values (overflow, all-NaN) warn; a prompt is no place for that.
        # np.errstate is thread-safe, unlike warnings.catch_warnings, and --map renders in threads.
        np = sys.modules.get("numpy")
        with np.errstate(all="ignore") if np is not None else contextlib.nullcontext():
            text = _dispatch(obj, max_chars, schema_only)
    except Exception as exc:  # a summary that fails still leaves a usable, bounded line
        text = f"<{type_name(obj)} object; summary failed: {type(exc).__name__}>"
    # A key in a rendered variable (``{os.environ}``) must not reach the API or --dry-run.
    return redact(truncate(text, max_chars))  # masking only ever shortens


def _dispatch(obj: object, max_chars: int, schema_only: bool) -> str:
    if isinstance(obj, str):
        return f"<str: {len(obj):,} characters>" if schema_only else obj
    if _isinstance(obj, "pandas", "DataFrame", "Series", "Index"):
        from ._frames import render_pandas

        return render_pandas(obj, max_chars=max_chars, schema_only=schema_only)
    if _isinstance(obj, "polars", "DataFrame", "Series", "LazyFrame"):
        from ._polars_frames import render_polars

        # _isinstance checked the class just above.
        polars_obj = cast("pl.DataFrame | pl.Series | pl.LazyFrame", obj)
        return render_polars(polars_obj, max_chars=max_chars, schema_only=schema_only)
    if _isinstance(obj, "numpy", "ndarray"):
        from ._arrays import render_array

        array = cast("NDArray[Any]", obj)  # _isinstance checked the class just above
        return render_array(array, max_chars=max_chars, schema_only=schema_only)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        head = f"<{type_name(obj)}: {len(obj):,} bytes>"
        if schema_only:
            return head
        return head + " " + safe_repr(bytes(obj[:_MAX_ITEM_STR]), _MAX_ITEM_STR + 10)
    if isinstance(obj, (dict, list, tuple, set, frozenset)):
        if schema_only:
            return _container_schema(obj)
        return _Nested(max_chars).fmt(obj, 0, frozenset())
    if schema_only:
        return f"<{type_name(obj)} object>"
    return safe_repr(obj, max_chars)


def _container_schema(
    obj: dict[Any, Any] | list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any],
) -> str:
    if isinstance(obj, dict):
        keys = ", ".join(
            f"{safe_repr(k, 60)}: {type_name(v)}" for k, v in islice(obj.items(), _MAX_ITEMS)
        )
        more = f", … [{len(obj) - _MAX_ITEMS:,} more keys]" if len(obj) > _MAX_ITEMS else ""
        return f"<dict with {len(obj):,} keys: {{{keys}{more}}}>"
    kinds = sorted({type_name(x) for x in islice(iter(obj), 1000)})
    return f"<{type_name(obj)} of {len(obj):,} items; element types: {', '.join(kinds) or '-'}>"


class _Nested:
    """Compact repr of nested containers with visible markers where items were left out."""

    def __init__(self, budget: int) -> None:
        self.remaining = budget

    def fmt(self, obj: object, depth: int, seen: frozenset[int]) -> str:
        if isinstance(obj, str):
            if len(obj) > _MAX_ITEM_STR:
                return repr(obj[:_MAX_ITEM_STR]) + f"… [+{len(obj) - _MAX_ITEM_STR:,} chars]"
            return repr(obj)
        if isinstance(obj, (dict, list, tuple, set, frozenset)):
            if id(obj) in seen:
                return "<cycle>"
            if depth >= _MAX_DEPTH:
                return f"<{type_name(obj)} of {len(obj):,} items>"
            return self._container(obj, depth, seen | {id(obj)})
        summary = short_summary(obj)
        return summary if summary is not None else safe_repr(obj, _MAX_ITEM_STR)

    def _container(
        self,
        obj: dict[Any, Any] | list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any],
        depth: int,
        seen: frozenset[int],
    ) -> str:
        if isinstance(obj, dict):
            open_, close = "{", "}"
            items: Iterable[Any] = obj.items()
        elif isinstance(obj, list):
            open_, close, items = "[", "]", obj
        elif isinstance(obj, tuple):
            open_, close, items = "(", ")", obj
        else:
            open_, close, items = type_name(obj) + "({", "})", obj
        cap = _MAX_ITEMS if depth == 0 else _MAX_NESTED_ITEMS
        parts: list[str] = []
        for item in islice(items, cap):
            if self.remaining <= 0:
                break
            if isinstance(obj, dict):
                key, value = item
                part = f"{self.fmt(key, depth + 1, seen)}: {self.fmt(value, depth + 1, seen)}"
            else:
                part = self.fmt(item, depth + 1, seen)
            self.remaining -= len(part) + 2
            parts.append(part)
        if len(obj) > len(parts):
            parts.append(f"… [{len(obj) - len(parts):,} more items]")
        trailing = "," if isinstance(obj, tuple) and len(obj) == 1 else ""
        return open_ + ", ".join(parts) + trailing + close


def render_attachment(
    name: str, obj: object, *, max_chars: int = 4000, schema_only: bool = False
) -> str:
    """A labelled block for ``--vars``: ``<variable name="df" type="pandas.DataFrame">…``."""
    head = (
        f'<variable name="{html.escape(str(name), quote=True)}" '
        f'type="{html.escape(type_name(obj), quote=True)}">\n'
    )
    tail = "\n</variable>"
    body = render_value(
        obj, max_chars=max(0, max_chars - len(head) - len(tail)), schema_only=schema_only
    )
    return truncate(head + body + tail, max_chars)
