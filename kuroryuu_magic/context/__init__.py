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

from .render import render_attachment, render_value
from .text import truncate

__all__ = ["render_attachment", "render_value", "truncate"]
