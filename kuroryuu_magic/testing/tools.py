"""Tool use as the API checks it (tool-use docs, Messages reference).

- A client tool has a ``name`` matching ``^[a-zA-Z0-9_-]{1,128}$`` and an
  ``input_schema`` (a JSON schema object); names are unique across ``tools``.
- ``tool_choice`` needs ``tools``; ``{"type": "tool", "name": …}`` must name one.
- Every ``tool_result`` answers a ``tool_use`` of the previous assistant turn, and
  every ``tool_use`` is answered in the next user turn.

Turns here are the *merged* turns: the API combines consecutive turns of one role.
"""

from __future__ import annotations

import re
from typing import Any

NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
CHOICES = ("auto", "any", "tool", "none")


def check_tools(body: dict[str, Any]) -> str | None:
    """Why ``tools``/``tool_choice`` are refused, or None."""
    tools = body.get("tools")
    choice = body.get("tool_choice")
    if tools is not None and not isinstance(tools, list):
        return "tools: Input should be a valid list"
    names: set[str] = set()
    for i, tool in enumerate(tools or []):
        if not isinstance(tool, dict):
            return f"tools.{i}: Input should be an object"
        kind = tool.get("type")
        if kind not in (None, "custom"):
            names.add(str(tool.get("name", kind)))  # a server tool: the API checks its own shape
            continue
        name = tool.get("name")
        if not isinstance(name, str):
            return f"tools.{i}.custom.name: Field required"
        if not NAME.match(name):
            return f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
        schema = tool.get("input_schema")
        if schema is None:
            return f"tools.{i}.custom.input_schema: Field required"
        if not isinstance(schema, dict) or schema.get("type") != "object":
            return f"tools.{i}.custom.input_schema.type: Input should be 'object'"
        if name in names:
            return f"tools: Tool names must be unique. Duplicate name: {name}"
        names.add(name)
    if choice is None:
        return None
    if not isinstance(choice, dict) or choice.get("type") not in CHOICES:
        return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"
    if not tools and choice.get("type") != "none":
        return "tool_choice may only be specified while providing tools."
    if choice["type"] == "tool" and choice.get("name") not in names:
        return f"tool_choice.name: Tool '{choice.get('name')}' not found in the provided tools"
    return None


def forced(body: dict[str, Any]) -> bool:
    """``tool_choice`` forces a tool call (``any`` or a named ``tool``)."""
    choice = body.get("tool_choice")
    return isinstance(choice, dict) and choice.get("type") in ("any", "tool")


def check_forced_with_thinking(body: dict[str, Any]) -> str | None:
    """Extended-thinking docs: with thinking on, ``tool_choice`` may only be auto or none."""
    thinking = body.get("thinking")
    if (
        forced(body)
        and isinstance(thinking, dict)
        and thinking.get("type") in ("enabled", "adaptive")
    ):
        return (
            "Thinking may not be enabled when tool_choice forces tool use. "
            "Use tool_choice auto or none, or turn thinking off."
        )
    return None


def declared_names(body: dict[str, Any]) -> set[str]:
    """Names a tool_use in the answer may carry: the request's client and server tools."""
    return {
        str(t.get("name", t.get("type"))) for t in body.get("tools") or [] if isinstance(t, dict)
    }


def script_mistake(body: dict[str, Any], names: list[str]) -> str | None:
    """Why scripted tool calls ``names`` could not be the API's answer to ``body``."""
    raw = body.get("tool_choice")
    choice: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if names and choice.get("type") == "none":
        return f"tool_choice is none, but the script calls {', '.join(names)}"
    unknown = [n for n in names if n not in declared_names(body)]
    if unknown:
        return f"the script calls {', '.join(unknown)}, which the request does not declare"
    if choice.get("type") == "tool" and names and choice.get("name") not in names:
        return f"tool_choice forces {choice.get('name')}, but the script calls {', '.join(names)}"
    return None


def merged_turns(messages: list[dict[str, Any]]) -> list[tuple[str, list[int], list[Any]]]:
    """(role, original indexes, content blocks) per merged turn."""
    turns: list[tuple[str, list[int], list[Any]]] = []
    for i, msg in enumerate(messages):
        content = msg.get("content")
        blocks = (
            [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        )
        if turns and turns[-1][0] == msg["role"]:
            turns[-1][1].append(i)
            turns[-1][2].extend(blocks)
        else:
            turns.append((msg["role"], [i], blocks))
    return turns


def _ids(blocks: list[Any], kind: str, key: str) -> list[str]:
    return [str(b.get(key)) for b in blocks if isinstance(b, dict) and b.get("type") == kind]


def check_pairing(messages: list[dict[str, Any]]) -> str | None:
    """Why the tool_use/tool_result pairing is refused, or None."""
    turns = merged_turns(messages)
    for t, (role, indexes, blocks) in enumerate(turns):
        if role == "user":
            results = _ids(blocks, "tool_result", "tool_use_id")
            previous = turns[t - 1][2] if t and turns[t - 1][0] == "assistant" else []
            unknown = [r for r in results if r not in _ids(previous, "tool_use", "id")]
            if unknown:
                return (
                    f"messages.{indexes[0]}.content.0: unexpected `tool_use_id` found in "
                    f"`tool_result` blocks: {', '.join(unknown)}. Each `tool_result` block must "
                    "have a corresponding `tool_use` block in the previous message."
                )
        elif t + 1 < len(turns):
            uses = _ids(blocks, "tool_use", "id")
            answered = _ids(turns[t + 1][2], "tool_result", "tool_use_id")
            missing = [u for u in uses if u not in answered]
            if missing:
                return (
                    f"messages.{indexes[0]}: `tool_use` ids were found without `tool_result` "
                    f"blocks immediately after: {', '.join(missing)}. Each `tool_use` block must "
                    "have a corresponding `tool_result` block in the next message."
                )
    return None


def received_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tool_results of the final user turn, each with the tool call it answers."""
    turns = merged_turns(messages)
    if not turns or turns[-1][0] != "user":
        return []
    calls: dict[str, dict[str, Any]] = {}
    if len(turns) > 1:
        for b in turns[-2][2]:
            if isinstance(b, dict) and b.get("type") == "tool_use":
                calls[str(b.get("id"))] = b
    out = []
    for b in turns[-1][2]:
        if isinstance(b, dict) and b.get("type") == "tool_result":
            call = calls.get(str(b.get("tool_use_id")), {})
            out.append(
                {
                    "tool_use_id": b.get("tool_use_id"),
                    "name": call.get("name"),
                    "input": call.get("input"),
                    "content": b.get("content"),
                    "is_error": bool(b.get("is_error", False)),
                }
            )
    return out
