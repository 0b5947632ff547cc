"""The answer cache: keys, the private redacted file, modes, and concurrent use."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import anthropic
import pytest

from kuroryuu_magic.cache import (
    AnswerCache,
    AnswerCacheError,
    CachedAnswer,
    CacheMissError,
    CorruptCacheError,
    answer_key,
    cache_mode,
    canonical_request,
    lookup,
    lookup_many,
    stores,
)
from kuroryuu_magic.testing import Reply

# Built from two pieces so that no key-shaped string is tracked in the repository.
CANARY = "sk-ant-api03-" + "CANARYcanary0123456789abcdefghijklmnopqrstuvwxyzCANARYkey-XYZW"
BASE: dict[str, Any] = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 256,
    "system": "Label the review.",
    "messages": [{"role": "user", "content": "great product"}],
}


def answer(text: str = "positive", **kw: Any) -> CachedAnswer:
    fields: dict[str, Any] = {
        "text": text,
        "content": [{"type": "text", "text": text}],
        "usage": {"input_tokens": 12, "output_tokens": 3},
        "model": "claude-sonnet-4-6",
        "stop_reason": "end_turn",
        "request_id": "req_abc",
    }
    fields.update(kw)
    return CachedAnswer(**fields)


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cfg" / "answers.sqlite"


@pytest.fixture
def cache(cache_path: Path) -> Any:
    with AnswerCache(cache_path) as c:
        yield c


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text
    lines = exc._render_traceback_()  # type: ignore[attr-defined]
    assert len(lines) == 1 and "\n" not in lines[0]
    return text


# --- keys ---------------------------------------------------------------------------------


def test_key_ignores_transport_fields_and_credentials() -> None:
    key = answer_key(BASE)
    noisy = {
        **BASE,
        "stream": True,
        "metadata": {"user_id": "u1"},
        "extra_headers": {"x-api-key": CANARY},
        "extra_query": {"a": "b"},
        "timeout": 30,
        "service_tier": "auto",
        "api_key": CANARY,
        "auth_token": CANARY,
        "thinking": None,
        "tool_choice": anthropic.omit,
        "stop_sequences": anthropic.NOT_GIVEN,
    }
    assert answer_key(noisy) == key
    assert CANARY not in canonical_request(noisy)
    assert len(key) == 64 and int(key, 16) >= 0


def test_key_treats_equivalent_forms_alike() -> None:
    blocks = {
        **BASE,
        "system": [
            {"type": "text", "text": "Label the review.", "cache_control": {"type": "ephemeral"}}
        ],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "great product"}]}],
        "cache_control": {"type": "ephemeral"},
    }
    assert answer_key(blocks) == answer_key(BASE)
    # An SDK content block from an earlier answer keys like the dict a user would write.
    turn = [{"role": "assistant", "content": [anthropic.types.TextBlock(type="text", text="ok")]}]
    as_dict = [{"role": "assistant", "content": [{"type": "text", "text": "ok"}]}]
    assert answer_key({**BASE, "messages": turn}) == answer_key({**BASE, "messages": as_dict})


@pytest.mark.parametrize(
    "change",
    [
        {"model": "claude-opus-5-5"},
        {"system": "Label it differently."},
        {"messages": [{"role": "user", "content": "bad product"}]},
        {"max_tokens": 257},
        {"thinking": {"type": "enabled", "budget_tokens": 1024}},
        {"output_config": {"effort": "low"}},
        {"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}},
        {"tools": [{"name": "t", "input_schema": {"type": "object"}}]},
        {"tool_choice": {"type": "any"}},
        {"stop_sequences": ["END"]},
    ],
)
def test_every_determining_field_changes_the_key(change: dict[str, Any]) -> None:
    assert answer_key({**BASE, **change}) != answer_key(BASE)


def test_key_scope_separates_demo_answers() -> None:
    assert answer_key(BASE, scope="demo") != answer_key(BASE)


def test_key_hashes_odd_text_and_refuses_unhashable_objects() -> None:
    odd = {**BASE, "messages": [{"role": "user", "content": "a\udcff\x00{}\\"}]}
    assert answer_key(odd) != answer_key(BASE)
    with pytest.raises(TypeError, match="cannot hash"):
        answer_key({**BASE, "messages": [{"role": "user", "content": object()}]})


# --- the store ----------------------------------------------------------------------------


def test_put_get_round_trip_and_session_counts(cache: AnswerCache) -> None:
    key = answer_key(BASE)
    assert cache.get(key) is None
    assert cache.put(key, answer("positive")) is True
    got = cache.get(key)
    assert got == answer("positive", created=got.created)
    stats = cache.stats()
    assert (stats.entries, stats.hits, stats.misses) == (1, 1, 1)
    assert stats.bytes > 0 and stats.path == cache.path


def test_only_complete_answers_are_stored(cache: AnswerCache) -> None:
    for i, reason in enumerate(["refusal", "pause_turn", "error", ""]):
        assert cache.put(f"k{i}", answer(stop_reason=reason)) is False
        assert cache.get(f"k{i}") is None
    for reason in ["end_turn", "max_tokens", "stop_sequence", "tool_use"]:
        assert cache.put(reason, answer(stop_reason=reason)) is True
    assert cache.stats().entries == 4


def test_get_many_is_one_query_and_returns_only_hits(cache: AnswerCache) -> None:
    stored = {f"key{i}": answer(f"a{i}") for i in range(0, 1200, 2)}
    assert cache.put_many(stored.items()) == len(stored)
    statements: list[str] = []
    cache._conn.set_trace_callback(statements.append)  # type: ignore[union-attr]
    wanted = [f"key{i}" for i in range(1200)] + ["key0"]  # a duplicate counts once
    found = cache.get_many(wanted)
    cache._conn.set_trace_callback(None)  # type: ignore[union-attr]
    assert found.keys() == stored.keys()
    assert found["key10"].text == "a10"
    assert sum(s.lstrip().upper().startswith("SELECT") for s in statements) == 1
    stats = cache.stats()
    assert (stats.hits, stats.misses) == (600, 600)
    assert cache.get_many([]) == {}


def test_from_message_with_the_real_sdk(fake: Any, cache: AnswerCache) -> None:
    fake.enqueue(Reply(text="neutral", usage={"input_tokens": 9, "output_tokens": 2}))
    client = anthropic.Anthropic(max_retries=0)
    message = client.messages.create(**BASE)
    stored = CachedAnswer.from_message(message)
    assert stored.text == "neutral" and stored.stop_reason == "end_turn"
    assert stored.request_id == fake.messages_requests()[-1].request_id
    assert stored.usage["input_tokens"] == 9
    assert cache.put(answer_key(BASE), stored)
    # The blocks as the API sent them (``citations: null`` included where it sends it).
    blocks = cache.get(answer_key(BASE)).content
    assert [{k: v for k, v in b.items() if v is not None} for b in blocks] == [
        {"type": "text", "text": "neutral"}
    ]


def _all_bytes(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            data += file.read_bytes()
    return data


def test_no_secret_is_ever_stored(fake: Any, cache_path: Path) -> None:
    # The fake echoes the canary the way a hostile or buggy upstream might.
    fake.enqueue(Reply(text=f"your key is {CANARY}"))
    message = anthropic.Anthropic(max_retries=0).messages.create(**BASE)
    cache = AnswerCache(cache_path)
    cache.put("from-api", CachedAnswer.from_message(message))
    cache.put(
        "everywhere",
        answer(
            f"x {CANARY} y",
            content=[
                {"type": "text", "text": CANARY},
                {"type": "tool_use", "id": "t1", "name": "f", "input": {CANARY: [CANARY]}},
            ],
            usage={"note": CANARY},
            request_id=CANARY,
        ),
    )
    on_disk_while_open = _all_bytes(cache_path)
    got = cache.get("everywhere")
    cache.close()
    for blob in (on_disk_while_open, _all_bytes(cache_path)):
        assert CANARY.encode() not in blob
        assert b"CANARYcanary0123456789" not in blob
    assert got is not None and got.text == "x sk-ant-…XYZW y"
    assert got.content[1]["input"] == {"sk-ant-…XYZW": ["sk-ant-…XYZW"]}


def test_a_custom_redaction_hook_masks_exact_secrets(cache_path: Path) -> None:
    with AnswerCache(cache_path, redact=lambda s: s.replace("hunter2", "[secret]")) as cache:
        cache.put("k", answer("password hunter2"))
        assert cache.get("k").text == "password [secret]"
    assert b"hunter2" not in _all_bytes(cache_path)


def test_file_is_private_even_under_umask_000(cache_path: Path) -> None:
    old = os.umask(0)
    try:
        with AnswerCache(cache_path) as cache:
            cache.put("k", answer())
            for suffix in ("", "-wal", "-shm"):
                file = cache_path.with_name(cache_path.name + suffix)
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, suffix
        assert stat.S_IMODE(cache_path.parent.stat().st_mode) == 0o700
    finally:
        os.umask(old)


def test_a_world_readable_cache_is_tightened(cache_path: Path) -> None:
    AnswerCache(cache_path).close()
    os.chmod(cache_path, 0o644)
    with AnswerCache(cache_path) as cache:
        cache.put("k", answer())
    assert stat.S_IMODE(cache_path.stat().st_mode) == 0o600


def test_a_symlinked_cache_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sqlite"
    AnswerCache(target).close()
    link = tmp_path / "answers.sqlite"
    link.symlink_to(target)
    with pytest.raises(AnswerCacheError) as info:
        AnswerCache(link)
    assert str(link) in one_line(info.value) and "symlink" in str(info.value)


def test_clear_all_and_older_than(cache: AnswerCache) -> None:
    now = time.time()
    cache.put("old", answer(created=now - 10 * 86400))
    cache.put("week", answer(created=now - 6 * 86400))
    cache.put("new", answer())
    assert cache.clear(older_than_days=7) == 1
    assert cache.get("old") is None and cache.get("week") is not None
    assert cache.clear(older_than_days=0) == 2
    assert cache.stats().entries == 0
    cache.put("again", answer())
    assert cache.clear() == 1
    with pytest.raises(ValueError):
        cache.clear(older_than_days=-1)


def test_closed_cache_says_so(cache_path: Path) -> None:
    cache = AnswerCache(cache_path)
    cache.close()
    cache.close()  # twice is fine
    with pytest.raises(AnswerCacheError, match="closed"):
        cache.get("k")


# --- broken files -------------------------------------------------------------------------


def test_corrupt_file_is_one_typed_line_and_left_alone(cache_path: Path) -> None:
    cache_path.parent.mkdir(mode=0o700)
    junk = b"this is not sqlite\x00" * 300
    cache_path.write_bytes(junk)
    os.chmod(cache_path, 0o600)
    with pytest.raises(CorruptCacheError) as info:
        AnswerCache(cache_path)
    message = one_line(info.value)
    assert str(cache_path) in message and "Fix:" in message
    assert info.value.__suppress_context__ and info.value.__cause__ is None
    assert cache_path.read_bytes() == junk


def test_damaged_pages_surface_as_corrupt_on_read(cache_path: Path) -> None:
    with AnswerCache(cache_path) as cache:
        cache.put_many((f"k{i}", answer("x" * 2000)) for i in range(50))
    data = bytearray(cache_path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # keep the header, smash every page after it
    cache_path.write_bytes(bytes(data))
    with pytest.raises(CorruptCacheError) as info, AnswerCache(cache_path) as cache:
        cache.get_many([f"k{i}" for i in range(50)])
    assert str(cache_path) in one_line(info.value)


def test_another_programs_database_is_refused(cache_path: Path) -> None:
    cache_path.parent.mkdir(mode=0o700)
    with sqlite3.connect(cache_path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    before = cache_path.read_bytes()
    with pytest.raises(CorruptCacheError, match="another program"):
        AnswerCache(cache_path)
    assert cache_path.read_bytes() == before


def test_unusable_location_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    path = blocker / "answers.sqlite"
    with pytest.raises(AnswerCacheError) as info:
        AnswerCache(path)
    assert str(path) in one_line(info.value)


def test_held_lock_fails_fast_in_one_line_while_reads_go_on(cache_path: Path) -> None:
    with AnswerCache(cache_path, timeout=0.2) as cache:
        cache.put("k", answer())
        other = sqlite3.connect(cache_path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("DELETE FROM answers WHERE key = 'nothing'")
            start = time.monotonic()
            with pytest.raises(AnswerCacheError) as info:
                cache.put("k2", answer())
            assert time.monotonic() - start < 2
            assert "locked" in one_line(info.value) and str(cache_path) in str(info.value)
            assert cache.get("k") is not None  # WAL: readers are not blocked by a writer
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert cache.put("k2", answer())


# --- concurrency --------------------------------------------------------------------------


def test_threads_share_one_cache(cache: AnswerCache) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(150):
                key = f"t{n}-{i}"
                cache.put(key, answer(key))
                assert cache.get(key).text == key
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(50):
                cache.get_many([f"t0-{i}" for i in range(150)])
                cache.stats()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert cache.stats().entries == 450


def test_two_processes_on_one_file(cache_path: Path) -> None:
    AnswerCache(cache_path).close()
    script = textwrap.dedent(
        """
        import sys
        from kuroryuu_magic.cache import AnswerCache, CachedAnswer
        with AnswerCache(sys.argv[1]) as cache:
            for i in range(200):
                a = CachedAnswer(text=f"p{i}", content=[], usage={}, model="m", stop_reason="end_turn")
                cache.put(f"child-{i}", a)
                cache.get(f"parent-{i}")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen([sys.executable, "-c", script, str(cache_path)], env=env)
    try:
        with AnswerCache(cache_path) as cache:
            for i in range(200):
                cache.put(f"parent-{i}", answer(f"q{i}"))
                cache.get(f"child-{i}")
        assert child.wait(60) == 0
    finally:
        if child.poll() is None:
            child.kill()
    with AnswerCache(cache_path) as cache:
        assert cache.stats().entries == 400
        assert cache.get("child-199").text == "p199"
        assert cache.get("parent-0").text == "q0"


