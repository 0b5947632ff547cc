"""Kernel tools: ``list_variables``, ``cell`` and ``last_error``.

They read the user's namespace (and, when given, the IPython shell for its
hidden-name set and cell-file map) and never a variable's value beyond a
shape.  ``cell`` renders ``Out[n]`` with the prompt renderer, so it is bounded
and follows ``schema_only`` like ``{name}`` does; ``last_error`` uses the same
trimmed traceback as ``%claude fix`` (no frame locals).  Imports the context
package only.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Mapping, Sized
from typing import cast

from ..context import errors as _errors
from ..context.render import render_value
from ..context.text import truncate, type_name
from ..core.shell import ShellLike
from .outcome import ToolError, tool
from .text import Budget

# What IPython puts in every namespace; a shell, when given, also names its own.
_INTERNALS = frozenset({"In", "Out", "exit", "quit", "get_ipython", "open"})


# Packages whose own properties (``shape``, ``columns``) are read: library code, not the
# user's.  On anything else only the instance's own ``__dict__`` is read, never a hook.
_TRUSTED = frozenset({"numpy", "pandas", "polars", "pyarrow", "scipy", "xarray", "torch"})
_SIZED = (str, bytes, bytearray, list, tuple, dict, set, frozenset)
_MISSING = object()
_TYPE_MODULE = vars(type)["__module__"]


def _static(obj: object, name: str) -> object:
    """``obj.name`` read without running the user's code: ``type(obj)`` and
    ``inspect.getattr_static`` only, so ``__getattr__``, ``__getattribute__``, properties
    and ``__class__`` tricks of a proxy never run.  A descriptor (property, slot) is read
    only when the class that defines it comes from a trusted library."""
    try:
        value = inspect.getattr_static(obj, name)
    except AttributeError:
        return _MISSING
    kind = type(value)
    if not hasattr(kind, "__get__"):
        return value  # a plain value (the instance's own, or the class's)
    for klass in type(obj).__mro__:
        if name in vars(klass):
            module = _TYPE_MODULE.__get__(klass, type)  # type's own getter: no metaclass hook
            if isinstance(module, str) and module.split(".")[0] in _TRUSTED:
                return getattr(obj, name)
            return _MISSING
    return _MISSING


def _shape(obj: object) -> str:
    shape = _static(obj, "shape")
    if type(shape) is tuple and all(type(d) is int for d in shape):
        return "shape (" + ", ".join(f"{d:,}" for d in shape) + ")"
    cls = type(obj)
    # ``len`` only where it is the builtin's own (a subclass may override ``__len__``).
    base = next((b for b in _SIZED if issubclass(cls, b)), None)
    if base is not None and inspect.getattr_static(cls, "__len__") is vars(base)["__len__"]:
        return f"len {len(cast(Sized, obj)):,}"  # type(obj) subclasses a builtin sized type
    return ""


def _columns(obj: object) -> str:
    if not type_name(obj).startswith(("pandas.", "polars.")):
        return ""
    ncols = _static(obj, "columns")
    if ncols is _MISSING or ncols is None:
        return ""
    return f", {len(cast(Sized, ncols)):,} columns"  # a pandas/polars frame's own columns


def _variable_line(key: str, obj: object) -> str:
    """One line per variable; one that can't be read says so instead of failing the list."""
    kind = type_name(obj)  # type(obj): never the object's own ``__class__``
    try:
        shape = _shape(obj)
        return f"  {key}: {kind}" + (f", {shape}" if shape else "") + _columns(obj)
    except Exception as exc:
        return f"  {key}: {kind} (could not be read: {type(exc).__name__})"


def user_variables(namespace: Mapping[str, object], shell: ShellLike | None = None) -> list[str]:
    """Names a user made: no ``_`` names, IPython internals, modules, classes or hidden names."""
    hidden = set(getattr(shell, "user_ns_hidden", None) or ())
    out = []
    for key, value in list(namespace.items()):
        if not isinstance(key, str) or key.startswith("_") or key in _INTERNALS:
            continue
        if key in hidden:
            continue
        if issubclass(
            type(value), (types.ModuleType, type)
        ):  # not isinstance: ``__class__`` is a hook
            continue
        out.append(key)
    return out


@tool
def list_variables(
    namespace: Mapping[str, object],
    *,
    shell: ShellLike | None = None,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Names, types and shapes of the user's variables (never values)."""
    del schema_only  # names, types and shapes are never values
    names = user_variables(namespace, shell)
    b = Budget(max_chars)
    b.add(f"{len(names):,} user variables:" if names else "no user variables yet")
    for key in names:
        if not b.add(_variable_line(key, namespace[key])):
            break
    return b.text(f"  … {len(names) - len(b.lines) + 1:,} more")


@tool
def cell(
    namespace: Mapping[str, object],
    n: int,
    *,
    shell: ShellLike | None = None,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Source of ``In[n]`` and the text of ``Out[n]`` (negative ``n`` counts back from the latest)."""
    history = namespace.get("In")
    if not isinstance(history, list) or len(history) < 2:
        raise ToolError("no cell history in this kernel")
    n = int(n)
    if n < 0:
        n = len(history) + n
    if not 0 < n < len(history):
        raise ToolError(f"no cell {n}; cells run so far are 1 to {len(history) - 1}")
    source = str(history[n])
    budget = max_chars // 2
    parts = [f"In[{n}]:", truncate(source.rstrip("\n"), budget)]
    outputs = namespace.get("Out")
    if isinstance(outputs, dict) and n in outputs:
        parts += [
            f"Out[{n}] ({type_name(outputs[n])}):",
            render_value(outputs[n], max_chars=max_chars - budget - 40, schema_only=schema_only),
        ]
    else:
        parts.append(f"Out[{n}]: none (the cell returned no value; printed text is not kept)")
    return "\n".join(parts)


@tool
def last_error(
    namespace: Mapping[str, object],
    *,
    shell: ShellLike | None = None,
    max_chars: int,
    schema_only: bool = False,
) -> str:
    """Type, message, trimmed traceback (user frames, no locals) and failing cell of the last error."""
    del schema_only  # the error text is what %claude fix sends too
    value = getattr(sys, "last_value", None) or getattr(sys, "last_exc", None)
    if value is None:
        return "no error in this kernel yet"
    etype = type(value)
    tb = getattr(sys, "last_traceback", None) or value.__traceback__
    if isinstance(value, SyntaxError):
        frames: list[str] = []
        number = _errors._cell_number(value.filename or "", shell)
        cells = [number] if number is not None else []
    else:
        frames, cells = _errors._frames(tb, shell)
    parts = [f"{etype.__name__}: {truncate(str(value), 1000)}"]
    if frames:
        parts += ["traceback (most recent call last, trimmed to user code):", *frames]
    cause = _errors._cause(value)
    if cause:
        parts.append(cause.strip())
    if cells:
        history = namespace.get("In")
        n = cells[0]
        if isinstance(history, list) and 0 < n < len(history):
            parts += [
                f"failing cell In[{n}]:",
                truncate(str(history[n]).rstrip("\n"), max_chars // 2),
            ]
    return "\n".join(parts)
