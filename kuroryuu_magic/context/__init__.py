"""Kernel objects, images, errors and code as prompt context.

- :func:`render_value` — how ``{name}`` renders inside a prompt;
- :func:`render_attachment` — a labelled block for ``--vars a,b``;
- :mod:`.images` — image content blocks for ``--image`` / ``--plot``;
- :mod:`.errors` — the last exception as a prompt for ``%claude fix``;
- :mod:`.codeblocks` — code out of a Markdown answer;
- :func:`copy_button_html` — code with a copy button where ``set_next_input`` is ignored.

Nothing here imports pandas, polars, numpy, matplotlib or Pillow to check a type.
"""

from __future__ import annotations

from .copybutton import copy_button_html
from .render import render_attachment, render_attachments, render_value, truncate

__all__ = [
    "copy_button_html",
    "render_attachment",
    "render_attachments",
    "render_value",
    "truncate",
]
