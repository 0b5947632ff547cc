"""One Session per kernel holds what is per-kernel; nothing per-kernel lives in module globals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from kuroryuu_magic.ask.memory import ConversationStore
from kuroryuu_magic.ask.run import effective_settings
from kuroryuu_magic.core.session import Session, session_for
from kuroryuu_magic.keys import chain
from kuroryuu_magic.magic._options import parse_cell_line
from kuroryuu_magic.magic._prompting import request_of
from kuroryuu_magic.testing import FakeAnthropic
from tests.conftest import run_cell

PACKAGE = Path(__file__).resolve().parent.parent / "kuroryuu_magic"


def test_state_is_built_once_per_type_and_repr_names_types_only() -> None:
    session = Session()
    assert session.peek(ConversationStore) is None
    store = session.state(ConversationStore)
    assert session.state(ConversationStore) is store and session.peek(ConversationStore) is store
    session.drop(ConversationStore)
    assert session.state(ConversationStore) is not store
    chain_state = session.state(chain._KeyState)
    chain_state.session_key = "sk-ant-api03-" + "s" * 40
    assert repr(session) == "<Session: ConversationStore, _KeyState>"


def test_two_shells_share_no_threads_keys_or_usage(ip, fake: FakeAnthropic) -> None:
    other = InteractiveShell(config=Config({"HistoryAccessor": {"enabled": False}}))
    assert session_for(ip) is session_for() is not session_for(other)  # ip is the running shell
    run_cell(ip, "%%claude\nq1")
    magics = ip.magics_manager.registry["ClaudeMagics"]
    assert magics.conversations.names() == ["default"]
    assert session_for(other).peek(ConversationStore) is None
    chain.set_session_key("sk-ant-api03-" + "k" * 40)
    assert session_for(ip).state(chain._KeyState).session_key is not None
    assert session_for(other).peek(chain._KeyState) is None


def test_reload_ext_keeps_the_threads(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, "%%claude\nq1")
    ip.run_line_magic("reload_ext", "kuroryuu_magic")
    magics = ip.magics_manager.registry["ClaudeMagics"]
    assert len(magics.conversations.thread("default").turns) == 1


def test_settings_hold_the_resolved_model_id(ip, fake: FakeAnthropic) -> None:
    magics = ip.magics_manager.registry["ClaudeMagics"]
    settings = effective_settings(ip, request_of(magics, parse_cell_line("-m haiku")))
    assert settings.model == "claude-haiku-5-5" and settings.model_note is None
    run_cell(ip, "%%claude -m haiku --no-history\nhi")
    assert fake.messages_requests()[-1].body["model"] == settings.model


def test_dry_run_settings_resolve_without_a_credential(ip) -> None:
    magics = ip.magics_manager.registry["ClaudeMagics"]
    settings = effective_settings(ip, request_of(magics, parse_cell_line("-m opus --dry-run")))
    assert settings.model.startswith("claude-opus-") and "no credential" in settings.model_note


# Process-wide on purpose, not per kernel: a secret one shell saw is masked in every output.
PROCESS_WIDE = {
    "core/redact.py": {"_registered"},
    # One warm-up per process: what it warms (the SDK import, pydantic's validators)
    # is process-wide; the per-kernel part (the alias) lands in that kernel's session.
    "ask/warmup.py": {"global _thread"},
}


def _module_level_mutables(path: Path) -> list[str]:
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if (
            isinstance(target, ast.Name)
            and isinstance(value, (ast.Dict, ast.List, ast.Set))
            and not target.id.isupper()  # UPPER_CASE tables are constants
            and target.id != "__all__"
        ):
            found.append(target.id)
        if isinstance(node, ast.FunctionDef):
            found += [
                f"global {n}" for s in ast.walk(node) if isinstance(s, ast.Global) for n in s.names
            ]
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(PACKAGE.rglob("*.py")) if "testing" not in p.parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_per_kernel_state_in_module_globals(path: Path) -> None:
    allowed = PROCESS_WIDE.get(str(path.relative_to(PACKAGE)), set())
    assert [name for name in _module_level_mutables(path) if name not in allowed] == []


def test_the_guard_sees_globals(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("_cache = {}\nTABLE = {}\ndef f():\n    global _x\n    _x = 1\n")
    assert _module_level_mutables(sample) == ["_cache", "global _x"]
