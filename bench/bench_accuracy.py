"""Benchmark: do the inspection tools return the exact answer, and how much text do they send?

Questions with known answers over real datasets that registry packages ship
(``statsmodels`` and ``vega_datasets``, the ``bench`` extra; nothing is
downloaded).  Each question carries the tool call a model would make and an
answer computed independently with plain pandas; the call is run on the pandas
frame and on the same frame in polars, and a result counts as exact when one
of its lines holds every token of the answer (numbers as pandas gives them,
floats to 6 significant digits).  Characters sent are compared with pasting
the frame (``DataFrame.to_csv()``).

    python bench/bench_tools.py

Target: 100 % exact. Exits non-zero when an answer is missing.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    for name in ("randhie", "fair", "macrodata", "anes96", "grunfeld", "star98"):
        frames[name] = getattr(sm.datasets, name).load_pandas().data
    return frames


def f6(x: float) -> str:
    """A float as the answer is stated: 6 significant digits, ints in full."""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.6g}"


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
