"""Benchmark: do the inspection tools return the exact answer, and how much text do they send?

Questions with known answers over real datasets that registry packages ship
(``statsmodels`` and ``vega_datasets``, in the ``test`` and ``bench`` extras;
nothing is downloaded).  CI runs it (``.ci/run``, phase "accuracy"); the rule
the answers follow is ``docs/data-facts.md``.  Each question carries the tool call a model would make and an
answer computed independently with plain pandas; the call is run on the pandas
frame and on the same frame in polars, and a result counts as exact when one
of its lines holds every token of the answer (numbers as pandas gives them,
floats to 6 significant digits).  Characters sent are compared with pasting
the frame (``DataFrame.to_csv()``).

    python bench/bench_accuracy.py

Target: 100 % exact. Exits non-zero when an answer is missing.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kuroryuu_magic.tools import run_tool

MAX_CHARS = 4000


def load() -> dict[str, pd.DataFrame]:
    import statsmodels.api as sm
    from vega_datasets import local_data as vega

    frames = {
        "cars": vega.cars(),
        "airports": vega.airports(),
        "weather": vega.seattle_weather(),
        "iris": vega.iris(),
        "barley": vega.barley(),
        "riots": vega.la_riots(),
        "stocks": vega.stocks(),
    }
    for name in ("seattle_temps", "iowa_electricity", "us_employment", "anscombe", "driving"):
        frames[name] = getattr(vega, name)()
    frames["crimea"] = vega.crimea()
    for name in ("randhie", "fair", "macrodata", "anes96", "grunfeld", "star98"):
        frames[name] = getattr(sm.datasets, name).load_pandas().data
    for name in ("co2", "sunspots", "longley", "statecrime", "engel", "elnino", "nile"):
        frames[name] = getattr(sm.datasets, name).load_pandas().data
    return frames | derived(frames)


def derived(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Real data in the shapes issue 23 found mis-stated: one row of datetimes, int64 beyond
    2**53, -inf from a log of zeros, list cells, a label with a trailing space."""
    visits = frames["randhie"][["mdvis", "disea"]].copy()
    with np.errstate(divide="ignore"):
        visits["log_mdvis"] = np.log(visits["mdvis"])  # log(0) = -inf for a third of rows
    return {
        "crimea_first": frames["crimea"].iloc[:1].reset_index(drop=True),
        "stock_ns": pd.DataFrame(
            {"ns": frames["stocks"].date.astype("datetime64[ns]").astype("int64")}
        ),
        "visits": visits,
        "varieties": frames["barley"].groupby(["site", "year"]).variety.agg(list).reset_index(),
        "cars_ws": frames["cars"].rename(columns={"Name": "Name "}),
    }


def exact_quantile(values: pd.Series, q: float) -> str:
    """numpy's linear quantile of integers, computed in Python integers and fractions."""
    v = sorted(int(x) for x in values)
    h = Fraction(q) * (len(v) - 1)
    lo = int(h)
    value = v[lo] + (v[min(lo + 1, len(v) - 1)] - v[lo]) * (h - lo)
    return str(value.numerator) if value.denominator == 1 else f"{float(value - int(value)):.1f}"


def f6(x: float) -> str:
    """A float as the answer is stated: 6 significant digits, ints in full, and a value that
    is not whole never written as one (123456.7, not 123457)."""
    x = float(x)
    if x.is_integer():
        return str(int(x))
    text = f"{x:.6g}"
    return text if "." in text or "e" in text else f"{x:.1f}"


def more(vc: pd.Series, shown: int) -> str:
    """The line value_counts ends with when ``shown`` of the values fit."""
    rest = int(vc.iloc[shown:].sum())
    return f"… {len(vc) - shown:,} more values ({rest:,} rows"


@dataclass
class Q:
    question: str
    tool: str
    input: dict[str, Any]
    answer: Callable[[dict[str, pd.DataFrame]], list[str]]


