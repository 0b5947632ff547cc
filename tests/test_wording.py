"""What people read: no "empty" for a missing file, no "1 turns", no nested parentheses."""

from __future__ import annotations

import re
from pathlib import Path

from kuroryuu_magic.keys import chain as credentials
from kuroryuu_magic.testing import FakeAnthropic
from tests._credentials_helpers import KEY_A, MemoryKeyring, isolated, memory_keyring
from tests.conftest import run_cell

__all__ = ["isolated", "memory_keyring"]  # fixtures, imported for pytest


def nested_parentheses(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth > 1:
            return True
    return False


def test_the_nesting_check_sees_nesting() -> None:
    assert nested_parentheses("a (b (c))") and not nested_parentheses("a (b) (c)")


def test_a_missing_key_file_is_not_set(memory_keyring: MemoryKeyring) -> None:
    rows = dict(credentials.credential_status())
    assert rows["key file"].endswith(": not set") and rows["keyring"] == "not set"


def test_test_results_have_no_nested_parentheses(isolated: Path, fake: FakeAnthropic) -> None:
    for store in ("file", "session"):
        credentials.save_key(KEY_A, store)
        fake.rejected_keys.discard(KEY_A)
        # the environment key wins; drop it so the saved key (with its long source) is tested
        credentials.os.environ.pop("ANTHROPIC_API_KEY", None)
        check = credentials.check_key()
        assert check.ok and "Source: key saved in this session" in check.message
        assert not nested_parentheses(check.message), check.message
        assert not nested_parentheses(credentials.save_key(KEY_A, store))


def test_one_turn_is_one_turn(ip, fake: FakeAnthropic, capsys) -> None:
    run_cell(ip, "%%claude\nq1")
    run_cell(ip, "%claude status")
    assert re.search(r"default \(1 turn\)", capsys.readouterr().out)
    run_cell(ip, "%%claude\nq2")
    run_cell(ip, "%claude reset")
    assert "Cleared thread 'default' (2 turns)." in capsys.readouterr().out
