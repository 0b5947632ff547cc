"""Pytest fixtures for the fake API.

Register once in the root ``conftest.py``::

    pytest_plugins = ["kuroryuu_magic.testing.pytest_plugin"]

or import a fixture into a test module by name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ._server import FakeAnthropic

# Cleared so a developer's real credentials or endpoints never leak into a test.
_ENV = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "KURORYUU_OAUTH_AUTHORIZE_URL",
    "KURORYUU_OAUTH_TOKEN_URL",
    "KURORYUU_OAUTH_REDIRECT_URI",
    "KURORYUU_FAKE_CONTROL_TOKEN",
)


@pytest.fixture
def fake_anthropic(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A running fake; ANTHROPIC_*/KURORYUU_OAUTH_* variables are cleared, not set."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    with FakeAnthropic() as fake:
        yield fake
    assert fake.errors == [], "exceptions inside the fake server"


@pytest.fixture
def fake_anthropic_env(
    fake_anthropic: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> FakeAnthropic:
    """The same fake, with ``fake.env()`` exported so the SDK and OAuth code find it."""
    for name, value in fake_anthropic.env().items():
        monkeypatch.setenv(name, value)
    assert os.environ["ANTHROPIC_BASE_URL"] == fake_anthropic.base_url
    return fake_anthropic
