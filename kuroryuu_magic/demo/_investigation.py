"""Scripted tool calls for the offline demo: a real investigation with a script for a mind.

When a request offers tools (``--tools``, ``%claude explore``), the demo answers like
Claude would: it asks for the inspection tools, the kernel runs them on the user's
real variables, and the next request carries their results back.  The script picks
each round from the question and from the results received so far, and the final
summary quotes the numbers those results hold, so it is right about *this* data
and says nothing the tools did not show.

The plan, one round per request:

1. ``list_variables`` when the question names no variable;
2. ``describe`` of the target;
3. what the question asks for: a ``groupby`` (median and mean) when it names an
   aggregate and columns; a proposed ``run_python`` when it asks to add or compute
   something and code is allowed; otherwise ``null_counts`` and ``duplicates``;
4. ``sample_rows`` of the rows behind an extreme value, when ``describe`` shows one;

then the answer.  Tool results are parsed as text: exactly what the model reads.
Only this package's answers and the fake's wire helpers are used (``demo`` may not
import the tools package: the fake sees the wire, never the kernel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..core.wire import joined_text
from ..testing import Reply, ToolCall
from ..testing.tools import merged_turns

_EXPLORE = re.compile(r"Investigate the variable `([A-Za-z_]\w*)`")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_VAR_LINE = re.compile(r"^  ([A-Za-z_]\w*): ([\w.]+)(?:, (.*))?$")
_COLUMN_HEAD = re.compile(
    r"^\[(\d+)\] (.+?): ([^,]+), non-null ([\d,]+)/([\d,]+)(?: \(([\d,]+) null\))?"
    r"(?:, distinct ([\d,]+))?"
)
_STAT = re.compile(r"(min|max|mean|std|25%|50%|75%|zeros) (\S+)")
_TOP = re.compile(r"^    top (.*)$")
_HEADER = re.compile(r"^(\w+) \(([\w.]+), ([\d,]+) rows × ([\d,]+) columns\)")
_NULLS_HEAD = re.compile(
    r"([\d,]+) columns have nulls, ([\d,]+) null cells in all; rows with any null: ([\d,]+)"
)
_NULL_ROW = re.compile(r"^  (.+?)\s+([\d,]+)\s+([\d.]+%)$")
_DUPS = re.compile(r"([\d,]+) duplicated rows")
_MATCH = re.compile(r": ([\d,]+) rows match")
_GROUP_ROW = re.compile(r"^  (.+?)\s{2,}(\S+)\s+([\d,]+)$")
# Named aggregates first; a superlative alone ("highest delay") decides only without one.
_AGG_NAMES = {
    "median": "median",
    "mean": "mean",
    "average": "mean",
    "avg": "mean",
    "total": "sum",
    "sum": "sum",
}
_AGG_WORDS = {
    "highest": "max",
    "largest": "max",
    "lowest": "min",
    "smallest": "min",
    "slowest": "median",
    "fastest": "median",
}
_CHANGE = re.compile(r"\b(add|create|make|compute|convert|flag|mark|set)\b", re.I)
_ABOVE = re.compile(
    r"\b(?:over|above|more than|greater than|exceeds?|longer than)\s+(-?\d+(?:\.\d+)?)"
)
_BELOW = re.compile(r"\b(?:under|below|less than|fewer than|shorter than)\s+(-?\d+(?:\.\d+)?)")
_NEW_NAME = re.compile(r"`([A-Za-z_]\w*)`")
_REPR_NUMBER = re.compile(r"^(?:[\w.]+\()?(-?\d+(?:\.\d+)?(?:e-?\d+)?)\)?$")
FAR = 10.0  # an extreme value: further than FAR interquartile ranges beyond the quartile
NOTE = (
    "_Offline demo: the tool calls were scripted, the numbers were computed in your kernel. "
    "With an API key, Claude chooses the calls and writes this summary itself._"
)


def _int(text: str | None) -> int:
    return int(text.replace(",", "")) if text else 0


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _fmt(x: float) -> str:
    """A threshold as a person would type it: 4 significant digits, no exponent."""
    if abs(x) >= 1000:
        return str(round(x))
    return f"{x:.4g}"


@dataclass
class Column:
    name: str
    dtype: str
    n: int
    nulls: int
    distinct: int | None
    stats: dict[str, str] = field(default_factory=dict)
    top: str = ""

    @property
    def numeric(self) -> bool:
        return "75%" in self.stats

    def number(self, key: str) -> float | None:
        return _float(self.stats.get(key))


@dataclass
class Profile:
    """What ``describe`` said about one variable."""

    rows: int = 0
    cols: int = 0
    kind: str = ""
    columns: list[Column] = field(default_factory=list)

    def find(self, word: str) -> Column | None:
        word = word.lower()
        for c in self.columns:
            if c.name.lower() == word:
                return c
        for c in self.columns:
            if len(word) >= 4 and c.name.lower().startswith(word):
                return c
        return None


def parse_describe(text: str) -> Profile:
    profile = Profile()
    for line in text.splitlines():
        head = _HEADER.match(line)
        if head and not profile.kind:
            profile.kind, profile.rows, profile.cols = (
                head.group(2),
                _int(head.group(3)),
                _int(head.group(4)),
            )
            continue
        col = _COLUMN_HEAD.match(line)
        if col:
            profile.columns.append(
                Column(
                    name=col.group(2),
                    dtype=col.group(3),
                    n=_int(col.group(5)),
                    nulls=_int(col.group(6)),
                    distinct=_int(col.group(7)) if col.group(7) else None,
                )
            )
            continue
        if profile.columns and line.startswith("    "):
            top = _TOP.match(line)
            if top:
                profile.columns[-1].top = top.group(1)
            elif line.lstrip().startswith(("min", "25%")) and "length" not in line:
                profile.columns[-1].stats.update(dict(_STAT.findall(line)))
    return profile


@dataclass
class Done:
    """One tool call of this investigation and what came back."""

    name: str
    input: dict[str, Any]
    result: str
    is_error: bool


@dataclass
class Investigation:
    question: str
    offered: set[str]
    done: list[Done]
    final: bool  # tool_choice none or the round limit: answer now

    def result(self, tool: str, **match: object) -> Done | None:
        for d in self.done:
            if d.name == tool and all(d.input.get(k) == v for k, v in match.items()):
                return d
        return None

    def called(self, tool: str, input: dict[str, Any]) -> bool:
        return any(d.name == tool and d.input == input for d in self.done)

    # -- what the script knows so far ---------------------------------------------------------
    def variables(self) -> list[tuple[str, str]]:
        got = self.result("list_variables")
        if got is None or got.is_error:
            return []
        out = []
        for line in got.result.splitlines():
            m = _VAR_LINE.match(line)
            if m:
                out.append((m.group(1), m.group(2)))
        return out

    def target(self) -> str | None:
        named = _EXPLORE.search(self.question)
        if named:
            return named.group(1)
        known = self.variables()
        words = set(_IDENT.findall(self.question))
        for name, _ in known:
            if name in words:
                return name
        tables = [n for n, kind in known if kind.endswith(("DataFrame", "Series", "ndarray"))]
        return tables[0] if tables else (known[0][0] if known else None)

    def profile(self, name: str) -> Profile | None:
        got = self.result("describe", name=name)
        return None if got is None or got.is_error else parse_describe(got.result)

    def wants_groups(self, profile: Profile) -> tuple[str, Column, Column] | None:
        """(agg, key column, value column) when the question asks for an aggregate per group."""
        words = [w.lower() for w in _IDENT.findall(self.question)]
        agg = next((_AGG_NAMES[w] for w in words if w in _AGG_NAMES), None) or next(
            (_AGG_WORDS[w] for w in words if w in _AGG_WORDS), None
        )
        mentioned = [c for c in (profile.find(w) for w in words) if c is not None]
        keys = [c for c in mentioned if not c.numeric and (c.distinct or 0) <= 50]
        values = [c for c in mentioned if c.numeric]
        if agg is None or not keys or not values:
            return None
        return agg, keys[0], values[0]

    def extreme(self, profile: Profile) -> tuple[Column, str, float] | None:
        """The numeric column with the most extreme value: (column, op, threshold)."""
        best: tuple[float, Column, str, float] | None = None
        for c in profile.columns:
            q1, q3 = c.number("25%"), c.number("75%")
            lo, hi = c.number("min"), c.number("max")
            if None in (q1, q3, lo, hi):
                continue
            assert q1 is not None and q3 is not None and lo is not None and hi is not None
            iqr = q3 - q1
            if iqr <= 0:
                continue
            for op, value, edge in ((">", hi, q3), ("<", lo, q1)):
                reach = abs(value - edge) / iqr
                if reach > FAR and (best is None or reach > best[0]):
                    threshold = edge + FAR * iqr if op == ">" else edge - FAR * iqr
                    best = (reach, c, op, float(_fmt(threshold)))
        return None if best is None else best[1:]

    def change(self, target: str, profile: Profile) -> str | None:
        """Code for "add a column … over N" style requests (``run_python``), else None."""
        if "run_python" not in self.offered or not _CHANGE.search(self.question):
            return None
        words = [w.lower() for w in _IDENT.findall(self.question)]
        columns = [c for c in (profile.find(w) for w in words) if c is not None and c.numeric]
        new = [n for n in _NEW_NAME.findall(self.question) if profile.find(n) is None]
        above, below = _ABOVE.search(self.question), _BELOW.search(self.question)
        if not columns or not new or not (above or below):
            return f"{target}.describe(include='all').T"
        op, bound = (">", above.group(1)) if above else ("<", below.group(1))  # type: ignore[union-attr]
        return (
            f"{target}[{new[0]!r}] = {target}[{columns[0].name!r}] {op} {bound}\n"
            f"{target}[{new[0]!r}].mean()"
        )


def _exchange(body: dict[str, Any]) -> Investigation:
    """The question that started this exchange and every tool call answered since."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    turns = merged_turns(messages)
    start = len(turns) - 1
    while start >= 0:
        role, _, blocks = turns[start]
        results = any(isinstance(b, dict) and b.get("type") == "tool_result" for b in blocks)
        if role == "user" and not results:
            break
        start -= 1
    question = joined_text(turns[start][2], sep="\n") if start >= 0 else ""
    done: list[Done] = []
    limit = False
    for t in range(max(start, 0) + 1, len(turns) - 1, 2):
        uses = {
            str(b.get("id")): b
            for b in turns[t][2]
            if isinstance(b, dict) and b.get("type") == "tool_use"
        }
        for b in turns[t + 1][2]:
            if not isinstance(b, dict):
                continue
            if b.get("type") == "text" and "max_tool_rounds" in str(b.get("text")):
                limit = True
            if b.get("type") != "tool_result":
                continue
            use = uses.get(str(b.get("tool_use_id")), {})
            content = b.get("content")
            text = content if isinstance(content, str) else joined_text(content, sep="\n")
            done.append(
                Done(
                    str(use.get("name")),
                    dict(use.get("input") or {}),
                    text,
                    bool(b.get("is_error")),
                )
            )
    offered = {
        str(t.get("name")) for t in body.get("tools") or [] if isinstance(t, dict) and t.get("name")
    }
    choice = body.get("tool_choice")
    final = limit or (isinstance(choice, dict) and choice.get("type") == "none")
    return Investigation(question, offered, done, final)


