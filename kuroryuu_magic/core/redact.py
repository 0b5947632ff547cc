"""The one redaction step for text that comes from outside the process.

API error messages and bodies, token-endpoint answers, batch results and
third-party exception messages can echo a credential (a 401 that says
``invalid x-api-key sk-ant-…``).  Before such text reaches an output, a
widget, an exception message or a log it passes :func:`redact`, which masks

* anything shaped like an Anthropic key or OAuth token (``sk-ant-api…``,
  ``sk-ant-oat…``, ``sk-ant-ort…``, ``sk-ant-admin…``);
* long token-looking values behind a label that says they are secret
  (``Bearer …``, ``access_token=…``, ``"refresh_token": "…"``, ``x-api-key: …``)
  and the password in a URL (``https://user:pw@host``);
* the exact secrets in use, whatever their shape: the active API key and the
  stored OAuth tokens are registered (:func:`register_secret`) where they are
  loaded or saved, and kept only in this process's memory.

Matches are found in the text as it is and, when it holds ``%`` or ``\\``
escapes, in its URL- and JSON-unescaped reading too, so ``sk%2Dant%2D…`` or
``\\u0073k-ant-…`` is caught and the escaped span is masked in place.

The work is linear and bounded: text longer than :data:`MAX_REDACT_CHARS` is cut
*before* it is scanned (the cut is marked), no pattern rescans a run of characters
from many start positions, and the escaped readings are mapped back to the text
only when they hold a match.  A Ctrl-C while masking is one quiet line.

Imports only :mod:`.mask` and :mod:`._interrupts`.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import itertools
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from ._interrupts import ClaudeInterrupted
from .mask import mask as _mask

__all__ = [
    "MAX_REDACT_CHARS",
    "Secret",
    "StreamRedactor",
    "forget_secret",
    "hides_secret_args",
    "redact",
    "redact_exception",
    "register_secret",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Far more than any message, error body or answer we show (a 128K-token answer is about
# 500,000 characters); a hostile 10 MB body is cut to this before anything scans it.
MAX_REDACT_CHARS = 1_000_000

# ``sk-ant-`` and at least six more key characters: the bare prefix in help texts
# (``keys start with sk-ant-``) and masked forms (``sk-ant-…wxyz``) are left alone.
_SHAPE = r"sk-ant-[A-Za-z0-9_\-]{6,}"
_LABELLED = (
    r"(?i)(\bbearer\s+|\b(?:x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|"
    r"id[_-]?token|auth[_-]?token|authorization|client[_-]?secret|code[_-]?verifier)"
    r"[\"']?\s*[:=]\s*[\"']?(?:bearer\s+)?)"
    r"([A-Za-z0-9._~+/\-]{16,}=*)"
)
# Anchored at ``://`` (a literal, so no start position rescans a long run of
# scheme-like characters: ``a-a-a-…`` made the old ``\b[a-z][a-z0-9+.-]*://``
# quadratic).  The user part stops at ``:``/``/`` and the password at ``/``, and
# every later ``://`` holds a ``/``, so each character is scanned at most once.
_URL_USERINFO = r"(://[^/\s:@]*:)[^/\s@]{4,}@"
_ESCAPE = r"%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\[\\/\"]"


@functools.cache
def _compiled() -> tuple[re.Pattern[str], ...]:
    # Compiled on first use, not at import: ``%load_ext`` stays fast.
    return tuple(re.compile(p) for p in (_SHAPE, _LABELLED, _URL_USERINFO, _ESCAPE))


# Shorter values are too likely to occur by chance in ordinary text.
_MIN_SECRET = 8
_MAX_REGISTERED = 64
_lock = threading.Lock()
_registered: dict[str, None] = {}  # insertion-ordered set; the oldest goes first


def register_secret(value: object) -> None:
    """Mask ``value`` wherever it occurs in redacted text, from now on (this process only)."""
    if isinstance(value, Secret):
        value = value.reveal()
    if not isinstance(value, str) or len(value) < _MIN_SECRET:
        return
    with _lock:
        _registered.pop(value, None)
        _registered[value] = None
        while len(_registered) > _MAX_REGISTERED:
            del _registered[next(iter(_registered))]


def forget_secret(value: object) -> None:
    """Stop tracking ``value`` (after a logout or forget); harmless when unknown."""
    if isinstance(value, Secret):
        value = value.reveal()
    if not isinstance(value, str):
        return  # only strings are ever registered
    with _lock:
        _registered.pop(value, None)


def _secrets() -> list[str]:
    with _lock:
        values = list(_registered)
    return sorted(values, key=len, reverse=True)  # a secret inside another: longest first


# Cheap tests first: most text (a DataFrame's repr, say) holds none of these words.
_LABEL_WORDS = ("bearer", "key", "token", "authorization", "secret", "verifier")


def _spans(text: str, secrets: Iterable[str]) -> list[tuple[int, int, str]]:
    """``(start, end, replacement)`` for every secret-looking span of ``text``."""
    found: list[tuple[int, int, str]] = []
    masked: dict[str, str] = {}  # hostile text repeats one value many times: mask it once

    def mask(value: str) -> str:
        if value not in masked:
            masked[value] = _mask(value)
        return masked[value]

    for secret in secrets:
        start = text.find(secret)
        while start != -1:
            found.append((start, start + len(secret), mask(secret)))
            start = text.find(secret, start + len(secret))
    shape, labelled, url_password, _ = _compiled()
    if "sk-ant-" in text:
        for m in shape.finditer(text):
            found.append((m.start(), m.end(), mask(m.group(0))))
    low = text.lower()
    if any(word in low for word in _LABEL_WORDS):
        for m in labelled.finditer(text):
            value = m.group(2)
            if any(c.isdigit() for c in value) or len(value) >= 32:  # a word is not a token
                found.append((m.start(2), m.end(2), mask(value)))
    if "://" in text and "@" in text:
        for m in url_password.finditer(text):
            found.append((m.end(1), m.end() - 1, "***"))
    return found


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans become one (the first, widened), so nothing is masked twice."""
    merged: list[tuple[int, int, str]] = []
    for start, end, repl in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, repl))
    return merged


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for start, end, repl in _merge(spans):
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)


