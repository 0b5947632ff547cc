"""One subcommand table makes the parsers, ``%claude help`` and the dispatch."""

from __future__ import annotations

import dataclasses

import pytest

from kuroryuu_magic.magic import _subcommands as subcommands
from kuroryuu_magic.magic._options import _SUB_PARSERS, SUBCOMMANDS, parse_line
from kuroryuu_magic.testing import FakeAnthropic
from tests.conftest import run_cell


def test_every_row_has_a_parser_a_help_line_and_nothing_else_does() -> None:
    names = [s.name for s in subcommands.TABLE]
    assert list(SUBCOMMANDS) == names and list(_SUB_PARSERS) == names
    help_lines = subcommands.help_text().splitlines()
    for sub in subcommands.TABLE:
        line = next(
            x for x in help_lines if x.startswith(f"%claude {sub.name} ") or x == sub.synopsis
        )
        assert sub.help in line and line.startswith(sub.synopsis)
    listed = {
        x.split()[1] for x in help_lines if x.startswith("%claude ") and x.split()[1].isalpha()
    }
    assert listed == set(names)


def test_help_synopsis_names_exactly_the_parsers_options() -> None:
    for sub in subcommands.TABLE:
        parser = _SUB_PARSERS[sub.name]
        for a in sub.args:
            if a.flags[0].startswith("-"):
                assert a.flags[0] in sub.synopsis and a.flags[0] in parser._option_string_actions
        parsed_flags = {s for s in parser._option_string_actions if s.startswith("--")}
        if sub.request_options:
            assert "--model" in parsed_flags and "[options]" in sub.synopsis
        else:
            assert parsed_flags == {f for a in sub.args for f in a.flags if f.startswith("--")}


def test_dispatch_calls_the_rows_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    row = dataclasses.replace(
        subcommands.BY_NAME["history"], handler=lambda m, o: seen.append((m, o))
    )
    monkeypatch.setitem(subcommands.BY_NAME, "history", row)
    command, opts, _ = parse_line("history -c work")
    subcommands.run("MAGICS", command, opts)
    assert seen == [("MAGICS", opts)] and opts.conversation == "work"


def test_cell_magic_help_reads_double_percent(ip) -> None:
    doc = ip.find_cell_magic("claude").__doc__
    assert "%%claude [-m MODEL]" in doc and "%%%claude" not in doc
    assert subcommands.help_text() in doc


def test_help_subcommand_prints_the_table(ip, fake: FakeAnthropic, capsys) -> None:
    run_cell(ip, "%claude help")
    assert capsys.readouterr().out.strip() == subcommands.help_text()


def test_every_row_names_a_handler_that_exists() -> None:
    """Handlers are imported when their subcommand first runs: a misspelt name must fail here,
    not in a user's cell."""

    from kuroryuu_magic.magic import _subcommands

    for row in _subcommands.TABLE:
        if isinstance(row.handler, _subcommands.Later):
            assert row.handler.module in _subcommands.HANDLER_MODULES, row.name
            assert callable(row.handler.resolve()), row.name
        else:
            assert row.name == "help", row.name  # the one handler defined in the table's module
