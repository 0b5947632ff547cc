"""Answers for the offline demo that look like real ones.

Deterministic and local: the answer is built from the request alone.  It is
JSON when the request asks for JSON (``-f json`` or the word in the prompt),
one runnable fenced Python block when it asks for code (``-f code`` inserts it
as the next cell), and short Markdown otherwise; numbers in the prompt are
really summarised, so the demo answers the question it was asked.
"""

from __future__ import annotations

import json
import re
import statistics
from typing import Any

from ..core.wire import joined_text
from ..testing import Reply
from . import _reading
from ._investigation import investigation_reply

STREAM_SECONDS = 1.5  # long enough to watch the answer stream in, short enough to wait for
FIRST_BYTE_SECONDS = 0.3

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_QUOTED_KEY = re.compile(r"[\"'`]([A-Za-z_]\w{0,40})[\"'`]")
_WANTS_CODE = re.compile(
    r"\b(code|function|python|snippet|script|implement|def|class|loop|regex)\b", re.I
)
_WANTS_JSON = re.compile(r"\bjson\b", re.I)
_JSON_ONLY = "valid JSON only"  # the system hint ``-f json`` adds
_CODE_ONLY = "fenced code block"  # the system hint ``-f code`` adds


def _question(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return joined_text(message.get("content"), sep="\n").strip()
    return ""


def _numbers(text: str) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text)]


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _stats(values: list[float]) -> dict[str, float]:
    out = {
        "count": float(len(values)),
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "sum": sum(values),
    }
    out["std"] = statistics.stdev(values) if len(values) > 1 else 0.0
    return out


def _outliers(values: list[float], k: float = 3.0) -> list[float]:
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values)
    return [v for v in values if mad and abs(v - med) / mad > k]


def _markdown(question: str, values: list[float]) -> str:
    lowered = question.lower()
    if len(values) >= 3:
        s = _stats(values)
        far = _outliers(values)
        lines = [
            f"With **{len(values)} values**, the median is **{_fmt(s['median'])}** and the mean is "
            f"**{_fmt(s['mean'])}** (range {_fmt(s['min'])} to {_fmt(s['max'])}).",
            "",
        ]
        if far:
            lines += [
                f"- {', '.join(_fmt(v) for v in far)} sits more than 3 MADs from the median: an "
                "outlier that drags the mean up.",
                "- Report the **median** (and the IQR) as the typical value; it barely moves "
                "when one value is extreme.",
                "- Check whether the outlier is a data-entry error before dropping it.",
            ]
        else:
            lines += [
                "- No value is far from the rest, so mean and median tell the same story.",
                f"- The standard deviation is {_fmt(s['std'])}; report it with the mean.",
            ]
        return "\n".join(lines)
    if "median" in lowered and "mean" in lowered:
        return (
            "The **mean** adds everything up and divides by the count, so one extreme value "
            "moves it a lot. The **median** is the middle value once sorted, so it ignores how "
            "extreme the tails are.\n\nUse the median for skewed data such as incomes or "
            "waiting times, and the mean when the data is roughly symmetric."
        )
    if "outlier" in lowered:
        return (
            "A robust way to spot outliers automatically:\n\n"
            "1. Take the **median** and the **median absolute deviation** (MAD).\n"
            "2. Score each value as `|x - median| / MAD`.\n"
            "3. Flag scores above **3** (about 2 standard deviations for normal data).\n\n"
            "Unlike a z-score, this is not fooled by the outliers it is looking for."
        )
    topic = question.splitlines()[0][:80].rstrip("?.! ") if question else "that"
    return (
        f"Here is how I would approach **{topic}**:\n\n"
        "1. Look at the shape of the data first: size, types, missing values.\n"
        "2. Summarise it with robust statistics (median, IQR) before means.\n"
        "3. Plot it; a histogram or a scatter plot shows what a table hides.\n\n"
        "Tell me more about the data and I can be more specific."
    )


