"""The rule of ``docs/data-facts.md`` as a property over generated frames, pandas and polars:
every number the profile and ``describe`` state is exact at its shown precision (checked
against a truth computed here in exact rational arithmetic), and every label whose ``str``
would hide something is shown as its ``repr``."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuroryuu_magic.context import render_value
from kuroryuu_magic.context.text import hides
from kuroryuu_magic.tools import run_tool

pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")

LABEL = st.text(
    alphabet=st.sampled_from(["a", "b", "Z", "_", "1", " ", "\t", "\n", "\x1b", "é", "\u200b"]),
    max_size=5,
)
FLOAT = st.one_of(
    # Subnormals left out: an interpolation between 0 and 5e-324 has no float64 to land on.
    st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    st.sampled_from([0.0, -0.0, np.inf, -np.inf, np.nan, 11.2, 11.2000001, 7.466666, 7.466671]),
)
INT = st.one_of(st.integers(-(2**62), 2**62), st.integers(-5, 5))


@st.composite
def frames(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(1, 30))
    names = draw(st.lists(LABEL, min_size=1, max_size=4, unique=True))
    data = {}
    for name in names:
        if draw(st.booleans()):
            data[name] = np.array(draw(st.lists(FLOAT, min_size=n, max_size=n)), dtype="float64")
        else:
            data[name] = np.array(draw(st.lists(INT, min_size=n, max_size=n)), dtype="int64")
    return pd.DataFrame(data)


def exact(values: list[Any]) -> list[Fraction]:
    return [
        Fraction(int(v)) if isinstance(v, (int, np.integer)) else Fraction(float(v)) for v in values
    ]


def quantile(sorted_values: list[Fraction], q: Fraction) -> Fraction:
    h = q * (len(sorted_values) - 1)
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    a, b = sorted_values[lo], sorted_values[hi]
    return a + (b - a) * (h - lo)


def std(values: list[Fraction]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(float(sum((v - mean) ** 2 for v in values) / (len(values) - 1)))


def agrees(shown: str, truth: Fraction | float, relative: float = 0.0) -> bool:
    """``shown`` is ``truth`` rounded to the digits it shows (``relative`` slack for a truth
    that is itself a float, such as a square root)."""
    text = shown.replace(",", "")
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    half = Fraction(Decimal(1).scaleb(exponent)) / 2
    gap = abs(Fraction(value) - Fraction(truth))
    return gap <= half * (1 + Fraction(1, 10**9)) + abs(Fraction(truth)) * Fraction(relative)


def facts(line: str) -> dict[str, str]:
    """``min=1 max=2 mean=…`` → {"min": "1", …} (only plain numbers)."""
    return {
        k: v
        for k, v in re.findall(
            r"\b(min|max|mean|std|median)=(-?[\d,]+(?:\.\d+)?(?:e[+-]\d+)?)", line
        )
    }


def check_profile(out: str, df: pd.DataFrame) -> None:
    for name in df.columns:
        shown = repr(name) if hides(name) else name
        line = next((x for x in out.splitlines() if x.startswith(f"  {shown} ")), None)
        assert line is not None, (shown, out)
        column = df[name].to_numpy()
        finite = [v for v in column.tolist() if not (isinstance(v, float) and not math.isfinite(v))]
        got = facts(line)
        if not finite:
            continue
        values = sorted(exact(finite))
        truth = {
            "mean": sum(values) / len(values),
            "median": quantile(values, Fraction(1, 2)),
        }
        if column.dtype.kind in "iu":  # floats' min/max may be ±inf, said apart
            truth |= {"min": values[0], "max": values[-1]}
        for key, value in truth.items():
            if key in got:
                assert agrees(got[key], value), (key, got[key], float(value), line)
        if "std" in got and len(values) > 1:
            assert agrees(got["std"], std(values), 1e-12), ("std", got["std"], line)
        tops = re.findall(r"(?:top=|, )(-?[\d.,e+-]+) \((\d+)×\)", line)
        texts = [t for t, _ in tops]
        assert len(texts) == len(set(texts)), line  # two values never share one text


def check_describe(out: str, df: pd.DataFrame) -> None:
    for i, name in enumerate(df.columns):
        shown = repr(name) if hides(name) else name
        block = out.split(f"[{i}] {shown}: ")[1].split(f"\n[{i + 1}] ")[0]
        finite = [
            v for v in df[name].tolist() if not (isinstance(v, float) and not math.isfinite(v))
        ]
        if not finite:
            continue
        values = sorted(exact(finite))
        truth = {
            "mean": sum(values) / len(values),
            "25%": quantile(values, Fraction(1, 4)),
            "50%": quantile(values, Fraction(1, 2)),
            "75%": quantile(values, Fraction(3, 4)),
        }
        for key, value in truth.items():
            got = re.search(rf"(?:^|  ){re.escape(key)} (-?[\d.]+(?:e[+-]\d+)?)\b", block, re.M)
            assert got is not None, (key, block)
            assert agrees(got[1], value), (key, got[1], float(value), block)
        if len(values) > 1:
            got = re.search(r"std\(ddof=1\) ([\d.]+(?:e[+-]\d+)?)", block)
            assert got is not None and agrees(got[1], std(values), 1e-12), block


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.sampled_from(["pandas", "polars"]))
def test_every_number_is_exact_at_its_digits_and_labels_hide_nothing(
    df: pd.DataFrame, lib: str
) -> None:
    frame = df if lib == "pandas" else pl.from_pandas(df)
    check_profile(render_value(frame, max_chars=20_000), df)
    out = run_tool("describe", {"name": "df"}, {"df": frame}, max_chars=50_000, schema_only=False)
    assert not out.is_error, out.text
    check_describe(out.text, df)
