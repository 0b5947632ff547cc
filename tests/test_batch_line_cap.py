"""A batch result line over 16 MB (issue 19): that item becomes an error, the rest are kept."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx2

from kuroryuu_magic.ask.client import http_client
from kuroryuu_magic.core.bounds import MAX_RESULT_LINE_BYTES
from kuroryuu_magic.map import _batches
from kuroryuu_magic.map._results import ItemError

BATCH_ID = "msgbatch_0123456789abcdef"


def _message(text: str) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-6",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


def _line(custom_id: str, text: str) -> bytes:
    body = {"custom_id": custom_id, "result": {"type": "succeeded", "message": _message(text)}}
    return json.dumps(body).encode() + b"\n"


def _client(results: list[bytes]) -> anthropic.Anthropic:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/results"):
            return httpx2.Response(200, content=iter(results))
        batch = {
            "id": BATCH_ID,
            "type": "message_batch",
            "processing_status": "ended",
            "request_counts": {
                "processing": 0,
                "succeeded": 3,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-12-06T00:00:00Z",
            "expires_at": "2026-12-07T00:00:00Z",
            "ended_at": "2026-12-06T01:00:00Z",
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"https://api.example/v1/messages/batches/{BATCH_ID}/results",
        }
        return httpx2.Response(200, json=batch)

    client = http_client()
    client._transport = httpx2.MockTransport(handler)  # the product's capped client, offline
    return anthropic.Anthropic(
        api_key="sk-test", base_url="https://api.example", http_client=client
    )


def test_one_oversized_line_is_one_item_error_and_the_rest_are_kept() -> None:
    big = _line("text-1", "x" * (MAX_RESULT_LINE_BYTES + 1000))
    chunks = [_line("text-0", "first")]
    chunks += [big[i : i + 2**20] for i in range(0, len(big), 2**20)]  # arrives in 1 MB chunks
    chunks.append(_line("text-2", "third").rstrip(b"\n"))  # the last line without a break
    out = dict(_batches.results(_client(chunks), BATCH_ID))
    assert set(out) == {"text-0", "text-1", "text-2"}
    assert out["text-0"].content[0].text == "first" and out["text-2"].content[0].text == "third"
    error = out["text-1"]
    assert isinstance(error, ItemError) and "larger than" in str(error) and "\n" not in str(error)


def test_an_oversized_line_without_a_custom_id_leaves_only_that_item_out() -> None:
    nameless = (
        b'{"result": {"type": "succeeded"}, "pad": "'
        + b"y" * (MAX_RESULT_LINE_BYTES + 10)
        + b'"}\n'
    )
    out = dict(
        _batches.results(
            _client([_line("text-0", "first"), nameless, _line("text-2", "third")]), BATCH_ID
        )
    )
    assert set(out) == {"text-0", "text-2"}
