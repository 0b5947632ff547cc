"""What ``--map NAME`` runs over: items, their labels, and how results are put back.

A list (or tuple, range, 1-D array) gives a list of results; a pandas Series
or DataFrame gives a Series aligned to its index; a dict gives a dict with
the same keys.  DataFrame rows arrive as :class:`Row` so ``{row.col}`` works.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import TYPE_CHECKING, Protocol, cast

from ..core.errors import UsageError

if TYPE_CHECKING:
    import polars as pl


class _Indexed(Protocol):
    """What is read of a pandas Series or DataFrame's labels (pandas ships no types)."""

    @property
    def index(self) -> Sequence[object]: ...


class _PandasSeries(_Indexed, Iterable[object], Protocol):
    """A pandas Series: its labels and its values in order."""


class _PandasFrame(_Indexed, Protocol):
    """A pandas DataFrame: its labels, column names and rows as plain tuples."""

    @property
    def columns(self) -> Iterable[object]: ...

    def itertuples(self, index: bool, name: None) -> Iterable[tuple[object, ...]]: ...


def _plain(value: object) -> object:
    """numpy scalars as Python scalars, so a prompt says ``3.5``, not ``np.float64(3.5)``."""
    item = getattr(value, "item", None)
    if type(value).__module__ == "numpy" and callable(item):
        try:
            return item()
        except (ValueError, TypeError):
            return value
    return value


class Row:
    """One DataFrame row: ``row.col`` and ``row["col name"]``; its repr is ``col: value; …``.

    No public attributes or methods, so a column called ``name`` or ``values``
    is never shadowed.
    """

    __slots__ = ("_kuroryuu_values",)
    _kuroryuu_values: dict[str, object]

    def __init__(self, values: dict[str, object]) -> None:
        object.__setattr__(self, "_kuroryuu_values", values)

    def __getattr__(self, key: str) -> object:
        try:
            return self._kuroryuu_values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str) -> object:
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


def _is(obj: object, module: str, *names: str) -> bool:
    cls = type(obj)
    return cls.__module__.split(".")[0] == module and cls.__name__ in names


class MapInput:
    """The thing ``--map`` iterates: ``pairs()`` yields ``(item, row, label)`` lazily.

    ``value`` is the user's object; ``kind`` says which of the accepted kinds it
    is, checked here once, and the casts below rest on that check.
    """

    def __init__(self, name: str, value: object) -> None:
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
        self.total = len(cast("Sized", value))  # every kind above has a length
        self._keys: list[object] | None = None

    def pairs(self) -> Iterator[tuple[object, Row | None, object]]:
        value = self.value
        if self.kind == "frame":
            frame = cast("_PandasFrame", value)
            columns = [str(c) for c in frame.columns]
            rows = frame.itertuples(index=False, name=None)
            for label, values in zip(frame.index, rows, strict=False):
                row = Row({c: _plain(v) for c, v in zip(columns, values, strict=False)})
                yield row, row, _plain(label)
        elif self.kind == "polars_frame":
            polars_frame = cast("pl.DataFrame", value)
            for position, named in enumerate(polars_frame.iter_rows(named=True)):
                row = Row(dict(named))
                yield row, row, position
        elif self.kind == "series":
            series = cast("_PandasSeries", value)
            for label, item in zip(series.index, series, strict=False):
                yield _plain(item), None, _plain(label)
        elif self.kind == "dict":
            for key, item in cast("dict[object, object]", value).items():
                yield item, None, key
        else:
            for position, item in enumerate(cast("Iterable[object]", value)):
                yield _plain(item), None, position

    @property
    def index(self) -> Sequence[object] | None:
        """The labels of a pandas Series or DataFrame input; None for other kinds."""
        if self.kind in ("frame", "series"):
            return cast("_Indexed", self.value).index
        return None

    def label(self, position: int) -> object:
        """The label of the item at ``position`` (index label, dict key or position)."""
        if self.kind in ("frame", "series"):
            return _plain(cast("_Indexed", self.value).index[position])
        if self.kind == "dict":
            if self._keys is None:
                self._keys = list(cast("dict[object, object]", self.value))
            return self._keys[position]
        return position

    def wrap(self, results: list[object], out: str) -> object:
        """Results in the input's shape: a Series on its index, a dict on its keys, else a list."""
        return wrap_results(self.kind, results, out, self.value)


def wrap_results(kind: str, results: list[object], out: str, source: object = None) -> object:
    if kind in ("frame", "series") and source is not None:
        import pandas as pd

        index = cast("_Indexed", source).index
        return pd.Series(results, index=index, name=out, dtype=object)
    if kind == "dict" and source is not None:
        return dict(zip(cast("dict[object, object]", source), results, strict=False))
    return results
