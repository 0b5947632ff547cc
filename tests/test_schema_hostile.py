"""``--schema`` with hostile input (issue 19): a 5,000-level schema dict is one line before
anything is sent, and a validator that raises ``KeyError`` keeps the paid answer as text."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.structured import SchemaError, SchemaValidationError, parse_answer, schema_for
from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.conftest import run_cell


def deep_schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"x": schema}, "required": ["x"]}
    return schema


class Picky(pydantic.BaseModel):
    label: str

    @pydantic.field_validator("label")
    @classmethod
    def lookup(cls, value: str) -> str:
        return {"spam": "spam"}[value]  # KeyError for anything else: pydantic does not wrap it


@pytest.fixture
def sip(ip: Any, fake: FakeAnthropic) -> Any:
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    return ip


def test_a_5000_level_schema_dict_is_one_line_and_sends_nothing(
    sip: Any, fake: FakeAnthropic
) -> None:
    with pytest.raises(SchemaError, match="nests more than"):
        schema_for(deep_schema(5000))
    sip.user_ns["deep"] = deep_schema(5000)
    result = sip.run_cell("%claude --schema deep --no-history label this")
    assert isinstance(result.error_in_exec, UsageError)
    assert "\n" not in str(result.error_in_exec) and "nests more than" in str(result.error_in_exec)
    assert fake.messages_requests() == []
    shared: dict[str, Any] = {"type": "string"}
    wide = {"type": "object", "properties": {f"p{i}": shared for i in range(50)}}
    assert schema_for(wide).kind == "json_schema"  # a shared sub-dict is not a cycle


def test_a_schema_dict_holding_itself_is_one_line() -> None:
    loop: dict[str, Any] = {"type": "object", "properties": {}}
    loop["properties"]["me"] = loop
    with pytest.raises(SchemaError):
        schema_for(loop)


def test_a_validator_raising_keyerror_keeps_the_answer_text(
    sip: Any, fake: FakeAnthropic, capsys: Any
) -> None:
    with pytest.raises(SchemaValidationError, match="raised KeyError"):
        parse_answer(schema_for(Picky), '{"label": "ham"}')
    sip.user_ns["Picky"] = Picky
    fake.enqueue(Reply(json={"label": "ham"}))
    run_cell(sip, "%claude --schema Picky --no-history -o got label this")  # no traceback
    result = sip.user_ns["_claude"]
    assert result.text == '{"label": "ham"}' and result.data is None
    assert sip.user_ns["got"] == result.text
    assert "raised KeyError" in capsys.readouterr().out


def test_a_validator_raising_keyerror_in_map_is_one_item_error(
    sip: Any, fake: FakeAnthropic
) -> None:
    sip.user_ns["Picky"] = Picky
    sip.user_ns["items"] = ["a", "b"]
    fake.enqueue(Reply(json={"label": "ham"}))
    fake.enqueue(Reply(json={"label": "spam"}))
    run_cell(sip, "%%claude --map items --schema Picky -o out\n{item}")
    out = sip.user_ns["out"]
    assert len(out) == 2
    assert any(getattr(v, "label", None) == "spam" for v in out)
