"""describe, value_counts, null_counts, duplicates, quantiles, correlations, histogram:
exact answers checked against plain pandas, on pandas and polars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuroryuu_magic.tools import (
    correlations,
    describe,
    duplicates,
    histogram,
    null_counts,
    quantiles,
    value_counts,
)
from kuroryuu_magic.tools.text import num

from ._tools_helpers import as_polars, err, line_of, ok, sales_frame

pytest.importorskip("polars")

DF = sales_frame()


@pytest.fixture(params=["pandas", "polars"])
def ns(request: pytest.FixtureRequest) -> dict:
    return {"df": DF if request.param == "pandas" else as_polars(DF)}


def test_describe_is_exact(ns: dict) -> None:
    out = ok(describe(ns, "df", max_chars=20_000))
    price = out.split("[0] price")[1].split("[1]")[0]
    assert f"non-null {DF.price.notna().sum():,}/{len(DF):,}" in price
    assert f"distinct {DF.price.nunique():,}" in price
    assert f"min {num(DF.price.min())}  max {num(DF.price.max())}" in price
    assert f"mean {num(DF.price.mean())}  std(ddof=1) {num(DF.price.std())}" in price
    code = out.split("[2] code")[1].split("[3]")[0]
    counts = DF.code.value_counts()
    assert "distinct 3" in code
    assert f"zeros {counts[0]:,}" in code
    for value, count in counts.items():
        assert f"{value} ({count:,})" in code  # every level of a 0/1/2 code with its count
    day = out.split("[4] day")[1].split("[5]")[0]
    assert "dates 2024-01-01 00:00:00 … 2024-09-28 00:00:00" in day
    when = out.split("[5] when")[1].split("[6]")[0]
    assert "+01:00" in when and str(DF.when.max()) in when
    vip = out.split("[6] vip")[1]
    assert f"True {DF.vip.sum():,}" in vip


def test_describe_columns_and_budget(ns: dict) -> None:
    out = ok(describe(ns, "df", columns=["city"], max_chars=4000))
    assert "[3] city" in out and "[0] price" not in out
    assert f"'Oslo' ({(DF.city == 'Oslo').sum():,})" in out
    small = describe(ns, "df", max_chars=400)
    assert len(small.text) <= 400 and "more columns not described" in small.text


def test_describe_schema_only_withholds_values(ns: dict) -> None:
    out = ok(describe(ns, "df", schema_only=True, max_chars=4000))
    assert "withheld" in out and "distinct" in out
    assert "'Oslo'" not in out and "min " not in out and "top " not in out


def test_value_counts_exact_and_normalized(ns: dict) -> None:
    out = ok(value_counts(ns, "df", "city", max_chars=4000))
    vc = DF.city.value_counts()
    for value, count in vc.items():
        assert (
            f"'{value}'" in line_of(out, f"'{value}'")
            and f" {count:,} " in line_of(out, f"'{value}'") + " "
        )
    assert f"{DF.city.isna().sum():,} null" in out
    shares = ok(value_counts(ns, "df", "city", normalize=True, max_chars=4000))
    top = vc.index[0]
    assert num(vc.iloc[0] / DF.city.notna().sum()) in line_of(shares, f"'{top}'")
    two = ok(value_counts(ns, "df", "city", top=2, max_chars=4000))
    assert "… 2 more values" in two
    assert "withheld" in ok(value_counts(ns, "df", "city", schema_only=True, max_chars=4000))


def test_null_counts_exact(ns: dict) -> None:
    out = ok(null_counts(ns, "df", max_chars=4000))
    assert f"{DF.price.isna().sum():,}" in line_of(out, "price")
    assert f"{DF.city.isna().sum():,}" in line_of(out, "city")
    assert f"rows with any null: {DF.isna().any(axis=1).sum():,}" in out
    assert "5 columns have no nulls" in out


def test_duplicates_exact(ns: dict) -> None:
    out = ok(duplicates(ns, "df", max_chars=4000))
    assert (
        out.splitlines()[0].split(": ")[1].startswith(f"{DF.duplicated().sum():,} duplicated rows")
    )
    sub = ok(duplicates(ns, "df", subset=["city", "code"], show=2, max_chars=4000))
    assert f"{DF.duplicated(subset=['city', 'code']).sum():,} duplicated rows" in sub
    biggest = DF.groupby(["city", "code"], dropna=False).size().max()
    assert f"  {biggest:,}× at index" in sub
    for line in out.splitlines()[2:]:  # each example lists the labels of identical rows
        labels = [int(x) for x in line.split("[")[1].split("]")[0].split(", ") if x != "…"]
        assert len(labels) >= 2 and DF.loc[labels].duplicated(keep=False).all(), line
    assert "withheld" in ok(duplicates(ns, "df", schema_only=True, max_chars=4000))


def test_duplicates_with_unhashable_cells() -> None:
    df = pd.DataFrame({"tags": [[1], [1], [2]], "x": [1, 1, 1]})
    assert "1 duplicated rows" in ok(duplicates({"df": df}, "df", max_chars=2000))


def test_quantiles_match_pandas(ns: dict) -> None:
    q = [0, 0.1, 0.5, 0.9, 1]
    out = ok(quantiles(ns, "df", "price", q=q, max_chars=4000))
    for x, v in DF.price.quantile(q).items():
        assert f"  {num(x)}: {num(v)}" in out
    dates = ok(quantiles(ns, "df", "when", q=[0.5], max_chars=4000))
    assert str(DF.when.quantile(0.5)) in dates
    err(quantiles(ns, "df", "city", max_chars=4000))
    err(quantiles(ns, "df", "price", q=[1.5], max_chars=4000))


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlations_match_pandas(ns: dict, method: str) -> None:
    out = ok(
        correlations(ns, "df", columns=["price", "qty", "code"], method=method, max_chars=4000)
    )
    expected = DF[["price", "qty", "code"]].corr(method=method)
    assert f"price ~ qty: {num(expected.loc['price', 'qty'])} (n={DF.price.notna().sum():,})" in out
    assert f"qty ~ code: {num(expected.loc['qty', 'code'])} (n={len(DF):,})" in out
    err(correlations(ns, "df", columns=["city"], max_chars=4000))
    err(correlations(ns, "df", method="kendall", max_chars=4000))


def test_histogram_counts_match_numpy(ns: dict) -> None:
    out = ok(histogram(ns, "df", "price", bins=4, max_chars=4000))
    counts, edges = np.histogram(DF.price.dropna(), bins=4)
    for c, lo in zip(counts, edges, strict=False):
        assert f"  {num(lo)} … " in out and f": {c:,}" in out
    assert "Oslo" not in out
    dates = ok(histogram(ns, "df", "when", bins=3, max_chars=4000))
    assert str(DF.when.min()) in dates and str(DF.when.max()) in dates
    assert "value_counts" in err(histogram(ns, "df", "city", max_chars=4000))


@pytest.mark.parametrize(
    "call",
    [
        lambda ns: describe(ns, "nope", max_chars=500),
        lambda ns: value_counts(ns, "df", "nope", max_chars=500),
        lambda ns: value_counts(ns, "df", "city", top=0, max_chars=500),
        lambda ns: duplicates(ns, "df", subset=["nope"], max_chars=500),
        lambda ns: histogram(ns, "df", "price", bins=0, max_chars=500),
        lambda ns: describe(ns, "not_a_frame", max_chars=500),
    ],
)
def test_mistakes_are_error_results(ns: dict, call) -> None:
    ns = {**ns, "not_a_frame": object()}
    text = err(call(ns))
    assert len(text) <= 500


def test_missing_column_lists_the_columns() -> None:
    text = err(value_counts({"df": DF}, "df", "Cty", max_chars=2000))
    assert "'city'" in text and "no column 'Cty'" in text


def test_numpy_arrays_and_series() -> None:
    a = np.array([3, 1, 2, 2, np.nan])
    ns = {"a": a, "m": np.arange(12).reshape(4, 3), "s": pd.Series(a, name="v")}
    assert "min 1  max 3" in ok(describe(ns, "a", max_chars=2000))
    assert "2  " in ok(value_counts(ns, "a", "a", max_chars=2000))
    assert "min 2  max 11" in ok(describe(ns, "m", columns=[2], max_chars=2000))
    assert "1 null" in ok(value_counts(ns, "s", "v", max_chars=2000))
    assert "3-D" in err(describe({"c": np.zeros((2, 2, 2))}, "c", max_chars=2000))


def test_polars_dtypes_and_nulls_stay_polars() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"n": [1, None, 3], "s": ["a", None, "a"]})
    out = ok(describe({"df": df}, "df", max_chars=2000))
    assert "n: Int64, non-null 2/3 (1 null)" in out
    assert "s: String" in out
    err(describe({"lazy": df.lazy()}, "lazy", max_chars=2000))


def test_spearman_with_nulls_refuses_a_job_too_big(monkeypatch: pytest.MonkeyPatch) -> None:
    from kuroryuu_magic.tools import _distribution

    monkeypatch.setattr(_distribution, "SPEARMAN_PAIR_ROWS", 100)
    text = err(
        correlations(
            {"df": DF}, "df", columns=["price", "qty", "code"], method="spearman", max_chars=500
        )
    )
    assert "fewer columns" in text
    assert not correlations(
        {"df": DF}, "df", columns=["price", "qty"], method="pearson", max_chars=500
    ).is_error


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
def test_datetime_levels_in_their_own_unit(unit: str) -> None:
    d = pd.Series(pd.to_datetime(["2024-03-01", "2024-01-01", "2024-03-01"])).astype(
        f"datetime64[{unit}]"
    )
    out = ok(describe({"df": pd.DataFrame({"d": d})}, "df", max_chars=2000))
    assert "top 2024-03-01 00:00:00 (2), 2024-01-01 00:00:00 (1)" in out


def test_spearman_with_nulls_and_ties_matches_pandas() -> None:
    rng = np.random.default_rng(11)
    x = rng.integers(0, 6, size=(400, 4)).astype(float)  # many ties
    x[rng.random(x.shape) < 0.2] = np.nan
    df = pd.DataFrame(x, columns=list("abcd"))
    df["e"] = rng.normal(size=400)  # one column without nulls
    out = ok(correlations({"df": df}, "df", method="spearman", max_chars=4000))
    expected = df.corr(method="spearman")
    for a, b in [("a", "b"), ("a", "e"), ("c", "d"), ("b", "e")]:
        assert f"{a} ~ {b}: {num(expected.loc[a, b])} " in out
