"""Endpoint bodies of the fake API: messages, count_tokens, models, batches, OAuth."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from . import answer, validate
from .exchange import Exchange
from .faults import Fault, Reply
from .oauth import OAuthError, callback_page
from .wire import MODELS, error_body, input_tokens, model_info, new_id, paginate


def messages(h: Exchange, body: Any, fault: Fault | None) -> None:
    if body is not None and not isinstance(body, dict):
        h.send_error_envelope(400, "invalid_request_error", "Request body is not valid JSON")
        return
    problem = validate.check_messages_body(body)
    if problem is not None:
        h.send_error_envelope(*problem)
        return
    h.record.images = validate.images_in(body)
    if fault is not None and fault.kind == "midstream_error" and not body.get("stream"):
        # A plain request cannot fail mid-stream; the nearest real thing is a 529.
        # The queued Reply is left for the retry.
        h.send_error_envelope(529, fault.error_type or "overloaded_error", fault.message)
        return
    reply = h.fake.take("/v1/messages", Reply)
    p = answer.plan(body, reply, h.fake, fault)
    if body.get("stream"):
        answer.send_stream(h, p, fault)
    else:
        answer.send_plain(h, p)


def count_tokens(h: Exchange, body: Any) -> None:
    problem = validate.check_messages_body(body, count_only=True)
    if problem is not None:
        h.send_error_envelope(*problem)
        return
    h.record.images = validate.images_in(body)
    h.send_json(200, {"input_tokens": input_tokens(body)})


def models(h: Exchange, path: str) -> None:
    broken = h.fake.models_fault
    if broken:
        if isinstance(broken, Fault) and broken.kind == "status":
            h.send_fault_status(broken)
        else:
            h.send_error_envelope(500, "api_error", "Internal server error")
        return
    if path == "/v1/models":
        items = [model_info(m.id) for m in MODELS]
        h.send_json(200, paginate([i for i in items if i], h.query))
        return
    info = model_info(path.removeprefix("/v1/models/"))
    if info is None:
        h.send_error_envelope(404, "not_found_error", f"model: {path.rsplit('/', 1)[-1]}")
    else:
        h.send_json(200, info)


def _batch_answer(h: Exchange) -> Any:
    def answer_one(params: Any) -> dict[str, Any]:
        problem = validate.check_messages_body(params)
        if problem is not None:
            _status, error_type, message = problem
            return {"type": "errored", "error": error_body(error_type, message, new_id("req_"))}
        message = answer.as_message(answer.plan(params, None, h.fake, None))
        return {"type": "succeeded", "message": message}

    return answer_one


def batches(h: Exchange, method: str, path: str, body: Any, match: re.Match[str] | None) -> None:
    store = h.fake.batches
    if match is None:
        if method == "POST":
            status, result = store.create(body, _batch_answer(h))
            if isinstance(result, str):
                h.send_error_envelope(status, "invalid_request_error", result)
            else:
                h.send_json(status, result)
        elif method == "GET":
            h.send_json(200, store.listing(h.query))
        else:
            h.send_error_envelope(405, "invalid_request_error", f"{method} not allowed")
        return
    batch_id, action = match.group(1), match.group(2)
    if action == "/results" and method == "GET":
        status, text = store.results(batch_id)
        if status == 200:
            h.send_body(200, text.encode(), "application/binary")
        else:
            h.send_error_envelope(status, None, text)
        return
    if action == "/cancel" and method == "POST":
        batch = store.cancel(batch_id)
    elif action is None and method == "GET":
        batch = store.retrieve(batch_id, h.fake.base_url)
    else:
        h.send_error_envelope(404, "not_found_error", f"Not found: {method} {path}")
        return
    if batch is None:
        h.send_error_envelope(404, "not_found_error", f"batch {batch_id} not found")
    else:
        h.send_json(200, batch)


def oauth(h: Exchange, path: str, body: Any) -> None:
    fake = h.fake
    if path == "/oauth/authorize" and h.command == "GET":
        try:
            if fake.oauth_deny:
                fake.oauth.deny(h.path)
                page = callback_page(None, "access_denied: The user denied the request")
            else:
                page = callback_page(fake.oauth.authorize(h.query))
            h.send_body(200, page.encode(), "text/html; charset=utf-8")
        except OAuthError as exc:
            h.send_body(400, callback_page(None, str(exc)).encode(), "text/html; charset=utf-8")
        return
    if path == "/oauth/code/callback" and h.command == "GET":
        if "error" in h.query:
            page = callback_page(
                None, f"{h.query['error']}: {h.query.get('error_description', '')}"
            )
        else:
            page = callback_page(f"{h.query.get('code', '')}#{h.query.get('state', '')}")
        h.send_body(200, page.encode(), "text/html; charset=utf-8")
        return
    if path == "/v1/oauth/token" and h.command == "POST":
        if fake.token_delay:
            time.sleep(fake.token_delay)  # widens race windows for lock tests
        override = fake.token_response_override
        if override is not None:
            raw = override.body.encode() if isinstance(override.body, str) else override.body
            h.send_body(override.status, raw, override.content_type)
            return
        status, result = fake.oauth.token(h.record.headers.get("content-type", ""), h.raw_body)
        h.send_body(status, json.dumps(result).encode(), "application/json")
        return
    h.send_error_envelope(404, "not_found_error", f"Not found: {h.command} {path}")