QUESTIONS = [
    Q(
        "How many duplicated rows does randhie have?",
        "duplicates",
        {"name": "randhie"},
        lambda d: [f"{d['randhie'].duplicated().sum():,} duplicated rows"],
    ),
    Q(
        "How many distinct values does randhie.idp take?",
        "describe",
        {"name": "randhie", "columns": ["idp"]},
        lambda d: [f"distinct {d['randhie'].idp.nunique()}"],
    ),
    Q(
        "How many randhie rows have idp == 1?",
        "value_counts",
        {"name": "randhie", "column": "idp"},
        lambda d: ["1", f"{(d['randhie'].idp == 1).sum():,}"],
    ),
    Q(
        "Largest mdvis in randhie?",
        "describe",
        {"name": "randhie", "columns": ["mdvis"]},
        lambda d: [f"max {d['randhie'].mdvis.max()}"],
    ),
    Q(
        "Mean mdvis for idp == 1?",
        "groupby",
        {"name": "randhie", "by": "idp", "column": "mdvis", "agg": "mean"},
        lambda d: ["1", f6(d["randhie"].groupby("idp").mdvis.mean()[1])],
    ),
    Q(
        "Share of randhie rows with mdvis == 0?",
        "describe",
        {"name": "randhie", "columns": ["mdvis"]},
        lambda d: [f"zeros {(d['randhie'].mdvis == 0).sum():,}"],
    ),
    Q(
        "How many Miles_per_Gallon values are missing in cars?",
        "null_counts",
        {"name": "cars"},
        lambda d: ["Miles_per_Gallon", str(d["cars"].Miles_per_Gallon.isna().sum())],
    ),
    Q(
        "How many Horsepower values are missing in cars?",
        "null_counts",
        {"name": "cars"},
        lambda d: ["Horsepower", str(d["cars"].Horsepower.isna().sum())],
    ),
    Q(
        "Most common Origin in cars, and how many?",
        "value_counts",
        {"name": "cars", "column": "Origin"},
        lambda d: [repr(d["cars"].Origin.mode()[0]), str(d["cars"].Origin.value_counts().iloc[0])],
    ),
    Q(
        "Mean MPG of Japanese cars?",
        "groupby",
        {"name": "cars", "by": "Origin", "column": "Miles_per_Gallon", "agg": "mean"},
        lambda d: ["'Japan'", f6(d["cars"].groupby("Origin").Miles_per_Gallon.mean()["Japan"])],
    ),
    Q(
        "Pearson correlation of Weight_in_lbs and Displacement?",
        "correlations",
        {"name": "cars", "columns": ["Weight_in_lbs", "Displacement"]},
        lambda d: [f6(d["cars"].Weight_in_lbs.corr(d["cars"].Displacement))],
    ),
    Q(
        "Median Horsepower?",
        "quantiles",
        {"name": "cars", "column": "Horsepower", "q": [0.5]},
        lambda d: ["0.5:", f6(d["cars"].Horsepower.median())],
    ),
    Q(
        "How many 3-cylinder cars?",
        "sample_rows",
        {"name": "cars", "n": 5, "where": [["Cylinders", "==", 3]]},
        lambda d: [f"{(d['cars'].Cylinders == 3).sum()} rows match"],
    ),
    Q(
        "Heaviest car weight?",
        "describe",
        {"name": "cars", "columns": ["Weight_in_lbs"]},
        lambda d: [f"max {d['cars'].Weight_in_lbs.max()}"],
    ),
    Q(
        "How many distinct car names?",
        "describe",
        {"name": "cars", "columns": ["Name"]},
        lambda d: [f"distinct {d['cars'].Name.nunique()}"],
    ),
    Q(
        "How many cars in the first Horsepower bin of 5?",
        "histogram",
        {"name": "cars", "column": "Horsepower", "bins": 5},
        lambda d: [
            f"{f6(d['cars'].Horsepower.min())} …",
            f": {pd.cut(d['cars'].Horsepower, 5).value_counts(sort=False).iloc[0]} ",
        ],
    ),
    Q(
        "How many airports in California?",
        "sample_rows",
        {"name": "airports", "n": 3, "where": [["state", "==", "CA"]]},
        lambda d: [f"{(d['airports'].state == 'CA').sum()} rows match"],
    ),
    Q(
        "How many airports lack a state?",
        "null_counts",
        {"name": "airports"},
        lambda d: ["state", str(d["airports"].state.isna().sum())],
    ),
    Q(
        "Which country has most airports?",
        "value_counts",
        {"name": "airports", "column": "country", "top": 3},
        lambda d: [
            repr(d["airports"].country.mode()[0]),
            f"{d['airports'].country.value_counts().iloc[0]:,}",
        ],
    ),
    Q(
        "Northernmost airport latitude?",
        "quantiles",
        {"name": "airports", "column": "latitude", "q": [1]},
        lambda d: ["1:", f6(d["airports"].latitude.max())],
    ),
    Q(
        "Most common Seattle weather?",
        "value_counts",
        {"name": "weather", "column": "weather"},
        lambda d: [
            repr(d["weather"].weather.mode()[0]),
            str(d["weather"].weather.value_counts().iloc[0]),
        ],
    ),
    Q(
        "Hottest Seattle temp_max?",
        "describe",
        {"name": "weather", "columns": ["temp_max"]},
        lambda d: [f"max {f6(d['weather'].temp_max.max())}"],
    ),
    Q(
        "Last date in the Seattle data?",
        "describe",
        {"name": "weather", "columns": ["date"]},
        lambda d: [f"max {d['weather'].date.max()}"],
    ),
    Q(
        "Mean precipitation on rain days?",
        "groupby",
        {"name": "weather", "by": "weather", "column": "precipitation", "agg": "mean"},
        lambda d: ["'rain'", f6(d["weather"].groupby("weather").precipitation.mean()["rain"])],
    ),
    Q(
        "Days with more than 20 mm precipitation?",
        "sample_rows",
        {"name": "weather", "n": 3, "where": [["precipitation", ">", 20]]},
        lambda d: [f"{(d['weather'].precipitation > 20).sum()} rows match"],
    ),
    Q(
        "Dry days (precipitation == 0)?",
        "describe",
        {"name": "weather", "columns": ["precipitation"]},
        lambda d: [f"zeros {(d['weather'].precipitation == 0).sum():,}"],
    ),
    Q(
        "99th percentile of wind?",
        "quantiles",
        {"name": "weather", "column": "wind"},
        lambda d: ["0.99:", f6(d["weather"].wind.quantile(0.99))],
    ),
    Q(
        "How many duplicated rows in iris?",
        "duplicates",
        {"name": "iris"},
        lambda d: [f"{d['iris'].duplicated().sum()} duplicated rows"],
    ),
    Q(
        "Mean petal length of virginica?",
        "groupby",
        {"name": "iris", "by": "species", "column": "petalLength", "agg": "mean"},
        lambda d: ["'virginica'", f6(d["iris"].groupby("species").petalLength.mean()["virginica"])],
    ),
    Q(
        "Spearman correlation of petal length and width?",
        "correlations",
        {"name": "iris", "columns": ["petalLength", "petalWidth"], "method": "spearman"},
        lambda d: [f6(d["iris"].petalLength.corr(d["iris"].petalWidth, method="spearman"))],
    ),
    Q(
        "Total barley yield at Waseca?",
        "groupby",
        {"name": "barley", "by": "site", "column": "yield", "agg": "sum"},
        lambda d: ["'Waseca'", f6(d["barley"].groupby("site")["yield"].sum()["Waseca"])],
    ),
    Q(
        "How many barley varieties?",
        "value_counts",
        {"name": "barley", "column": "variety", "top": 3},
        lambda d: [f"{d['barley'].variety.nunique()} distinct values"],
    ),
    Q(
        "Mean affairs in the fair data?",
        "describe",
        {"name": "fair", "columns": ["affairs"]},
        lambda d: [f"mean {f6(d['fair'].affairs.mean())}"],
    ),
    Q(
        "Respondents with zero affairs?",
        "describe",
        {"name": "fair", "columns": ["affairs"]},
        lambda d: [f"zeros {(d['fair'].affairs == 0).sum():,}"],
    ),
    Q(
        "Highest unemployment in macrodata?",
        "quantiles",
        {"name": "macrodata", "column": "unemp", "q": [1]},
        lambda d: ["1:", f6(d["macrodata"].unemp.max())],
    ),
    Q(
        "How many anes96 respondents voted 1?",
        "value_counts",
        {"name": "anes96", "column": "vote"},
        lambda d: ["1", str((d["anes96"].vote == 1).sum())],
    ),
    Q(
        "Firm with the highest mean investment?",
        "groupby",
        {"name": "grunfeld", "by": "firm", "column": "invest", "agg": "mean"},
        lambda d: [
            repr(d["grunfeld"].groupby("firm").invest.mean().idxmax()),
            f6(d["grunfeld"].groupby("firm").invest.mean().max()),
        ],
    ),
    Q(
        "How many riot victims have no age?",
        "null_counts",
        {"name": "riots"},
        lambda d: ["age", str(d["riots"].age.isna().sum())],
    ),
    Q(
        "Oldest riot victim?",
        "describe",
        {"name": "riots", "columns": ["age"]},
        lambda d: [f"max {f6(d['riots'].age.max())}"],
    ),
    Q(
        "Highest AAPL price?",
        "groupby",
        {"name": "stocks", "by": "symbol", "column": "price", "agg": "max"},
        lambda d: ["'AAPL'", f6(d["stocks"].groupby("symbol").price.max()["AAPL"])],
    ),
    Q(
        "Rows with LOWINC above 50 in star98?",
        "sample_rows",
        {"name": "star98", "n": 2, "where": [["LOWINC", ">", 50]]},
        lambda d: [f"{(d['star98'].LOWINC > 50).sum()} rows match"],
    ),
    # ---- issue 23: std and its ddof, cut lists, inf, datetimes, rounding, big data
    Q(
        "Standard deviation of Seattle hourly temperatures?",
        "describe",
        {"name": "seattle_temps", "columns": ["temp"]},
        lambda d: [f"std(ddof=1) {f6(d['seattle_temps'].temp.std())}"],
    ),
    Q(
        "Mean Seattle hourly temperature?",
        "describe",
        {"name": "seattle_temps", "columns": ["temp"]},
        lambda d: [f"mean {f6(d['seattle_temps'].temp.mean())}"],
    ),
    Q(
        "Warmest hour's temperature in Seattle (q=1)?",
        "quantiles",
        {"name": "seattle_temps", "column": "temp", "q": [1]},
        lambda d: ["1:", f6(d["seattle_temps"].temp.max())],
    ),
    Q(
        "First hour in the Seattle temperature series?",
        "describe",
        {"name": "seattle_temps", "columns": ["date"]},
        lambda d: [f"min {d['seattle_temps'].date.min()}"],
    ),
    Q(
        "Two most common weather kinds in Seattle, and how many other days?",
        "value_counts",
        {"name": "weather", "column": "weather", "top": 2},
        lambda d: [more(d["weather"].weather.value_counts(), 2)],
    ),
    Q(
        "Top 5 airport states, and how many airports in the other states?",
        "value_counts",
        {"name": "airports", "column": "state", "top": 5},
        lambda d: [more(d["airports"].state.value_counts(), 5)],
    ),
    Q(
        "Total net generation from Fossil Fuels in Iowa?",
        "groupby",
        {"name": "iowa_electricity", "by": "source", "column": "net_generation", "agg": "sum"},
        lambda d: [
            "'Fossil Fuels'",
            str(d["iowa_electricity"].groupby("source").net_generation.sum()["Fossil Fuels"]),
        ],
    ),
    Q(
        "Latest year in the Iowa electricity data?",
        "describe",
        {"name": "iowa_electricity", "columns": ["year"]},
        lambda d: [f"max {d['iowa_electricity'].year.max()}"],
    ),
    Q(
        "Most common year in the Iowa electricity data, as a date?",
        "value_counts",
        {"name": "iowa_electricity", "column": "year", "top": 1},
        lambda d: [str(d["iowa_electricity"].year.value_counts().index[0])],
    ),
    Q(
        "Largest nonfarm employment in us_employment?",
        "describe",
        {"name": "us_employment", "columns": ["nonfarm"]},
        lambda d: [f"max {d['us_employment'].nonfarm.max()}"],
    ),
    Q(
        "Standard deviation of monthly nonfarm change?",
        "describe",
        {"name": "us_employment", "columns": ["nonfarm_change"]},
        lambda d: [f"std(ddof=1) {f6(d['us_employment'].nonfarm_change.std())}"],
    ),
    Q(
        "Smallest (most negative) nonfarm change?",
        "quantiles",
        {"name": "us_employment", "column": "nonfarm_change", "q": [0]},
        lambda d: ["0:", str(d["us_employment"].nonfarm_change.min())],
    ),
    Q(
        "Mean Y of Anscombe series I (each series' mean is about 7.5)?",
        "groupby",
        {"name": "anscombe", "by": "Series", "column": "Y", "agg": "mean"},
        lambda d: ["'I'", f6(d["anscombe"].groupby("Series").Y.mean()["I"])],
    ),
    Q(
        "Mean Y of Anscombe series IV?",
        "groupby",
        {"name": "anscombe", "by": "Series", "column": "Y", "agg": "mean"},
        lambda d: ["'IV'", f6(d["anscombe"].groupby("Series").Y.mean()["IV"])],
    ),
    Q(
        "Spearman correlation of miles driven and gas price?",
        "correlations",
        {"name": "driving", "columns": ["miles", "gas"], "method": "spearman"},
        lambda d: [f6(d["driving"].miles.corr(d["driving"].gas, method="spearman"))],
    ),
    Q(
        "Most disease deaths in one month of the Crimean war?",
        "describe",
        {"name": "crimea", "columns": ["disease"]},
        lambda d: [f"max {d['crimea'].disease.max()}"],
    ),
    Q(
        "Median CO2 concentration (Mauna Loa)?",
        "quantiles",
        {"name": "co2", "column": "co2", "q": [0.5]},
        lambda d: ["0.5:", f6(d["co2"].co2.median())],
    ),
    Q(
        "How many CO2 readings are missing?",
        "null_counts",
        {"name": "co2"},
        lambda d: ["co2", f"{d['co2'].co2.isna().sum():,}"],
    ),
    Q(
        "Largest sunspot activity, and its 99th percentile?",
        "quantiles",
        {"name": "sunspots", "column": "SUNACTIVITY", "q": [0.99, 1]},
        lambda d: ["0.99:", f6(d["sunspots"].SUNACTIVITY.quantile(0.99))],
    ),
    Q(
        "Total employment (TOTEMP) mean in Longley?",
        "describe",
        {"name": "longley", "columns": ["TOTEMP"]},
        lambda d: [f"mean {f6(d['longley'].TOTEMP.mean())}"],
    ),
    Q(
        "GNP standard deviation in Longley?",
        "describe",
        {"name": "longley", "columns": ["GNP"]},
        lambda d: [f"std(ddof=1) {f6(d['longley'].GNP.std())}"],
    ),
    Q(
        "Pearson correlation of poverty and violent crime across states?",
        "correlations",
        {"name": "statecrime", "columns": ["poverty", "violent"]},
        lambda d: [f6(d["statecrime"].poverty.corr(d["statecrime"].violent))],
    ),
    Q(
        "Mean income in the Engel data?",
        "describe",
        {"name": "engel", "columns": ["income"]},
        lambda d: [f"mean {f6(d['engel'].income.mean())}"],
    ),
    Q(
        "Upper quartile of food expenditure (Engel)?",
        "quantiles",
        {"name": "engel", "column": "foodexp", "q": [0.75]},
        lambda d: ["0.75:", f6(d["engel"].foodexp.quantile(0.75))],
    ),
    Q(
        "Correlation of El Niño March and April temperatures?",
        "correlations",
        {"name": "elnino", "columns": ["MAR", "APR"]},
        lambda d: [f6(d["elnino"].MAR.corr(d["elnino"].APR))],
    ),
    Q(
        "Nile flow volume standard deviation?",
        "describe",
        {"name": "nile", "columns": ["volume"]},
        lambda d: [f"std(ddof=1) {f6(d['nile'].volume.std())}"],
    ),
    Q(
        "Years with Nile volume below 700?",
        "sample_rows",
        {"name": "nile", "n": 3, "where": [["volume", "<", 700]]},
        lambda d: [f"{(d['nile'].volume < 700).sum()} rows match"],
    ),
    Q(
        "When is the one row of crimea_first, as its top value?",
        "describe",
        {"name": "crimea_first", "columns": ["date"]},
        lambda d: [f"top {d['crimea_first'].date.iloc[0]} (1)"],
    ),
    Q(
        "Median stock date as epoch nanoseconds (int64 beyond 2**53)?",
        "quantiles",
        {"name": "stock_ns", "column": "ns", "q": [0, 0.5, 1]},
        lambda d: ["0.5:", exact_quantile(d["stock_ns"].ns, 0.5)],
    ),
    Q(
        "Lower quartile of stock dates as epoch nanoseconds?",
        "describe",
        {"name": "stock_ns"},
        lambda d: [f"25% {exact_quantile(d['stock_ns'].ns, 0.25)}"],
    ),
    Q(
        "How many -inf values does log(mdvis) hold?",
        "describe",
        {"name": "visits", "columns": ["log_mdvis"]},
        lambda d: [f"-inf {int(np.isneginf(d['visits'].log_mdvis).sum()):,}"],
    ),
    Q(
        "Pearson correlation of log(mdvis) and disea (chronic diseases) over finite rows?",
        "correlations",
        {"name": "visits", "columns": ["log_mdvis", "disea"]},
        lambda d: [
            f6(d["visits"].log_mdvis.replace(-np.inf, np.nan).corr(d["visits"].disea)),
            f"n={int(np.isfinite(d['visits'].log_mdvis).sum()):,}",
        ],
    ),
    Q(
        "How many distinct variety lists across barley site-years?",
        "describe",
        {"name": "varieties", "columns": ["variety"]},
        lambda d: [f"distinct {len(set(map(tuple, d['varieties'].variety)))}"],
    ),
    Q(
        "What exactly is the cars column of names called (it ends in a space)?",
        "describe",
        {"name": "cars_ws", "columns": ["Name "]},
        lambda d: [repr(next(c for c in d["cars_ws"].columns if c.startswith("Name")))],
    ),
]


