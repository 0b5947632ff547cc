"""Bounded work on foreign input, seen from the magics (security.md 24; issue 11 items 5-11)."""

from __future__ import annotations

import pytest

from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.conftest import run_cell


@pytest.mark.parametrize(
    "answer",
    [
        "[" * 100_000,  # the old code raised a raw RecursionError
        "[" * 150 + "]" * 150,  # parses, but deeper than we agree to read
        "[" + "1" * 5_000 + "]",  # an int too long to convert
        "Here: {not json} and [neither",
    ],
)
def test_json_that_cannot_be_parsed_keeps_the_text_and_records_the_turn(
    ip, fake: FakeAnthropic, capsys, answer: str
) -> None:
    fake.enqueue(Reply(text=answer))
    run_cell(ip, "%%claude -f json -o data\nnest")
    result = ip.user_ns["_claude"]
    assert result.text == answer and result.data is None
    assert ip.user_ns["data"] == answer
    assert "the JSON could not be parsed" in capsys.readouterr().out
    magics = ip.magics_manager.registry["ClaudeMagics"]
    assert len(magics.conversations.thread("default").turns) == 1
