"""The terminal key setup never takes a key from a visible prompt, and says the truth at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.keys import _store as keystore
from kuroryuu_magic.keys import chain as credentials
from kuroryuu_magic.keys._terminal import PASTED_KEY_WARNING, looks_like_key
from tests._credentials_helpers import KEY_A, KEY_B, TerminalScript, isolated, memory_keyring

__all__ = ["isolated", "memory_keyring"]  # fixtures, imported for pytest


@pytest.mark.parametrize(
    ("text", "keyish"),
    [
        (KEY_A, True),
        ("sk-ant-api03-short", True),
        ("A" * 40, True),
        ("s", False),
        ("2", False),
        ("yes", False),
    ],
)
def test_looks_like_key(text: str, keyish: bool) -> None:
    assert looks_like_key(text) is keyish


def test_a_key_pasted_at_the_menu_is_discarded_not_taken_as_save(isolated: Path) -> None:
    credentials.save_key(KEY_A, "file")
    script = TerminalScript(KEY_B, "q")  # pasted at "[s]ave …? [s]:", then quit
    script.run()
    assert PASTED_KEY_WARNING in script.said
    assert keystore.read_key_file() == KEY_A  # nothing was saved
    assert KEY_B not in "\n".join(script.said)
    assert not any("hidden" in p for p in script.prompts)  # it was not read as "s"


def test_a_key_pasted_at_the_store_choice_is_discarded(memory_keyring: object) -> None:
    script = TerminalScript(KEY_A, KEY_B, "2", "n")  # hidden key, then a key at the store prompt
    script.run()
    assert PASTED_KEY_WARNING in script.said and keystore.read_key_file() == KEY_A
    assert KEY_B not in "\n".join(script.said)


def test_keys_at_every_visible_prompt_stop_the_flow(isolated: Path) -> None:
    credentials.save_key(KEY_A, "file")
    with pytest.raises(UsageError, match="nothing was stored") as info:
        TerminalScript(KEY_B, KEY_B, KEY_B).run()
    assert type(info.value) is UsageError and KEY_B not in str(info.value)


def test_ctrl_d_at_the_final_prompt_keeps_the_saved_key_and_says_so(isolated: Path) -> None:
    script = TerminalScript(KEY_A, "1")  # then EOF at "Test it now?"
    script.run()
    assert keystore.read_key_file() == KEY_A
    assert "nothing was changed" not in script.text.lower()
    assert script.said[-1].startswith("Not tested; the key is saved.")


def test_the_flow_does_not_tell_you_to_run_itself(isolated: Path) -> None:
    script = TerminalScript("")  # Enter at the hidden prompt: cancel
    script.run()
    assert "credential: none yet" in script.said
    assert "run `%claude setup`" not in "\n".join(script.said)
