"""Bounds on work driven by foreign input (security.md 24): body bytes, JSON depth."""

from __future__ import annotations

import pytest

from kuroryuu_magic.core.bounds import (
    BodyTooLargeError,
    JSONTooDeepError,
    json_depth,
    loads_bounded,
    read_capped,
)


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth('{"a": "[[[[{{{{", "b": [1, [2]]}') == 3
    assert json_depth(r'["\"[[[["]') == 1
    assert json_depth("no brackets") == 0


def test_json_depth_stops_counting_past_the_limit() -> None:
    assert json_depth("[" * 10_000, limit=5) == 6


@pytest.mark.parametrize("depth", [101, 1_000, 1_000_000])
def test_loads_bounded_refuses_deep_json_with_a_value_error(depth: int) -> None:
    with pytest.raises(JSONTooDeepError):
        loads_bounded("[" * depth + "]" * depth)


def test_loads_bounded_reads_ordinary_json_and_bytes() -> None:
    assert loads_bounded(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    assert loads_bounded("[" * 100 + "]" * 100) is not None
    with pytest.raises(ValueError):
        loads_bounded(b"\xff")


def test_read_capped_stops_at_the_limit_and_checks_the_declared_length() -> None:
    pulled: list[int] = []

    def chunks():
        for i in range(1_000):
            pulled.append(i)
            yield b"x" * 10

    with pytest.raises(BodyTooLargeError):
        read_capped(chunks(), 25)
    assert len(pulled) == 3
    with pytest.raises(BodyTooLargeError):
        read_capped([], 25, declared="26")
    assert read_capped([b"ab", b"c"], 3, declared="3") == b"abc"
