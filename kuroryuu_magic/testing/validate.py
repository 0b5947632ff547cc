"""Request checks that mirror the real API, so client bugs surface against the fake."""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from ..models.facts import MODELS as FACTS
from .wire import MODEL_IDS

# (status, error type, message); None means the request passes.
Problem = tuple[int, str, str]

OAUTH_BETA = "oauth-2025-04-20"
OAUTH_ONLY_CLAUDE_CODE = (
    "This credential is only authorized for use with Claude Code and cannot be used for "
    "other API requests."
)
OAUTH_NOT_SUPPORTED = "OAuth authentication is currently not supported."
OAUTH_EXPIRED = "OAuth token has expired. Please obtain a new token or refresh your existing token."
OAUTH_ORG_NOT_ALLOWED = "OAuth authentication is currently not allowed for this organization."
OAUTH_SCOPE = "OAuth token does not meet scope requirement user:inference"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
EFFORTS = ("low", "medium", "high", "xhigh", "max")
# Top-level fields of MessageCreateParams in the SDK (2.14); the API rejects others.
KNOWN_FIELDS = frozenset(
    [
        "cache_control",
        "container",
        "diagnostics",
        "inference_geo",
        "max_tokens",
        "messages",
        "metadata",
        "model",
        "output_config",
        "service_tier",
        "speed",
        "stop_sequences",
        "stream",
        "system",
        "thinking",
        "tool_choice",
        "tools",
        "user_profile_id",
        "workspace_id",
    ]
)
COUNT_FIELDS = frozenset(
    [
        "cache_control",
        "messages",
        "model",
        "output_config",
        "speed",
        "system",
        "thinking",
        "tool_choice",
        "tools",
        "user_profile_id",
        "workspace_id",
    ]
)
# These families accept only adaptive thinking, not a manual budget.
ADAPTIVE_ONLY = frozenset(m.id for m in FACTS if not m.thinking_budget)


def check_auth(headers: dict[str, str], fake: Any) -> Problem | None:
    """Authenticate like the API: ``x-api-key`` or ``Authorization: Bearer``."""
    key = headers.get("x-api-key", "")
    auth = headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    if not key:
        return 401, "authentication_error", "x-api-key header is required"
    if key.startswith("sk-ant-oat"):
        return _check_oauth(key, headers, fake)
    if (
        key in fake.rejected_keys
        or key.startswith("sk-ant-api03-bad")
        or key.startswith("sk-ant-ort")
    ):
        return 401, "authentication_error", "invalid x-api-key"
    if "anthropic-version" not in headers:
        return 400, "invalid_request_error", "anthropic-version: header is required"
    return None


def _check_oauth(token: str, headers: dict[str, str], fake: Any) -> Problem:
    betas = {b.strip() for b in headers.get("anthropic-beta", "").split(",")}
    if OAUTH_BETA not in betas:
        return 401, "authentication_error", OAUTH_NOT_SUPPORTED
    expiry = fake.oauth.access_expiry.get(token)
    if token in fake.expired_tokens or (expiry is not None and expiry <= time.time()):
        return 401, "authentication_error", OAUTH_EXPIRED
    if fake.oauth_org_not_allowed:
        return 401, "authentication_error", OAUTH_ORG_NOT_ALLOWED
    if fake.oauth_scope_missing:
        return 403, "permission_error", OAUTH_SCOPE
    return 400, "invalid_request_error", OAUTH_ONLY_CLAUDE_CODE


def _bad(message: str) -> Problem:
    return 400, "invalid_request_error", message


def check_messages_body(body: Any, *, count_only: bool = False) -> Problem | None:
    """Validate a ``/v1/messages`` (or count_tokens) body."""
    if not isinstance(body, dict):
        return _bad("Request body must be a JSON object")
    extra = sorted(set(body) - (COUNT_FIELDS if count_only else KNOWN_FIELDS))
    if extra:
        return _bad(f"{extra[0]}: Extra inputs are not permitted")
    model = body.get("model")
    if not model or not isinstance(model, str):
        return _bad("model: Field required")
    if not count_only:
        max_tokens = body.get("max_tokens")
        if max_tokens is None:
            return _bad("max_tokens: Field required")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            return _bad("max_tokens: Input should be a valid positive integer")
    problem = _check_thinking(body, count_only) or _check_effort(body.get("output_config"))
    if problem:
        return problem
    problem = _check_system(body.get("system"))
    if problem:
        return problem
    problem = _check_message_list(body.get("messages"))
    if problem:
        return problem
    if model not in MODEL_IDS:
        return 404, "not_found_error", f"model: {model}"
    return None


