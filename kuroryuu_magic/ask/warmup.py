"""Warm the first ``%%claude`` cell up in the background after ``%load_ext``.

Without it the first cell pays for importing the ``anthropic`` SDK (about a
second), the SDK's first parse of a stream (pydantic builds its validators on
first use), building the client and listing the models to resolve the
default alias; later cells pay none of that.  :func:`start` does the same
work on a daemon thread: it is called when the cell that ran ``%load_ext`` has finished
(``load_ext`` itself stays cheap and never waits), and the magic calls
:func:`wait` before it does anything, so a cell run during the warm-up waits
for it instead of importing a second time.

Rules: no request without a credential (the alias is resolved only when one
exists), nothing printed, every failure swallowed (the cell will meet it again
and report it properly).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_thread: threading.Thread | None = None
_lock = threading.Lock()


def start(settings: Callable[[], dict[str, Any]]) -> None:
    """Warm up once on a daemon thread; ``settings()`` gives model, timeout and max_retries."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        _thread = threading.Thread(
            target=_run, args=(settings,), name="kuroryuu-warm-up", daemon=True
        )
        _thread.start()


def wait(timeout: float | None = 30.0) -> None:
    """Block until a warm-up under way has finished (no-op when none was started)."""
    thread = _thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)


def busy() -> bool:
    """Whether a warm-up is still running (it may outlive :func:`wait`'s timeout)."""
    thread = _thread
    return thread is not None and thread.is_alive()


def started() -> bool:
    return _thread is not None


def reset() -> None:
    """Forget the warm-up (``%unload_ext``): a later load may warm up again."""
    global _thread
    wait()
    with _lock:
        _thread = None


# One short answer as the Messages API streams it, for the SDK to parse once offline.
_EVENTS: list[dict[str, Any]] = [
    {
        "type": "message_start",
        "message": {
            "id": "msg_warm_up",
            "type": "message",
            "role": "assistant",
            "model": "warm-up",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    },
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}},
    {"type": "content_block_stop", "index": 0},
    {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": 1},
    },
    {"type": "message_stop"},
]


def _exercise_stream() -> None:
    """Stream one canned answer through the SDK, in memory: no request leaves the process.

    The SDK's pydantic models build their validators on first use, which costs
    the first streamed answer a few hundred milliseconds more than later ones.
    """
    import json
    import sys

    import anthropic  # the expensive part: the SDK and its HTTP library

    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in _EVENTS).encode()
    # The SDK's HTTP library (httpx, or httpx2 in SDK 2.x) is the base of its default client.
    http = sys.modules[anthropic.DefaultHttpxClient.__mro__[1].__module__.split(".")[0]]

    def answer(request: object) -> object:
        return http.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    offline = anthropic.Anthropic(
        api_key="warm-up-offline",
        base_url="http://warm-up.invalid",
        max_retries=0,
        http_client=anthropic.DefaultHttpxClient(transport=http.MockTransport(answer)),
    )
    with offline.messages.stream(
        model="warm-up", max_tokens=1, messages=[{"role": "user", "content": "warm up"}]
    ) as stream:
        for _event in stream:
            pass
        stream.get_final_message()
    offline.close()


def _run(settings: Callable[[], dict[str, Any]]) -> None:
    try:
        _exercise_stream()

        from ..keys.chain import resolve_credential
        from ..models.aliases import resolve_model
        from . import run  # noqa: F401  - the prompt path's own modules
        from .client import get_client

        options = settings()
        if options.get("replay"):
            return  # replay mode sends nothing at all, a warm-up's model listing included
        if resolve_credential() is None:
            return  # never a request without a credential
        client = get_client(timeout=options["timeout"], max_retries=options["max_retries"])
        # The listing is cached for the cell.  A short leash: a cell waiting for the warm-up
        # must not wait out a slow network; if it fails, the cell lists again and reports.
        resolve_model(options["model"], client.with_options(timeout=5.0, max_retries=0))
    except Exception:  # the cell meets real problems again and reports them; a warm-up never does
        return
