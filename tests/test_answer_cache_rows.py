"""Answer-cache rows are foreign input (issue 19): a hostile row is a miss plus one warning
line, never a traceback (the file travels with notebooks for replay)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kuroryuu_magic.cache import AnswerCache, CachedAnswer, CacheMissError, lookup

GOOD: dict[str, Any] = {
    "text": "positive",
    "content": [{"type": "text", "text": "positive"}],
    "usage": {"input_tokens": 12, "output_tokens": 3},
    "model": "claude-sonnet-4-6",
    "stop_reason": "end_turn",
    "request_id": "req_abc",
}

DEEP = "[" * 5000 + "]" * 5000
HOSTILE_ROWS: dict[str, dict[str, Any]] = {
    "deep content": {"content": DEEP},
    "deep but parseable": {
        "content": json.dumps([{"type": "text", "text": "x", "n": json.loads("[" * 20 + "]" * 20)}])
    },
    "deep usage": {"usage": "{" + '"a":{' * 3000 + "}" * 3001},
    "string for a number": {"usage": json.dumps({"input_tokens": "12", "output_tokens": 3})},
    "negative count": {"usage": json.dumps({"input_tokens": -5})},
    "content not a list": {"content": json.dumps({"type": "text", "text": "x"})},
    "block without text": {"content": json.dumps([{"type": "text", "text": 7}])},
    "not JSON": {"content": "nope{"},
    "blob text": {"text": b"\x00\x01"},
    "empty model": {"model": ""},
    "odd stop reason": {"stop_reason": "pwned"},
    "infinite time": {"created": float("inf")},
    "text created": {"created": "yesterday"},
}


def _store(path: Path, key: str = "k") -> None:
    with AnswerCache(path) as cache:
        assert cache.put(key, CachedAnswer(**GOOD))


def _tamper(path: Path, change: dict[str, Any], key: str = "k") -> None:
    conn = sqlite3.connect(path)
    with conn:
        for column, value in change.items():
            conn.execute(f"UPDATE answers SET {column} = ? WHERE key = ?", (value, key))
    conn.close()


@pytest.mark.parametrize("name", list(HOSTILE_ROWS))
def test_a_hostile_row_is_a_miss_and_one_warning(tmp_path: Path, name: str, capsys: Any) -> None:
    path = tmp_path / "answers.sqlite"
    _store(path)
    _store(path, key="fine")
    _tamper(path, HOSTILE_ROWS[name])
    with AnswerCache(path) as cache:
        assert cache.get("k") is None
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "could not be read" in err and str(path) in err
        found = cache.get_many(["k", "fine"])
        assert list(found) == ["fine"] and found["fine"].text == "positive"
        assert capsys.readouterr().err.count("\n") == 1
        assert cache.stats().misses == 2 and cache.bad_rows == 2
        with pytest.raises(CacheMissError):  # replay: a bad row is a miss like any other
            lookup(cache, "k", "replay")


def test_a_good_row_still_reads_back(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "answers.sqlite"
    _store(path)
    with AnswerCache(path) as cache:
        answer = cache.get("k")
    assert answer is not None and answer.text == "positive" and answer.usage["input_tokens"] == 12
    assert capsys.readouterr().err == ""


def test_replay_of_a_hostile_row_in_the_shell_is_one_line(
    ip: Any, tmp_path: Path, fake: Any
) -> None:
    path = tmp_path / "shared.sqlite"
    ip.run_line_magic("config", f'ClaudeMagics.answer_cache_path = "{path}"')
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.run_cell("%claude --no-history Hello").raise_error()
    ip.run_line_magic("config", 'ClaudeMagics.answer_cache = "replay"')
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE answers SET usage = ?", (json.dumps({"input_tokens": "9"}),))
    conn.close()
    result = ip.run_cell("%claude --no-history Hello")
    assert isinstance(result.error_in_exec, CacheMissError)
    assert len(result.error_in_exec._render_traceback_()) == 1