def contains_answer(text: str, tokens: list[str]) -> bool:
    """Some line holds every token; numbers must not be part of a longer number."""

    def has(line: str, token: str) -> bool:
        pattern = re.escape(token)
        if token[:1].isdigit() or token[:1] == "-":
            pattern = r"(?<![\d.])" + pattern
        if token[-1:].isdigit():
            pattern += r"(?![\d])"
        return re.search(pattern, line) is not None

    return any(all(has(line, t) for t in tokens) for line in text.splitlines())


def main() -> int:
    import polars as pl

    frames = load()
    libraries = {"pandas": frames, "polars": {k: pl.from_pandas(v) for k, v in frames.items()}}
    exact, total, sent, pasted = 0, 0, 0, 0
    misses = []
    for q in QUESTIONS:
        tokens = q.answer(frames)
        dataset = q.input["name"]
        for lib, ns in libraries.items():
            out = run_tool(q.tool, q.input, ns, max_chars=MAX_CHARS, schema_only=False)
            total += 1
            ok = not out.is_error and contains_answer(out.text, tokens)
            exact += ok
            if lib == "pandas":
                sent += len(out.text)
                pasted += len(frames[dataset].to_csv())
            if not ok:
                misses.append(f"[{lib}] {q.question} want {tokens}\n{out.text[:600]}")
    for miss in misses:
        print("MISS", miss, "\n")
    print(f"questions: {len(QUESTIONS)} over {len(frames)} datasets, each on pandas and polars")
    print(f"exact answers: {exact}/{total} = {100 * exact / total:.1f}% (target 100%)")
    print(
        f"characters sent: {sent:,} by the tools vs {pasted:,} pasting the frames as CSV "
        f"({100 * sent / pasted:.2f}%); mean {sent / len(QUESTIONS):,.0f} per answer"
    )
    return 0 if exact == total else 1


if __name__ == "__main__":
    sys.exit(main())