class _Origin:
    """Where each character of a decoded reading came from in the text before it.

    Built from the escapes' positions alone (two list comprehensions and a running
    sum, no per-character work); mapping one index costs a binary search.
    """

    __slots__ = ("decoded", "original", "width")

    def __init__(self, text: str) -> None:
        spans = [m.span() for m in _compiled()[3].finditer(text)]
        self.original = [start for start, _ in spans]  # where each escape starts before
        self.width = [end - start for start, end in spans]  # ... and its length there
        # Each escape before shrinks to one character: where each escape lands decoded.
        shrink = itertools.accumulate((w - 1 for w in self.width), initial=0)
        # (``shrink`` has one total more than there are escapes: the last is not needed.)
        self.decoded = [
            start - before for start, before in zip(self.original, shrink, strict=False)
        ]

    def _escape_before(self, index: int) -> int:
        """The last escape at or before decoded ``index`` (-1: none)."""
        return bisect.bisect_right(self.decoded, index) - 1

    def start(self, index: int) -> int:
        k = self._escape_before(index)
        if k < 0:
            return index  # before the first escape: unchanged
        if self.decoded[k] == index:
            return self.original[k]  # the escape itself
        return self.original[k] + self.width[k] + index - self.decoded[k] - 1

    def end(self, index: int) -> int:
        """The exclusive end, before decoding, of decoded characters ``[…, index)``."""
        return self.start(index - 1) + (
            self.width[k]
            if (k := self._escape_before(index - 1)) >= 0 and self.decoded[k] == index - 1
            else 1
        )


def _decode_one(m: re.Match[str]) -> str:
    token = m.group(0)
    if token[0] == "%":
        return chr(int(token[1:], 16))
    if token[1] == "u":
        return chr(int(token[2:], 16))
    return token[1]


def redact(text: object, *, limit: int = MAX_REDACT_CHARS) -> str:
    """``text`` with every key, token and registered secret in it masked.

    Text longer than ``limit`` characters is cut first (and says so): the scan is
    linear in at most ``limit`` characters.  Never raises, except that Ctrl-C becomes
    a one-line :class:`ClaudeInterrupted`.
    """
    if not isinstance(text, str):
        try:
            text = str(text)
        except Exception:
            return "(unprintable)"
    cut = ""
    if len(text) > limit:
        cut = f" … [{len(text) - limit:,} more characters cut before redaction]"
        text = text[:limit]
    try:
        return _redact(text) + cut
    except KeyboardInterrupt:
        raise ClaudeInterrupted(
            "interrupted while masking secrets in a message; nothing unmasked was shown."
        ) from None