# -- the rounds ------------------------------------------------------------------------------


def _next_round(inv: Investigation) -> tuple[str, list[ToolCall]] | None:
    """The next round's words and calls, or None when it is time to answer."""
    target = inv.target()
    if target is None:
        if "list_variables" in inv.offered and inv.result("list_variables") is None:
            return "First, what is in the kernel?", [ToolCall("list_variables", {})]
        return None
    first = {"name": target}
    if not inv.called("describe", first):
        return f"Let me look at `{target}` column by column.", [ToolCall("describe", first)]
    profile = inv.profile(target)
    if profile is None or not profile.columns:
        return None  # not tabular: the answer says what describe said
    groups = inv.wants_groups(profile)
    if groups is not None:
        agg, key, value = groups
        # Median and mean side by side: where they disagree, a few rows drive the difference.
        pair = {"median": "mean", "mean": "median"}
        aggs = [agg, pair[agg]] if agg in pair else [agg]
        calls = [
            ToolCall("groupby", {"name": target, "by": key.name, "column": value.name, "agg": a})
            for a in aggs
        ]
        if not all(inv.called(c.name, c.input) for c in calls):
            both = f"the {aggs[0]} and the {aggs[1]}" if len(aggs) > 1 else f"the {agg}"
            why = ": where the two disagree, a few rows drive the difference" * (len(aggs) > 1)
            return f"Now {both} of `{value.name}` per `{key.name}`{why}.", calls
    code = inv.change(target, profile)
    if code is not None:
        call = ToolCall("run_python", {"code": code})
        if not inv.called(call.name, call.input):
            return "This needs code in your kernel; it runs only if you approve it.", [call]
    if groups is None and code is None:
        calls = [ToolCall("null_counts", first), ToolCall("duplicates", first)]
        if not all(inv.called(c.name, c.input) for c in calls):
            return "Now the gaps and the repeats.", calls
        far = inv.extreme(profile)
        if far is not None:
            col, op, threshold = far
            where = {"name": target, "where": [[col.name, op, threshold]], "n": 5}
            if not inv.called("sample_rows", where):
                side = "maximum" if op == ">" else "minimum"
                return (
                    f"The {side} of `{col.name}` is far from the rest; which rows are those?",
                    [ToolCall("sample_rows", where)],
                )
    return None


