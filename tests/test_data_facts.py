"""Issue 23: every number the tools and the ``{df}`` profile state is exact at its shown
precision or marked, and no label hides what it is.  One test per case the issue lists,
each run on pandas and on polars (the rule itself: ``docs/data-facts.md``; the property
test over generated frames: ``tests/test_data_facts_property.py``)."""

from __future__ import annotations

import argparse
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kuroryuu_magic.ask.prompt import build_content
from kuroryuu_magic.context import render_value
from kuroryuu_magic.tools import run_tool

pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")

LIBS = ["pandas", "polars"]


def as_lib(df: pd.DataFrame, lib: str) -> Any:
    return df if lib == "pandas" else pl.from_pandas(df)


def call(tool: str, frame: Any, max_chars: int = 4000, **args: Any) -> str:
    out = run_tool(
        tool, {"name": "df", **args}, {"df": frame}, max_chars=max_chars, schema_only=False
    )
    assert not out.is_error, out.text
    return out.text


def summary(out: str, name: str) -> str:
    """The profile's line for column ``name``."""
    return next(line for line in out.splitlines() if line.startswith(f"  {name} "))


# ---------------------------------------------------------------- value_counts


@pytest.mark.parametrize("lib", LIBS)
def test_value_counts_cut_by_length_still_says_how_many_values_are_left(lib: str) -> None:
    df = pd.DataFrame({"s": [f"value number {i:05d} " * 3 for i in range(500)]})
    for max_chars in range(600, 1400, 7):  # wherever the budget happens to end
        out = call("value_counts", as_lib(df, lib), max_chars, column="s", top=100)
        assert len(out) <= max_chars
        shown = out.count("value number") // 3
        assert f"… {500 - shown:,} more values ({500 - shown:,} rows" in out, (
            max_chars,
            out[-200:],
        )


# ---------------------------------------------------------------- quantiles and big integers


@pytest.mark.parametrize("lib", LIBS)
def test_quantile_one_of_a_column_with_inf_is_inf(lib: str) -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, np.inf], "y": [-np.inf, 1.0, 2.0, 3.0]})
    out = call("quantiles", as_lib(df, lib), column="x", q=[0, 0.5, 1])
    assert "  1: inf" in out and "  0.5: 2.5" in out and "NaN" not in out
    low = call("quantiles", as_lib(df, lib), column="y", q=[0, 0.1, 1])
    assert "  0: -inf" in low and "  0.1: -inf" in low and "  1: 3" in low


@pytest.mark.parametrize("lib", LIBS)
def test_int64_beyond_2_53_keeps_every_digit(lib: str) -> None:
    big = np.array([2**53 + 1, 2**53 + 3, 2**53 + 5, 2**53 + 7], dtype="int64")
    frame = as_lib(pd.DataFrame({"x": big}), lib)
    out = call("describe", frame)
    assert "min 9007199254740993  max 9007199254740999" in out
    assert "mean 9007199254740996" in out and "std(ddof=1) 2.58199" in out
    assert "25% 9007199254740994.5  50% 9007199254740996  75% 9007199254740997.5" in out
    assert "e+15" not in out
    q = call("quantiles", frame, column="x", q=[0, 0.5, 1])
    assert "0: 9007199254740993" in q and "0.5: 9007199254740996" in q
    profile = summary(render_value(frame), "x")
    assert "mean=9,007,199,254,740,996 std=2.582 median=9,007,199,254,740,996" in profile


# ---------------------------------------------------------------- std


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_std_is_exact_and_says_its_ddof(lib: str, dtype: str) -> None:
    """The same column's std differs by sqrt(n / (n - 1)) between ddof=0 (numpy's default)
    and ddof=1 (pandas' and polars'): 974.712 against 974.714 at n ≈ 243,000.  Every std
    now names its ddof, and float32 data is summed in float64 (exact to the digits shown)."""
    rng = np.random.default_rng(3)
    x = rng.normal(5000, 974.7, 243_000).astype(dtype)
    frame = as_lib(pd.DataFrame({"x": x}), lib)
    exact = float(np.std(x.astype("float64"), ddof=1))
    out = call("describe", frame)
    assert re.search(rf"std\(ddof=1\) {re.escape(f'{exact:.6g}')}$", out, re.M), out
    assert abs(exact - float(np.std(x.astype("float64"), ddof=0))) > 1e-3  # the two differ
    head = render_value(frame.head(1000))
    assert "ddof=1" in head
    assert f"std={float(np.std(x[:1000].astype('float64'), ddof=1)):.4g}" in summary(head, "x")


def test_array_summary_says_its_ddof() -> None:
    out = render_value(np.array([1.0, 2.0, 3.0, 4.0]))
    assert "std(ddof=0)=1.118" in out


# ---------------------------------------------------------------- lists, one-row datetimes


