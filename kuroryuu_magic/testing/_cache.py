"""Prompt caching as the API does it (prompt-caching docs).

- A breakpoint is a block (tool, system block, message content block) carrying
  ``cache_control``; a top-level ``cache_control`` puts one on the last block.
- A prefix is cached only when it reaches the model's minimum cacheable length
  (``min_cache_tokens`` of the facts table); below it nothing is cached and
  there is no error.
- A request reads the longest cached prefix that ends at a block boundary within
  20 blocks before one of its breakpoints (the lookback), and writes the prefixes
  of its breakpoints beyond what it read.
- ``ttl: "1h"`` writes are reported in ``cache_creation.ephemeral_1h_input_tokens``,
  the default 5-minute ones in ``ephemeral_5m_input_tokens``.
- Caches are per model: the same prompt on another model misses.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..models.facts import BY_ID
from ._wire import units

LOOKBACK_BLOCKS = 20
MAX_BREAKPOINTS = 4
DEFAULT_MIN_TOKENS = 1024


def _key_part(block: object) -> str:
    # The marker is not part of the cached content: the same block with and
    # without `cache_control` hits the same cache entry, as with the real API.
    if isinstance(block, dict) and "cache_control" in block:
        block = {k: v for k, v in block.items() if k != "cache_control"}
    return json.dumps(block, sort_keys=True)


def _ttl(block: object) -> str:
    mark = block.get("cache_control") if isinstance(block, dict) else None
    return "1h" if isinstance(mark, dict) and mark.get("ttl") == "1h" else "5m"


def breakpoint_count(body: dict[str, Any]) -> int:
    """How many ``cache_control`` marks the request carries (the API allows 4)."""
    marked = sum(
        1
        for block, _ in units(body)
        if isinstance(block, dict) and isinstance(block.get("cache_control"), dict)
    )
    return marked + (1 if isinstance(body.get("cache_control"), dict) else 0)


def prompt_usage(body: dict[str, Any], cache: set[str]) -> dict[str, Any]:
    """Input usage of one request against ``cache`` (updated with what it writes).

    Returns the SDK ``Usage`` input fields: ``input_tokens``,
    ``cache_creation_input_tokens``, ``cache_read_input_tokens`` and ``cache_creation``.
    Cached tokens are kept out of ``input_tokens`` as the real API does.
    """
    blocks = units(body)
    total = max(1, sum(n for _, n in blocks))
    row = BY_ID.get(str(body.get("model")))
    minimum = row.min_cache_tokens if row else DEFAULT_MIN_TOKENS
    digest = hashlib.sha256(str(body.get("model")).encode())
    running = 0
    boundaries: list[tuple[str, int]] = []  # (prefix digest, tokens so far) after each block
    marks: list[tuple[int, str]] = []  # (index into boundaries, ttl)
    for block, n in blocks:
        digest.update(_key_part(block).encode())
        running += n
        boundaries.append((digest.hexdigest(), running))
        if isinstance(block, dict) and isinstance(block.get("cache_control"), dict):
            marks.append((len(boundaries) - 1, _ttl(block)))
    top = body.get("cache_control")
    if isinstance(top, dict) and blocks and (not marks or marks[-1][0] != len(boundaries) - 1):
        marks.append((len(boundaries) - 1, "1h" if top.get("ttl") == "1h" else "5m"))
    read = 0
    for index, _ in reversed(marks):
        for j in range(index, max(-1, index - LOOKBACK_BLOCKS), -1):
            if boundaries[j][0] in cache:
                read = max(read, boundaries[j][1])
                break
    written = {"5m": 0, "1h": 0}
    done = read
    for index, ttl in marks:
        digest_hex, upto = boundaries[index]
        if upto < minimum:
            continue  # too short to cache: silently not cached
        if upto > done:
            written[ttl] += upto - done
            done = upto
        cache.add(digest_hex)
    created = written["5m"] + written["1h"]
    return {
        "input_tokens": max(0, total - read - created),
        "cache_creation_input_tokens": created,
        "cache_read_input_tokens": read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": written["5m"],
            "ephemeral_1h_input_tokens": written["1h"],
        },
    }
