"""Request checks that mirror the real API, so client bugs surface against the fake."""

from __future__ import annotations

import time
from typing import Any

from ..models.facts import BY_ID
from ..models.facts import MODELS as FACTS
from . import _cache, _images, _schema, _versions, tools
from ._exchange import Fake
from ._wire import MODEL_IDS, units

# (status, error type, message[, error.details]); None means the request passes.
Problem = tuple[int, str, str] | tuple[int, str, str, dict[str, Any]]

OAUTH_BETA = "oauth-2025-04-20"
OAUTH_ONLY_CLAUDE_CODE = (
    "This credential is only authorized for use with Claude Code and cannot be used for "
    "other API requests."
)
OAUTH_NOT_SUPPORTED = "OAuth authentication is currently not supported."
OAUTH_EXPIRED = "OAuth token has expired. Please obtain a new token or refresh your existing token."
OAUTH_ORG_NOT_ALLOWED = "OAuth authentication is currently not allowed for this organization."
OAUTH_SCOPE = "OAuth token does not meet scope requirement\n  {scope}"
# What the API answers OAuth tokens in other situations (anthropic-facts.md, "More
# OAuth answers"); ``fake.oauth_refusal = "<name>"`` scripts one.
OAUTH_REFUSALS: dict[str, tuple[int, str, str]] = {
    "revoked": (
        403,
        "permission_error",
        "OAuth token has been revoked. Please obtain a new token.",
    ),
    "invalid_token": (
        401,
        "authentication_error",
        "Invalid OAuth token. The provided token was not found or is malformed.",
    ),
    "invalid_bearer": (401, "authentication_error", "Invalid bearer token"),
    "not_supported": (401, "authentication_error", OAUTH_NOT_SUPPORTED),
    "not_allowed": (403, "forbidden", "Request not allowed"),
    "expired": (401, "authentication_error", OAUTH_EXPIRED),
    "org_not_allowed": (401, "authentication_error", OAUTH_ORG_NOT_ALLOWED),
    "scope": (403, "permission_error", OAUTH_SCOPE),
    "claude_code_only": (400, "invalid_request_error", OAUTH_ONLY_CLAUDE_CODE),
}
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
# (`thread`, a beta field, is applied and removed by threads.ThreadStore.resolve
# when the request carries its beta; otherwise it is refused as an extra input.)
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


def check_auth(headers: dict[str, str], fake: Fake) -> Problem | None:
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


def _refusal(name: str, fake: Fake) -> Problem:
    status, kind, message = OAUTH_REFUSALS[name]
    return status, kind, message.format(scope=fake.oauth_missing_scope or "user:inference")


def _check_oauth(token: str, headers: dict[str, str], fake: Fake) -> Problem:
    betas = {b.strip() for b in headers.get("anthropic-beta", "").split(",")}
    if fake.oauth_refusal:
        return _refusal(fake.oauth_refusal, fake)
    if OAUTH_BETA not in betas:
        return 401, "authentication_error", OAUTH_NOT_SUPPORTED
    expiry = fake.oauth.access_expiry.get(token)
    if token in fake.expired_tokens or (expiry is not None and expiry <= time.time()):
        return 401, "authentication_error", OAUTH_EXPIRED
    if fake.oauth_org_not_allowed:
        return 401, "authentication_error", OAUTH_ORG_NOT_ALLOWED
    if fake.oauth_scope_missing or fake.oauth_missing_scope:
        return _refusal("scope", fake)
    return 400, "invalid_request_error", OAUTH_ONLY_CLAUDE_CODE


def _bad(message: str) -> Problem:
    return 400, "invalid_request_error", message


def check_messages_body(
    body: object, *, count_only: bool = False, headers: dict[str, str] | None = None
) -> Problem | None:
    """Validate a ``/v1/messages`` (or count_tokens) body like the Messages reference.

    ``headers`` (the request's) select the rules: ``anthropic-version`` and
    ``anthropic-beta`` change which fields exist (``_versions``).  Without them the
    newest version's rules apply, as for the SDK 2.x the project uses.
    """
    headers = headers or {}
    if not isinstance(body, dict):
        return _bad("Request body must be a JSON object")
    base = COUNT_FIELDS if count_only else KNOWN_FIELDS
    extra = sorted(set(body) - _versions.allowed_fields(headers, base, count_only=count_only))
    if extra:
        return _bad(f"{extra[0]}: Extra inputs are not permitted")
    message = _versions.check_sampling(body)
    if message:
        return _bad(message)
    model = body.get("model")
    if not model or not isinstance(model, str):
        return _bad("model: Field required")
    if not count_only:
        max_tokens = body.get("max_tokens")
        if max_tokens is None:
            return _bad("max_tokens: Field required")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            return _bad("max_tokens: Input should be a valid positive integer")
        row = BY_ID.get(model)
        if row is not None and max_tokens > row.max_output:
            return _bad(
                f"max_tokens: {max_tokens} > {row.max_output}, which is the maximum allowed "
                f"number of output tokens for {model}"
            )
    config = body.get("output_config")
    problem = (
        _check_thinking(body, count_only)
        or _check_effort(config)
        or _check_format(config)
        or _check_system(body.get("system"))
        or _check_message_list(body.get("messages"), _versions.allows_system_messages(headers))
    )
    if problem:
        return problem
    message = (
        tools.check_tools(body)
        or tools.check_forced_with_thinking(body)
        or tools.check_pairing(conversation(body["messages"]))
    )
    if message:
        return _bad(message)
    problem = _check_cache_control(body)
    if problem:
        return problem
    big = _images.too_large(body)
    if big:
        return 400, "invalid_request_error", big[0], big[1]
    # A retired model's requests fail like an unknown id's (the SDK's ModelInfo.lifecycle
    # "retired": "inference requests naming it fail"); MODEL_IDS holds the callable ones.
    if model not in MODEL_IDS:
        return 404, "not_found_error", f"model: {model}"
    return None


