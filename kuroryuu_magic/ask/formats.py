"""How a finished answer is shaped for ``-f markdown|text|code|json``."""

from __future__ import annotations

import json
from typing import Any

from ..core.bounds import JSONTooDeepError, loads_bounded

# Appended to the system prompt so the answer arrives in the shape asked for.
FORMAT_INSTRUCTIONS = {
    "code": (
        "Reply with exactly one fenced code block that can run as the user's next notebook cell "
        "(Python unless the user asks otherwise). Put any explanation in brief code comments."
    ),
    "json": "Reply with valid JSON only: no prose, no code fences.",
}

# Bracket positions tried as the start of the JSON inside prose.
_MAX_STARTS = 200


def parse_json_loosely(text: str) -> Any:
    """Parse JSON, tolerating code fences and prose around the first object or array.

    Raises ``ValueError`` with a short reason when nothing parses, never anything
    else: the answer's nesting depth is checked before parsing (no ``RecursionError``).
    """
    from .codeblocks import strip_fences

    candidate = strip_fences(text).strip()
    try:
        return loads_bounded(candidate)
    except JSONTooDeepError:
        raise
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    starts = 0
    for index, char in enumerate(candidate):
        if char in "{[":
            starts += 1
            if starts > _MAX_STARTS:
                break  # each try may scan to the end: bound the work on a hostile answer
            try:
                return decoder.raw_decode(candidate, index)[0]
            except (ValueError, RecursionError):
                continue
    raise ValueError("the answer holds no JSON object or array")