def _code(question: str, values: list[float]) -> str:
    lowered = question.lower()
    values = values if len(values) >= 3 else []  # "3 MADs" is a parameter, not data
    data = "[" + ", ".join(_fmt(v) for v in values) + "]" if values else "[3.1, 2.7, 45.0, 3.3]"
    if "mad" in lowered or "outlier" in lowered:
        return (
            "import statistics\n\n\n"
            "def flag_outliers(values, k=3.0):\n"
            '    """The values more than k median absolute deviations from the median."""\n'
            "    med = statistics.median(values)\n"
            "    mad = statistics.median(abs(v - med) for v in values)\n"
            "    if mad == 0:\n"
            "        return []\n"
            "    return [v for v in values if abs(v - med) / mad > k]\n\n\n"
            f"flag_outliers({data})\n"
        )
    return (
        "import statistics\n\n\n"
        "def summarize(values):\n"
        '    """Count, mean, median, min and max of a list of numbers."""\n'
        "    return {\n"
        '        "count": len(values),\n'
        '        "mean": statistics.fmean(values),\n'
        '        "median": statistics.median(values),\n'
        '        "min": min(values),\n'
        '        "max": max(values),\n'
        "    }\n\n\n"
        f"summarize({data})\n"
    )


def _json(question: str, values: list[float]) -> Any:
    s = _stats(values) if values else {}
    keys = [k for k in dict.fromkeys(_QUOTED_KEY.findall(question)) if k.lower() != "json"]
    if not keys:
        keys = ["count", "mean", "median"] if s else ["answer", "confidence"]
    data: dict[str, Any] = {}
    for key in keys:
        name = key.lower()
        if name in s:
            value = s[name]
            data[key] = int(value) if name == "count" else round(value, 4)
        elif name in ("answer", "summary"):
            data[key] = _markdown(question, values).split("\n")[0].replace("**", "")
        elif name == "confidence":
            data[key] = 0.8
        else:
            data[key] = None
    return data


def _images(body: dict[str, Any]) -> list[dict[str, Any]]:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            blocks = content if isinstance(content, list) else []
            return [b for b in blocks if isinstance(b, dict) and b.get("type") == "image"]
    return []


def _from_notebook(question: str, system: str, body: dict[str, Any]) -> str | None:
    """An answer read from what the notebook sent: an error, a figure, a frame, a JSON shape."""
    wants_json = _JSON_ONLY in system or bool(_WANTS_JSON.search(question))
    wants_code = _CODE_ONLY in system or bool(_WANTS_CODE.search(question))
    fix = _reading.fix_answer(question)
    if fix is not None:
        return fix
    if wants_json:
        example = _reading.fill_example(question)
        if example is not None:
            text = json.dumps(example)
            return text if _JSON_ONLY in system else f"```json\n{text}\n```"
    frames = _reading.frames_in(question)
    if frames and wants_code:
        code = _reading.pandas_code(question, frames[0])
        if code is not None:
            return f"```python\n{code}```"
    seen = _reading.image_answer(_images(body))
    if seen is not None:
        return seen
    if frames and not wants_json and not wants_code:
        return _reading.frame_answer(question, frames[0])
    return None


def demo_answer(body: dict[str, Any]) -> str:
    """The answer text for one Messages request body."""
    question = _question(body)
    system = joined_text(body.get("system"))
    read = _from_notebook(question, system, body)
    if read is not None:
        return read
    values = _numbers(question)
    if _JSON_ONLY in system:
        return json.dumps(_json(question, values), indent=2)
    if _CODE_ONLY in system:
        return f"```python\n{_code(question, values)}```"
    if _WANTS_JSON.search(question):
        return f"```json\n{json.dumps(_json(question, values), indent=2)}\n```"
    if _WANTS_CODE.search(question):
        return (
            "Here is a small, dependency-free version:\n\n"
            f"```python\n{_code(question, values)}```\n\n"
            "It works on any list of numbers; pass a pandas column with `.tolist()`."
        )
    return _markdown(question, values)


def _thinking(body: dict[str, Any], text: str) -> str | None:
    """``text`` when the request asks for thinking, else None."""
    thinking = body.get("thinking")
    wanted = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
    return text if wanted else None


def demo_reply(body: dict[str, Any]) -> Reply:
    """The fake's ``answer_hook``: a believable answer, streamed word by word.

    A request that offers tools gets the scripted investigation instead: tool calls
    the kernel really runs, then a summary of their results.
    """
    if body.get("tools"):
        reply = investigation_reply(body, STREAM_SECONDS)
        reply.first_byte_delay = FIRST_BYTE_SECONDS
        reply.thinking = _thinking(body, "Deciding which tool result I still need.")
        return reply
    text = demo_answer(body)
    pieces = max(1, len(text.split()))
    return Reply(
        text=text,
        thinking=_thinking(
            body, "Reading the question, then the numbers in it, then choosing what to report."
        ),
        delta_delay=min(0.05, STREAM_SECONDS / pieces),
        first_byte_delay=FIRST_BYTE_SECONDS,
    )
