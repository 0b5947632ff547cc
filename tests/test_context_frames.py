"""DataFrame and Series summaries: content, odd values, bounds and cost."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

from kuroryuu_magic.context import render_attachment, render_value
from kuroryuu_magic.context.stats import fmt_number

odd_floats = st.floats(allow_nan=True, allow_infinity=True)
odd_objects = st.one_of(
    st.none(),
    st.integers(),
    odd_floats,
    st.text(max_size=500),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hpd.data_frames(
        [
            hpd.column("f", elements=odd_floats, dtype=float),
            hpd.column("i", elements=st.integers(-(2**62), 2**62), dtype="int64"),
            hpd.column("o", elements=odd_objects, dtype=object),
            hpd.column("s", elements=st.text(max_size=50), dtype=object),
        ],
        index=hpd.range_indexes(max_size=40),
    ),
    st.integers(min_value=200, max_value=6000),
)
def test_any_frame_renders_within_bound(df: pd.DataFrame, limit: int) -> None:
    out = render_value(df, max_chars=limit)
    assert len(out) <= limit
    assert out.startswith(f"pandas.DataFrame: {len(df):,} rows × 4 columns")


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
    st.booleans(),
    st.booleans(),
    st.integers(min_value=100, max_value=6000),
)
def test_any_shape_and_index_kind_within_bound(
    rows: int, cols: int, multi_rows: bool, multi_cols: bool, limit: int
) -> None:
    df = pd.DataFrame(np.zeros((rows, cols)))
    if multi_rows:
        df.index = pd.MultiIndex.from_arrays([np.arange(rows) % 3, np.arange(rows)])
    if multi_cols:
        df.columns = pd.MultiIndex.from_arrays([np.arange(cols) % 2, np.arange(cols)])
    out = render_value(df, max_chars=limit)
    assert len(out) <= limit
    assert f"{rows:,} rows × {cols:,} columns"[: limit - 18] in out


@settings(max_examples=30, deadline=None)
@given(hpd.series(elements=odd_floats, dtype=float), st.integers(min_value=100, max_value=3000))
def test_any_series_renders_within_bound(s: pd.Series, limit: int) -> None:
    out = render_value(s, max_chars=limit)
    assert len(out) <= limit
    assert out.startswith("pandas.Series")


def test_frame_summary_content() -> None:
    df = pd.DataFrame(
        {
            "price": [1.5, np.nan, np.inf, 4.0],
            "city": ["Oslo", "Lima", "Oslo", None],
            "when": pd.date_range("2024-01-01", periods=4, tz="Europe/Oslo"),
            "kind": pd.Categorical(["a", "b", "a", "a"]),
            "ok": [True, False, True, True],
        }
    )
    out = render_value(df)
    assert "4 rows × 5 columns" in out
    assert "RangeIndex" in out
    lines: dict[str, str] = {}
    for line in out.split("head(")[0].splitlines():
        if line.startswith("  "):
            lines.setdefault(line.split()[0], line)
    assert "float64" in lines["price"] and "inf=1" in lines["price"]
    assert "mean=2.75" in lines["price"]
    assert "top=Oslo (2×)" in lines["city"]
    assert "Europe/Oslo" in lines["when"]
    assert "category" in lines["kind"] and "categories=2" in lines["kind"]
    assert "true=75%" in lines["ok"]
    assert "head(3)" in out and "tail(1)" in out
    assert "Lima" in out


def test_multiindex_rows_and_columns() -> None:
    cols = pd.MultiIndex.from_product([["sales", "cost"], ["q1", "q2"]])
    rows = pd.MultiIndex.from_product([["north", "south"], [2023, 2024]], names=["region", "year"])
    df = pd.DataFrame(np.arange(16.0).reshape(4, 4), index=rows, columns=cols)
    out = render_value(df)
    assert "index: MultiIndex, 2 levels names=['region', 'year']" in out
    assert "columns: MultiIndex, 2 levels" in out
    assert "('sales', 'q1')" in out
    assert "north" in out


@pytest.mark.parametrize(
    "df",
    [
        pd.DataFrame(),
        pd.DataFrame(columns=["a", "b"]),
        pd.DataFrame(index=range(5)),
        pd.DataFrame({"a": pd.Series([], dtype="float64")}),
    ],
)
def test_empty_frames(df: pd.DataFrame) -> None:
    out = render_value(df)
    assert out.startswith(f"pandas.DataFrame: {df.shape[0]:,} rows × {df.shape[1]:,} columns")
    assert "head(" not in out


def test_all_nan_and_unhashable_columns() -> None:
    df = pd.DataFrame({"nan": [np.nan] * 3, "lists": [[1], [2], [1]], "dup": 1, "dup2": 2})
    df.columns = ["nan", "lists", "dup", "dup"]  # duplicate names too
    out = render_value(df)
    assert "no finite values" in out
    lists = next(line for line in out.splitlines() if line.startswith("  lists"))
    # pandas 3 counts lists; older pandas raises TypeError, which must not fail the summary
    assert "top=[1] (2×)" in lists or "unhashable values" in lists
    assert "failed" not in out
    assert out.count("dup ") >= 2


def test_very_wide_frame_is_bounded_and_says_so() -> None:
    n = 100_000
    df = pd.DataFrame(np.zeros((3, n)), columns=[f"feature_{i}" for i in range(n)])
    start = time.process_time()
    out = render_value(df, max_chars=4000)
    assert time.process_time() - start < 1.0  # only the shown columns are touched
    assert len(out) <= 4000
    assert "100,000 columns" in out
    assert "more columns not shown" in out
    assert f"feature_{n - 1}" in out


def test_huge_strings_in_cells_are_cut() -> None:
    df = pd.DataFrame({"text": ["w" * 100_000, "short"]})
    out = render_value(df, max_chars=3000)
    assert len(out) <= 3000
    assert "w" * 200 not in out


def test_schema_only_has_names_and_dtypes_but_no_values() -> None:
    df = pd.DataFrame({"patient": ["canary-alice", "canary-bob"], "age": [31337, 42424]})
    out = render_value(df, schema_only=True)
    assert "patient" in out and "age" in out
    assert "int64" in out
    assert "canary" not in out and "31337" not in out and "42424" not in out
    s_out = render_value(df["patient"], schema_only=True)
    assert "canary" not in s_out and "2 values" in s_out
    dated = pd.DataFrame({"v": [1]}, index=pd.DatetimeIndex(["2031-05-06"]))
    assert "2031" not in render_value(dated, schema_only=True)


def test_big_frame_uses_a_sample_and_is_fast() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(1_000_000, 20)), columns=[f"c{i}" for i in range(20)])
    df.iloc[::4, 0] = np.nan
    render_value(df)  # warm-up
    start = time.perf_counter()
    out = render_value(df)
    elapsed = time.perf_counter() - start
    assert len(out) <= 4000
    assert elapsed < 1.0  # bench/bench_context.py holds the strict 100 ms figure
    assert "10,000-row random sample" in out
    c0 = next(line for line in out.splitlines() if line.startswith("  c0 "))
    # Nulls, min and max are exact on every size; moments are marked as sampled.
    assert " 250,000 " in c0
    assert f"min={fmt_number(df.c0.min())} max={fmt_number(df.c0.max())}" in c0
    assert "mean≈" in c0 and "median≈" in c0


def test_series_and_index() -> None:
    s = pd.Series([1.0, 2.0, None, 4.0] * 1000, name="score")
    out = render_value(s)
    assert out.startswith("pandas.Series 'score': 4,000 values, dtype float64")
    assert "nulls: 1,000" in out
    assert "…" in out or "..." in out
    idx = pd.Index(range(100_000))
    assert "100,000 entries" in render_value(idx)


def test_attachment_names_pandas_type() -> None:
    out = render_attachment("df", pd.DataFrame({"a": [1]}), max_chars=2000, schema_only=False)
    assert out.startswith('<variable name="df" type="pandas.DataFrame">')


def test_polars_frames() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"x": [1.0, None, 3.0, float("inf")], "name": ["a", "b", "a", None]})
    out = render_value(df)
    assert out.startswith("polars.DataFrame: 4 rows × 2 columns")
    assert "mean=2" in out and "top=a (2×)" in out
    assert "head(3)" in out
    assert "polars.Series" in render_value(df["x"])
    lazy = render_value(df.lazy())
    assert "not collected" in lazy and "name" in lazy
    schema = render_value(df, schema_only=True)
    assert "String" in schema and "top=" not in schema
    big = pl.DataFrame({f"c{i}": np.arange(300_000) for i in range(5)})
    out = render_value(big, max_chars=2000)
    assert len(out) <= 2000 and "sample" in out


def test_overflowing_and_all_nan_values_raise_no_warnings() -> None:
    df = pd.DataFrame({"big": [1e308, -1e308, 1e308], "nan": [np.nan] * 3, "x": [1, 2, 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = render_value(df)
        render_value(df["big"])
        render_value(np.array([1e308, 1e308]))
    assert "no finite values" in out
