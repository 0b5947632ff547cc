"""Rendering plain Python values as bounded prompt text."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuroryuu_magic.context import (
    render_attachment,
    render_value,
    truncate,
)

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=30)
        | st.dictionaries(st.text(max_size=20), children, max_size=30)
        | st.tuples(children, children)
        | st.frozensets(st.integers(), max_size=30)
    ),
    max_leaves=200,
)


def test_short_string_renders_verbatim() -> None:
    text = "line one\n{braces} and \\backslashes\\ stay"
    assert render_value(text) == text


def test_long_string_truncated_with_visible_marker() -> None:
    text = "x" * 20_000
    out = render_value(text, max_chars=1000)
    assert len(out) <= 1000
    assert out.startswith("x" * 900)
    assert out.endswith("more characters]")
    assert "truncated 19," in out


@given(st.text(max_size=3000), st.integers(min_value=0, max_value=2000))
def test_truncate_never_exceeds_bound_and_keeps_prefix(text: str, limit: int) -> None:
    out = truncate(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        head = out.split("… [truncated", 1)[0]
        assert text.startswith(head)


@settings(max_examples=60)
@given(json_like, st.integers(min_value=50, max_value=5000))
def test_nested_values_stay_within_bound(value: object, limit: int) -> None:
    out = render_value(value, max_chars=limit)
    assert isinstance(out, str)
    assert len(out) <= limit


def test_long_list_marks_left_out_items() -> None:
    out = render_value(list(range(10_000)))
    assert out.startswith("[0, 1, 2")
    assert "more items]" in out
    assert len(out) <= 4000


def test_nested_dict_depth_and_long_strings_are_cut() -> None:
    deep: dict = {"leaf": "y" * 5000}
    for i in range(10):
        deep = {f"level{i}": deep}
    out = render_value({"deep": deep, "s": "z" * 5000})
    assert "<dict of 1 items>" in out
    assert "… [+4,800 chars]" in out
    assert len(out) <= 4000


def test_cycles_do_not_recurse_forever() -> None:
    a: list = [1]
    a.append(a)
    assert render_value(a) == "[1, <cycle>]"


def test_one_tuple_keeps_its_comma() -> None:
    assert render_value((1,)) == "(1,)"


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("boom")


class HugeRepr:
    def __repr__(self) -> str:
        return "H" * 1_000_000


def test_repr_that_raises_gives_placeholder() -> None:
    out = render_value(BadRepr())
    assert "BadRepr" in out
    assert "repr() raised RuntimeError" in out
    assert render_value([BadRepr()]).startswith("[<")


def test_enormous_repr_is_bounded() -> None:
    out = render_value(HugeRepr(), max_chars=500)
    assert len(out) <= 500
    assert out.startswith("HHHH")
    assert "truncated" in out
    assert len(render_value([HugeRepr()] * 100, max_chars=3000)) <= 3000


def test_bytes_show_length_and_a_prefix() -> None:
    out = render_value(b"\x00\x01" * 10_000)
    assert out.startswith("<bytes: 20,000 bytes> b'\\x00\\x01")
    assert len(out) < 1000


def test_schema_only_sends_no_values() -> None:
    secret = "canary-value-123"
    assert secret not in render_value(secret, schema_only=True)
    out = render_value({"name": secret, "n": 3}, schema_only=True)
    assert secret not in out
    assert "'name': str" in out
    assert "2 keys" in out
    out = render_value([secret, 1], schema_only=True)
    assert secret not in out
    assert "int, str" in out
    assert secret not in render_value(BadRepr(), schema_only=True)


def test_attachment_is_labelled_and_bounded() -> None:
    out = render_attachment("df", {"a": 1}, max_chars=200, schema_only=False)
    assert out.startswith('<variable name="df" type="dict">\n')
    assert out.endswith("\n</variable>")
    assert "{'a': 1}" in out
    long = render_attachment("s", "q" * 10_000, max_chars=300, schema_only=False)
    assert len(long) <= 300
    assert long.endswith("</variable>")


def test_attachment_name_is_escaped() -> None:
    out = render_attachment('a"><x', 1, max_chars=200, schema_only=False)
    assert '"><x' not in out
    assert "&quot;&gt;&lt;x" in out


@pytest.mark.parametrize("obj", [object(), 3.5, None, range(10**9), ValueError("x")])
def test_everything_else_is_a_bounded_repr(obj: object) -> None:
    assert render_value(obj, max_chars=100) == repr(obj)[:100]


def test_rendering_never_imports_optional_libraries() -> None:
    code = (
        "import sys\n"
        "from kuroryuu_magic.context import render_value, render_attachment\n"
        "from kuroryuu_magic.context import images, errors\nfrom kuroryuu_magic.ask import codeblocks\n"
        "render_value({'a': [1, 2.5, b'x', object()]}); render_attachment('x', 1,"
        " max_chars=100, schema_only=False)\n"
        "bad = [m for m in ('pandas', 'numpy', 'polars', 'matplotlib', 'PIL', 'anthropic')"
        " if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_keys_in_rendered_values_are_masked() -> None:
    key = "sk-ant-api03-" + "Q" * 40 + "wxyz"
    for value in (f"my key is {key}", {"ANTHROPIC_API_KEY": key}, [key]):
        out = render_value(value)
        assert key not in out
        assert "sk-ant-…wxyz" in out


@given(st.integers(min_value=0, max_value=120))
def test_attachment_never_exceeds_its_bound(limit: int) -> None:
    assert len(render_attachment("name", "v" * 500, max_chars=limit, schema_only=False)) <= limit
