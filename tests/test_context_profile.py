"""The {df} profile is right: exact where cheap, sampled values marked, and the facts the
investigate issue lists (duplicates, distinct counts, levels, zeros, identical columns, date-like
strings, left-out names, nested nulls, whole labels and offsets, one number style)."""

from __future__ import annotations

import contextlib
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuroryuu_magic.context import render_value

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

from ._odd_frames import odd_frames  # noqa: E402  (needs pyarrow)

BIG = 1_000_000


def col(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"  {name} "))


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    ids = rng.permutation(BIG)  # 0 … 999,999 in random order: a sample misses the ends
    price = rng.normal(100, 10, BIG)
    price[rng.random(BIG) < 0.03] = np.nan
    price[123_457] = -5_000.25  # one extreme value a sample would miss
    when = pd.Series(pd.date_range("2020-01-01", periods=BIG, freq="min", tz="Asia/Kolkata"))
    when[10] = pd.NaT
    return pd.DataFrame(
        {
            "id": ids,
            "price": price,
            "code": rng.integers(0, 3, BIG),
            "flag": rng.integers(0, 2, BIG).astype("float64"),
            "grade": rng.integers(0, 30, BIG),
            "zero_heavy": np.where(rng.random(BIG) < 0.4, 0, 7),
            "when": when,
        }
    )


def test_min_max_nulls_are_exact_on_a_million_rows(big: pd.DataFrame) -> None:
    out = render_value(big, max_chars=4000)
    assert "min=0 max=999,999" in col(out, "id")
    price = col(out, "price")
    assert f" {big.price.isna().sum():,} " in price
    assert "min=-5,000.2 " in price  # the one extreme row (-5,000.25), found without sampling
    when = col(out, "when")
    assert " 1 " in when
    assert f"min={big.when.min()}" in when and f"max={big.when.max()}" in when


def test_sampled_values_are_marked_on_the_value(big: pd.DataFrame) -> None:
    price = col(render_value(big, max_chars=4000), "price")
    assert "mean≈" in price and "std≈" in price and "median≈" in price and "distinct≥" in price
    small = render_value(big.iloc[:1000], max_chars=4000)
    assert "≈" not in col(small, "price") and "mean=" in col(small, "price")
    exact = big.price.iloc[:1000]
    assert f"std={float(exact.std()):.4g}" in col(small, "price")  # pandas' ddof=1


def test_integer_codes_have_exact_distinct_counts_and_levels(big: pd.DataFrame) -> None:
    out = render_value(big, max_chars=4000)
    code = col(out, "code")
    assert "distinct=3" in code
    for value, count in big.code.value_counts().items():
        assert f"{value} ({count:,}×)" in code
    flag = col(out, "flag")  # 0/1 coded as floats count like ints
    assert "distinct=2" in flag and f"1 ({int(big.flag.sum()):,}×)" in flag
    grade = col(out, "grade")
    assert "distinct=30" in grade and "…+25" in grade
    top = big.grade.value_counts().index[0]
    assert f"top={top} ({big.grade.value_counts().iloc[0]:,}×)" in grade


def test_share_of_zeros_is_exact(big: pd.DataFrame) -> None:
    z = col(render_value(big, max_chars=4000), "zero_heavy")
    share = (big.zero_heavy == 0).mean() * 100
    assert f"zeros={share:.4g}%" in z
    assert "zeros" not in col(render_value(big, max_chars=4000), "price")


def test_duplicate_rows_exact_small_bounded_big(big: pd.DataFrame) -> None:
    df = pd.DataFrame({"a": [1, 1, 2, 2, 2, 1], "b": ["x", "x", "y", "y", "z", "x"]})
    assert "duplicated rows: 3" in render_value(df)
    proof = render_value(big, max_chars=4000)
    assert "duplicated rows: 0 (id never repeats)" in proof
    rng = np.random.default_rng(0)
    no_key = pd.DataFrame({"a": rng.integers(0, 3, 600_000), "b": rng.integers(0, 3, 600_000)})
    text = render_value(no_key, max_chars=4000)
    line = next(x for x in text.splitlines() if x.startswith("duplicated rows"))
    assert line.startswith("duplicated rows: ≥") and "sample" in line


def test_randhie_shape_duplicates_are_counted() -> None:
    sm = pytest.importorskip("statsmodels.api")
    df = sm.datasets.randhie.load_pandas().data
    assert f"duplicated rows: {df.duplicated().sum():,}" in render_value(df)


def test_identical_columns_are_flagged() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [5, 6, 7], "a_copy": [1.0, 2.0, np.nan]})
    df["c"] = ["p", "q", "r"]
    df["c2"] = df["c"]
    out = render_value(df)
    assert "identical columns: a_copy = a, c2 = c" in out
    near = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 3.0, 2.0]})  # same facts, other values
    assert "identical" not in render_value(near)


def test_left_out_columns_are_named() -> None:
    df = pd.DataFrame(np.zeros((2, 100)), columns=[f"col_{i}" for i in range(100)])
    out = render_value(df, max_chars=4000)
    assert "more columns not shown: col_" in out
    left = re.search(r"not shown: ([^\]]*)\]", out).group(1)
    assert "col_50" in left or "col_31" in left