# -- the answer ------------------------------------------------------------------------------


def _profile_lines(target: str, profile: Profile) -> list[str]:
    kind = profile.kind.rsplit(".", 1)[-1]
    return [
        f"**`{target}`** is a {kind} of **{profile.rows:,} rows × {profile.cols:,} columns** (describe)."
    ]


def _odd_lines(inv: Investigation, target: str, profile: Profile) -> list[str]:
    lines = []
    far = inv.extreme(profile)
    if far is not None:
        col, op, threshold = far
        edge = col.stats.get("max" if op == ">" else "min")
        quart = col.stats.get("75%" if op == ">" else "25%")
        rows = inv.result("sample_rows", name=target)
        where = ""
        if rows is not None and not rows.is_error:
            m = _MATCH.search(rows.result)
            body = rows.result.splitlines()[2:7]
            labels = [line.split()[0] for line in body if line.strip()]
            if m:
                count = _int(m.group(1))
                where = (
                    f" {count:,} row{'s' * (count != 1)} {'above' if op == '>' else 'below'} "
                    f"{_fmt(threshold)} (sample_rows)"
                    + (f", at index {', '.join(labels)}" if labels else "")
                    + "."
                )
        mean, median = col.stats.get("mean"), col.stats.get("50%")
        lines.append(
            f"- `{col.name}` reaches **{edge}** while three quarters of it is "
            f"{'at most' if op == '>' else 'at least'} **{quart}** (describe).{where} "
            f"A data-entry slip is the usual cause; it pulls the mean to {mean} against a median of "
            f"{median}, so check it before averaging."
        )
    for c in profile.columns:
        if c.distinct == 1 and c.n > 1:
            lines.append(f"- `{c.name}` holds a single value in all {c.n:,} rows: it says nothing.")
        if c.distinct and c.distinct == c.n - c.nulls and not c.numeric and c.n > 20:
            lines.append(f"- `{c.name}` is unique in every row: an identifier, not a category.")
    dups = inv.result("duplicates", name=target)
    if dups is not None and not dups.is_error:
        m = _DUPS.search(dups.result)
        if m:
            n = _int(m.group(1))
            lines.append(
                f"- **{n:,}** rows repeat an earlier row exactly (duplicates)"
                + (": decide whether they are real repeats or a double import." if n else ".")
            )
    return lines


