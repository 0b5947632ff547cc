"""The ``%claude …?`` rewrite touches only a top-level line magic, never strings or ``%%`` bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuroryuu_magic.magic.inputfix import ClaudeQuestion
from kuroryuu_magic.testing import FakeAnthropic
from tests.conftest import run_cell


def call(text: str) -> str:
    return f"get_ipython().run_line_magic('claude', {text!r})"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%claude Why is this slow?", call("Why is this slow?") + "\n"),
        ("%claude -m opus what's a p-value?", call("-m opus what's a p-value?") + "\n"),
        ("x = 1\n%claude why is x 1?", "x = 1\n" + call("why is x 1?") + "\n"),
        ("if True:\n    %claude why?\n", "if True:\n    " + call("why?") + "\n"),
    ],
)
def test_top_level_line_magic_questions_reach_the_magic(ip, cell: str, expected: str) -> None:
    assert ip.transform_cell(cell) == expected


@pytest.mark.parametrize(
    "cell",
    [
        's = """\n%claude inside a string?\n"""\n',
        "t = '%claude also a string?'\n",
        "# %claude in a comment?\n",
    ],
)
def test_strings_and_comments_are_left_alone(ip, cell: str) -> None:
    assert ip.transform_cell(cell) == cell


@pytest.mark.parametrize("magic", ["writefile notes.txt", "bash", "claude --no-history"])
def test_cell_magic_bodies_are_left_alone(ip, magic: str) -> None:
    body = "echo hi\n%claude what now?\n"
    out = ip.transform_cell(f"%%{magic}\n{body}")
    assert out.startswith("get_ipython().run_cell_magic(") and repr(body) in out
    assert "run_line_magic" not in out


def test_claude_question_mark_alone_is_still_help(ip) -> None:
    assert "pinfo" in ip.transform_cell("%claude?") and "pinfo" in ip.transform_cell("%claude??")


def test_writefile_body_is_written_verbatim(ip, tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    run_cell(ip, f"%%writefile {target}\n%claude does this stay?\n")
    assert target.read_text() == "%claude does this stay?\n"


def test_a_question_line_asks_claude(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, "%claude --no-history Why is the sky blue?")
    assert fake.messages_requests()[-1].body["messages"][-1]["content"] == "Why is the sky blue?"


def test_unload_removes_the_transformer(ip) -> None:
    assert ClaudeQuestion in ip.input_transformer_manager.token_transformers
    ip.run_line_magic("unload_ext", "kuroryuu_magic")
    assert ClaudeQuestion not in ip.input_transformer_manager.token_transformers
    assert "pinfo" in ip.transform_cell("%claude why?")
    ip.run_line_magic("load_ext", "kuroryuu_magic")


IPYTHON_SYNTAX = [
    "x?",
    "x??",
    "?x",
    "obj.attr?",
    "%timeit x?",
    "%config?",
    "%claudex why?",  # another magic whose name starts with claude
    "!ls -la",
    "files = !ls",
    "where = %pwd",
    "%%timeit\nx = 1\n",
    "%%bash\necho 'a?'\n",
    "print('%claude why?')\n",
    "def f():\n    '''%claude why?'''\n    return 1\n",
    "a = [1,\n     2]  # ?\n",
    "%matplotlib inline",
    "%load_ext autoreload",
]


@pytest.mark.parametrize("cell", IPYTHON_SYNTAX)
def test_other_ipython_syntax_transforms_as_without_the_extension(ip, cell: str) -> None:
    with_extension = ip.transform_cell(cell)
    ip.run_line_magic("unload_ext", "kuroryuu_magic")
    try:
        assert with_extension == ip.transform_cell(cell)
    finally:
        ip.run_line_magic("load_ext", "kuroryuu_magic")
