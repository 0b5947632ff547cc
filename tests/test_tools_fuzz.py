"""Every tool on odd frames: empty, all-null, MultiIndex, duplicate and non-string column
names, nullable and Arrow dtypes, pandas and polars. No raise, always within max_chars."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuroryuu_magic.tools import ToolOutcome, run_tool
from kuroryuu_magic.tools.text import label

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")


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


def _calls(df: pd.DataFrame, first: Any) -> list[tuple[str, dict[str, Any]]]:
    col = first if isinstance(first, str) else label(first)
    return [
        ("describe", {"name": "df"}),
        ("value_counts", {"name": "df", "column": col}),
        ("null_counts", {"name": "df"}),
        ("duplicates", {"name": "df"}),
        ("quantiles", {"name": "df", "column": col}),
        ("correlations", {"name": "df"}),
        ("sample_rows", {"name": "df", "n": 3, "where": [[col, "notnull"]]}),
        ("sample_rows", {"name": "df", "where": [[col, ">", 1]]}),
        ("groupby", {"name": "df", "by": col, "column": col, "agg": "count"}),
        ("histogram", {"name": "df", "column": col}),
    ]


@settings(max_examples=60)
@given(odd_frames(), st.integers(80, 3000), st.booleans())
def test_odd_pandas_frames(df: pd.DataFrame, limit: int, schema_only: bool) -> None:
    first = df.columns[0] if df.shape[1] else "a"
    for name, input in _calls(df, first):
        out = run_tool(name, input, {"df": df}, max_chars=limit, schema_only=schema_only)
        assert isinstance(out, ToolOutcome)
        assert len(out.text) <= limit, (name, out.text)
        # A failure inside a tool reads "<tool> failed"; mistakes read as mistakes.
        assert (
            " failed: " not in out.text or "Arrow" in out.text or "pyarrow" in out.text.lower()
        ), (name, out.text)


@settings(max_examples=40)
@given(odd_frames(), st.integers(80, 3000))
def test_odd_polars_frames(df: pd.DataFrame, limit: int) -> None:
    flat = df.copy()
    flat.columns = [f"c{i}" for i in range(df.shape[1])]
    flat = flat.reset_index(drop=True)
    try:
        pdf = pl.from_pandas(flat)
    except Exception:  # polars cannot hold every pandas dtype: not what this tests
        return
    for name, input in _calls(flat, "c0"):
        out = run_tool(name, input, {"df": pdf}, max_chars=limit, schema_only=False)
        assert isinstance(out, ToolOutcome) and len(out.text) <= limit


@pytest.mark.parametrize(
    "make",
    [
        pd.DataFrame,
        lambda: pd.DataFrame(columns=["a", "b"]),
        lambda: pd.DataFrame({"a": [None] * 4}),
    ],
)
def test_empty_and_all_null_answer_plainly(make: Any) -> None:
    df = make()
    ns = {"df": df}
    assert not run_tool("describe", {"name": "df"}, ns, max_chars=2000, schema_only=False).is_error
    assert not run_tool(
        "null_counts", {"name": "df"}, ns, max_chars=2000, schema_only=False
    ).is_error
    if df.shape[1]:
        out = run_tool(
            "value_counts", {"name": "df", "column": "a"}, ns, max_chars=2000, schema_only=False
        )
        assert "0 distinct values" in out.text
