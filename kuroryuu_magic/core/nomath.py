"""Text the product writes itself, published so that no math typesetter reads it.

JupyterLab 4 and Notebook 7 run MathJax 3 over every Markdown and HTML output
*after* the Markdown renderer has turned ``\\$`` back into ``$``, so an escape
alone still lets ``~$0.0021 · ~$0.0035`` become math there.  MathJax 3 skips
any element with the class ``mathjax_ignore`` (``tex2jax_ignore`` is the
MathJax 2 name, for older front ends), and the ``\\$`` escape keeps KaTeX-based
renderers (VS Code) and plain Markdown viewers literal as well.  Both front
ends were checked in Chromium (``tests/browser/test_rendering.py``).
"""

from __future__ import annotations

import html
import re

IGNORE_CLASS = "mathjax_ignore tex2jax_ignore"

# One literal dollar inside Markdown that may also hold real math (Claude's
# answers): the entity hides it from the Markdown-level math scan, the class
# from MathJax's scan of the page.
LITERAL_DOLLAR = f'<span class="{IGNORE_CLASS}">&#36;</span>'


def escape_dollars(markdown: str) -> str:
    """``$`` → ``\\$``: literal for Markdown renderers that read math from the source."""
    return markdown.replace("$", "\\$")


def literal_block(markdown: str) -> str:
    """Markdown (bold, tables, lists) in which no ``$`` is ever math."""
    return f'<div class="{IGNORE_CLASS}">\n\n{escape_dollars(markdown)}\n\n</div>'


# `code` in the product's own messages: Markdown inside an HTML element is not rendered, and
# plain text has no code style, so either way the backticks would show literally.
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def plain(text: str) -> str:
    """The product's text for a ``text/plain`` output or a terminal: `code` without backticks."""
    return _CODE_SPAN.sub(r"\1", text)


def _code_spans(escaped: str) -> str:
    return _CODE_SPAN.sub(r"<code>\1</code>", escaped)


def literal_inline(text: str, tag: str = "span") -> str:
    """Plain ``text`` as one inline element (``<sub>`` for footers), HTML-escaped, no math;
    `code` spans become ``<code>`` (not literal backticks)."""
    body = _code_spans(escape_dollars(html.escape(text, quote=False)))
    return f'<{tag} class="{IGNORE_CLASS}">{body}</{tag}>'


def literal_html(text: str, tag: str = "span") -> str:
    """The same for an HTML output: there no ``\\$`` escape is read, the class alone does it."""
    return f'<{tag} class="{IGNORE_CLASS}">{_code_spans(html.escape(text, quote=False))}</{tag}>'
