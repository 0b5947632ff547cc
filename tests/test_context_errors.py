"""``%claude fix``: the last real exception in a shell becomes a trimmed, safe prompt."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from kuroryuu_magic.context.errors import last_error_prompt


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        monkeypatch.delattr(sys, name, raising=False)
    config = Config()
    config.HistoryAccessor.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    config.InteractiveShell.colors = "nocolor"
    InteractiveShell.clear_instance()
    sh = InteractiveShell.instance(config=config)
    yield sh
    InteractiveShell.clear_instance()


def run(sh: InteractiveShell, source: str) -> int:
    count = sh.execution_count
    sh.run_cell(source, store_history=True)
    return count


def test_no_error_yet_is_a_usage_error(shell: InteractiveShell) -> None:
    run(shell, "x = 1")
    with pytest.raises(UsageError, match="no error to fix yet") as info:
        last_error_prompt(shell)
    assert type(info.value) is UsageError


def test_error_in_a_function_from_another_cell(shell: InteractiveShell) -> None:
    defined = run(shell, "def load(path):\n    rows = {}\n    return rows['missing']\n")
    failed = run(shell, "x = 1\ndata = load('sales.csv')")
    prompt = last_error_prompt(shell)
    assert "corrected cell" in prompt
    assert f'<cell execution_count="{failed}" role="the failing cell">' in prompt
    assert "data = load('sales.csv')" in prompt
    assert f'<cell execution_count="{defined}" role="where it raised">' in prompt
    assert f"Cell In[{failed}], line 2, in <module>" in prompt
    assert f"Cell In[{defined}], line 3, in load" in prompt
    assert "return rows['missing']" in prompt
    assert prompt.rstrip().endswith("KeyError: 'missing'\n</error>")
    assert "interactiveshell.py" not in prompt  # IPython's own frames are trimmed


def test_library_frames_are_collapsed_but_the_raising_one_kept(shell: InteractiveShell) -> None:
    failed = run(shell, "import json\njson.loads('{bad')")
    prompt = last_error_prompt(shell)
    assert f"Cell In[{failed}], line 2" in prompt
    assert "library frame" in prompt
    assert "decoder.py" in prompt
    assert "JSONDecodeError: Expecting property name" in prompt


def test_locals_are_never_included_and_keys_are_masked(shell: InteractiveShell) -> None:
    # The key is assembled at run time, so it exists only in a frame local.
    run(
        shell, "def f():\n    token = 'sk-ant-' + 'api03-' + 'SECRETSECRET' * 4 + 'wxyz'\n    1/0\n"
    )
    run(shell, "f()")
    prompt = last_error_prompt(shell)
    assert "ZeroDivisionError" in prompt
    assert "SECRETSECRETSECRET" not in prompt
    run(shell, "raise ValueError('bad key ' + 'sk-ant-' + 'api03-' + 'LEAKLEAKLEAK' * 3 + 'abcd')")
    prompt = last_error_prompt(shell)
    assert "LEAKLEAKLEAKLEAK" not in prompt  # the assembled key, not the source's pieces
    assert "sk-ant-…abcd" in prompt


def test_syntax_error_points_at_the_cell(shell: InteractiveShell) -> None:
    failed = run(shell, "total = sum(\n")
    prompt = last_error_prompt(shell)
    assert "total = sum(" in prompt
    assert f"Cell In[{failed}], line 1" in prompt
    assert "SyntaxError" in prompt
    assert "compilerop" not in prompt


def test_chained_cause_is_mentioned(shell: InteractiveShell) -> None:
    run(shell, "try:\n    int('x')\nexcept ValueError as e:\n    raise KeyError('k') from e")
    prompt = last_error_prompt(shell)
    assert "KeyError: 'k'" in prompt
    assert "(caused by: ValueError: invalid literal" in prompt


def test_huge_cell_and_message_are_bounded(shell: InteractiveShell) -> None:
    run(shell, "# " + "c" * 50_000 + "\nraise RuntimeError('m' * 50_000)")
    prompt = last_error_prompt(shell)
    assert len(prompt) < 15_000
    assert "truncated" in prompt