def _redact(text: str) -> str:
    secrets = _secrets()
    spans = _spans(text, secrets)
    escape = _compiled()[3]
    readings = [text]  # the text, then each decoded reading of the one before
    # Up to three rounds of unescaping: a JSON string inside a JSON body inside a URL.
    for _ in range(3):
        if not escape.search(readings[-1]):
            break
        readings.append(escape.sub(_decode_one, readings[-1]))
        found = _spans(readings[-1], secrets)
        if not found:
            continue
        # A match in a decoded reading masks the escaped span it came from: only now
        # are the readings mapped back, layer by layer (most hostile text never gets here).
        layers = [_Origin(reading) for reading in readings[:-1]]
        for start, end, repl in found:
            for layer in reversed(layers):
                start, end = layer.start(start), layer.end(end)
            spans.append((start, end, repl))
    return _apply(text, spans) if spans else text


class StreamRedactor:
    """Masks secrets in text that arrives in pieces (a streamed answer) and passes it on.

    Model text is hostile like server text: an answer may echo the key.  A piece is
    passed on up to its last whitespace (keys and tokens hold none, so a secret split
    across pieces is whole before any of it is shown) and redacted together with the
    last :data:`_CONTEXT` characters before it, so a label shown earlier (``x-api-key:``)
    still masks the value that follows.  Pieces go on once :data:`_BATCH` characters
    have gathered (a few words): fewer, larger steps keep the streaming path lean.  Text with no whitespace is held back up to
    :data:`_HOLD` characters.  Each piece costs work in its own size: the stream stays
    linear.  :meth:`flush` passes on what is held (the stream ended or stopped).
    """

    _CONTEXT = 96
    _BATCH = 64  # characters gathered before a piece is passed on
    _HOLD = 4096
    _KEEP = 512  # held back when too much arrived without whitespace: longer than any key

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._held: list[str] = []
        self._held_len = 0
        self._context = ""

    def feed(self, piece: str) -> None:
        self._held.append(piece)
        self._held_len += len(piece)
        if self._held_len < self._BATCH:
            return  # a few words at a time: a lean hot path, a lag nobody sees
        cut = max(piece.rfind(" "), piece.rfind("\n"), piece.rfind("\t"))
        if cut >= 0:
            held = "".join(self._held)
            self._pass_on(held, len(held) - len(piece) + cut + 1)
        elif self._held_len > self._HOLD:
            held = "".join(self._held)
            self._pass_on(held, len(held) - self._KEEP)

    def flush(self) -> None:
        held = "".join(self._held)
        if held:
            self._pass_on(held, len(held))

    def _pass_on(self, held: str, cut: int) -> None:
        ready, rest = held[:cut], held[cut:]
        self._held, self._held_len = ([rest], len(rest)) if rest else ([], 0)
        context = self._context
        masked_context, masked = redact(context), redact(context + ready)
        # Else a match reached back into text already shown: mask the new text alone.
        fits = masked.startswith(masked_context)
        out = masked[len(masked_context) :] if fits else redact(ready)
        self._context = (context + ready)[-self._CONTEXT :]
        if out:
            self._emit(out)


def _redact_value(value: object, depth: int = 0) -> object:
    if isinstance(value, str):
        return redact(value)
    if depth > 20:  # a hostile body nested deeper than any real one: drop it
        return None
    if isinstance(value, dict):
        return {redact(k): _redact_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(v, depth + 1) for v in value]
    return value


def redact_exception(exc: BaseException) -> BaseException:
    """Mask secrets in ``exc`` itself (args, ``message``, ``body``); returns ``exc``.

    For exceptions that are shown with their traceback (``short_errors`` off): the
    SDK's ``APIStatusError`` carries the server's error body in all three.
    """
    exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
    for name in ("message", "body"):
        if hasattr(exc, name):
            # An exception type with read-only attributes: its args still count.
            with contextlib.suppress(Exception):
                setattr(exc, name, _redact_value(getattr(exc, name)))
    return exc


def hides_secret_args(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Re-raise ``func``'s exceptions with a traceback that starts here.

    ``%xmode Verbose`` prints every frame's arguments and the variables of the
    failing line, so a traceback through a function that takes a key would print
    the key.  The wrapper drops the inner frames and the exception chain, and
    blanks its own arguments; the exception's type and message are kept.
    """

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except BaseException as exc:
            args = kwargs = None  # type: ignore[assignment]  # printed by Verbose tracebacks
            raise exc.with_traceback(None) from None

    return wrapper


class Secret:
    """A secret string that never shows itself: ``repr``/``str`` are masked.

    Hold a secret in one of these where a traceback could print it (``%xmode
    Verbose`` shows arguments and locals); call :meth:`reveal` at the point of use.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_mask(self._value)!r})"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:  # pickling would write the secret somewhere
        raise TypeError("a Secret cannot be pickled")
