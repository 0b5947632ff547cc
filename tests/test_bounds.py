"""Bounds on work driven by foreign input (security.md 24): body bytes, JSON depth."""

from __future__ import annotations

import pytest

from kuroryuu_magic.core.bounds import (
    BodyTooLargeError,
    JSONTooDeepError,
    json_depth,
    loads_bounded,
    read_capped,
)


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth('{"a": "[[[[{{{{", "b": [1, [2]]}') == 3
    assert json_depth(r'["\"[[[["]') == 1
    assert json_depth("no brackets") == 0


def test_json_depth_stops_counting_past_the_limit() -> None:
    assert json_depth("[" * 10_000, limit=5) == 6


@pytest.mark.parametrize("depth", [101, 1_000, 1_000_000])
def test_loads_bounded_refuses_deep_json_with_a_value_error(depth: int) -> None:
    with pytest.raises(JSONTooDeepError):
        loads_bounded("[" * depth + "]" * depth)


def test_loads_bounded_reads_ordinary_json_and_bytes() -> None:
    assert loads_bounded(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    assert loads_bounded("[" * 100 + "]" * 100) is not None
    with pytest.raises(ValueError):
        loads_bounded(b"\xff")


def test_read_capped_stops_at_the_limit_and_checks_the_declared_length() -> None:
    pulled: list[int] = []

    def chunks():
        for i in range(1_000):
            pulled.append(i)
            yield b"x" * 10

    with pytest.raises(BodyTooLargeError):
        read_capped(chunks(), 25)
    assert len(pulled) == 3
    with pytest.raises(BodyTooLargeError):
        read_capped([], 25, declared="26")
    assert read_capped([b"ab", b"c"], 3, declared="3") == b"abc"


# -- panel click workers (issue 11 item 10) ----------------------------------------------------


class _Button:
    disabled = False


def _worker_threads(prefix: str) -> list:
    import threading

    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


def _join_all(prefix: str, seconds: float = 5.0) -> None:
    """Give running workers (all together) a few seconds to end."""
    import time

    deadline = time.monotonic() + seconds
    for thread in _worker_threads(prefix):
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


def test_click_workers_end_when_idle_fifty_panels_leave_no_thread() -> None:
    import threading

    from kuroryuu_magic.core.widgets import ClickWorker

    shown: list[str] = []
    ran: list[str] = []
    workers = [
        ClickWorker("bounds-click", lambda text, level: shown.append(text), [_Button()], repr)
        for _ in range(50)
    ]
    for worker in workers:
        worker.run("Testing…", lambda: ran.append(threading.current_thread().name))
    for worker in workers:
        worker.wait(10)
    assert len(ran) == 50 and all(name.startswith("bounds-click") for name in ran)
    _join_all("bounds-click")  # each ends with its action
    assert _worker_threads("bounds-click") == []


def test_a_closed_panel_takes_no_more_clicks_and_its_running_action_ends() -> None:
    import threading

    from kuroryuu_magic.core.widgets import ClickWorker

    release = threading.Event()
    ran: list[int] = []
    button = _Button()
    worker = ClickWorker("bounds-close", lambda text, level: None, [button], repr)
    worker.run("Working…", lambda: (release.wait(10), ran.append(1)))
    assert button.disabled
    worker.close()
    release.set()
    worker.wait(10)
    worker.run("Again…", lambda: ran.append(2))  # refused: the panel is closed
    _join_all("bounds-close")
    assert ran == [1] and not button.disabled
    assert _worker_threads("bounds-close") == []


def test_a_model_listing_that_never_ends_is_read_for_ten_pages_at_most() -> None:
    import itertools

    import anthropic
    import httpx2

    from kuroryuu_magic.models import aliases

    pages = itertools.count()

    def handler(request: httpx2.Request) -> httpx2.Response:
        n = next(pages)
        data = [
            {
                "type": "model",
                "id": f"claude-x-{n}-{i}",
                "display_name": "x" * 100_000,
                "created_at": "2025-01-01T00:00:00Z",
            }
            for i in range(100)
        ]
        # "has_more" forever (the old code stops only because this test gives up at 50).
        return httpx2.Response(
            200,
            json={
                "data": data,
                "has_more": n < 50,
                "first_id": data[0]["id"],
                "last_id": data[-1]["id"],
            },
        )

    http = anthropic.DefaultHttpxClient(transport=httpx2.MockTransport(handler))
    client = anthropic.Anthropic(
        api_key="sk-ant-api03-test", base_url="http://127.0.0.1", http_client=http
    )
    aliases.forget_listing()
    try:
        rows = aliases.list_models(client)
    finally:
        aliases.forget_listing()
    assert len(rows) == aliases.MAX_MODELS
    assert max(len(r["display_name"]) for r in rows) <= aliases.MAX_FIELD
    assert next(pages) <= 11


def test_batch_results_are_bounded_per_line_not_in_total() -> None:
    import anthropic
    import httpx2

    from kuroryuu_magic.core.bounds import (
        MAX_RESULT_LINE_BYTES,
        BodyTooLargeError,
        capped_response_hooks,
    )

    line = b'{"custom_id": "text-0", "result": {"type": "expired"}}\n'
    pulled: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        def body():
            if request.url.path.endswith("/ok/results"):
                yield line * 400_000  # 22 MB in all, every line short: fine
                return
            for _ in range(100):  # one line that never ends
                pulled.append(1)
                yield b"x" * 2**20

        return httpx2.Response(200, content=body())

    hooks = capped_response_hooks()
    with anthropic.DefaultHttpxClient(
        transport=httpx2.MockTransport(handler), event_hooks=hooks
    ) as client:
        assert (
            len(client.get("http://127.0.0.1/v1/messages/batches/ok/results").content)
            == len(line) * 400_000
        )
        with pytest.raises(BodyTooLargeError, match="a result line"):
            client.get("http://127.0.0.1/v1/messages/batches/bad/results")
    # A line over the cap is skipped (its item becomes an error, see test_batch_line_cap.py)
    # but an endless one is not read past four times the cap.
    assert len(pulled) <= 4 * MAX_RESULT_LINE_BYTES // 2**20 + 1


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (r'["\\", [1]]', 2),  # an escaped backslash ends before the closing quote
        (r'["\"[[", [1]]', 2),  # an escaped quote does not end the string
        ('"' + '\\"' * 1_000 + "[", 0),  # all inside one unclosed string
        ("]]][[", 2),  # stray closers never go below zero
    ],
)
def test_json_depth_follows_strings_and_escapes(text: str, depth: int) -> None:
    assert json_depth(text) == depth