def test_date_like_strings_get_a_range() -> None:
    days = pd.Series(["2023-05-01", "2021-01-09", None, "2024-12-31"] * 10)
    out = render_value(pd.DataFrame({"day": days, "word": ["a", "b", "c", "d"] * 10}))
    assert "dates=2021-01-09 00:00:00…2024-12-31 00:00:00" in col(out, "day")
    assert "dates" not in col(out, "word")


def test_arrow_nested_columns_keep_null_counts() -> None:
    lists = pd.Series([[1, 2], None, [3], None], dtype=pd.ArrowDtype(pa.list_(pa.int64())))
    structs = pd.Series(
        [{"x": 1}, None, {"x": 2}, {"x": 3}], dtype=pd.ArrowDtype(pa.struct([("x", pa.int64())]))
    )
    out = render_value(pd.DataFrame({"lists": lists, "structs": structs}))
    assert re.search(r"lists\s+list<item: int64>\[pyarrow\]\s+2 ", col(out, "lists"))
    assert " 1 " in col(out, "structs")
    pout = render_value(pl.DataFrame({"lists": [[1], None, [2]], "s": [{"x": 1}, None, None]}))
    assert re.search(r"lists\s+List\(Int64\)\s+1 ", col(pout, "lists"))
    assert re.search(r"\s2\s", col(pout, "s"))


def test_multiindex_labels_and_tz_offsets_are_whole() -> None:
    idx = pd.MultiIndex.from_tuples(
        [("a-long-region-name", "a-long-city-name-here", 2024)] * 3, names=["r", "c", "y"]
    )
    when = pd.date_range("2024-01-01 09:30", periods=3, freq="h", tz="Asia/Kolkata")
    df = pd.DataFrame({"when": when, "v": [1.5, 2.5, 3.5]}, index=idx)
    out = render_value(df)
    assert "('a-long-region-name', 'a-long-city-name-here', 2024)" in out
    assert "2024-01-01 09:30:00+05:30" in out.split("head(")[1]
    assert "2024-01-01 11:30:00+05:30" in col(out, "when")


def test_one_number_style(big: pd.DataFrame) -> None:
    df = big.assign(money=big.id * 1234.5678)
    out = render_value(df, max_chars=6000)
    assert not re.search(r"\de[+-]\d", out)  # no exponent anywhere
    # from 1,000 up: whole, with separators
    assert f"max={round(df.money.max()):,}" in col(out, "money")


def test_categorical_distinct_counts_values_that_occur() -> None:
    s = pd.Categorical(["a", "b", "a", None], categories=["a", "b", "c", "d", "e"])
    line = col(render_value(pd.DataFrame({"k": s})), "k")
    assert "distinct=2" in line and "categories=5" in line and "a (2×)" in line and " 1 " in line


def test_polars_exact_and_wide() -> None:
    rng = np.random.default_rng(5)
    ids = rng.permutation(BIG)
    frame = pl.DataFrame({"id": ids, "x": rng.normal(size=BIG), "code": rng.integers(0, 3, BIG)})
    frame = frame.with_columns(
        pl.when(pl.col("id") % 10 == 0).then(None).otherwise(pl.col("x")).alias("x")
    )
    out = render_value(frame, max_chars=4000)
    assert "min=0 max=999,999" in col(out, "id")
    assert f" {BIG // 10:,} " in col(out, "x") and "mean≈" in col(out, "x")
    assert "distinct=3" in col(out, "code")
    wide = pl.DataFrame({f"c{i}": np.arange(50) for i in range(5000)})
    text = render_value(wide, max_chars=4000)
    assert len(text) <= 4000
    assert re.search(r"4,9\d\d more columns not shown: c\d+, c\d+", text)


@settings(max_examples=60)
@given(odd_frames(), st.integers(100, 5000), st.booleans())
def test_odd_frames_profile_within_bound_and_without_failures(
    df: pd.DataFrame, limit: int, schema_only: bool
) -> None:
    out = render_value(df, max_chars=limit, schema_only=schema_only)
    assert len(out) <= limit
    assert "failed" not in out, out
    if df.shape[1] and not schema_only and len(out) < limit:
        flat = df.reset_index(drop=True)
        flat.columns = [f"c{i}" for i in range(df.shape[1])]
        with contextlib.suppress(Exception):  # polars cannot hold every pandas dtype
            frame = pl.from_pandas(flat)
            pout = render_value(frame, max_chars=limit)
            assert len(pout) <= limit and "failed" not in pout, pout


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_datetime_units_are_read_in_their_own_unit(unit: str) -> None:
    d = pd.Series(pd.to_datetime(["2024-01-01", None, "2024-03-01"])).astype(f"datetime64[{unit}]")
    td = pd.Series(pd.to_timedelta([1, 2, None], unit="D")).astype(f"timedelta64[{unit}]")
    out = render_value(pd.DataFrame({"d": d, "td": td}))
    assert "min=2024-01-01 00:00:00 max=2024-03-01 00:00:00" in col(out, "d")
    assert "min=1 days 00:00:00 max=2 days 00:00:00" in col(out, "td")


def test_date_strings_with_different_offsets_are_compared_in_utc() -> None:
    df = pd.DataFrame({"t": ["2024-01-01T10:00+01:00", "2024-01-02T00:00+05:00", None]})
    assert "dates=2024-01-01 09:00:00+00:00…2024-01-01 19:00:00+00:00" in col(render_value(df), "t")