# --- modes --------------------------------------------------------------------------------


def test_modes(cache: AnswerCache) -> None:
    assert cache_mode("replay") == "replay"
    with pytest.raises(ValueError, match="on, off, replay"):
        cache_mode("yes")
    assert stores("on") and not stores("off") and not stores("replay")
    cache.put("hit", answer("cached"))
    assert lookup(cache, "hit", "on").text == "cached"
    assert lookup(cache, "hit", "off") is None
    assert lookup(cache, "hit", "replay").text == "cached"
    assert lookup(cache, "miss", "on") is None
    assert lookup(None, "miss", "on") is None
    assert lookup_many(cache, ["hit", "miss"], "on").keys() == {"hit"}
    assert lookup_many(cache, ["hit"], "off") == {}


def test_replay_miss_is_a_clear_error(cache: AnswerCache) -> None:
    cache.put("hit", answer())
    with pytest.raises(CacheMissError) as info:
        lookup(cache, "miss", "replay")
    message = one_line(info.value)
    assert "replay" in message and str(cache.path) in message and "nothing was sent" in message
    with pytest.raises(CacheMissError) as many:
        lookup_many(cache, ["hit", "m1", "m2", "m2"], "replay")
    assert many.value.missing == 2 and "2 of 3 items" in one_line(many.value)
    with pytest.raises(CacheMissError, match="no answer cache open"):
        lookup(None, "k", "replay")
