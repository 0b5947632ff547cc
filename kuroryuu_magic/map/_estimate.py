"""What a ``--map`` run will cost, before it starts.

The API counts the input tokens of a sample of the items to send (spread over
the whole input); a straight line through (request size, tokens) extrapolates
to every item, so a fixed overhead (system prompt, schema) and varied item
lengths are both accounted for.  Items the answer cache will serve are not
counted.  Output tokens are unknowable in advance: the mean of this run's
cached answers when there are some, else an assumption shown as such.  A prompt
that shows the JSON it wants back (``Reply with JSON like {"issue": …}``) is
answered with about that much, so the assumption is that shape's size plus a
margin; a flat 512 tokens there made the estimate 14 times the actual cost of a
labelling run (answers of ~35 tokens), and ``--max-cost`` refused runs it could
afford.  The line also says what every answer at ``max_tokens`` would cost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..ask.usage import estimate_tokens, format_cost
from ..models.facts import estimate_cost

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic


__all__ = ["SAMPLE", "Estimate", "estimate_run", "request_size"]

SAMPLE = 24  # count_tokens calls per estimate: enough for a line, cheap and quick
_COUNTED = ("model", "messages", "system", "thinking", "tools", "tool_choice", "output_config")


@dataclass
class Estimate:
    model: str
    items: int  # to send
    cached: int  # served by the answer cache
    input_tokens: int
    output_tokens: int
    output_assumed: bool  # no answer to learn from: output per item is a guess
    sampled: int  # items whose input the API counted
    live_cost: float | None
    batch_cost: float | None
    output_basis: str = "assumed"  # why that output size
    ceiling_cost: float | None = None  # every answer at max_tokens, live

    def lines(self) -> list[str]:
        per = self.output_tokens // max(self.items, 1)
        how = self.output_basis if self.output_assumed else "mean of the cached answers"
        counted = (
            f"counted by the API on {self.sampled:,} item(s), extrapolated"
            if self.sampled
            else "estimated from the text length (no token counting available)"
        )
        return [
            f"items: {self.items + self.cached:,} · to send {self.items:,} · "
            f"from the answer cache {self.cached:,}",
            f"input tokens: ~{self.input_tokens:,} ({counted})",
            f"output tokens: ~{self.output_tokens:,} (~{per:,} per item, {how})",
            f"estimated cost with {self.model}: {format_cost(self.live_cost)} live · "
            f"{format_cost(self.batch_cost)} as a batch (--batch)"
            + (
                f" · at most {format_cost(self.ceiling_cost)} live if every answer used "
                "all of --max-tokens"
                if self.ceiling_cost is not None and self.ceiling_cost != self.live_cost
                else ""
            ),
        ]


_JSON_SHAPE = re.compile(r"\{[^{}]*\"[^{}]*\}")
JSON_MARGIN = 1.5  # an answer fills the shape's placeholders with its own, longer words


def _prompt_text(request: dict[str, Any]) -> str:
    for message in reversed(request.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return " ".join(str(b.get("text", "")) for b in content or [] if isinstance(b, dict))
    return ""


def assumed_output(request: dict[str, Any] | None, structured: bool) -> tuple[int, str]:
    """(tokens per answer, why): the JSON shape the prompt shows, else a flat guess."""
    text = _prompt_text(request) if request is not None else ""
    for match in _JSON_SHAPE.finditer(text):
        try:
            json.loads(match.group(0))
        except ValueError:
            continue
        tokens = estimate_tokens(len(match.group(0)))
        return max(16, round(tokens * JSON_MARGIN)), "assumed from the JSON shape in the prompt"
    return (256 if structured else 512), "assumed"


def request_size(request: dict[str, Any]) -> int:
    """Characters of what the model reads: the measure the token count is fitted against."""
    parts = [request.get("messages"), request.get("system"), request.get("output_config")]
    return sum(len(json.dumps(p, ensure_ascii=False, default=str)) for p in parts if p)


def _fit(points: list[tuple[int, int]]) -> tuple[float, float]:
    """(intercept, slope) of tokens against size; a ratio through 0 when sizes barely vary."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if n >= 3 and var > 0:
        slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var
        intercept = mean_y - slope * mean_x
        if slope > 0 and intercept >= 0:
            return intercept, slope
    return 0.0, (mean_y / mean_x if mean_x else 0.0)


def _count(client: Anthropic, request: dict[str, Any]) -> int:
    args = {k: v for k, v in request.items() if k in _COUNTED}
    return int(client.messages.count_tokens(**args).input_tokens)


def estimate_run(
    client: Anthropic | None,
    model: str,
    requests: list[dict[str, Any]],
    *,
    cached: int,
    max_tokens: int,
    cached_output: list[int] | None = None,
    structured: bool = False,
    sample: int = SAMPLE,
) -> Estimate:
    """Estimate ``requests`` (the items to send); ``client`` ``None`` counts nothing."""
    sizes = [request_size(r) for r in requests]
    points: list[tuple[int, int]] = []
    if client is not None and requests:
        step = max(1, len(requests) // sample)
        for position in range(0, len(requests), step)[:sample]:
            try:
                points.append((sizes[position], _count(client, requests[position])))
            except Exception:  # counting is advisory: fall back to the text length
                points = []
                break
    if points:
        intercept, slope = _fit(points)
        input_tokens = round(sum(intercept + slope * s for s in sizes))
    else:
        input_tokens = sum(estimate_tokens(s) for s in sizes)
    basis = "assumed"
    if cached_output:
        per_item, assumed = sum(cached_output) // len(cached_output), False
    else:
        guess, basis = assumed_output(requests[0] if requests else None, structured)
        per_item, assumed = min(max_tokens, guess), True
    output_tokens = per_item * len(requests)

    def cost(batch: bool, output: int = output_tokens) -> float | None:
        return estimate_cost(model, input_tokens=input_tokens, output_tokens=output, batch=batch)

    return Estimate(
        model,
        len(requests),
        cached,
        input_tokens,
        output_tokens,
        assumed,
        len(points),
        cost(False),
        cost(True),
        basis,
        cost(False, max_tokens * len(requests)),
    )
