"""Shared fixtures: an isolated IPython shell, and the fake API on loopback."""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import hypothesis_profiles  # noqa: F401  ("ci" by default, "long" for local fuzzing)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test: HOME and config dirs in tmp, no ANTHROPIC_*/KURORYUU_* leaking in."""
    from tests.kernels import ISOLATED_PREFIXES, isolated_vars

    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    for name, value in isolated_vars(home).items():
        monkeypatch.setenv(name, value)
    _reset_module_state()
    return home


@pytest.fixture(autouse=True)
def no_shell_outlives_its_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every IPython shell a test makes is let go when the test ends.

    ``InteractiveShell.__init__`` registers ``atexit_operations`` with ``atexit`` (and its
    ``ScriptMagics`` one more), which keeps the shell (namespaces, history, display
    hooks) alive until the interpreter exits, and then resets each one with a full
    garbage collection: hundreds of shells made pytest take minutes to exit after its
    summary (bench/pytest_exit.py).  The handlers a shell or its magics registered
    during a test are unregistered after it; nothing a test shell would do at exit
    matters (history is off, no temp files outlive tmp_path, no `%%script --bg`).

    A shell also puts its user module in ``sys.modules["__main__"]`` and keeps the one
    it replaced, so every shell would hold the one before it, all rooted there: the
    entry is put back as the test found it.
    """
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    registered: list[Callable[..., Any]] = []
    real_register = atexit.register

    def register(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        owner = getattr(func, "__self__", None)
        if isinstance(owner, InteractiveShell) or isinstance(
            getattr(owner, "shell", None), InteractiveShell
        ):
            registered.append(func)
        return real_register(func, *args, **kwargs)

    monkeypatch.setattr(atexit, "register", register)
    yield
    for func in registered:
        atexit.unregister(func)


def _reset_module_state() -> None:
    from kuroryuu_magic.ask import client
    from kuroryuu_magic.core.session import forget_outside_session
    from kuroryuu_magic.keys import chain as credentials
    from kuroryuu_magic.models import aliases

    client.forget_clients()
    aliases.forget_listing()
    credentials.set_session_key(None)
    forget_outside_session()


def assert_no_spoofing(server: object) -> None:
    """Security requirement 14, checked on every request a test's fake server saw."""
    spoofed = server.spoofed_requests()  # type: ignore[attr-defined]
    assert not spoofed, f"requests posing as Claude Code: {[(r.method, r.path) for r in spoofed]}"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[object]:
    """The fake Anthropic API, with the environment pointing at it."""
    from kuroryuu_magic.testing import FakeAnthropic

    with FakeAnthropic() as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        yield server
        if request.node.get_closest_marker("spoof_probe") is None:
            assert_no_spoofing(server)


@pytest.fixture(scope="module")
def server() -> Iterator[object]:
    """One fake API for a whole module of kernel tests (see ``kernel``)."""
    from kuroryuu_magic.testing import FakeAnthropic

    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture(scope="module")
def kernel(server: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real ipykernel pointed at ``server``, extension loaded, shared by the module."""
    from tests.kernels import kernel_env, start_kernel

    env = kernel_env(tmp_path_factory.mktemp("kernel-home"), server.env())  # type: ignore[attr-defined]
    with start_kernel(env) as k:
        k.ok("%load_ext kuroryuu_magic")
        yield k


@pytest.fixture
def fresh_kernel(server: object, kernel: object) -> Iterator[object]:
    """``kernel`` with the fake reset and every thread cleared; checks for spoofing after."""
    server.reset()  # type: ignore[attr-defined]
    kernel.ok("%claude reset --all")  # type: ignore[attr-defined]
    yield kernel
    assert_no_spoofing(server)


@pytest.fixture
def ip(isolated_env: Path) -> Iterator[object]:
    """A terminal-style IPython shell with the extension loaded and history off."""
    from IPython.core.history import HistoryManager
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryAccessor.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    # No background warm-up: its model listing would race the requests a test counts
    # (tests/test_warmup.py covers it).
    config.ClaudeMagics.warm_up = False
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance(config=config)
    HistoryManager.enabled = False
    shell.run_line_magic("load_ext", "kuroryuu_magic")
    shell.run_line_magic("config", "ClaudeMagics.update_interval = 0.0")
    yield shell
    shell.run_line_magic("unload_ext", "kuroryuu_magic")
    InteractiveShell.clear_instance()


def run_cell(shell: object, source: str) -> object:
    """Run a cell and re-raise whatever it raised (jupysql's TestingShell idea)."""
    result = shell.run_cell(source)  # type: ignore[attr-defined]
    result.raise_error()
    return result


@pytest.fixture
def quick_demo(ip: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """`%claude demo` on in the test's shell without its deliberate pace; stopped after the test."""
    from kuroryuu_magic import demo
    from kuroryuu_magic.demo import _answers as answers

    monkeypatch.setattr(answers, "STREAM_SECONDS", 0.0)
    monkeypatch.setattr(answers, "FIRST_BYTE_SECONDS", 0.0)
    run_cell(ip, "%claude demo")
    yield demo.running()
    demo.stop()
