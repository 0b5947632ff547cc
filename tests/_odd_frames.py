"""A hypothesis strategy for awkward pandas frames, shared by the tool and profile fuzz tests:
empty, all-null, MultiIndex rows and columns, duplicate and non-string column names,
nullable, categorical, tz-aware and Arrow (string, list) dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import strategies as st


def _column(kind: str, values: list[Any], n: int) -> Any:
    vals = (values * (n // max(1, len(values)) + 1))[:n] if values else [None] * n
    if kind == "float":
        return pd.Series(
            [float(v) if isinstance(v, int) else np.nan for v in vals], dtype="float64"
        )
    if kind == "Int64":
        return pd.Series([v if isinstance(v, int) else None for v in vals], dtype="Int64")
    if kind == "boolean":
        return pd.Series([bool(v) if isinstance(v, int) else None for v in vals], dtype="boolean")
    if kind == "string":
        return pd.Series([str(v) if v is not None else None for v in vals], dtype="string")
    if kind == "arrow_int":
        return pd.Series([v if isinstance(v, int) else None for v in vals], dtype="int64[pyarrow]")
    if kind == "arrow_str":
        return pd.Series(
            [str(v) if v is not None else None for v in vals], dtype=pd.ArrowDtype(pa.string())
        )
    if kind == "arrow_list":
        return pd.Series(
            [[v] if v is not None else None for v in vals],
            dtype=pd.ArrowDtype(pa.list_(pa.int64())),
        )
    if kind == "category":
        return pd.Series(
            pd.Categorical(
                [v for v in vals], categories=sorted({v for v in vals if v is not None} | {-1})
            )
        )
    if kind == "datetime_tz":
        base = pd.Timestamp("2024-01-01", tz="Asia/Kolkata")
        return pd.Series(
            [base + pd.Timedelta(days=v) if isinstance(v, int) else pd.NaT for v in vals]
        )
    if kind == "object":
        return pd.Series([[v] if isinstance(v, int) and v % 2 else v for v in vals], dtype=object)
    return pd.Series([None] * n, dtype=object)  # all-null


KINDS = [
    "float",
    "Int64",
    "boolean",
    "string",
    "arrow_int",
    "arrow_str",
    "arrow_list",
    "category",
    "datetime_tz",
    "object",
    "null",
]
LABELS = st.one_of(
    st.sampled_from(["a", "a", "b", "", " x "]),
    st.integers(-3, 3),
    st.tuples(st.sampled_from("pq"), st.integers(0, 2)),
)


@st.composite
def odd_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=5))
    values = draw(st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=6))
    data = [_column(k, values, n) for k in kinds]
    df = pd.concat(data, axis=1) if data else pd.DataFrame(index=range(n))
    labels = draw(st.lists(LABELS, min_size=len(kinds), max_size=len(kinds)))
    if draw(st.booleans()) and kinds:
        df.columns = pd.MultiIndex.from_tuples([(str(lab), i) for i, lab in enumerate(labels)])
    elif kinds:
        df.columns = labels  # duplicates, ints, tuples, empty strings
    if draw(st.booleans()) and n:
        df.index = pd.MultiIndex.from_arrays([np.arange(n) % 2, np.arange(n)])
    return df
