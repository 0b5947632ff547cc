"""Demo answers that read what the notebook put in the prompt: frames, errors, figures, JSON.

A prompt with ``{df}`` or ``--vars df`` carries the frame's summary, ``%claude fix``
carries the failing cell and its error, ``--plot`` carries a PNG, a ``--map``
template often carries the JSON shape it wants back.  The demo answers from those
(never from a list of canned stories), and says plainly what it cannot do: it has no
model, so it does not look at pictures.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from dataclasses import dataclass, field
from typing import Any

_FRAME = re.compile(r"(?:[\w.]+\.)?DataFrame: ([\d,]+) rows × ([\d,]+) columns")
_VAR = re.compile(r'<variable name="([A-Za-z_]\w*)" type="[\w.]*DataFrame">')
_COL_ROW = re.compile(r"^  (\S+)\s+(\S+)(?:\s+([\d,]+)\s+(.*))?$")
_PAIR = re.compile(r"(\w+)=([-\d.,]+)")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_ERROR = re.compile(r"<error>\n(.*?)\n</error>", re.S)
_CELL = re.compile(r'<cell execution_count="\d+" role="the failing cell">\n(.*?)\n</cell>', re.S)
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b")
_MISSING_KEY = re.compile(r"KeyError: ['\"]?(?:Column not found: )?([^'\"\n]+)['\"]?")
_NAME_ERROR = re.compile(r"NameError: name '(\w+)' is not defined")
_JSON_EXAMPLE = re.compile(r"\{[^{}]*\"[^{}]*\}")
AGGS = {"median": "median", "mean": "mean", "average": "mean", "total": "sum", "sum": "sum"}
# Words that point at one option of an "a|b|c" JSON field (the --map triage example).
CUES = {
    "delivery": ("late", "courier", "delivery", "arrived", "shipping", "rain", "lost", "delay"),
    "damage": ("crushed", "cracked", "broken", "damaged", "dent", "scratched", "torn"),
    "quality": ("stopped", "missing", "described", "smaller", "faulty", "defect", "working"),
    "positive": ("great", "love", "excellent", "fine", "good", "perfect"),
    "negative": ("bad", "awful", "terrible", "worst", "disappointed"),
}
URGENT = ("stopped working", "missing", "broken", "never arrived", "cracked", "crushed", "refund")


@dataclass
class Frame:
    """A DataFrame as its prompt summary describes it."""

    name: str | None
    rows: int
    cols: int
    columns: dict[str, tuple[str, int, dict[str, float]]] = field(default_factory=dict)

    def find(self, word: str) -> str | None:
        word = word.lower()
        for c in self.columns:
            if c.lower() == word:
                return c
        for c in self.columns:
            if len(word) >= 4 and c.lower().startswith(word):
                return c
        return None

    def numeric(self, column: str) -> bool:
        dtype = self.columns[column][0]
        return dtype.startswith(("int", "float", "uint", "Int", "Float", "UInt"))


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def frames_in(question: str) -> list[Frame]:
    """Every frame summary in the prompt (``{df}`` and ``--vars`` render the same way)."""
    out = []
    names = _VAR.findall(question)
    for i, m in enumerate(_FRAME.finditer(question)):
        rest = question[m.end() :].split("\n")
        rows, cols = (int(g.replace(",", "")) for g in m.groups())
        frame = Frame(names[i] if i < len(names) else None, rows, cols)
        started = False
        for line in rest:
            if line.startswith("columns"):  # "columns:" or "columns; std is …:"
                started = True
                continue
            if not started:
                continue
            if line.split()[:2] == ["column", "dtype"]:
                continue  # the table's header row
            row = _COL_ROW.match(line)
            if row is None or not line.startswith("  "):
                break
            name, dtype, nulls, summary = row.groups()
            stats = {
                k: v for k, raw in _PAIR.findall(summary or "") if (v := _number(raw)) is not None
            }
            frame.columns[name] = (dtype, int((nulls or "0").replace(",", "")), stats)
        out.append(frame)
    return out


_SUMMARY_LINE = re.compile(r"^(  |index:|columns|duplicated rows:|head\(|tail\(|memory)")


def own_words(question: str) -> list[str]:
    """The words the user typed: attached ``--vars`` blocks and rendered frames left out."""
    text = re.sub(r"<variable .*?</variable>", " ", question, flags=re.S)
    kept, inside = [], False
    for line in text.splitlines():
        head = _FRAME.search(line)
        if head is not None:
            inside = True
            kept.append(line[: head.start()])
            continue
        if inside and _SUMMARY_LINE.match(line):
            continue
        inside = False
        kept.append(line)
    return _IDENT.findall("\n".join(kept))


def _frame_label(frame: Frame, question: str) -> str:
    return frame.name or "NAME"


def frame_answer(question: str, frame: Frame) -> str:
    """What the summary itself shows: sizes, nulls, extreme values, duplicates."""
    label = _frame_label(frame, question)
    lines = [
        f"From the summary of the frame (**{frame.rows:,} rows × {frame.cols:,} columns**), "
        "what stands out:",
        "",
    ]
    found = []
    for name, (_dtype, _nulls, stats) in frame.columns.items():
        top, mid = stats.get("max"), stats.get("median")
        if top is not None and mid and mid > 0 and top / mid >= 20:
            found.append(
                f"- `{name}` goes up to **{top:,g}** while its median is **{mid:,g}** "
                f"(mean {stats.get('mean', float('nan')):,g}): one or a few extreme values, "
                "perhaps a data-entry slip. Check them before any average."
            )
    for name, (_dtype, nulls, _stats) in frame.columns.items():
        if nulls:
            share = 100 * nulls / max(1, frame.rows)
            found.append(
                f"- `{name}` has **{nulls:,}** missing values ({share:.3g}% of rows): find out "
                "whether they are missing at random before you average it."
            )
    dups = re.search(r"duplicated rows: ([\d,]+)", question)
    if dups:
        n = int(dups.group(1).replace(",", ""))
        found.append(
            f"- **{n:,}** duplicated rows" + (": check for a double import." if n else ", good.")
        )
    if not found:
        found.append("- Nothing extreme: no missing values and no far-out maximum in the summary.")
    lines += found[:4]
    lines += [
        "",
        "A summary is a sample of the truth. For exact counts, let the tools look: "
        f"`%claude explore {label}` (NAME: the frame's variable)."
        if label == "NAME"
        else "A summary is a sample of the truth. For exact counts, let the tools look: "
        f"`%claude explore {label}`.",
    ]
    return "\n".join(lines)


def pandas_code(question: str, frame: Frame) -> str | None:
    """``groupby(...).agg(...)`` for "median X and mean Y per Z", from the columns it names."""
    words = own_words(question)
    label = _frame_label(frame, question)
    agg, pairs, key = "mean", [], None
    for i, word in enumerate(words):
        low = word.lower()
        if low in AGGS:
            agg = AGGS[low]
            continue
        column = frame.find(low)
        if column is None:
            continue
        after = words[i - 1].lower() if i else ""
        if not frame.numeric(column) or after in ("per", "by", "each"):
            key = key or column
        elif (agg, column) not in pairs:
            pairs.append((agg, column))
    if key is None or not pairs:
        return None
    body = "\n".join(f'    {a}_{c}=("{c}", "{a}"),' for a, c in pairs)
    return (
        "# median and mean skip missing values (NaN), so unrated rows are left out\n"
        f'summary = {label}.groupby("{key}").agg(\n{body}\n)\n'
        "summary\n"
    )


def fix_answer(question: str) -> str | None:
    """``%claude fix``: what the error means and a corrected cell, from the cell and error sent."""
    error = _ERROR.search(question)
    if error is None:
        return None
    lines = error.group(1).strip().splitlines()
    last = next((x for x in reversed(lines) if _EXCEPTION_LINE.match(x)), lines[-1])
    cell = _CELL.search(question)
    at = next((i for i, x in enumerate(lines) if x.lstrip().startswith("Cell In[")), None)
    # Without the cell's source (no history), the traceback's own line of it.
    source = (
        cell.group(1)
        if cell
        else lines[at + 1].strip()
        if at is not None and at + 1 < len(lines)
        else ""
    )
    missing, undefined = _MISSING_KEY.search(last), _NAME_ERROR.search(last)
    if missing:
        key = missing.group(1).strip()
        frame = re.search(r"(\w+)\[", source)
        obj = frame.group(1) if frame else "df"
        why = (
            f"The cell asks `{obj}` for a column **`{key}`** that it does not have "
            f"(`{last[:120]}`). Column names are exact, case and spaces included; either the "
            "column was never created or it is spelled differently."
        )
        fix = (
            f"print(list({obj}.columns))  # the names it really has\n"
            f'{obj}["{key}"] = ...  # create it first, from the columns it is made of\n'
            f"{source}"
        )
    elif undefined:
        name = undefined.group(1)
        why = (
            f"`{name}` is used before anything defined it (`{last[:120]}`): the cell that "
            "creates it was not run in this kernel, or it is misspelled."
        )
        fix = f"{name} = ...  # define it, or run the cell that does\n{source}"
    else:
        why = f"The cell raised `{last[:160]}`."
        fix = source or "# the failing cell was not sent"
    return (
        f"{why}\n\n```python\n{fix.rstrip()}\n```\n\n"
        "The offline demo matched the error to a known pattern; with a key, Claude reads the "
        "traceback and fills in the `...` itself."
    )


def _png_size(data: str) -> tuple[int, int] | None:
    try:
        head = base64.b64decode(data[:64] + "=" * (-len(data[:64]) % 4))
    except ValueError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def image_answer(images: list[dict[str, Any]]) -> str | None:
    """An honest answer to a prompt with pictures: received, measured, not looked at."""
    if not images:
        return None
    seen = []
    for block in images:
        source = block.get("source") if isinstance(block, dict) else None
        data = source.get("data") if isinstance(source, dict) else None
        if not isinstance(data, str):
            seen.append("an image by URL")
            continue
        size = _png_size(data)
        kib = len(data) * 3 / 4 / 1024
        seen.append(
            f"a {size[0]}×{size[1]} px PNG ({kib:.0f} KiB)" if size else f"an image ({kib:.0f} KiB)"
        )
    return (
        f"The figure arrived: {', '.join(seen)}. The offline demo has no model, so it cannot "
        "look at it and will not pretend to.\n\n"
        "What Claude does with a key: it reads the axes, the legend and the shape of the "
        "points, says what the plot suggests (a trend, clusters, outliers) and what it cannot "
        "show (causes, anything outside the plotted range, overplotted points)."
    )


def fill_example(question: str) -> Any:
    """The JSON shape a ``--map`` template shows, filled from the words of the row."""
    for match in _JSON_EXAMPLE.finditer(question):
        try:
            example = json.loads(match.group(0))
        except ValueError:
            continue
        if not isinstance(example, dict):
            continue
        rest = (question[: match.start()] + question[match.end() :]).lower()
        out: dict[str, Any] = {}
        for key, value in example.items():
            if isinstance(value, str) and "|" in value:
                options = [o.strip() for o in value.split("|") if o.strip()]
                scored = [
                    (sum(rest.count(cue) for cue in CUES.get(o, (o,))), -i, o)
                    for i, o in enumerate(options)
                ]
                best = max(scored)
                out[key] = best[2] if best[0] else ("other" if "other" in options else options[0])
            elif isinstance(value, bool):
                out[key] = any(cue in rest for cue in URGENT) if key == "urgent" else value
            else:
                out[key] = value
        return out
    return None
