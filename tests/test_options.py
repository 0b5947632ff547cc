"""Magic-line parsing: every input parses or raises a one-line UsageError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from IPython.core.error import UsageError

from kuroryuu_magic.magic._options import (
    parse_cell_line,
    parse_line,
    parse_thinking,
    split_leading_options,
)


def test_line_prompt_keeps_apostrophes_and_later_dashes() -> None:
    command, opts, prompt = parse_line("-m opus --no-history what's the -m flag for?")
    assert command == "ask" and opts.model == "opus" and opts.no_history
    assert prompt == "what's the -m flag for?"


def test_double_dash_ends_options() -> None:
    assert split_leading_options("-m haiku -- --new is a flag") == (
        ["-m", "haiku"],
        "--new is a flag",
    )


def test_quoted_option_values() -> None:
    opts = parse_cell_line('-s "be brief, please" -o answer -c "my thread"')
    assert (
        opts.system == "be brief, please"
        and opts.out == "answer"
        and opts.conversation == "my thread"
    )


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("--bogus hi", "Unknown option --bogus"),
        ("-m", "-m needs a value"),
        ("status now", "unrecognized arguments: now"),
        ("login --mode nope", "invalid choice"),
        ("--thinking lots hi", "--thinking takes adaptive, off or a token budget"),
        ("--thinking 100 hi", "at least 1024"),
        ("-o 'not a name' hi", "-o/--out needs a Python variable name"),
        ("--max-tokens -5 hi", "--max-tokens"),
        ("-f yaml hi", "invalid choice"),
        ("   ", "Nothing to ask"),
        ("--batch hi", "--batch works with --map"),
        ("--vars 1a,b hi", "--vars takes comma-separated variable names"),
    ],
)
def test_mistakes_are_one_line_usage_errors(line: str, fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_line(line)
    assert type(info.value) is UsageError  # IPython only prints the exact class as one line
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_unbalanced_quotes_in_cell_options() -> None:
    with pytest.raises(UsageError, match="check the quotes"):
        parse_cell_line('-s "unclosed')


def test_subcommands_parse() -> None:
    assert parse_line("history -c work")[1].conversation == "work"
    assert parse_line("reset --all")[1].all is True
    assert parse_line("login --mode console")[1].mode == "console"
    assert parse_line("batch msgbatch_123 -o res")[1].batch_id == "msgbatch_123"


def test_thinking_values() -> None:
    assert parse_thinking("adaptive") == {"type": "adaptive"}
    assert parse_thinking("off") == {}
    assert parse_thinking("2048") == {"type": "enabled", "budget_tokens": 2048}


@pytest.mark.parametrize("parse", [parse_line, parse_cell_line])
@given(line=st.text(max_size=200))
def test_any_line_parses_or_raises_usage_error(parse, line: str) -> None:
    try:
        parse(line)
    except UsageError as exc:
        assert type(exc) is UsageError and "\n" not in str(exc)


@given(
    st.lists(
        st.sampled_from(
            [
                "-m",
                "--model",
                "-s",
                "--new",
                "--no-history",
                "-f",
                "--thinking",
                "-o",
                "--",
                "x",
                "'q",
                '"',
                "=",
            ]
        ),
        max_size=8,
    ).map(" ".join)
)
def test_option_soup_parses_or_raises_usage_error(line: str) -> None:
    for parse in (parse_line, parse_cell_line):
        try:
            parse(line)
        except UsageError as exc:
            assert "\n" not in str(exc)


@pytest.mark.parametrize(
    ("line", "meant"),
    [("stauts", "status"), ("modles", "models"), ("hlep", "help"), ("histroy", "history")],
)
def test_misspelled_subcommand_is_refused_not_asked(line: str, meant: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_line(line)
    assert type(info.value) is UsageError
    assert str(info.value) == (
        f"Unknown subcommand '{line}' — did you mean {meant}? (To ask Claude, write a question.)"
    )


@pytest.mark.parametrize("line", ["hello", "thanks", "statistics", "stauts of the job?", "explain"])
def test_words_far_from_subcommands_stay_prompts(line: str) -> None:
    command, _, prompt = parse_line(line)
    assert command == "ask" and prompt == line


@pytest.mark.parametrize(
    "line",
    ['-s "unbalanced hi', "-s 'unbalanced hi", '-m "opus -s x hi', '-s "a"b hi'],
)
def test_unbalanced_quotes_in_line_options(line: str) -> None:
    with pytest.raises(UsageError, match="unbalanced quotes") as info:
        parse_line(line)
    assert type(info.value) is UsageError and "\n" not in str(info.value)


def test_balanced_quotes_still_work_on_the_line() -> None:
    _, opts, prompt = parse_line("""-s "say \\"hi\\"" -c 'my thread' what's up?""")
    assert opts.system == 'say "hi"' and opts.conversation == "my thread"
    assert prompt == "what's up?"
