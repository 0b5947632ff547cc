"""Every tool on odd frames: empty, all-null, MultiIndex, duplicate and non-string column
names, nullable and Arrow dtypes, pandas and polars. No raise, always within max_chars."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuroryuu_magic.tools import ToolOutcome, run_tool
from kuroryuu_magic.tools.text import label

pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

from ._odd_frames import odd_frames  # noqa: E402  (needs pyarrow)


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