def _missing_lines(inv: Investigation, target: str) -> list[str]:
    got = inv.result("null_counts", name=target)
    if got is None or got.is_error:
        return []
    head = _NULLS_HEAD.search(got.result)
    if head is None:
        return []
    cols, cells, rows = (_int(g) for g in head.groups())
    if not cols:
        return ["- No nulls in any column (null_counts)."]
    per = [m.groups() for m in map(_NULL_ROW.match, got.result.splitlines()[2:]) if m]
    shown = ", ".join(f"`{c.strip()}` **{n}** ({share})" for c, n, share in per[:4])
    return [
        f"- {cols:,} column{'s' * (cols != 1)} with nulls, {cells:,} null cells, {rows:,} rows "
        f"affected (null_counts): {shown}."
    ]


def _group_lines(inv: Investigation, target: str) -> list[str]:
    lines = []
    tables: dict[str, list[tuple[str, str, str]]] = {}
    for d in inv.done:
        if d.name == "groupby" and not d.is_error:
            found = [m for m in map(_GROUP_ROW.match, d.result.splitlines()[2:]) if m]
            tables[str(d.input.get("agg"))] = [
                (m.group(1).strip(), m.group(2), m.group(3)) for m in found
            ]
    if not tables:
        return []
    first = next(iter(tables))
    rows = tables[first]
    d0 = inv.result("groupby", agg=first)
    assert d0 is not None
    key, value = d0.input.get("by"), d0.input.get("column")
    top = rows[0]
    ties = [r for r in rows if r[1] == top[1]]
    if len(ties) > 1:
        lines.append(
            f"- By {first}, **{len(ties)} of {len(rows)}** `{key}` groups tie at **{top[1]}** "
            f"`{value}` ({', '.join(r[0] for r in ties)}; groupby): no single group stands out."
        )
    else:
        lines.append(
            f"- **{top[0]}** has the largest {first} `{value}`: **{top[1]}** over {top[2]} rows "
            f"(groupby); next is {rows[1][0]} at {rows[1][1]}."
            if len(rows) > 1
            else f"- **{top[0]}**: {first} `{value}` **{top[1]}** (groupby)."
        )
    for agg, other in tables.items():
        if agg == first or not other:
            continue
        ranked = ", ".join(f"{k} {v}" for k, v, _ in other)
        lines.append(f"- The {agg}s, largest first: {ranked} (groupby).")
        if len(ties) > 1:
            lines.append(
                f"- With the {first}s tied, the gaps between the {agg}s come from a few "
                f"extreme rows in the tails, not from a group that is {first}-for-{first} slower."
            )
        elif other[0][0] != top[0]:
            lines.append(
                f"- The {agg} puts {other[0][0]} first instead: a few extreme rows move the "
                f"{agg}, so the {first} is the fairer comparison here."
            )
        else:
            lines.append(
                f"- The {agg} agrees on {top[0]}, so it is not a handful of rows driving it."
            )
    return lines


