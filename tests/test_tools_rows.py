"""sample_rows filters and groupby aggregates, checked against plain pandas on pandas and polars."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from kuroryuu_magic.tools import groupby, sample_rows
from kuroryuu_magic.tools.text import num

from ._tools_helpers import as_polars, err, line_of, ok, sales_frame

pytest.importorskip("polars")

DF = sales_frame()


@pytest.fixture(params=["pandas", "polars"])
def ns(request: pytest.FixtureRequest) -> dict:
    return {"df": DF if request.param == "pandas" else as_polars(DF)}


def matched(text: str) -> int:
    m = re.search(r": ([\d,]+) rows match", text)
    assert m, text
    return int(m.group(1).replace(",", ""))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ([["price", ">", 50]], (DF.price > 50)),
        ([["price", "<=", 10.5]], (DF.price <= 10.5)),
        ([["qty", "==", 0]], (DF.qty == 0)),
        ([["qty", "!=", "0"]], (DF.qty != 0)),  # a number sent as a string still compares
        ([["qty", ">=", 3], ["code", "<", 1]], (DF.qty >= 3) & (DF.code < 1)),
        ([["city", "in", ["Oslo", "Lima"]]], DF.city.isin(["Oslo", "Lima"])),
        ([["city", "not_in", ["Oslo"]]], DF.city.notna() & ~DF.city.isin(["Oslo"])),
        ([["city", "isnull"]], DF.city.isna()),
        ([["price", "notnull"]], DF.price.notna()),
        ([["city", "contains", "o"]], DF.city.str.contains("o", regex=False).fillna(False)),
        ([["when", ">=", "2024-03-10"]], DF.when >= pd.Timestamp("2024-03-10", tz="Europe/Oslo")),
        ([["vip", "==", True]], DF.vip),
        ([["day", "<", "2024-02"]], DF.day < "2024-02"),
    ],
)
def test_where_counts_match_pandas(ns: dict, where: list, expected: pd.Series) -> None:
    out = ok(sample_rows(ns, "df", n=5, where=where, max_chars=6000))
    assert matched(out) == int(expected.sum())
    shown = [line for line in out.splitlines()[2:] if not line.startswith("  …")]
    assert len(shown) == min(5, int(expected.sum()))


def test_rows_shown_are_matching_rows_with_their_labels(ns: dict) -> None:
    out = ok(
        sample_rows(
            ns, "df", n=3, where=[["qty", "==", 4]], columns=["qty", "city"], max_chars=4000
        )
    )
    rows = out.splitlines()[2:]
    assert len(rows) == 3
    for row in rows:
        label, qty = row.split()[:2]
        assert DF.qty.iloc[int(label)] == int(qty) == 4
    assert "price" not in out


def test_sample_rows_bounds_and_mistakes(ns: dict) -> None:
    assert len(sample_rows(ns, "df", n=100, max_chars=900).text) <= 900
    err(sample_rows(ns, "df", where=[["qty", "~", 1]], max_chars=500))
    err(sample_rows(ns, "df", where=[["nope", "==", 1]], max_chars=500))
    err(sample_rows(ns, "df", where=[["qty", "in", 3]], max_chars=500))
    err(sample_rows(ns, "df", where=[["qty", "==", "many"]], max_chars=500))
    err(sample_rows(ns, "df", n=1000, max_chars=500))
    out = ok(sample_rows(ns, "df", where=[["qty", ">", 1]], schema_only=True, max_chars=500))
    assert matched(out) == int((DF.qty > 1).sum()) and "withheld" in out


def test_string_compared_with_number_is_an_error_result() -> None:
    text = err(sample_rows({"df": DF}, "df", where=[["city", ">", 3]], max_chars=500))
    assert "city" in text


@pytest.mark.parametrize("agg", ["count", "sum", "mean", "median", "min", "max", "nunique", "std"])
def test_groupby_matches_pandas(ns: dict, agg: str) -> None:
    out = ok(groupby(ns, "df", by="city", column="price", agg=agg, max_chars=4000))
    expected = DF.groupby("city", dropna=False)["price"].agg(agg)
    sizes = DF.groupby("city", dropna=False).size()
    for key, value in expected.items():
        shown = "<null>" if pd.isna(key) else f"'{key}'"
        line = line_of(out, shown)
        assert f" {num(value)} " in f" {line} ", (key, line)
        assert line.endswith(f" {sizes[key]:,}")
    values = [float(line.split()[1]) for line in out.splitlines()[2:]]
    assert values == sorted(values, reverse=True)


def test_groupby_by_two_columns_and_strings(ns: dict) -> None:
    out = ok(groupby(ns, "df", by=["city", "code"], column="qty", agg="sum", max_chars=6000))
    expected = DF.groupby(["city", "code"], dropna=False)["qty"].sum()
    assert f"{len(expected):,} groups" in out
    top = expected.sort_values(ascending=False).iloc[0]
    assert f" {top} " in out.splitlines()[2] + " "
    names = ok(groupby(ns, "df", by="code", column="city", agg="max", max_chars=4000))
    assert "'Pune'" in names
    err(groupby(ns, "df", by="code", column="city", agg="mean", max_chars=4000))
    err(groupby(ns, "df", by="code", column="price", agg="mode", max_chars=4000))
    err(groupby(ns, "df", by=[], column="price", agg="sum", max_chars=4000))


def test_groupby_datetime_keys_and_budget(ns: dict) -> None:
    out = groupby(ns, "df", by="when", column="qty", agg="sum", max_chars=600)
    assert len(out.text) <= 600 and "more groups" in out.text


def test_groupby_numpy_and_nullable() -> None:
    df = pd.DataFrame({"k": pd.array([1, None, 1], dtype="Int64"), "v": [1.0, 2.0, np.nan]})
    out = ok(groupby({"df": df}, "df", by="k", column="v", agg="sum", max_chars=2000))
    assert "2 groups" in out
