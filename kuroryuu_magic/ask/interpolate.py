"""Put notebook values into a prompt: ``{name}``, ``{name.attr}``, ``{name[0]}``, ``{In[3]}``.

One pass over the text, never raising.  Only plain references are looked up —
names, attributes (no dunders) and literal subscripts — nothing is evaluated,
so ``{os.system('…')}``, f-strings, JSON and code keep their braces exactly as
written.  ``{{`` and ``}}`` are literal braces.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# One alternation so a single left-to-right scan handles escapes and fields.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{1,200})\}")
_REFERENCE = re.compile(
    r"""\s*(?P<head>[^\W\d]\w*)
        (?P<tail>(?:\.[^\W\d]\w*|\[\s*(?:-?\d+|'[^'\]]*'|"[^"\]]*")\s*\])*)\s*$""",
    re.VERBOSE,
)
_STEP = re.compile(r"""\.([^\W\d]\w*)|\[\s*(-?\d+|'[^'\]]*'|"[^"\]]*")\s*\]""")
_MISSING = object()

Renderer = Callable[[Any], str]


@dataclass
class Interpolation:
    """The text to send and what was substituted (shown by ``--dry-run``)."""

    text: str
    substituted: list[tuple[str, str, int]] = field(default_factory=list)  # (field, type, chars)


def _resolve(reference: str, namespace: Mapping[str, Any]) -> Any:
    match = _REFERENCE.match(reference)
    if match is None:
        return _MISSING
    value = namespace.get(match["head"], _MISSING)
    for step in _STEP.finditer(match["tail"]):
        if value is _MISSING:
            return _MISSING
        attr, index = step.groups()
        try:
            if attr is not None:
                if attr.startswith("__"):
                    return _MISSING
                value = getattr(value, attr)
            else:
                value = value[ast.literal_eval(index)]
        except Exception:  # a user object may raise anything from __getattr__/__getitem__
            return _MISSING
    return value


def _default_render(value: object) -> str:
    return value if isinstance(value, str) else repr(value)


def interpolate(
    template: str,
    namespace: Mapping[str, Any],
    render: Renderer = _default_render,
) -> Interpolation:
    """Replace every resolvable ``{reference}`` in ``template`` in one pass."""
    substituted: list[tuple[str, str, int]] = []

    def replace(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        value = _resolve(match.group(1), namespace)
        if value is _MISSING:
            return piece
        try:
            text = render(value)
        except Exception as exc:  # a broken __repr__ must not break the prompt
            text = f"<{type(value).__name__} could not be rendered: {type(exc).__name__}>"
        substituted.append((match.group(1).strip(), type(value).__name__, len(text)))
        return text

    return Interpolation(_TOKEN.sub(replace, template), substituted)