@pytest.mark.parametrize("lib", LIBS)
def test_list_columns_count_distinct_values_by_contents(lib: str) -> None:
    values = [[i % 51, 1] for i in range(560)]
    frame = pd.DataFrame({"l": values}) if lib == "pandas" else pl.DataFrame({"l": values})
    out = call("describe", frame)
    assert "distinct 51" in out
    vc = call("value_counts", frame, column="l", top=3)
    assert "51 distinct values" in vc and "[0, 1]" in vc
    assert "distinct=51" in summary(render_value(frame), "l")


@pytest.mark.parametrize("lib", LIBS)
def test_one_row_datetime_and_timedelta_tops_read_as_such(lib: str) -> None:
    df = pd.DataFrame({"t": [pd.Timestamp("2024-01-02 03:04")], "d": [pd.Timedelta("90min")]})
    out = call("describe", as_lib(df, lib))
    assert "top 2024-01-02 03:04:00 (1)" in out
    assert "top 0 days 01:30:00 (1)" in out
    vc = call("value_counts", as_lib(df, lib), column="t")
    assert "2024-01-02 03:04:00" in vc


# ---------------------------------------------------------------- duplicates in the profile


@pytest.mark.parametrize("lib", LIBS)
def test_duplicates_of_small_frames_with_lists_are_counted(lib: str) -> None:
    rows = 3_000
    lists = [[i % 990] for i in range(rows)]
    df = pd.DataFrame({"l": lists, "s": [f"s{i % 990}" for i in range(rows)]})
    frame = df if lib == "pandas" else pl.DataFrame({"l": lists, "s": list(df.s)})
    truth = rows - 990
    assert f"duplicated rows: {truth:,}\n" in render_value(frame, max_chars=4000) + "\n"


@pytest.mark.parametrize("lib", LIBS)
def test_duplicates_of_frames_over_a_million_float_cells_are_counted(lib: str) -> None:
    rng = np.random.default_rng(5)
    block = rng.normal(size=(5_000, 300))
    block[4_990:] = block[:10]  # ten duplicated rows
    df = pd.DataFrame(block, columns=[f"c{i}" for i in range(300)])
    out = render_value(as_lib(df, lib), max_chars=4000)
    assert "duplicated rows: 10\n" in out
    assert "unhashable" not in out


# ---------------------------------------------------------------- labels


def test_sample_rows_keeps_multiindex_labels_whole() -> None:  # polars frames have no index
    index = pd.MultiIndex.from_tuples(
        [("north-region-" * 3, "sales-2024-q" + str(i)) for i in range(4)]
    )
    df = pd.DataFrame({"x": range(4)}, index=index)
    out = call("sample_rows", df)
    for label in index:
        assert str(label) in out


@pytest.mark.parametrize("lib", LIBS)
def test_labels_that_str_would_hide_are_shown_with_repr(lib: str) -> None:
    df = pd.DataFrame({"age ": [1, 2, 3], "a\tb": [3, 1, 2], "": [1, 1, 2]})
    frame = as_lib(df, lib)
    out = render_value(frame)
    assert "'age '" in out and "'a\\tb'" in out and "''" in out
    described = call("describe", frame)
    assert "[0] 'age ': " in described and "[1] 'a\\tb'" in described
    corr = call("correlations", frame)
    assert "'age ' ~ 'a\\tb'" in corr
    # The model passes back what it was shown; the raw label works too.
    assert "3 distinct" in call("value_counts", frame, column="'age '")
    assert "3 distinct" in call("value_counts", frame, column="age ")
    assert "value_counts of 'age ' in df" in call("value_counts", frame, column="age ")


def test_duplicated_column_names_say_their_position() -> None:
    df = pd.DataFrame([[1, 2, 3], [2, 3, 5], [3, 1, 1]], columns=["age", "age", "x"])
    corr = call("correlations", df)
    assert "age (position 0) ~ age (position 1): -0.5" in corr
    assert "age ~ age" not in corr
    assert "age (position 1)" in render_value(df)
    one = call("value_counts", df, column="age (position 1)")
    assert "3 distinct" in one
    problem = run_tool(
        "value_counts",
        {"name": "df", "column": "age"},
        {"df": df},
        max_chars=4000,
        schema_only=False,
    )
    assert problem.is_error and "age (position 0)" in problem.text


def test_a_duplicated_index_is_said() -> None:  # polars frames have no index
    df = pd.DataFrame({"x": [1, 2, 3, 4]}, index=[7, 7, 8, 8])
    assert "2 duplicated labels" in render_value(df)
    assert "duplicated labels" not in render_value(df.reset_index(drop=True))


# ---------------------------------------------------------------- inf


