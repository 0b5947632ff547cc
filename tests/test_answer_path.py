"""One answer path: every way of answering ends in the same metadata keys and ``-o`` types.

Drives a plain prompt, the answer cache (``--cached`` and replay), ``--tools``,
``%claude explore``, ``--map``, ``--map --batch`` and the offline demo (plain and
with tools) in one shell against the fake, and compares what each left behind.
"""

from __future__ import annotations

from typing import Any

import pytest

from kuroryuu_magic import demo
from kuroryuu_magic.ask import display as display_module
from kuroryuu_magic.ask.result import KEYS, METADATA_KEY
from kuroryuu_magic.core.session import session_for
from kuroryuu_magic.demo import _answers as answers
from kuroryuu_magic.map import _batches
from kuroryuu_magic.testing import Reply
from tests.conftest import run_cell

pd = pytest.importorskip("pandas")

JSON = '{"v": 1}'


@pytest.fixture
def seen(ip, fake, monkeypatch) -> list[dict[str, Any]]:
    """Every display's ``kuroryuu_magic`` metadata, as a notebook front end would save it."""
    import IPython.display

    found: list[dict[str, Any]] = []

    def display(*args: Any, **kwargs: Any) -> None:
        meta = kwargs.get("metadata") or {}
        if METADATA_KEY in meta:
            found.append(meta[METADATA_KEY])

    monkeypatch.setattr(display_module, "is_rich_frontend", lambda shell: True)
    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(_batches, "POLL_FIRST", 0.01)
    monkeypatch.setattr(answers, "STREAM_SECONDS", 0.0)
    monkeypatch.setattr(answers, "FIRST_BYTE_SECONDS", 0.0)
    session_for().drop(_batches.KnownJobs)
    ip.run_line_magic("config", "ClaudeMagics.show_usage = True")
    run_cell(ip, "import pandas as pd\ndf = pd.DataFrame({'a': [1, 1, 2]})\nitems = ['a', 'b']")
    yield found
    demo.stop()


def test_every_answer_source_leaves_the_same_keys_and_o_types(ip, fake, seen) -> None:
    def cell(source: str) -> dict[str, Any]:
        before = len(seen)
        run_cell(ip, source)
        assert len(seen) > before, f"no provenance for {source!r}"
        return seen[-1]

    meta: dict[str, dict[str, Any]] = {}
    fake.enqueue(Reply(text=JSON))
    meta["api"] = cell(f"%%claude -f json --no-history --cached -o api\nSay {JSON}")
    meta["cache"] = cell(f"%%claude -f json --no-history --cached -o cache\nSay {JSON}")
    ip.run_line_magic("config", 'ClaudeMagics.answer_cache = "replay"')
    meta["replay"] = cell(f"%%claude -f json --no-history -o replay\nSay {JSON}")
    ip.run_line_magic("config", 'ClaudeMagics.answer_cache = "on"')
    fake.enqueue(Reply.call("duplicates", {"name": "df"}, text="Checking."))
    fake.enqueue(Reply(text=JSON))
    meta["tools"] = cell("%%claude --tools -f json --no-history -o tools\nAnything odd in df?")
    fake.enqueue(Reply.call("null_counts", {"name": "df"}))
    fake.enqueue(Reply(text=JSON))
    meta["explore"] = cell("%claude explore -f json --no-history -o explore df")
    meta["map"] = cell('%%claude --map items -f json -o map\nSay {{"v": "{item}"}}')
    meta["batch"] = cell(
        '%%claude --map items --batch --fresh -f json -o batch\nSay {{"v": "{item}"}}'
    )
    run_cell(ip, "%claude demo --force")
    ask_json = 'Return JSON with keys "median" and "mean" for 1, 2, 3.'
    meta["demo"] = cell(f"%%claude -f json --no-history -o demo\n{ask_json}")
    # The demo's tool loop runs scripted calls and writes a Markdown report, whatever -f asks.
    meta["demo tools"] = cell("%%claude --tools --no-history -o demo_tools\nAnything odd in df?")

    # The same keys, whatever produced the output.
    assert {name: set(m) for name, m in meta.items()} == {name: set(KEYS) for name in meta}
    got = {name: (m["kind"], m["route"], m["source"]) for name, m in meta.items()}
    assert got == {
        "api": ("answer", "prompt", "api"),
        "cache": ("answer", "prompt", "cache"),
        "replay": ("answer", "prompt", "cache"),
        "tools": ("answer", "tools", "api"),
        "explore": ("answer", "tools", "api"),
        "map": ("map", "map", "api"),
        "batch": ("map", "batch", "api"),
        "demo": ("answer", "prompt", "demo"),
        "demo tools": ("answer", "tools", "demo"),
    }
    # The same -o type: -f json is parsed, whichever path answered (a list of them for --map).
    for name in ("api", "cache", "replay", "tools", "explore"):
        assert ip.user_ns[name] == {"v": 1}, name
    assert set(ip.user_ns["demo"]) == {"median", "mean"}
    assert ip.user_ns["demo_tools"] == ip.user_ns["_claude"].text != ""
    assert [dict(v) for v in ip.user_ns["map"]] == [{"v": "a"}, {"v": "b"}]
    assert [dict(v) for v in ip.user_ns["batch"]] == [{"v": "a"}, {"v": "b"}]

    # Request ids and stop reasons: every request's, a tool loop's rounds and a map's items too.
    assert meta["api"]["request_id"] and meta["cache"]["request_id"] == meta["api"]["request_id"]
    assert meta["tools"]["stop_reasons"] == {"tool_use": 1, "end_turn": 1}
    assert len(set(meta["tools"]["request_ids"])) == 2 and meta["tools"]["tool_calls"] == 1
    assert meta["map"]["stop_reasons"] == {"end_turn": 2} and len(meta["map"]["request_ids"]) == 2
    assert meta["batch"]["stop_reasons"] == {"end_turn": 2} and meta["batch"]["batch_ids"]
    assert meta["cache"]["from_cache"] == 1 and meta["cache"]["cost_usd_estimate"] == 0

    # The demo is labelled and free whichever path asked it, the tool loop included.
    assert meta["demo tools"]["cost_usd_estimate"] == 0
    assert "offline demo" in ip.user_ns["_claude"].footer()
    usage = ip.magics_manager.registry["ClaudeMagics"].session_usage.by_model
    demo_rows = {m: t for m, t in usage.items() if m.endswith("(offline demo)")}
    assert sum(t.requests for t in demo_rows.values()) >= 2
    assert all(t.cost == 0 for t in demo_rows.values())
