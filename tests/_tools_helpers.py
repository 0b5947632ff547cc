"""Shared frames and a call helper for the inspection-tool tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kuroryuu_magic.tools import ToolOutcome


def sales_frame() -> pd.DataFrame:
    """Small but awkward: nulls, a 0/1/2 code, strings, date strings, tz datetimes, bools, repeats."""
    rng = np.random.default_rng(7)
    n = 300
    df = pd.DataFrame(
        {
            "price": np.round(rng.gamma(2.0, 20.0, n), 2),
            "qty": rng.integers(0, 5, n),
            "code": rng.integers(0, 3, n),
            "city": rng.choice(["Oslo", "Lima", "Pune", "Kyoto"], n),
            "day": [f"2024-0{1 + i % 9}-{1 + i % 28:02d}" for i in range(n)],
            "when": pd.date_range("2024-03-01", periods=n, freq="h", tz="Europe/Oslo"),
            "vip": rng.random(n) < 0.25,
        }
    )
    df.loc[::7, "price"] = np.nan
    df.loc[::11, "city"] = None
    df = pd.concat([df, df.iloc[:12]], ignore_index=True)  # 12 exact duplicate rows
    return df


def ok(outcome: ToolOutcome) -> str:
    assert isinstance(outcome, ToolOutcome)
    assert not outcome.is_error, outcome.text
    return outcome.text


def err(outcome: ToolOutcome) -> str:
    assert isinstance(outcome, ToolOutcome)
    assert outcome.is_error, outcome.text
    assert outcome.text.startswith("error: ")
    return outcome.text


def line_of(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(start))


def as_polars(df: pd.DataFrame) -> Any:
    import polars as pl

    return pl.from_pandas(df)
