"""Which request fields a request may carry, by its ``anthropic-version`` and ``anthropic-beta``.

The API applies different field rules depending on these two headers, so a client
that speaks an older version (the ``llm`` plugin, 0.x/1.x SDKs, plain HTTP code,
Claude Code) must be checked by *its* rules, not the newest SDK's.  Each rule below
names its source.  The fake is stdlib-only, so the SDK's values are copied here and
``tests/test_fake_versions.py`` checks them against the installed SDK.
"""

from __future__ import annotations

import re
from typing import Any

# anthropic/_constants.py ANTHROPIC_API_VERSION (SDK 2.17): the header SDK 2.x sends.
# Under it the sampling parameters are gone from MessageCreateParams (refused as extra inputs).
NEWEST = "2026-10-21"
# API reference, "Versions" page: 2023-01-01 (first version) and 2023-06-01 (the one
# 0.x/1.x SDKs, Claude Code and most HTTP clients send); plus the SDK's NEWEST.
VERSIONS = frozenset({"2023-01-01", "2023-06-01", NEWEST})
# The API's own wording (seen in public bug reports of clients that sent a bad value,
# e.g. a header sent twice: ``anthropic-version: "2023-06-01, 2023-06-01" is not a valid version``).
BAD_VERSION = 'anthropic-version: "{value}" is not a valid version'

# Sampling fields of MessageCreateParams in the 0.x/1.x SDKs (types/message_create_params.py:
# ``temperature: float`` 0.0–1.0, ``top_p: float``, ``top_k: int``), accepted by the API
# under the older versions only.
SAMPLING_FIELDS = ("temperature", "top_k", "top_p")

# Beta names the API knows.  Sources: the SDK's ``AnthropicBetaParam`` literal
# (types/anthropic_beta_param.py, SDK 2.17; a test checks every one is here) and the
# names Claude Code 2.1.x sends or carries (seen on the wire against this fake, and in
# its bundle: tests/test_claude_code.py logs them).
SDK_BETAS = frozenset(
    [
        "computer-use-2024-10-22",
        "computer-use-2025-01-24",
        "output-128k-2025-02-19",
        "mcp-client-2025-04-04",
        "mcp-client-2025-11-20",
        "dev-full-thinking-2025-05-14",
        "interleaved-thinking-2025-05-14",
        "code-execution-2025-05-22",
        "context-1m-2025-08-07",
        "context-management-2025-06-27",
        "model-context-window-exceeded-2025-08-26",
        "fast-mode-2026-02-01",
        "output-300k-2026-03-24",
        "user-profiles-2026-03-24",
        "user-profiles-2026-08-18",
        "user-profiles-2026-09-04",
        "advisor-tool-2026-03-01",
        "managed-agents-2026-04-01",
        "dreaming-2026-04-21",
        "thinking-token-count-2026-05-13",
        "server-side-fallback-2026-06-01",
        "server-side-fallback-2026-07-01",
        "fallback-credit-2026-06-01",
        "fallback-credit-2026-07-01",
        "agent-memory-2026-07-22",
        "mid-conversation-tool-changes-2026-07-01",
        "compact-2026-01-12",
        "computer-use-2025-11-24",
        "mcp-tunnels-2026-06-22",
        "structured-outputs-2025-11-13",
        "task-budgets-2026-03-13",
        "thinking-display-updates-2026-08-18",
        "mid-conversation-output-config-2026-07-01",
        "thinking-binding-controls-2026-08-01",
        "mid-conversation-system-clear-at-2026-08-21",
        "compact-2026-09-04",
        "inline-tools-2026-09-15",
        "mcp-client-2026-09-15",
        "ce-plugins-2026-09-01",
        "spend-limit-reads-2026-09-26",
        "telemetry-destinations-2026-08-11",
        "webhooks-2026-10-07",
        "admin-user-sign-out-2026-10-08",
        "message-threads-2026-08-12",
        "analytics-usage-cost-2026-08-24",
        "experimental-claude-tag-2026-10-21",
        "message-batches-2024-09-24",
        "prompt-caching-2024-07-31",
        "pdfs-2024-09-25",
        "token-counting-2024-11-01",
        "token-efficient-tools-2025-02-19",
        "files-api-2025-04-14",
        "extended-cache-ttl-2025-04-11",
        "skills-2025-10-02",
        "cache-diagnosis-2026-04-07",
        "ce-user-management-2026-07-13",
        "ce-claude-code-managed-settings-2026-10-06",
        "efs-2026-10-01",
        "google-managed-data-controls-2026-09-01",
        "user-profiles-billing-2026-10-01",
    ]
)
CLAUDE_CODE_BETAS = frozenset(
    [
        "claude-code-20250219",
        "oauth-2025-04-20",
        "context-1m-2025-08-07",
        "interleaved-thinking-2025-05-14",
        "thinking-token-count-2026-05-13",
        "context-management-2025-06-27",
        "prompt-caching-scope-2026-01-05",
        "mid-conversation-system-2026-04-07",
        "effort-2025-11-24",
        "fine-grained-tool-streaming-2025-05-14",
        "advanced-tool-use-2025-11-20",
        "afk-mode-2026-01-31",
        "redact-thinking-2026-02-12",
        "structured-outputs-2025-12-15",
        "tool-search-tool-2025-10-19",
        "web-search-2025-03-05",
        "code-execution-2025-08-25",
        "context-hint-2026-04-09",
        "summarize-connector-text-2026-03-13",
        "mcp-servers-2025-12-04",
        "environments-2025-11-01",
        "ccr-byoc-2025-07-29",
        "ccr-triggers-2026-01-30",
        "oidc-federation-2026-04-01",
    ]
)
KNOWN_BETAS = SDK_BETAS | CLAUDE_CODE_BETAS
# Beta-headers page of the API docs: an unknown name is a 400 with this message.
BAD_BETAS = (
    "Unexpected value(s) `{names}` for the `anthropic-beta` header. Please consult our "
    "documentation at platform.claude.com/docs or try again without the header."
)

