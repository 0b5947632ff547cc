"""What ``--map NAME`` runs over: items, their labels, and how results are put back.

A list (or tuple, range, 1-D array) gives a list of results; a pandas Series
or DataFrame gives a Series aligned to its index; a dict gives a dict with
the same keys.  DataFrame rows arrive as :class:`Row` so ``{row.col}`` works.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from typing import Any

from ..core.errors import UsageError


def _plain(value: Any) -> Any:
    """numpy scalars as Python scalars, so a prompt says ``3.5``, not ``np.float64(3.5)``."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, TypeError):
            return value
    return value


class Row:
    """One DataFrame row: ``row.col`` and ``row["col name"]``; its repr is ``col: value; …``.

    No public attributes or methods, so a column called ``name`` or ``values``
    is never shadowed.
    """

    __slots__ = ("_kuroryuu_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_kuroryuu_values", values)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._kuroryuu_values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: Any) -> Any:
        return self._kuroryuu_values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kuroryuu_values)

    def __len__(self) -> int:
        return len(self._kuroryuu_values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and other._kuroryuu_values == self._kuroryuu_values

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self._kuroryuu_values.items())


def _is(obj: Any, module: str, *names: str) -> bool:
    cls = type(obj)
    return cls.__module__.split(".")[0] == module and cls.__name__ in names


class MapInput:
    """The thing ``--map`` iterates: ``pairs()`` yields ``(item, row, label)`` lazily."""

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value
        if isinstance(value, (str, bytes, bytearray)):
            raise UsageError(
                f"--map {name}: that is a single string; map over a list, Series or DataFrame "
                f"(e.g. `{name}.splitlines()` into a variable first)."
            )
        if _is(value, "pandas", "DataFrame"):
            self.kind = "frame"
        elif _is(value, "pandas", "Series"):
            self.kind = "series"
        elif _is(value, "polars", "DataFrame"):
            self.kind = "polars_frame"
        elif isinstance(value, dict):
            self.kind = "dict"
        elif isinstance(value, Sized) and hasattr(value, "__iter__"):
            self.kind = "sequence"
        else:
            raise UsageError(
                f"--map {name}: expected a list, tuple, Series, DataFrame or dict, "
                f"not {type(value).__name__} (wrap it in list(...) first)."
            )
        self.total = len(value)
        self._keys: list[Any] | None = None

    def pairs(self) -> Iterator[tuple[Any, Row | None, Any]]:
        value = self.value
        if self.kind == "frame":
            columns = [str(c) for c in value.columns]
            rows = value.itertuples(index=False, name=None)
            for label, values in zip(value.index, rows, strict=False):
                row = Row({c: _plain(v) for c, v in zip(columns, values, strict=False)})
                yield row, row, _plain(label)
        elif self.kind == "polars_frame":
            for position, values in enumerate(value.iter_rows(named=True)):
                row = Row(dict(values))
                yield row, row, position
        elif self.kind == "series":
            for label, item in zip(value.index, value, strict=False):
                yield _plain(item), None, _plain(label)
        elif self.kind == "dict":
            for key, item in value.items():
                yield item, None, key
        else:
            for position, item in enumerate(value):
                yield _plain(item), None, position

    def label(self, position: int) -> Any:
        """The label of the item at ``position`` (index label, dict key or position)."""
        if self.kind in ("frame", "series"):
            return _plain(self.value.index[position])
        if self.kind == "dict":
            if self._keys is None:
                self._keys = list(self.value)
            return self._keys[position]
        return position

    def wrap(self, results: list[Any], out: str) -> Any:
        """Results in the input's shape: a Series on its index, a dict on its keys, else a list."""
        return wrap_results(self.kind, results, out, self.value)


def wrap_results(kind: str, results: list[Any], out: str, source: Any = None) -> Any:
    if kind in ("frame", "series") and source is not None:
        import pandas as pd

        return pd.Series(results, index=source.index, name=out, dtype=object)
    if kind == "dict" and source is not None:
        return dict(zip(source, results, strict=False))
    return results
