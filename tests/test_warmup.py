"""The background warm-up after ``%load_ext`` (ask/warmup.py)."""

from __future__ import annotations

import pytest

from kuroryuu_magic.ask import client as client_mod
from kuroryuu_magic.ask import warmup
from kuroryuu_magic.core.session import session_for
from kuroryuu_magic.models import aliases
from kuroryuu_magic.testing import FakeAnthropic
from tests.conftest import run_cell


@pytest.fixture
def warm(ip, fake: FakeAnthropic):
    """The shared shell with the warm-up switched back on (it starts after the next cell)."""
    warmup.reset()
    run_cell(ip, "%config ClaudeMagics.warm_up = True")
    warmup.wait()
    yield ip
    warmup.reset()


def test_warm_up_builds_the_client_and_resolves_the_alias(
    warm, fake: FakeAnthropic, capsys
) -> None:
    assert warmup.started()
    assert [r.path.split("?")[0] for r in fake.requests] == ["/v1/models"]
    session = session_for(warm)
    # Cached in this kernel's session for the first cell.
    assert session.state(aliases.ModelListing).rows is not None
    assert session.state(client_mod._Clients)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""  # a warm-up never prints
    run_cell(warm, "%%claude --no-history\nhi")
    paths = [r.path.split("?")[0] for r in fake.requests]
    assert paths == ["/v1/models", "/v1/messages"]  # the cell reused the listing


def test_no_request_without_a_credential(ip, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeAnthropic() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)  # reachable, but no key
        warmup.reset()
        run_cell(ip, "%config ClaudeMagics.warm_up = True")
        warmup.wait()
        assert warmup.started() and server.requests == []
    warmup.reset()


def test_only_once_and_never_when_switched_off(ip, fake: FakeAnthropic) -> None:
    warmup.reset()
    run_cell(ip, "x = 1")  # warm_up is False in the test shell: the one chance passes
    run_cell(ip, "%config ClaudeMagics.warm_up = True")
    run_cell(ip, "y = 2")
    assert not warmup.started() and fake.requests == []


def test_a_cell_waits_for_the_warm_up(ip, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell run while the warm-up is under way waits for it; once it is over, cells don't."""
    import threading

    release, waiting = threading.Event(), threading.Event()
    done: list[str] = []

    def slow_warm_up(settings) -> None:
        release.wait(30)
        done.append("warm")

    real_wait = warmup.wait

    def wait(timeout: float | None = 30.0) -> None:
        waiting.set()
        real_wait(timeout)

    monkeypatch.setattr(warmup, "_run", slow_warm_up)
    monkeypatch.setattr(warmup, "wait", wait)
    warmup.reset()
    run_cell(ip, "%config ClaudeMagics.warm_up = True")  # the warm-up starts after this cell
    assert warmup.busy() and not done
    # Let the warm-up finish only once the next cell is waiting for it.
    threading.Thread(target=lambda: waiting.wait(30) and release.set(), daemon=True).start()
    run_cell(ip, "%claude help")
    assert waiting.is_set() and done == ["warm"] and not warmup.busy()
    waiting.clear()
    run_cell(ip, "%claude help")
    assert not waiting.is_set()  # the warm-up is over: the next cell does not look again
    warmup.reset()


def test_unload_forgets_the_warm_up(warm) -> None:
    assert warmup.started()
    run_cell(warm, "%unload_ext kuroryuu_magic")
    assert not warmup.started()
    run_cell(warm, "%load_ext kuroryuu_magic")
