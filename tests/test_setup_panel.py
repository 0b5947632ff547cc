"""The API-key panel without a front end, and the terminal getpass flow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from IPython.core.error import UsageError

import kuroryuu_magic
from kuroryuu_magic.core.mask import mask
from kuroryuu_magic.keys import _store as keystore
from kuroryuu_magic.keys import chain as credentials
from kuroryuu_magic.keys.panel import SetupPanel, run_setup
from kuroryuu_magic.testing import Fault
from tests._credentials_helpers import (
    KEY_A,
    KEY_B,
    KEY_BAD,
    MemoryKeyring,
    TerminalScript,
    isolated,
    memory_keyring,
)

__all__ = ["isolated", "memory_keyring"]  # fixtures, imported for pytest


def _walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _find(panel: widgets.Widget) -> tuple[widgets.Password, dict[str, widgets.Button]]:
    """The Password field and the buttons, found as a front end would see them."""
    found = list(_walk(panel))
    [password] = [w for w in found if isinstance(w, widgets.Password)]
    buttons = {w.description: w for w in found if isinstance(w, widgets.Button)}
    return password, buttons


def _all_state(panel: widgets.Widget) -> str:
    states = [w.get_state() for w in _walk(panel)]
    states += [w.layout.get_state() for w in _walk(panel) if hasattr(w, "layout")]
    return json.dumps(states, default=str)


def _assert_clean(panel: SetupPanel, *keys: str) -> None:
    password, _ = _find(panel)
    assert password.value == ""
    state = _all_state(panel)
    for key in keys:
        assert key not in state
        assert key not in panel.status and key not in repr(panel)


@pytest.fixture
def panel(isolated: Path) -> SetupPanel:
    return SetupPanel()


def test_public_setup_panel_can_be_called_twice(isolated: Path) -> None:
    # The panel's module is not named like the public function, so importing it can't shadow it.
    assert isinstance(kuroryuu_magic.setup_panel(), SetupPanel)
    assert isinstance(kuroryuu_magic.setup_panel(), SetupPanel)


def test_panel_layout(panel: SetupPanel) -> None:
    password, buttons = _find(panel)
    assert isinstance(panel, widgets.VBox)
    assert {"Save", "Test", "Forget"} <= set(buttons)
    assert password is panel.key_field
    assert [s for _, s in panel.store_choice.options] == ["file", "session"]
    assert panel.status == "No key yet: paste one above and click Save."
    # Widths follow the labels: the long key-file path must not wrap over the next option.
    assert panel.store_choice.layout.width == "auto"
    assert all(b.layout.width == "auto" for b in buttons.values())


def test_save_stores_activates_and_empties_the_field(panel: SetupPanel) -> None:
    password, buttons = _find(panel)
    password.value = f"ANTHROPIC_API_KEY={KEY_A}"
    assert KEY_A not in repr(panel) and KEY_A not in panel.status  # even before Save
    buttons["Save"].click()
    _assert_clean(panel, KEY_A)
    assert mask(KEY_A) in panel.status and "key file" in panel.status
    assert keystore.read_key_file() == KEY_A
    assert credentials.resolve_credential().secret == KEY_A  # type: ignore[union-attr]


def test_save_to_keyring_or_session(memory_keyring: MemoryKeyring) -> None:
    panel = SetupPanel()
    password, buttons = _find(panel)
    assert panel.store_choice.value == "keyring"
    password.value = KEY_A
    buttons["Save"].click()
    assert keystore.keyring_get() == KEY_A and keystore.read_key_file() is None
    panel.store_choice.value = "session"
    password.value = KEY_B
    buttons["Save"].click()
    assert credentials.resolve_credential().secret == KEY_B  # type: ignore[union-attr]
    assert keystore.keyring_get() == KEY_A
    _assert_clean(panel, KEY_A, KEY_B)


def test_bad_shape_is_explained_and_nothing_stored(panel: SetupPanel) -> None:
    password, buttons = _find(panel)
    password.value = "sk-ant-oat01-" + "q" * 80
    buttons["Save"].click()
    assert "OAuth access token" in panel.status
    assert password.value == "" and keystore.read_key_file() is None
    assert "q" * 10 not in _all_state(panel)


def test_forget(panel: SetupPanel) -> None:
    password, buttons = _find(panel)
    password.value = KEY_A
    buttons["Save"].click()
    buttons["Forget"].click()
    assert "Forgot the key" in panel.status
    assert keystore.read_key_file() is None and credentials.resolve_credential() is None


def test_test_button_verdicts(
    panel: SetupPanel, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    password, buttons = _find(panel)
    buttons["Test"].click()  # the active key: the fake's env key
    panel.wait()
    assert "is valid" in panel.status
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    password.value = KEY_BAD
    buttons["Test"].click()
    panel.wait()
    assert "rejected (401)" in panel.status
    _assert_clean(panel, KEY_BAD)
    fake.enqueue(Fault(kind="status", status=403, path="/v1/models"))
    password.value = KEY_A
    buttons["Test"].click()
    panel.wait()
    assert "no permission" in panel.status
    _assert_clean(panel, KEY_A)


def test_valid_test_then_save_needs_no_second_paste(panel: SetupPanel, fake: Any) -> None:
    password, buttons = _find(panel)
    password.value = KEY_A
    buttons["Test"].click()
    panel.wait()
    assert "is valid" in panel.status and "Click Save" in panel.status
    _assert_clean(panel, KEY_A)
    buttons["Save"].click()
    assert keystore.read_key_file() == KEY_A
    _assert_clean(panel, KEY_A)


def test_unreachable_shows_base_url(panel: SetupPanel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    password, buttons = _find(panel)
    password.value = KEY_A
    buttons["Test"].click()
    panel.wait()
    assert "unreachable at http://127.0.0.1:9" in panel.status


def test_handler_errors_become_status_not_tracebacks(
    panel: SetupPanel, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated.parent.mkdir(parents=True)
    isolated.write_text("a file where the config dir should be")
    password, buttons = _find(panel)
    password.value = KEY_A
    buttons["Save"].click()  # must not raise
    assert panel.status.startswith("Could not store the key")
    _assert_clean(panel, KEY_A)

    def boom(*_: object) -> str:
        raise RuntimeError(KEY_A)

    monkeypatch.setattr(credentials, "save_key", boom)
    password.value = KEY_A
    buttons["Save"].click()
    assert "RuntimeError" in panel.status
    _assert_clean(panel, KEY_A)


def test_env_key_is_reported_masked(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY_B)
    panel = SetupPanel()
    assert "from ANTHROPIC_API_KEY" in panel.status and mask(KEY_B) in panel.status
    _assert_clean(panel, KEY_B)


def test_refused_key_file_is_shown(isolated: Path) -> None:
    path = keystore.write_key_file(KEY_A)
    path.chmod(0o644)
    panel = SetupPanel()
    assert "chmod 600" in panel.status
    _assert_clean(panel, KEY_A)


# --- run_setup and the terminal flow ---------------------------------------------------------


def test_terminal_save_to_file_and_test(isolated: Path, fake: Any) -> None:
    fake_env_key = credentials.os.environ.pop("ANTHROPIC_API_KEY")
    script = TerminalScript(f"  {KEY_A} ", "1", "y")
    script.run()
    assert keystore.read_key_file() == KEY_A
    assert "is valid" in script.text and KEY_A not in script.text
    assert fake_env_key not in script.text
    assert any("hidden" in p for p in script.prompts)


def test_terminal_retries_bad_shape_then_session(memory_keyring: MemoryKeyring) -> None:
    script = TerminalScript("sk-proj-nope" + "x" * 40, KEY_A, "3", "n")
    script.run()
    assert "start with sk-ant-" in script.text
    assert credentials.resolve_credential().secret == KEY_A  # type: ignore[union-attr]
    assert keystore.read_key_file() is None and keystore.keyring_get() is None


def test_terminal_forget_and_cancel(isolated: Path) -> None:
    credentials.save_key(KEY_A, "file")
    TerminalScript("f").run()
    assert keystore.read_key_file() is None
    script = TerminalScript("")
    script.run()
    assert "Cancelled" in script.text


def test_terminal_gives_up_with_usage_error(isolated: Path) -> None:
    with pytest.raises(UsageError) as info:
        TerminalScript("x", "y", "z").run()
    assert type(info.value) is UsageError
    with pytest.raises(UsageError, match="cancelled"):
        TerminalScript().run()  # EOF at the first prompt


def test_run_setup_without_front_end_prompts(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(
        "kuroryuu_magic.keys._terminal.run_terminal_setup", lambda: seen.append("terminal")
    )
    run_setup(object())
    assert seen == ["terminal"]


def test_run_setup_in_a_kernel_displays_the_panel(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[object] = []
    monkeypatch.setattr("kuroryuu_magic.keys.panel.is_rich_frontend", lambda shell: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    run_setup(object())
    assert len(shown) == 1 and isinstance(shown[0], SetupPanel)


def test_test_click_returns_before_the_api_answers(panel: SetupPanel, fake: Any) -> None:
    from kuroryuu_magic.testing import Fault

    fake.enqueue(Fault("slow_first_byte", delay=1.0, path="/v1/models*"))
    _password, buttons = _find(panel)
    buttons["Test"].click()
    assert panel.status == "Testing…" and buttons["Save"].disabled  # the kernel is free meanwhile
    panel.wait()
    assert "is valid" in panel.status and not buttons["Save"].disabled
