"""From a variable name to a pandas view of it, and from a column name to a position.

Every frame tool works on pandas: a polars DataFrame or Series is turned into
pandas one selected column at a time (through pyarrow when present, numpy
otherwise), a numpy array of one or two dimensions becomes a frame, and a
Series becomes a one-column frame.  Columns are addressed by position inside
the tools, so duplicate and non-string column names work.  pandas is imported
here, lazily, only when a tool runs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from ..context.text import type_name
from .outcome import ToolError
from .text import label

if TYPE_CHECKING:
    import numpy.typing as npt
    import polars as pl


@dataclass
class Table:
    """A variable seen as a pandas DataFrame; ``single`` when it was a Series or 1-D array."""

    name: str
    kind: str
    frame: Any  # a pandas DataFrame: pandas ships no types and pandas-stubs is not a dependency
    single: bool = False
    # The library's own dtype names when the frame was converted (polars ``Int64``, not float64).
    dtypes: dict[str, str] | None = None

    @property
    def header(self) -> str:
        rows, cols = self.frame.shape
        return f"{self.name} ({self.kind}, {rows:,} rows × {cols:,} columns)"

    @cached_property
    def duplicated_names(self) -> frozenset[int]:
        """Positions of columns whose label another column shares (``age`` twice)."""
        cols = self.frame.columns
        if cols.is_unique:
            return frozenset()
        return frozenset(int(i) for i in (cols.duplicated(keep=False)).nonzero()[0])


def lookup(namespace: Mapping[str, object], name: object) -> tuple[str, object]:
    """``name`` and the object bound to it; a missing name is a :class:`ToolError` listing near names."""
    if not isinstance(name, str) or not name:
        raise ToolError("name must be a variable name (a non-empty string)")
    if name in namespace:
        return name, namespace[name]
    close = [k for k in namespace if isinstance(k, str) and k.lower() == name.lower()]
    hint = f" (did you mean {close[0]!r}?)" if close else "; call list_variables to see what exists"
    raise ToolError(f"no variable named {name!r}{hint}")


def _polars_to_pandas(obj: pl.DataFrame) -> Any:  # a pandas DataFrame (untyped)
    try:
        return obj.to_pandas()
    except ImportError:  # polars needs pyarrow for to_pandas; numpy conversion is the fallback
        import pandas as pd  # loaded: a polars frame's tool run imported it already

        return pd.DataFrame({c: obj.get_column(c).to_numpy() for c in obj.columns})


def table_of(namespace: Mapping[str, object], name: object) -> Table:
    """``name`` as a :class:`Table` (polars and numpy data converted to pandas)."""
    name, obj = lookup(namespace, name)
    kind = type_name(obj)
    if kind.startswith("polars."):
        pl = sys.modules["polars"]
        if isinstance(obj, pl.LazyFrame):
            raise ToolError(f"{name} is a polars LazyFrame (not collected); collect it first")
        if isinstance(obj, pl.Series):
            frame = _polars_to_pandas(obj.to_frame())
            return Table(name, kind, frame, True, {obj.name: str(obj.dtype)})
        if isinstance(obj, pl.DataFrame):
            # Whole frame, so positions and the shape in the header are the user's.
            dtypes = {c: str(d) for c, d in obj.schema.items()}
            return Table(name, kind, _polars_to_pandas(obj), dtypes=dtypes)
    if kind.startswith("pandas."):
        import pandas as pd  # a tool that reads frames needs it; only imported when one runs

        if isinstance(obj, pd.DataFrame):
            return Table(name, kind, obj)
        if isinstance(obj, pd.Series):
            return Table(
                name, kind, obj.to_frame(name=name if obj.name is None else obj.name), True
            )
        if isinstance(obj, pd.Index):
            return Table(name, kind, obj.to_frame(index=False, name=obj.name or name), True)
    if kind == "numpy.ndarray":
        import pandas as pd

        arr = cast("npt.NDArray[Any]", obj)  # type(obj) is numpy.ndarray (type_name, no hook)
        if arr.dtype.names:  # structured array: fields are columns
            return Table(name, kind, pd.DataFrame(arr))
        if arr.ndim == 1:
            return Table(name, kind, pd.DataFrame({name: arr}), single=True)
        if arr.ndim == 2:
            return Table(name, kind, pd.DataFrame(arr))
        raise ToolError(f"{name} is a {arr.ndim}-D array; these tools read 1-D and 2-D arrays")
    raise ToolError(
        f"{name} is a {kind}, not a DataFrame, Series or array; these tools read tabular data"
    )


def _matches(c: object, wanted: object) -> bool:
    try:
        same = c == wanted
    except Exception:  # comparing a tuple label with an int and the like
        same = False
    return (isinstance(same, bool) and same) or label(c) == label(wanted)


def _missing_column(wanted: object, names: Sequence[object]) -> str:
    shown = ", ".join(repr(label(c)) for c in list(names)[:30])
    more = f", … ({len(names) - 30:,} more)" if len(names) > 30 else ""
    return f"no column {label(wanted)!r}; columns are {shown}{more}"


_AT = re.compile(r"(.*) \(position (\d+)\)", re.S)


def position(t: Table, wanted: object) -> int:
    """The position of column ``wanted`` (a name, or its ``str`` for non-string labels;
    ``age (position 3)`` for one of several columns named ``age``, as :func:`colname` says)."""
    cols = t.frame.columns
    if t.single and (wanted is None or wanted == "" or cols.size == 1):
        return 0
    if wanted is None:
        raise ToolError("column is required")
    found = [i for i, c in enumerate(cols) if _matches(c, wanted)]
    at = _AT.fullmatch(wanted) if isinstance(wanted, str) and not found else None
    if at is not None and int(at[2]) < cols.size and _matches(cols[int(at[2])], at[1]):
        return int(at[2])
    if not found:
        raise ToolError(_missing_column(wanted, list(cols)))
    if len(found) > 1:
        named = ", ".join(colname(t, i) for i in found[:5])
        raise ToolError(f"{len(found)} columns are named {label(wanted)!r}; pass one of: {named}")
    return found[0]


def positions(t: Table, wanted: Sequence[object] | None) -> list[int]:
    """Positions of ``wanted`` columns in order, or of all columns when ``wanted`` is None."""
    if wanted is None:
        return list(range(t.frame.shape[1]))
    if isinstance(wanted, (str, int)):
        wanted = [wanted]
    return [position(t, c) for c in wanted]


def column(t: Table, pos: int) -> Any:  # a pandas Series (untyped)
    """The column at ``pos`` as a Series (positional, so duplicate names are fine)."""
    return t.frame.iloc[:, pos]


def colname(t: Table, pos: int) -> str:
    """The column's label as shown and passed back; one of several equal labels says its
    position (``age (position 3)``), so ``age ~ age`` never hides which is which."""
    name = label(t.frame.columns[pos])
    return f"{name} (position {pos})" if pos in t.duplicated_names else name


def quoted(t: Table, pos: int) -> str:
    """The column's name in quotes, as prose around it needs: ``'age'``; a name already shown
    as its ``repr`` (``'age '``) is not quoted twice."""
    name = colname(t, pos)
    raw = t.frame.columns[pos]
    if isinstance(raw, str) and name.startswith(repr(raw)):
        return name
    return repr(name)


def dtype_name(t: Table, pos: int) -> str:
    """The column's dtype as its own library names it."""
    if t.dtypes is not None:
        return t.dtypes.get(t.frame.columns[pos], str(t.frame.dtypes.iloc[pos]))
    return str(t.frame.dtypes.iloc[pos])
