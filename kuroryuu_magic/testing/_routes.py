"""Endpoint bodies of the fake API: messages, count_tokens, models, batches, OAuth."""

from __future__ import annotations

import json
import re
import time
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from . import _answer, _schema, _validate, tools
from ._batches import Answerer
from ._exchange import Exchange
from ._faults import Fault, Reply
from ._images import images_in
from ._oauth import OAuthError, callback_page
from ._wire import MODELS, PageError, error_body, input_tokens, model_info, new_id, paginate


def send_problem(h: Exchange, problem: _validate.Problem) -> None:
    status, error_type, message, *rest = problem
    h.send_error_envelope(status, error_type, message, details=rest[0] if rest else None)


def messages(h: Exchange, raw: object, fault: Fault | None) -> None:
    if raw is not None and not isinstance(raw, dict):
        h.send_error_envelope(400, "invalid_request_error", "Request body is not valid JSON")
        return
    thread: object = None
    threaded = False
    if isinstance(raw, dict) and "thread" in raw:
        thread = raw["thread"]
        raw, refusal = h.fake.threads.resolve(raw, h.record.headers)
        if refusal is not None:
            send_problem(h, refusal)
            return
        threaded = "thread" not in raw  # applied (its beta was sent), not refused later
    problem = _validate.check_messages_body(raw, headers=h.record.headers)
    if problem is not None:
        send_problem(h, problem)
        return
    body = cast("dict[str, Any]", raw)  # check_messages_body passed: a JSON object
    h.record.images = images_in(body)
    h.fake.record_tool_results(tools.received_results(_validate.conversation(body["messages"])))
    if fault is not None and fault.kind == "midstream_error" and not body.get("stream"):
        # A plain request cannot fail mid-stream; the nearest real thing is a 529.
        # The queued Reply is left for the retry.
        h.send_error_envelope(529, fault.error_type or "overloaded_error", fault.message)
        return
    reply = h.fake.take("/v1/messages", Reply)
    wrong = _off_schema(body, reply) or _off_tools(body, reply)
    if wrong:
        # A script bug, not an API behaviour: say so loudly instead of answering.
        h.fake.errors.append(wrong)
        h.send_error_envelope(500, "api_error", wrong)
        return
    p = _answer.plan(body, reply, h.fake, fault)
    betas = h.record.headers.get("anthropic-beta", "")
    p.beta = bool(betas)
    p.thinking_count = "thinking-token-count-2026-05-13" in betas
    if threaded:
        h.fake.threads.remember(body, thread, p.msg_id, _answer.content_blocks(p))
    if body.get("stream"):
        _answer.send_stream(h, p, fault)
    else:
        _answer.send_plain(h, p)


def _off_schema(body: dict[str, Any], reply: Reply | None) -> str | None:
    """Why a scripted answer breaks the request's output schema (unless it means to)."""
    wanted = _schema.output_schema(body)
    if wanted is None or reply is None or reply.text is None or reply.off_schema:
        return None
    try:
        value = json.loads(reply.text)
    except ValueError:
        problem: str | None = "the text is not JSON"
    else:
        problem = _schema.mismatch(value, wanted)
    if problem is None:
        return None
    return (
        f"fake: the scripted Reply does not match output_config.format ({problem}); "
        "pass off_schema=True to send it anyway"
    )


def _off_tools(body: dict[str, Any], reply: Reply | None) -> str | None:
    """Why a scripted answer's tool calls break the request's tools or tool_choice."""
    if reply is None or reply.off_tools:
        return None
    problem = tools.script_mistake(body, [c.name for c in reply.tool_calls])
    return (
        f"fake: the scripted Reply does not fit the request ({problem}); "
        "pass off_tools=True to send it anyway"
        if problem
        else None
    )


def count_tokens(h: Exchange, body: object) -> None:
    problem = _validate.check_messages_body(body, count_only=True, headers=h.record.headers)
    if problem is not None:
        send_problem(h, problem)
        return
    h.record.images = images_in(body)
    checked = cast("dict[str, Any]", body)  # check_messages_body passed: a JSON object
    h.send_json(200, {"input_tokens": input_tokens(checked)})


def models(h: Exchange, path: str) -> None:
    broken = h.fake.models_fault
    if broken:
        if isinstance(broken, Fault) and broken.kind == "status":
            h.send_fault_status(broken)
        else:
            h.send_error_envelope(500, "api_error", "Internal server error")
        return
    if path == "/v1/models":
        items = [i for i in (model_info(m.id) for m in MODELS) if i]
        # ModelListParams.lifecycle (SDK 2.14), sent as lifecycle[]=… (brackets arrays).
        query = parse_qsl(urlsplit(h.path).query)
        # "When omitted, the list contains the active and deprecated models; retired
        # models appear only when retired is requested explicitly."
        stages = {v for k, v in query if k in ("lifecycle[]", "lifecycle")}
        stages = stages or {"active", "deprecated"}
        items = [i for i in items if i["lifecycle"] in stages]
        try:
            h.send_json(200, paginate(items, h.query))
        except PageError as exc:
            h.send_error_envelope(400, "invalid_request_error", str(exc))
        return
    info = model_info(path.removeprefix("/v1/models/"))
    if info is None:
        h.send_error_envelope(404, "not_found_error", f"model: {path.rsplit('/', 1)[-1]}")
    else:
        h.send_json(200, info)


def _batch_answer(h: Exchange) -> Answerer:
    def answer_one(params: object) -> dict[str, Any]:
        problem = _validate.check_messages_body(params, headers=h.record.headers)
        if problem is not None:
            _status, error_type, message, *_ = problem
            return {"type": "errored", "error": error_body(error_type, message, new_id("req_"))}
        checked = cast("dict[str, Any]", params)  # check_messages_body passed: a JSON object
        plan = _answer.plan(
            checked, h.fake.take("/v1/messages/batches", Reply), h.fake, None, "batch"
        )
        return {"type": "succeeded", "message": _answer.as_message(plan)}

    return answer_one


def batches(h: Exchange, method: str, path: str, body: object, match: re.Match[str] | None) -> None:
    store = h.fake.batches
    if match is None:
        if method == "POST":
            status, result = store.create(body, _batch_answer(h), len(h.raw_body.encode()))
            if isinstance(result, str):
                h.send_error_envelope(status, None, result)
            else:
                h.send_json(status, result)
        elif method == "GET":
            try:
                h.send_json(200, store.listing(h.query))
            except PageError as exc:
                h.send_error_envelope(400, "invalid_request_error", str(exc))
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
    if action is None and method == "DELETE":
        # Batches reference: only a batch that has ended can be deleted; one in progress
        # must be cancelled first (400).  Answers the SDK's DeletedMessageBatch.
        status, message = store.delete(batch_id)
        if status == 200:
            h.send_json(200, {"id": batch_id, "type": "message_batch_deleted"})
        else:
            h.send_error_envelope(status, None, message)
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


def oauth(h: Exchange, path: str, body: object) -> None:
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