def conversation(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` without mid-conversation ``system`` messages (they sit outside the turns)."""
    return [m for m in messages if not (isinstance(m, dict) and m.get("role") == "system")]


def _check_format(config: object) -> Problem | None:
    if not isinstance(config, dict):
        return None
    message = _schema.check_format(config.get("format"))
    return _bad(message) if message else None


def _check_cache_control(body: dict[str, Any]) -> Problem | None:
    """Prompt-caching docs: at most 4 breakpoints; ``ttl`` is ``5m`` or ``1h``."""
    found = _cache.breakpoint_count(body)
    if found > _cache.MAX_BREAKPOINTS:
        return _bad(
            f"A maximum of {_cache.MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {found}."
        )
    marks = [b.get("cache_control") for b, _ in units(body) if isinstance(b, dict)]
    marks.append(body.get("cache_control"))
    for mark in marks:
        if mark is None:
            continue
        if not isinstance(mark, dict) or mark.get("type") != "ephemeral":
            return _bad("cache_control.type: Input should be 'ephemeral'")
        if mark.get("ttl", "5m") not in ("5m", "1h"):
            return _bad("cache_control.ttl: Input should be '5m' or '1h'")
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


def _check_effort(config: object) -> Problem | None:
    if config is None:
        return None
    if not isinstance(config, dict):
        return _bad("output_config: Input should be an object")
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        return _bad(f"output_config.effort: Input should be one of {', '.join(EFFORTS)}")
    return None


def _check_system(system: object) -> Problem | None:
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


def _check_message_list(messages: object, system_allowed: bool = False) -> Problem | None:
    # Messages reference: consecutive turns of one role are combined into one (accepted);
    # every message needs content except an optional final assistant message (prefill).
    # Under mid-conversation-system-2026-04-07 a ``system`` message may follow the first turn.
    if messages is None:
        return _bad("messages: Field required")
    if not isinstance(messages, list) or not messages:
        return _bad("messages: at least one message is required")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            return _bad(f"messages.{i}: Input should be an object")
        role = msg.get("role")
        if role == "system" and system_allowed and i > 0:
            problem = _check_content(i, msg.get("content"))
            if problem:
                return problem
            continue
        if role not in ("user", "assistant"):
            return _bad(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if i == 0 and role != "user":
            return _bad('messages: first message must use the "user" role')
        final_assistant = i == len(messages) - 1 and role == "assistant"
        if final_assistant and msg.get("content") in ("", []):
            continue
        problem = _check_content(i, msg.get("content"))
        if problem:
            return problem
    last = messages[-1]
    if last["role"] == "system":
        return None
    if last["role"] == "assistant" and _ends_in_whitespace(last["content"]):
        return _bad("messages: final assistant content cannot end with trailing whitespace")
    return None


def _check_content(i: int, content: object) -> Problem | None:
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
            message = _images.check_source(f"messages.{i}.content.{j}", block.get("source"))
            if message:
                return _bad(message)
        if block["type"] == "tool_result":
            for k, inner in enumerate(
                block.get("content") or [] if isinstance(block.get("content"), list) else []
            ):
                if isinstance(inner, dict) and inner.get("type") == "image":
                    where = f"messages.{i}.content.{j}.content.{k}"
                    message = _images.check_source(where, inner.get("source"))
                    if message:
                        return _bad(message)
    return None


def _ends_in_whitespace(content: object) -> bool:
    if isinstance(content, str):
        return content != content.rstrip()
    if isinstance(content, list) and content:
        tail = content[-1]
        if isinstance(tail, dict) and tail.get("type") == "text":
            text = str(tail.get("text", ""))
            return text != text.rstrip()
    return False