@pytest.mark.parametrize("lib", LIBS)
def test_minus_inf_is_reported_as_minus_inf(lib: str) -> None:
    df = pd.DataFrame({"x": [1.0, -np.inf, 3.0, np.inf, -np.inf]})
    frame = as_lib(df, lib)
    line = summary(render_value(frame), "x")
    assert "+inf=1" in line and "-inf=2" in line and " inf=" not in line
    out = call("describe", frame)
    assert "+inf 1  -inf 2" in out


@pytest.mark.parametrize("lib", LIBS)
def test_correlations_with_inf_columns_say_so(lib: str) -> None:
    df = pd.DataFrame({"x": [1.0, np.inf, 3.0, 4.0, 2.0], "y": [1.0, 2.0, 3.0, 4.5, 2.5]})
    out = call("correlations", as_lib(df, lib))
    finite = df.replace([np.inf, -np.inf], np.nan)
    r = finite.x.corr(finite.y)
    assert "±inf values left out" in out and "x (1)" in out
    assert f"x ~ y: {r:.6g} (n=4)" in out
    constant = pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [1.0, 2.0, 3.0]})
    assert "NaN (a constant column)" in call("correlations", as_lib(constant, lib))


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize("lib", LIBS)
def test_values_that_would_round_alike_get_enough_digits(lib: str) -> None:
    df = pd.DataFrame({"x": [11.2, 11.2000001, 7.466666, 7.466671, 7.466671]})
    frame = as_lib(df, lib)
    vc = call("value_counts", frame, column="x")
    for text in ("11.2 ", "11.2000001", "7.466666", "7.466671"):
        assert text in vc
    line = summary(render_value(frame), "x")
    tops = re.findall(r"([\d.]+) \(\d×\)", line)
    assert len(tops) == len(set(tops)) == 4, line
    described = call("describe", frame)
    top = described.split("top ")[1]
    assert len(set(re.findall(r"([\d.]+) \(", top))) == 4


@pytest.mark.parametrize("lib", LIBS)
def test_rounded_values_never_read_as_whole_numbers(lib: str) -> None:
    df = pd.DataFrame({"x": [1234.5678, 1300.25, 123456.7]})
    frame = as_lib(df, lib)
    line = summary(render_value(frame), "x")
    assert "min=1,234.6" in line and "max=123,456.7" in line
    assert "123456.7" in call("describe", frame)


# ---------------------------------------------------------------- profile: sampled string tops


@pytest.mark.parametrize("lib", LIBS)
def test_string_tops_of_big_columns_exact_or_marked_sampled(lib: str) -> None:
    rng = np.random.default_rng(11)
    n = 400_000
    few = rng.choice(np.array(["Oslo", "Lima", "Pune"]), n)
    many = np.char.add("id", rng.integers(0, 150_000, n).astype(str))
    df = pd.DataFrame({"few": few, "many": many, "cat": pd.Categorical(few)})
    out = render_value(as_lib(df, lib), max_chars=4000)
    for name in ("few", "cat"):
        line = summary(out, name)
        for value, count in df[name].value_counts().items():
            assert f"{value} ({count:,}×)" in line  # exact counts, not ≈ shares
        assert "distinct=3" in line
    many_line = summary(out, "many")
    assert "≈" not in many_line.split("top")[1] if "top" in many_line else True
    assert "no value occurs 20 times in" in many_line and "sampled rows" in many_line


# ---------------------------------------------------------------- context_chars


def test_context_chars_caps_everything_attached() -> None:
    class Shell:
        def __init__(self) -> None:
            self.user_ns = namespace

    namespace: dict[str, Any] = {}

    rng = np.random.default_rng(0)
    for i in range(10):
        namespace[f"df{i}"] = pd.DataFrame(rng.normal(size=(200, 6)), columns=list("abcdef"))
    opts = argparse.Namespace(
        vars=[f"df{i}" for i in range(10)],
        no_interpolate=False,
        schema_only=False,
        image=None,
        plot=False,
        cache=False,
    )
    content, _ = build_content(
        Shell(), "Question?", opts, context_chars=3000, object_chars=4000, schema_only=False
    )
    text = content if isinstance(content, str) else content[-1]["text"]
    context = text[: text.rindex("Question?")]
    assert len(context) <= 3000
    blocks = context.split("</variable>")
    assert all("<variable" in b for b in blocks[:-1])
    shown = re.findall(r'<variable name="(df\d)"', context)
    left = [f"df{i}" for i in range(10) if f"df{i}" not in shown]
    assert left and f"{len(left)} of 10 variables left out" in context
    assert ", ".join(left) in context
    # A {…} value spends from the same budget.
    namespace["note"] = "x" * 2900
    content, _ = build_content(
        Shell(), "{note} Question?", opts, context_chars=3000, object_chars=4000, schema_only=False
    )
    text = content if isinstance(content, str) else content[-1]["text"]
    assert "10 of 10 variables left out" in text
    assert len(text) - len(" Question?") <= 3000 + 2
