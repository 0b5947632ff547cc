"""Hypothesis profiles: "ci" (default; derandomized, ~100 examples) and "long" (local fuzzing).

Pick one with ``HYPOTHESIS_PROFILE=long python -m pytest -k fuzz`` (imported by
``tests/conftest.py``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,  # the same examples every run: CI failures reproduce
    max_examples=100,
    deadline=None,  # two shared cores: timing noise must not fail a test
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
