"""Characters that make displayed text differ from the text itself, made visible.

What a person approves must be what runs, and a terminal must never act on
text that came from outside.  Five classes of characters break that:
control characters (a bare carriage return moves the cursor back over what
was written, backspace erases), ANSI/OSC escape sequences (which start with
the control ESC, or the C1 CSI/OSC bytes: cursor moves, clear screen, OSC 52
writes the clipboard), Unicode bidi controls (Trojan Source: they reorder
what is shown, not what runs), and zero-width or otherwise invisible
characters (code that differs from what is shown while looking the same).

:func:`visible` replaces each one with a visible token (``\\x1b``, ``\\r``,
``<U+202E>``) and counts them by class, so an approval can flag such code in
one line above it.  :func:`terminal_safe` is the weaker rule for answer text
written to a terminal: controls are escaped (so no sequence ever reaches the
terminal) while bidi and invisible characters, which a terminal does not act
on and real prose uses, stay.  Both are one pass over the text.
"""

from __future__ import annotations

import contextlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from .frontend import is_rich_frontend

# Bidi embedding/override/isolate controls and marks (Trojan Source, CVE-2021-42574).
BIDI = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])
# Invisible or zero-width characters that are not bidi controls: zero-width
# space/joiners, word joiner and invisible operators, BOM, soft hyphen,
# Hangul fillers (valid in identifiers yet blank), combining grapheme joiner,
# Mongolian vowel separator, variation selectors, tag characters (ASCII smuggling).
INVISIBLE = frozenset(
    [
        *range(0x200B, 0x200E),
        *range(0x2060, 0x2065),
        0xFEFF,
        0x00AD,
        0x034F,
        0x115F,
        0x1160,
        0x3164,
        0xFFA0,
        0x180E,
        0x2028,
        0x2029,
        *range(0xFE00, 0xFE10),
        *range(0xE0000, 0xE0080),
        *range(0xE0100, 0xE01F0),
    ]
)
CONTROL, ESCAPE, CARRIAGE, BIDI_CLASS, INVISIBLE_CLASS = (
    "control character",
    "escape sequence",
    "carriage return",
    "bidi control",
    "invisible character",
)

# Anything but printable ASCII, tab and newline is looked at; the pass below
# decides per character (code shown for approval is small and bounded).
_SUSPECT = re.compile("[^\t\n\x20-\x7e]")


def _token(ch: str) -> str:
    code = ord(ch)
    if ch == "\r":
        return "\\r"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def _kind(ch: str, nxt: str) -> str | None:
    """The class of ``ch`` (followed by ``nxt``), or None when it shows as what it is."""
    code = ord(ch)
    if ch == "\r":
        return None if nxt == "\n" else CARRIAGE  # CRLF is a line end and shows as one
    if ch == "\x1b" or code in (0x9B, 0x9D):  # ESC, or the 8-bit CSI / OSC
        return ESCAPE
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return CONTROL
    if code in BIDI:
        return BIDI_CLASS
    if code in INVISIBLE or unicodedata.category(ch) == "Cf":
        return INVISIBLE_CLASS
    return None


@dataclass
class Shown:
    """Text made visible, and how many characters of each class were replaced."""

    text: str
    found: dict[str, int] = field(default_factory=dict)

    @property
    def flag(self) -> str:
        """One line naming what was found ("" when nothing was)."""
        if not self.found:
            return ""
        kinds = ", ".join(f"{n} {kind}{'s' * (n != 1)}" for kind, n in sorted(self.found.items()))
        return (
            f"⚠ Hidden characters shown visibly ({kinds}): they could make code look "
            "different from what runs — read it as shown here."
        )


def visible(text: str) -> Shown:
    """``text`` with every control, escape, bidi and invisible character as a visible token."""
    found: dict[str, int] = {}

    def one(match: re.Match[str]) -> str:
        ch = match.group()
        at = match.end()
        kind = _kind(ch, text[at : at + 1])
        if kind is None:
            return ch
        found[kind] = found.get(kind, 0) + 1
        return _token(ch)

    return Shown(_SUSPECT.sub(one, text), found)


_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Text for a terminal: no control character (so no escape sequence) passes raw.

    Tab and newline stay; a carriage return stays only as part of CRLF.  Bidi
    and invisible characters stay too: terminals do not act on them and real
    prose (Arabic, Hebrew, emoji) uses them; approvals use :func:`visible`.
    """

    def one(match: re.Match[str]) -> str:
        ch = match.group()
        if ch == "\r" and text[match.end() : match.end() + 1] == "\n":
            return ch
        return _token(ch)

    return _TERMINAL.sub(one, text)


class TerminalStream:
    """A text stream that writes everything through :func:`terminal_safe`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text))

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, fileno, …
        return getattr(self._stream, name)


@contextlib.contextmanager
def terminal_guard(shell: object) -> Iterator[None]:
    """In terminal IPython, everything a magic writes to stdout/stderr passes :func:`terminal_safe`.

    One place for every terminal path: the streamed answer, tool steps, notices,
    ``-f code``, error lines and IPython's own text/plain display of a bundle all
    go through ``sys.stdout``/``sys.stderr`` while the magic runs.  Front ends
    (which render ANSI in streams only as colours) are left as they are.
    """
    if is_rich_frontend(shell):
        yield
        return
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalStream(out), TerminalStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
