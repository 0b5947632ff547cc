"""Nothing Claude writes makes the front end fetch a remote URL (``remote_images = "off"``).

An image in an answer (``![x](https://host/a.png?d=<data from the frame>)``)
is fetched by the browser as soon as the output is shown, and again whenever
the saved notebook is opened: a channel out for whatever the model was made to
put into the URL.  So the Markdown that is *published* (``_claude.text`` keeps
the answer as written) has:

- Markdown images, inline or reference-style, with a remote URL turned into a
  plain link that names the host: ``[image: x (host)](https://host/a.png)``;
- raw HTML that would fetch (``<img>``, ``<picture>``/``srcset``, ``<video>``,
  ``<iframe>``, ``<link>``, ``<style>``, any tag with a CSS ``url(...)``, …)
  shown as literal text.

``data:`` images (inline bytes, no request) are kept, and so are relative
URLs (the Jupyter server itself).  Code blocks and spans are never touched.
The rewrite happens on the published output, so the saved notebook carries no
fetch either.  ``remote_images = "on"`` publishes the answer unchanged.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from .mathguard import split_code

MODES = ("off", "on")

# Elements that load something by themselves (or change where URLs point).
_FETCHING = frozenset(
    [
        "img",
        "picture",
        "source",
        "video",
        "audio",
        "iframe",
        "frame",
        "frameset",
        "link",
        "object",
        "embed",
        "image",
        "svg",
        "use",
        "feimage",
        "style",
        "input",
        "track",
        "meta",
        "base",
        "script",
        "applet",
        "portal",
        "body",
        "table",
        "td",
        "th",
    ]
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(
    r"""(?:^|\s)(src|srcset|poster|background|data|href|xlink:href|style|action|formaction)"""
    r"""\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""",
    re.I,
)
_CSS_URL = re.compile(r"url\s*\(|image-set\s*\(|@import", re.I)
_LABEL = r"\[((?:[^\[\]\\]|\\.)*)\]"
_INLINE = re.compile(
    r"!" + _LABEL + r"\(\s*<?([^)\s>]*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REFERENCE = re.compile(r"!" + _LABEL + r"(?:\[((?:[^\[\]\\]|\\.)*)\])?(?![(\[:])")
_DEFINITION = re.compile(r"^ {0,3}\[((?:[^\[\]\\]|\\.)+)\]:\s*<?(\S+?)>?(?=\s|$)", re.M)


def is_remote(url: str) -> bool:
    """A URL the browser would fetch from elsewhere: any scheme but ``data:``, or ``//host``."""
    url = html.unescape(url).strip().strip("\"'")
    url = re.sub(r"[\x00-\x20]", "", url)  # browsers drop these inside a scheme
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        return True
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return scheme is not None and scheme.group(1).lower() != "data"


def _host(url: str) -> str:
    try:
        host = urlsplit(html.unescape(url).strip()).hostname
    except ValueError:
        host = None
    return host or "a remote address"


def _as_link(alt: str, url: str) -> str:
    label = alt.strip() or "image"
    return f"[image: {label} (not loaded from {_host(url)})](<{url.replace('>', '%3E')}>)"


def guard_remote(markdown: str, mode: str = "off") -> str:
    """The Markdown to publish: remote images as links, fetching HTML as text (see above)."""
    if mode == "on" or not any(c in markdown for c in "!<"):
        return markdown
    prose = "".join(chunk for is_code, chunk in split_code(markdown) if not is_code)
    definitions = {
        _normal(label): url for label, url in _DEFINITION.findall(prose) if is_remote(url)
    }
    return "".join(
        chunk if is_code else _guard_prose(chunk, definitions)
        for is_code, chunk in split_code(markdown)
    )


def _normal(label: str) -> str:
    return " ".join(label.lower().split())


def _guard_prose(text: str, definitions: dict[str, str]) -> str:
    def inline(m: re.Match[str]) -> str:
        alt, url = m.group(1), m.group(2)
        return _as_link(alt, url) if is_remote(url) else m.group(0)

    def reference(m: re.Match[str]) -> str:
        alt, ref = m.group(1), m.group(2)
        url = definitions.get(_normal(ref or alt))
        return _as_link(alt, url) if url else m.group(0)

    text = _INLINE.sub(inline, text)
    text = _REFERENCE.sub(reference, text)
    return _TAG.sub(_guard_tag, text)


def _guard_tag(m: re.Match[str]) -> str:
    name, attrs = m.group(2).lower(), m.group(3)
    values = [
        v
        for key, v in _ATTR.findall(attrs)
        if key.lower() != "style" and (key.lower() != "href" or name != "a")
    ]
    fetches = _CSS_URL.search(attrs) is not None or any(
        is_remote(u) for v in values for u in _urls(v)
    )
    if name in _FETCHING and name != "style" and not fetches and not m.group(1):
        fetches = bool(name in ("link", "base", "meta", "script", "iframe", "frame", "object"))
    if name == "style" or fetches:
        return "&lt;" + m.group(0)[1:]
    return m.group(0)


def _urls(value: str) -> list[str]:
    """The URLs in an attribute value (a ``srcset`` lists several, each with a size)."""
    value = html.unescape(value.strip("\"'"))
    return [part.strip().split(" ")[0] for part in value.split(",") if part.strip()] or [value]
