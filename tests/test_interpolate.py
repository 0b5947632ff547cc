"""Interpolation: one pass, plain references only, never raises."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kuroryuu_magic.ask.interpolate import interpolate


class Exploding:
    @property
    def boom(self) -> Any:
        raise RuntimeError("no")

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __repr__(self) -> str:
        raise ValueError("repr broke")


NS: dict[str, Any] = {
    "x": [10, 20, 30],
    "d": {"a": 1, "b c": 2},
    "s": "text with {braces} and {x}",
    "In": ["", "df.head()"],
    "Out": {4: 42},
    "bad": Exploding(),
}


def fill(template: str) -> str:
    return interpolate(template, NS).text


def test_names_attributes_and_subscripts() -> None:
    assert fill("{x} {x[0]} {x[-1]} {d['a']} {d[\"b c\"]} {In[1]} {Out[4]}") == (
        "[10, 20, 30] 10 30 1 2 df.head() 42"
    )


def test_one_pass_values_are_not_rescanned() -> None:
    assert fill("{s}") == "text with {braces} and {x}"


def test_unresolvable_fields_stay_exactly_as_written() -> None:
    for text in (
        "{missing}",
        "{x[9]}",
        "{d['zz']}",
        "{x.__class__}",
        "{os.system('ls')}",
        "f'{x!r}'",
        '{"json": 1}',
        "def f(): return {}",
        "{ x }",
        "{bad.boom}",
        "{bad[0]}",
        "{1+1}",
    ):
        assert fill(text) == text.replace("{ x }", "[10, 20, 30]")


def test_double_braces_are_literal() -> None:
    assert fill("{{x}} {{ and }}") == "{x} { and }"


def test_a_broken_repr_is_reported_not_raised() -> None:
    assert "could not be rendered" in fill("{bad}")


def test_substitutions_are_reported_for_dry_run() -> None:
    result = interpolate("{x} and {d}", NS)
    assert [(name, kind) for name, kind, _ in result.substituted] == [("x", "list"), ("d", "dict")]


@given(st.text(max_size=300))
def test_any_template_interpolates_without_raising(template: str) -> None:
    out = interpolate(template, NS).text
    assert isinstance(out, str)
    if "{" not in template and "}" not in template:
        assert out == template


@given(st.text(max_size=100), st.sampled_from(["x", "d", "In", "s"]))
def test_known_names_inside_any_text_resolve(noise: str, name: str) -> None:
    clean = noise.replace("{", "").replace("}", "")
    out = interpolate(clean + "{" + name + "}" + clean, NS).text
    assert out == clean + (NS[name] if isinstance(NS[name], str) else repr(NS[name])) + clean
