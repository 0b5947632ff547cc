"""``$`` in Claude's answers (ask/mathguard.py) and in the product's own text (core/nomath.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuroryuu_magic.ask.mathguard import guard_math
from kuroryuu_magic.core.nomath import LITERAL_DOLLAR, literal_block, literal_html, literal_inline

L = LITERAL_DOLLAR


@pytest.mark.parametrize(
    ("answer", "published"),
    [
        ("from $5 to $10", f"from {L}5 to {L}10"),
        ("$1,200 or $.50", f"{L}1,200 or {L}.50"),
        ("math $x^2$ here", "math $x^2$ here"),
        ("$$a^2 + b^2$$", "$$a^2 + b^2$$"),
        ("$$\n\\int_0^1 x\\,dx\n$$", "$$\n\\int_0^1 x\\,dx\n$$"),
        ("costs $5 and $x$ too", f"costs {L}5 and $x$ too"),
        ("5$ and 6$", f"5{L} and 6{L}"),
        ("a $ b $ c", f"a {L} b {L} c"),  # space inside the delimiters: not TeX
        ("$x $", f"{L}x {L}"),
        ("$x$5", f"{L}x{L}5"),  # closing `$` followed by a digit: not TeX
        ("\\$5 and \\$6", f"{L}5 and {L}6"),  # Claude's own escape means a dollar
        ("| a | $5 |\n| b | $10.50 |", f"| a | {L}5 |\n| b | {L}10.50 |"),
        ("| $x | y$ |", f"| {L}x | y{L} |"),  # never a span from one cell into the next
        ("| $x$ | $y$ |", "| $x$ | $y$ |"),
        ("$x\ny$", f"{L}x\ny{L}"),  # inline math stays on one line
        ("lonely $", f"lonely {L}"),
        ("$$ $$", f"{L}{L} {L}{L}"),
    ],
)
def test_auto_keeps_tex_and_shows_currency(answer: str, published: str) -> None:
    assert guard_math(answer, "auto") == published


def test_code_is_never_touched() -> None:
    answer = "Use `df['$5']` and\n\n```python\nprice = '$5 to $10'\n```\n\nthen $3."
    assert guard_math(answer) == answer.replace("then $3.", f"then {L}3.")
    assert guard_math("``a ` $5``", "off") == "``a ` $5``"
    unclosed = "```\nx = '$5'\n"  # an answer cut off inside a fence
    assert guard_math(unclosed, "off") == unclosed
    assert guard_math("`$5 unclosed", "off") == f"`{L}5 unclosed"


def test_modes() -> None:
    answer = "from $5 and $x^2$"
    assert guard_math(answer, "on") == answer
    assert guard_math(answer, "off") == f"from {L}5 and {L}x^2{L}"
    assert guard_math(answer, "auto") == f"from {L}5 and $x^2$"


def test_product_text_helpers_hide_dollars() -> None:
    md = literal_block("| total | ~$0.0021 |")
    assert md.startswith('<div class="mathjax_ignore tex2jax_ignore">') and "~\\$0.0021" in md
    sub = literal_inline("saved ~$0.0020 <b>", "sub")
    assert sub == '<sub class="mathjax_ignore tex2jax_ignore">saved ~\\$0.0020 &lt;b&gt;</sub>'
    assert "$0.0020" in literal_html("~$0.0020") and "\\$" not in literal_html("~$0.0020")


_prose = st.text(alphabet="ab x2$|`\n.\\*", max_size=60)


def _outside_code(published: str) -> str:
    return re.sub(r"`+[^`]*`+", "", published)


@given(_prose, st.sampled_from(["auto", "on", "off"]))
def test_guard_is_idempotent_and_loses_nothing(text: str, mode: str) -> None:
    published = guard_math(text, mode)
    assert guard_math(published, mode) == published
    # Only `$` is rewritten (and Claude's `\$` escape): put the dollars back, get the answer.
    assert published.replace(L, "$") == re.sub(r"\\\$", "$", text) or "\\" in text


@given(st.text(alphabet="ab x2$|.\n", max_size=60))
def test_off_leaves_no_dollar_and_auto_no_currency(text: str) -> None:
    assert "$" not in guard_math(text, "off")
    auto = guard_math(text, "auto")
    assert not re.search(r"\$[.,]?\d", auto)  # `$5` would open math in the front end
    # Every `$` left raw pairs up on its own line: nothing for MathJax to join wrongly.
    for line in auto.split("\n"):
        assert line.replace("$$", "").count("$") % 2 == 0 or "$$" in auto