def _code_lines(inv: Investigation) -> list[str]:
    run = inv.result("run_python")
    if run is None:
        return []
    code = str(run.input.get("code", ""))
    if run.is_error or "did not run" in run.result:
        why = run.result.split(";")[0].strip()
        return [
            f"Nothing ran ({why}), so your data is unchanged. This is the code I proposed; run it "
            f"yourself if it is what you want:\n\n```python\n{code}\n```"
        ]
    value = run.result.strip().splitlines()[-1] if run.result.strip() else ""
    number = _REPR_NUMBER.search(value)
    shown = number.group(1) if number else value[:200]
    share = ""
    x = _float(number.group(1)) if number else None
    if (
        x is not None
        and 0 <= x <= 1
        and re.search(r"\b(share|fraction|proportion)\b", inv.question)
    ):
        share = f", that is {100 * x:.4g}% of the rows"
    return [
        f"Approved and run (run_python):\n\n```python\n{code}\n```\n\nResult: **{shown}**{share}."
    ]


def final_answer(inv: Investigation) -> str:
    target = inv.target()
    if target is None:
        return (
            "I found no variables in your kernel to inspect (list_variables). Create a DataFrame "
            f"and ask again, e.g. `%claude explore df`.\n\n{NOTE}"
        )
    described = inv.result("describe", name=target)
    if described is not None and described.is_error:
        return f"The inspection tools could not read `{target}`: {described.result}\n\n{NOTE}"
    profile = inv.profile(target)
    if profile is None:
        return f"I did not get to look at `{target}` within the tool limit.\n\n{NOTE}"
    parts = _profile_lines(target, profile)
    groups, code = _group_lines(inv, target), _code_lines(inv)
    if groups:
        parts += ["", *groups]
    if code:
        parts += ["", *code]
    odd, missing = _odd_lines(inv, target, profile), _missing_lines(inv, target)
    if odd:
        parts += ["", "**What is odd**", *odd]
    if missing:
        parts += ["", "**What is missing**", *missing]
    if (odd or missing) and not (groups or code):  # a focused question gets no to-do list
        nexts = []
        far = inv.extreme(profile)
        if far is not None:
            nexts.append(f"confirm the extreme `{far[0].name}` value with whoever entered it")
        nulls = [c for c in profile.columns if c.nulls]
        if nulls:
            nexts.append(
                f"compare rows with and without `{nulls[0].name}` "
                f"(`%claude explore {target} why is {nulls[0].name} missing?`)"
            )
        nexts.append("use medians for skewed columns until the odd values are settled")
        parts += ["", "**What to look at next**", *(f"- {n[0].upper()}{n[1:]}." for n in nexts)]
    if inv.final and not groups and not odd and not missing:
        parts += ["", "The tool limit stopped me before the other checks."]
    return "\n".join([*parts, "", NOTE])


def investigation_reply(body: dict[str, Any], stream_seconds: float) -> Reply:
    """The next scripted step for a request that offers tools: more calls, or the summary."""
    inv = _exchange(body)
    step = None if inv.final else _next_round(inv)
    if step is not None:
        words, calls = step
        calls = [c for c in calls if c.name in inv.offered]
        if calls:
            return Reply(text=words, tool_calls=calls, delta_delay=0.03)
    text = final_answer(inv)
    return Reply(text=text, delta_delay=min(0.05, stream_seconds / max(1, len(text.split()))))
