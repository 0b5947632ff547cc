"""Kernel objects as prompt content.

Owns how notebook values become text and content blocks for a prompt:

- :func:`render_value` — how ``{name}`` renders inside a prompt;
- :func:`render_attachment` — a labelled block for ``--vars a,b``;
- :mod:`._frames`, :mod:`._arrays`, :mod:`.stats` — DataFrame, Series and array summaries;
- :mod:`.images` and :mod:`.image_capture` — image blocks for ``--image`` / ``--plot``;
- :mod:`.errors` — the last exception as a prompt for ``%claude fix``.

May import ``core`` only. Nothing here imports pandas, polars, numpy,
matplotlib or Pillow to check a type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["render_attachment", "render_value", "truncate"]

if TYPE_CHECKING:
    from .render import render_attachment, render_value
    from .text import truncate
else:
    # `%load_ext` imports `image_capture` from this package to install its hook; the
    # renderers (and `html`) load with the first prompt that uses them, not then.
    def __getattr__(name: str) -> object:
        if name in ("render_attachment", "render_value"):
            from . import render

            return getattr(render, name)
        if name == "truncate":
            from .text import truncate

            return truncate
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