def _check_thinking(body: dict[str, Any], count_only: bool) -> Problem | None:
    thinking = body.get("thinking")
    if thinking is None:
        return None
    if not isinstance(thinking, dict) or thinking.get("type") not in (
        "enabled",
        "disabled",
        "adaptive",
    ):
        return _bad("thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'")
    if thinking["type"] == "enabled" and body.get("model") in ADAPTIVE_ONLY:
        return _bad(
            "thinking.type.enabled is not supported for this model. "
            "Use thinking.type.adaptive instead."
        )
    if thinking["type"] == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            return _bad(
                "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
            )
        if not count_only and budget >= body.get("max_tokens", 0):
            return _bad("`max_tokens` must be greater than `thinking.budget_tokens`.")
    return None


def _check_effort(config: Any) -> Problem | None:
    if config is None:
        return None
    if not isinstance(config, dict):
        return _bad("output_config: Input should be an object")
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        return _bad(f"output_config.effort: Input should be one of {', '.join(EFFORTS)}")
    return None


def _check_system(system: Any) -> Problem | None:
    if system is None or isinstance(system, str):
        return None
    if not isinstance(system, list):
        return _bad("system: Input should be a valid string or list of text blocks")
    for i, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            return _bad(f"system.{i}: Input should be a text block")
        if not str(block.get("text", "")).strip():
            return _bad("system: text content blocks must be non-empty")
    return None


def _check_message_list(messages: Any) -> Problem | None:
    if messages is None:
        return _bad("messages: Field required")
    if not isinstance(messages, list) or not messages:
        return _bad("messages: at least one message is required")
    expected = "user"
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            return _bad(f"messages.{i}: Input should be an object")
        role = msg.get("role")
        if role not in ("user", "assistant"):
            return _bad(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if i == 0 and role != "user":
            return _bad('messages: first message must use the "user" role')
        if role != expected:
            return _bad('messages: roles must alternate between "user" and "assistant"')
        expected = "assistant" if role == "user" else "user"
        problem = _check_content(i, msg.get("content"))
        if problem:
            return problem
    last = messages[-1]
    if last["role"] == "assistant" and _ends_in_whitespace(last["content"]):
        return _bad("messages: final assistant content cannot end with trailing whitespace")
    return None


def _check_content(i: int, content: Any) -> Problem | None:
    if isinstance(content, str):
        return None if content else _bad(f"messages.{i}: all messages must have non-empty content")
    if not isinstance(content, list) or not content:
        return _bad(f"messages.{i}: all messages must have non-empty content")
    for j, block in enumerate(content):
        if not isinstance(block, dict) or "type" not in block:
            return _bad(f"messages.{i}.content.{j}: Input should be a content block")
        if block["type"] == "text" and not block.get("text"):
            return _bad(f"messages.{i}.content.{j}: text content blocks must be non-empty")
        if block["type"] == "image":
            problem = _check_image(f"messages.{i}.content.{j}", block.get("source"))
            if problem:
                return problem
    return None


def _check_image(where: str, source: Any) -> Problem | None:
    if not isinstance(source, dict) or source.get("type") != "base64":
        return _bad(f"{where}.source: only base64 image sources are supported by the fake")
    if source.get("media_type") not in IMAGE_TYPES:
        return _bad(f"{where}.source.media_type: Input should be one of {', '.join(IMAGE_TYPES)}")
    try:
        raw = base64.b64decode(str(source.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return _bad(f"{where}.source.data: invalid base64 data")
    if not raw:
        return _bad(f"{where}.source.data: image data is empty")
    return None


def _ends_in_whitespace(content: Any) -> bool:
    if isinstance(content, str):
        return content != content.rstrip()
    if isinstance(content, list) and content:
        tail = content[-1]
        if isinstance(tail, dict) and tail.get("type") == "text":
            text = str(tail.get("text", ""))
            return text != text.rstrip()
    return False


def images_in(body: Any) -> list[dict[str, Any]]:
    """Media type and decoded size of every image block in a messages body."""
    out: list[dict[str, Any]] = []
    if not isinstance(body, dict):
        return out
    for msg in body.get("messages") or []:
        content = msg.get("content") if isinstance(msg, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "image":
                source = block.get("source") or {}
                data = str(source.get("data", ""))
                out.append({"media_type": source.get("media_type"), "bytes": len(data) * 3 // 4})
    return out
