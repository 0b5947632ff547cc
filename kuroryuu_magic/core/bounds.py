"""Bounds on work driven by foreign input: bytes read from a body, JSON nesting depth.

A server (or a model's answer) decides how big and how deep what we read is;
these helpers decide how much of it we are willing to process, and fail with a
typed ``ValueError`` subclass instead of a ``MemoryError``/``RecursionError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # the SDK's HTTP library: imported when a client is built
    import httpx2

__all__ = [
    "MAX_API_BODY_BYTES",
    "MAX_API_ERROR_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_RESULT_LINE_BYTES",
    "MAX_TOKEN_BODY_BYTES",
    "BodyTooLargeError",
    "JSONTooDeepError",
    "capped_response_hooks",
    "json_depth",
    "loads_bounded",
    "read_capped",
]

# A token endpoint answers with a few hundred bytes; 1 MB is far above any honest answer.
MAX_TOKEN_BODY_BYTES = 1_000_000
# Deep enough for any data a person wants back; shallow enough that the json module
# and the pretty printer never get near Python's recursion limit.
MAX_JSON_DEPTH = 100

# What the depth scan stops at outside strings.
_SPECIAL = re.compile(r'[\[\]{}"]')


class BodyTooLargeError(ValueError):
    """A body was longer than the bytes we agreed to read."""


class JSONTooDeepError(ValueError):
    """JSON nested deeper than :data:`MAX_JSON_DEPTH`."""


def json_depth(text: str, limit: int | None = None) -> int:
    """Deepest bracket nesting of ``text`` outside strings; stops counting past ``limit``.

    Linear in the length of ``text`` (a regex over strings backtracks quadratically on
    a run of escaped quotes; see bench/bench_bounds.py).
    """
    depth = deepest = 0
    pos = 0
    while True:
        match = _SPECIAL.search(text, pos)
        if match is None:
            return deepest
        char, pos = match.group(), match.end()
        if char == '"':
            pos = _string_end(text, pos)
            if pos < 0:
                return deepest  # an unclosed string runs to the end
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    return deepest
        elif depth:
            depth -= 1


def _string_end(text: str, pos: int) -> int:
    """Just past the quote closing the string whose content starts at ``pos``; -1 if none."""
    while True:
        quote = text.find('"', pos)
        if quote < 0:
            return -1
        run = text[pos:quote]
        if (len(run) - len(run.rstrip("\\"))) % 2 == 0:  # an even run of backslashes
            return quote + 1
        pos = quote + 1


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that raises only ``ValueError`` (subclasses), never ``RecursionError``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError
    # Fewer openers than the limit can't nest past it: the scan is skipped (C-speed count).
    openers = text.count("[") + text.count("{")
    if openers > max_depth and json_depth(text, max_depth) > max_depth:
        raise JSONTooDeepError(f"the JSON is nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError:  # belt and braces: a lower recursion limit than ours
        raise JSONTooDeepError("the JSON is nested too deeply to read") from None


def read_capped(chunks: Iterable[bytes], limit: int, declared: str | None = None) -> bytes:
    """Join ``chunks`` but stop as soon as more than ``limit`` bytes arrive.

    ``declared`` is the ``Content-Length`` header, refused up front when over the limit.
    """
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLargeError(f"the body is larger than {limit:,} bytes")
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(f"the body is larger than {limit:,} bytes")
        parts.append(chunk)
    return b"".join(parts)


# -- bodies the SDK reads for us --------------------------------------------------------------

# An API error body is a few hundred bytes; an answer (even 128k tokens, streamed as
# events) is a few MB.  Batch results (JSONL, as long as the batch) are bounded per line:
# one result is one message, well under 16 MB.
MAX_API_ERROR_BYTES = 1_000_000
MAX_API_BODY_BYTES = 64 * 2**20
MAX_RESULT_LINE_BYTES = 16 * 2**20


class _Budget:
    """Counts a body's bytes (batch results, JSONL, are capped per line by :class:`_LineCap`)."""

    def __init__(self, limit: int, *, declared: str) -> None:
        self.limit = limit
        # Over the cap before a byte is read: refuse at the first chunk.
        over = declared.isdigit() and int(declared) > limit
        self.seen = limit + 1 if over else 0

    def take(self, chunk: bytes) -> bytes:
        self.seen += len(chunk)
        if self.seen > self.limit:
            raise BodyTooLargeError(
                f"the server sent a response body larger than {self.limit:,} bytes; "
                "stopped reading it"
            )
        return chunk


_CUSTOM_ID = re.compile(rb'^\s*\{\s*"custom_id"\s*:\s*"([A-Za-z0-9_-]{1,64})"')


