"""A short soak in CI (the full 500-cell benchmark is ``python bench/soak.py``)."""

from __future__ import annotations

import pytest

from bench.soak import run_soak

pytestmark = pytest.mark.kernel


def test_hundred_cells_do_not_leak_or_slow_down() -> None:
    report = run_soak(cells=100)
    print("\n" + "\n".join(report.lines()))
    assert report.failed_cells == 0
    assert report.requests == 100  # each cell made exactly one request, none retried
    assert report.rss_growth_mb <= 30
    assert report.threads_after <= report.threads_before
    assert report.py_threads_after <= report.py_threads_before
    assert report.fds_after <= report.fds_before
    assert report.ratio <= 1.5  # loose: two shared cores make timings noisy
