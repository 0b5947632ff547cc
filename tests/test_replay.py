"""Replay mode sends nothing, for every command (issue 19): served locally or one line.

The fake records every request it sees; each command below runs with
``answer_cache = "replay"`` against a fake that would answer, and the fake must
see none of them.
"""

from __future__ import annotations

import pytest

from kuroryuu_magic.ask import warmup
from kuroryuu_magic.cache import CacheMissError
from kuroryuu_magic.testing import FakeAnthropic
from tests.conftest import run_cell


@pytest.fixture
def replay(ip, fake: FakeAnthropic):
    ip.user_ns["df"] = {"a": [1, 2, 3]}
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.run_line_magic("config", 'ClaudeMagics.answer_cache = "replay"')
    return ip


# Each command, and what it must do instead of a request: "local" (it works without
# the API) or "refused" (one line naming what replay can't serve).
COMMANDS = {
    "tools": ("%claude --tools inspect --no-history What is in df?", "refused"),
    "explore": ("%claude explore df", "refused"),
    "tools code": ("%%claude --tools code --no-history\nRun something on df", "refused"),
    "dry run": ("%claude --dry-run --no-history How many rows?", "local"),
    "tools dry run": ("%claude --tools inspect --dry-run --no-history What is df?", "local"),
    "map dry run, not cached": ("%%claude --map df --dry-run -o out\n{item}", "refused"),
    "models": ("%claude models", "local"),
    "models refresh": ("%claude models --refresh", "local"),
    "batch": ("%claude batch msgbatch_0123456789abcdef", "refused"),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_replay_sends_no_request(replay, fake: FakeAnthropic, name: str, capsys) -> None:
    source, expect = COMMANDS[name]
    before = len(fake.requests)
    result = replay.run_cell(source)
    seen = len(fake.requests) - before
    out = capsys.readouterr().out
    assert seen == 0, f"{name}: replay sent {seen} request(s)"
    if expect == "refused":
        error = result.error_in_exec
        assert isinstance(error, CacheMissError), (name, error)
        message = str(error)
        assert "\n" not in message and "replay mode" in message and "nothing was sent" in message
        assert len(error._render_traceback_()) == 1
    else:
        result.raise_error()
        assert "replay" in out.lower() or "replay" in str(replay.user_ns.get("_claude", ""))


def test_replay_dry_run_estimates_locally(replay, fake: FakeAnthropic, capsys) -> None:
    run_cell(replay, "%claude --dry-run --no-history How many rows?")
    out = capsys.readouterr().out
    assert "Dry run: nothing was sent" in out and "a local estimate" in out
    assert fake.requests == []


def test_replay_map_dry_run_of_cached_items_estimates_locally(
    ip, fake: FakeAnthropic, capsys
) -> None:
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.user_ns["items"] = ["a", "b"]
    run_cell(ip, "%%claude --map items -o out\n{item}")  # answers stored (cache "on")
    ip.run_line_magic("config", 'ClaudeMagics.answer_cache = "replay"')
    before = len(fake.requests)
    capsys.readouterr()
    run_cell(ip, "%%claude --map items --dry-run -o out\n{item}")
    out = capsys.readouterr().out
    assert len(fake.requests) == before and "a local estimate" in out


def test_replay_models_come_from_the_session_listing_or_the_table(
    replay, fake: FakeAnthropic, capsys
) -> None:
    run_cell(replay, "%claude models")
    out = capsys.readouterr().out
    assert "built-in table" in out and "claude-" in out
    assert fake.requests == []


def _warm_up(shell) -> None:
    """Switch the warm-up on and let it run after the next cell, as after ``%load_ext``."""
    warmup.reset()
    run_cell(shell, "%config ClaudeMagics.warm_up = True")
    magics = shell.magics_manager.registry["ClaudeMagics"]
    if magics._warm_up_once not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", magics._warm_up_once)
    run_cell(shell, "x = 1")
    warmup.wait()


def test_replay_warm_up_sends_nothing(replay, fake: FakeAnthropic) -> None:
    _warm_up(replay)
    try:
        assert warmup.started()
        assert fake.requests == []
    finally:
        warmup.reset()


def test_without_replay_the_same_warm_up_does_ask(ip, fake: FakeAnthropic) -> None:
    # The control for the test above: the warm-up it runs is one that would list models.
    _warm_up(ip)
    try:
        assert [r.path.split("?")[0] for r in fake.requests] == ["/v1/models"]
    finally:
        warmup.reset()