class _LineCap:
    """Batch results (JSONL): a line over the cap becomes that item's error, not the batch's.

    Lines are passed on whole (the SDK's decoder buffers each line anyway).  A line that
    grows past ``limit`` is dropped as it arrives (never held) and replaced by an
    ``errored`` result for its ``custom_id``, read from the line's first bytes; without
    one the line is left out and the item is reported as having no result.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # A line is skipped up to this many bytes: past it the server is not sending
        # results but an endless line, and reading stops.
        self.skip_limit = 4 * limit
        self.skipped = 0
        self.line = bytearray()
        self.head = b""
        self.dropping = False

    def take(self, chunk: bytes) -> bytes:
        out: list[bytes] = []
        pos, size = 0, len(chunk)
        while pos < size:
            newline = chunk.find(b"\n", pos)
            end = size if newline < 0 else newline + 1
            piece, pos = chunk[pos:end], end
            if not self.dropping:
                if len(self.line) + len(piece.rstrip(b"\n")) > self.limit:
                    self.head = bytes(self.line[:256]) or piece[:256]
                    self.skipped = len(self.line)
                    self.line.clear()
                    self.dropping = True
                else:
                    self.line += piece
            if self.dropping:
                self.skipped += len(piece)
                if self.skipped > self.skip_limit:
                    raise BodyTooLargeError(
                        f"the server sent a result line larger than {self.skip_limit:,} "
                        "bytes; stopped reading it"
                    )
            if newline >= 0:
                out.append(self._end_line())
        return b"".join(out)

    def finish(self) -> bytes:
        """The last line when the body does not end with a line break."""
        return self._end_line() if self.line or self.dropping else b""

    def _end_line(self) -> bytes:
        if not self.dropping:
            line = bytes(self.line)
            self.line.clear()
            return line
        self.dropping = False
        found = _CUSTOM_ID.match(self.head)
        if found is None:
            return b""  # nothing to name it by: the item shows as having no result
        error = {
            "custom_id": found.group(1).decode(),
            "result": {
                "type": "errored",
                "error": {
                    "type": "error",
                    "error": {
                        "type": "api_error",
                        "message": f"this result was larger than {self.limit:,} bytes; "
                        "it was not read (the other results were kept)",
                    },
                },
            },
        }
        return json.dumps(error).encode() + b"\n"


def _budget_for(response: httpx2.Response) -> _Budget | _LineCap:
    declared = response.headers.get("content-length", "").strip()
    if response.status_code < 400 and response.request.url.path.endswith("/results"):
        return _LineCap(MAX_RESULT_LINE_BYTES)
    limit = MAX_API_ERROR_BYTES if response.status_code >= 400 else MAX_API_BODY_BYTES
    return _Budget(limit, declared=declared)


def capped_response_hooks(*, asynchronous: bool = False) -> dict[str, list[Callable[..., Any]]]:
    """``event_hooks`` for an SDK http client: every response body is read up to a cap.

    The hook runs before the body is read and swaps in a stream that raises
    :class:`BodyTooLargeError` once the cap is passed, or at the first chunk when
    ``Content-Length`` already says so, so a server can't make the kernel buffer
    hundreds of MB.  The hook itself never raises: the SDK would retry and then
    report a connection error; the stream raises when the SDK reads the body.
    """
    import httpx2

    class _Sync(httpx2.SyncByteStream):
        def __init__(self, inner: httpx2.SyncByteStream, budget: _Budget | _LineCap) -> None:
            self._inner, self._budget = inner, budget

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self._inner:
                if passed := self._budget.take(chunk):
                    yield passed
            if isinstance(self._budget, _LineCap) and (tail := self._budget.finish()):
                yield tail

        def close(self) -> None:
            self._inner.close()

    class _Async(httpx2.AsyncByteStream):
        def __init__(self, inner: httpx2.AsyncByteStream, budget: _Budget | _LineCap) -> None:
            self._inner, self._budget = inner, budget

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in self._inner:
                if passed := self._budget.take(chunk):
                    yield passed
            if isinstance(self._budget, _LineCap) and (tail := self._budget.finish()):
                yield tail

        async def aclose(self) -> None:
            await self._inner.aclose()

    if asynchronous:

        async def cap_async(response: httpx2.Response) -> None:
            # The async client's hook: its responses carry async streams.
            inner = cast("httpx2.AsyncByteStream", response.stream)
            response.stream = _Async(inner, _budget_for(response))

        return {"response": [cap_async]}

    def cap(response: httpx2.Response) -> None:
        # The sync client's hook: its responses carry sync streams.
        inner = cast("httpx2.SyncByteStream", response.stream)
        response.stream = _Sync(inner, _budget_for(response))

    return {"response": [cap]}
