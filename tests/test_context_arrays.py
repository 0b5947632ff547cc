"""numpy array summaries: every dtype and shape renders, bounded and sampled."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kuroryuu_magic.context import render_value

dtypes = (
    hnp.floating_dtypes()
    | hnp.integer_dtypes()
    | hnp.unsigned_integer_dtypes()
    | hnp.boolean_dtypes()
    | hnp.complex_number_dtypes()
    | hnp.datetime64_dtypes()
    | hnp.unicode_string_dtypes(max_len=40)
)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(dtypes, hnp.array_shapes(min_dims=0, max_dims=4, max_side=12)),
    st.integers(min_value=80, max_value=4000),
)
def test_any_array_renders_within_bound(a: np.ndarray, limit: int) -> None:
    out = render_value(a, max_chars=limit)
    assert len(out) <= limit
    assert out.startswith("numpy.ndarray"[:limit])


def test_float_stats_count_nan_and_inf() -> None:
    a = np.array([1.0, 2.0, np.nan, np.inf, 3.0])
    out = render_value(a)
    assert "shape=(5,) dtype=float64" in out
    assert "mean=2 std(ddof=0)=0.8165 min=1 median=2 max=3" in out
    assert "nan=1" in out and "+inf=1" in out
    assert "values:\n[ 1.  2. nan inf  3.]" in out


def test_large_array_is_sampled_and_summarised() -> None:
    a = np.arange(10_000_000, dtype=np.float32).reshape(1000, 10_000)
    out = render_value(a[:, ::3])  # a non-contiguous view: no full copy is made
    assert "from 10,000 sampled elements" in out
    assert "..." in out
    assert len(out) <= 4000


def test_empty_zero_d_bool_datetime_and_object_arrays() -> None:
    assert "shape=(0, 3)" in render_value(np.empty((0, 3)))
    assert "values:\n7" in render_value(np.array(7))
    assert "true=50%" in render_value(np.array([True, False]))
    dt = render_value(np.array(["2024-01-01", "NaT", "2025-06-01"], dtype="datetime64[D]"))
    assert "min=2024-01-01 max=2025-06-01" in dt
    obj = render_value(np.array([{"a": 1}, None, "x" * 10_000], dtype=object), max_chars=1500)
    assert len(obj) <= 1500
    assert "dtype=object" in obj


def test_structured_dtype() -> None:
    a = np.zeros(3, dtype=[("x", "f8"), ("name", "U5")])
    assert "('x', '<f8')" in render_value(a)


def test_schema_only_has_shape_and_dtype_only() -> None:
    out = render_value(np.array([31337.0, 42424.0]), schema_only=True)
    assert out == "numpy.ndarray shape=(2,) dtype=float64 (16 bytes)"


@pytest.mark.parametrize("limit", [0, 10, 60])
def test_tiny_budgets_hold(limit: int) -> None:
    assert len(render_value(np.arange(1000), max_chars=limit)) <= limit