# Request fields that exist only under a beta (the SDK's Beta*Params types name each one).
BETA_FIELDS: dict[str, tuple[str, ...]] = {
    # BetaMessageCreateParams.context_management; Claude Code sends it on every main request.
    "context_management": (
        "context-management-2025-06-27",
        "compact-2026-01-12",
        "compact-2026-09-04",
    ),
    # The first structured-outputs beta's field, superseded by output_config.format.
    "output_format": ("structured-outputs-2025-11-13", "structured-outputs-2025-12-15"),
    # BetaMessageCreateParams.mcp_servers (MCP connector).
    "mcp_servers": ("mcp-client-2025-04-04", "mcp-client-2025-11-20", "mcp-client-2026-09-15"),
}
# A ``role: "system"`` message inside ``messages`` (Claude Code 2.1.x, on the wire).
MID_CONVERSATION_SYSTEM = ("mid-conversation-system-2026-04-07",)

_VERSION_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Problem = tuple[int, str, str]


def betas_of(headers: dict[str, str]) -> list[str]:
    """The ``anthropic-beta`` names, in order (repeated headers were joined with commas)."""
    return [b.strip() for b in headers.get("anthropic-beta", "").split(",") if b.strip()]


def check_headers(headers: dict[str, str]) -> Problem | None:
    """The version and beta headers, as the API checks them before the body."""
    version = headers.get("anthropic-version", "").strip()
    if version and (not _VERSION_SHAPE.match(version) or version not in VERSIONS):
        return 400, "invalid_request_error", BAD_VERSION.format(value=version)
    unknown = [b for b in betas_of(headers) if b not in KNOWN_BETAS]
    if unknown:
        return 400, "invalid_request_error", BAD_BETAS.format(names="`, `".join(unknown))
    return None


def allowed_fields(headers: dict[str, str], base: frozenset[str], *, count_only: bool) -> set[str]:
    """The top-level body fields this request may carry."""
    fields = set(base)
    if headers.get("anthropic-version", NEWEST) != NEWEST and not count_only:
        fields.update(SAMPLING_FIELDS)
    betas = set(betas_of(headers))
    for name, enabling in BETA_FIELDS.items():
        if betas.intersection(enabling):
            fields.add(name)
    return fields


def allows_system_messages(headers: dict[str, str]) -> bool:
    return bool(set(betas_of(headers)).intersection(MID_CONVERSATION_SYSTEM))


def check_sampling(body: dict[str, Any]) -> str | None:
    """Range and combination rules of the sampling fields (older versions only).

    Messages reference (2023-06-01): ``temperature`` 0.0–1.0, ``top_p`` 0–1, ``top_k`` ≥ 0.
    Model migration guides (Haiku 4.5 and later): ``temperature`` and ``top_p`` together is
    a 400.  Extended-thinking docs: with thinking on, ``temperature`` may only be 1 and
    ``top_k`` is not allowed.
    """
    for name in ("temperature", "top_p"):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{name}: Input should be a valid number"
        if not 0 <= value <= 1:
            return f"{name}: Input should be less than or equal to 1 and greater than or equal to 0"
    top_k = body.get("top_k")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0):
        return "top_k: Input should be a valid non-negative integer"
    if body.get("temperature") is not None and body.get("top_p") is not None:
        return "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive"):
        if body.get("temperature") not in (None, 1, 1.0):
            return "`temperature` may only be set to 1 when thinking is enabled."
        if body.get("top_k") is not None:
            return "`top_k` is not supported when thinking is enabled."
    return None
