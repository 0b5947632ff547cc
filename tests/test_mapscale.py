"""Labelling at scale (issue 14): --schema into typed columns, the answer cache and resume,
replay, the cost estimate and budget, batches split past the limits, provenance."""

from __future__ import annotations

import dataclasses
import enum
import os
import re
import stat
from typing import Literal, Optional

import pydantic
import pytest
import typing_extensions as tx
from IPython.core.error import UsageError

from kuroryuu_magic.cache import CacheMissError
from kuroryuu_magic.core.errors import ClaudeAPIError
from kuroryuu_magic.core.session import session_for
from kuroryuu_magic.map import _batches, _groups
from kuroryuu_magic.map._results import ItemError
from kuroryuu_magic.testing import Fault, Reply
from tests.conftest import run_cell

pd = pytest.importorskip("pandas")


class Sentiment(str, enum.Enum):
    pos = "pos"
    neg = "neg"


class Aspect(pydantic.BaseModel):
    name: str
    score: float


class Review(pydantic.BaseModel):
    sentiment: Sentiment
    stars: int
    summary: Optional[str] = None  # noqa: UP045  (the Optional spelling is what users write)
    tags: list[str]
    aspect: Aspect


@dataclasses.dataclass
class Label:
    label: Literal["spam", "ham"]
    confidence: float


class Topic(tx.TypedDict):
    topic: str
    keywords: list[str]


TOPIC_SCHEMA = {
    "type": "object",
    "properties": {"topic": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["topic", "n"],
    "additionalProperties": False,
}


@pytest.fixture
def sip(ip, fake):
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    return ip


def sent(fake) -> int:
    return len(fake.messages_requests())


def review(i: int) -> dict:
    return {
        "sentiment": "pos" if i % 2 else "neg",
        "stars": i,
        "summary": None if i % 3 == 0 else f"s{i}",
        "tags": [f"t{i}"] * (i % 3),
        "aspect": {"name": f"a{i}", "score": i / 2},
    }


# -- 1. structured outputs -------------------------------------------------------------


def test_pydantic_schema_fills_typed_columns_on_a_non_default_index(sip, fake):
    frame = pd.DataFrame({"text": ["a", "b", "c"]}, index=[10, 20, 30])
    sip.user_ns.update(df=frame, Review=Review)
    for i in range(3):
        fake.enqueue(Reply(json=review(i)))
    run_cell(sip, "%%claude --map df -o out --schema Review --concurrency 1\nLabel {row.text}")
    out = sip.user_ns["out"]
    assert list(out.index) == [10, 20, 30]
    assert list(out.columns) == ["sentiment", "stars", "summary", "tags", "aspect", "_error"]
    assert str(out["stars"].dtype) == "Int64"
    assert out["sentiment"].dtype == "category"
    assert list(out["sentiment"].cat.categories) == ["pos", "neg"]
    assert out.loc[20, "tags"] == ["t1"] and out.loc[30, "aspect"] == {"name": "a2", "score": 1.0}
    assert pd.isna(out.loc[10, "summary"]) and out.loc[20, "summary"] == "s1"
    assert out["_error"].isna().all()
    joined = frame.join(out)
    assert list(joined.loc[30, ["text", "stars"]]) == ["c", 2]
    body = fake.messages_requests()[0].body
    assert body["output_config"]["format"]["type"] == "json_schema"


@pytest.mark.parametrize(
    ("name", "target", "columns"),
    [
        ("Label", Label, ["label", "confidence"]),
        ("Topic", Topic, ["topic", "keywords"]),
        ("TOPIC", TOPIC_SCHEMA, ["topic", "n"]),
    ],
)
def test_dataclass_typeddict_and_json_schema_into_columns(sip, fake, name, target, columns):
    series = pd.Series(["x", "y"], index=["r1", "r2"])
    sip.user_ns.update(s=series, **{name: target})
    # No script: the fake answers with a small value matching the request's schema.
    run_cell(sip, f"%%claude --map s -o out --schema {name}\nClassify {{item}}")
    out = sip.user_ns["out"]
    assert list(out.index) == ["r1", "r2"]
    assert list(out.columns) == [*columns, "_error"]
    assert out["_error"].isna().all()
    assert out[columns[0]].notna().all()


def test_a_list_input_gives_validated_objects(sip, fake):
    sip.user_ns.update(items=["a", "b"], Label=Label)
    fake.enqueue(Reply(json={"label": "spam", "confidence": 0.9}))
    fake.enqueue(Reply(json={"label": "ham", "confidence": 0.1}))
    run_cell(sip, "%%claude --map items -o out --schema Label --concurrency 1\n{item}")
    assert sip.user_ns["out"] == [Label("spam", 0.9), Label("ham", 0.1)]


def test_an_invalid_answer_is_a_format_error_with_the_raw_text_kept(sip, fake):
    sip.user_ns.update(s=pd.Series(["ok", "bad"], index=[5, 6]), Label=Label)
    fake.enqueue(Reply(json={"label": "spam", "confidence": 0.5}))
    fake.enqueue(Reply(json={"label": "maybe", "confidence": "high"}, off_schema=True))
    run_cell(sip, "%%claude --map s -o out --schema Label --concurrency 1\n{item}")
    out = sip.user_ns["out"]
    error = out.loc[6, "_error"]
    assert isinstance(error, ItemError) and error.kind == "format"
    assert '"maybe"' in error.text and "maybe" not in error.message
    assert out.loc[5, "label"] == "spam" and pd.isna(out.loc[6, "label"])
    # An answer that failed validation is not a success: a re-run asks for it again.
    before = sent(fake)
    fake.enqueue(Reply(json={"label": "ham", "confidence": 0.2}))
    run_cell(sip, "%%claude --map s -o out --schema Label --concurrency 1\n{item}")
    assert sent(fake) - before == 1
    assert sip.user_ns["out"].loc[6, "label"] == "ham"


def test_single_prompt_schema_sets_claude_data(sip, fake):
    sip.user_ns["Label"] = Label
    fake.enqueue(Reply(json={"label": "ham", "confidence": 0.25}))
    run_cell(sip, "%%claude --schema Label -o lab\nIs this spam?")
    assert sip.user_ns["_claude"].data == Label("ham", 0.25)
    assert sip.user_ns["lab"] == Label("ham", 0.25)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("%%claude --schema Nope\nhi", "no variable named 'Nope'"),
        ("%%claude --schema x\nhi", "not an object of type int"),
        ("%%claude --schema Label() \nhi", "needs the name of a variable"),
    ],
)
def test_schema_mistakes_are_one_line_usage_errors(sip, fake, line, message):
    sip.user_ns.update(x=3, Label=Label)
    with pytest.raises(UsageError, match=re.escape(message)):
        run_cell(sip, line)
    assert sent(fake) == 0


# -- 2. the answer cache ---------------------------------------------------------------


def test_map_resumes_sending_only_items_without_a_successful_answer(sip, fake):
    sip.user_ns["items"] = [f"item {i}" for i in range(10)]
    for _ in range(3):
        fake.enqueue(Fault("status", status=500))
    run_cell(sip, "%%claude --map items -o out --concurrency 1\n{item}")
    assert sum(isinstance(v, ItemError) for v in sip.user_ns["out"]) == 3
    assert sent(fake) == 10
    run_cell(sip, "%%claude --map items -o out\n{item}")
    assert sent(fake) == 13  # only the three that failed
    assert all(not isinstance(v, ItemError) for v in sip.user_ns["out"])
    assert sip.user_ns["_claude"].cached == 7
    run_cell(sip, "%%claude --map items -o out --fresh\n{item}")
    assert sent(fake) == 23


def test_single_prompts_read_the_cache_only_when_asked(sip, fake):
    run_cell(sip, "%claude --no-history Hello there")
    run_cell(sip, "%claude --no-history Hello there")
    assert sent(fake) == 2
    first = sip.user_ns["_claude"].text
    run_cell(sip, "%claude --no-history --cached Hello there")
    assert sent(fake) == 2
    assert sip.user_ns["_claude"].text == first
    assert sip.user_ns["_claude"].source == "cache"
    with pytest.raises(UsageError, match="contradict"):
        run_cell(sip, "%claude --no-history --cached --fresh Hello there")


def test_replay_never_calls_the_api_and_a_miss_is_a_clear_error(sip, fake, monkeypatch):
    sip.user_ns["items"] = ["a", "b"]
    run_cell(sip, "%%claude --map items -o out\n{item}")
    first = list(sip.user_ns["out"])
    run_cell(sip, "%claude --no-history Hello")
    hello = sip.user_ns["_claude"].text
    fake.stop()  # no network from here on
    for name in list(os.environ):
        if name.startswith("ANTHROPIC_"):
            monkeypatch.delenv(name)  # and no credential either
    sip.run_line_magic("config", 'ClaudeMagics.answer_cache = "replay"')
    run_cell(sip, "%claude --no-history Hello")  # a single prompt replays too
    assert sip.user_ns["_claude"].text == hello and sip.user_ns["_claude"].source == "cache"
    run_cell(sip, "%%claude --map items -o again\n{item}")
    assert list(sip.user_ns["again"]) == first
    sip.user_ns["items"] = ["a", "b", "new"]
    result = sip.run_cell("%%claude --map items -o again\n{item}")
    assert isinstance(result.error_in_exec, CacheMissError)
    assert "1 of 3 items have no stored answer" in str(result.error_in_exec)


def test_cache_command_shows_and_clears(sip, fake, capsys):
    sip.user_ns["items"] = ["a", "b", "c"]
    run_cell(sip, "%%claude --map items -o out\n{item}")
    run_cell(sip, "%%claude --map items -o out\n{item}")
    capsys.readouterr()
    run_cell(sip, "%claude cache")
    shown = capsys.readouterr().out
    assert "3 answer(s)" in shown and "3 hit(s)" in shown and "answers.sqlite" in shown
    run_cell(sip, "%claude cache clear --older-than 1")
    assert "removed 0 answer(s) older than 1 day(s)" in capsys.readouterr().out
    run_cell(sip, "%claude cache clear")
    assert "removed 3 answer(s)" in capsys.readouterr().out
    with pytest.raises(UsageError):
        run_cell(sip, "%claude cache clear --older-than -2")


def test_cache_file_is_private_and_holds_no_key(sip, fake, tmp_path):
    path = tmp_path / "shared" / "answers.sqlite"
    sip.run_line_magic("config", f'ClaudeMagics.answer_cache_path = "{path}"')
    key = os.environ["ANTHROPIC_API_KEY"]
    # An answer that echoes the key: the cache masks it before storing.
    fake.enqueue(Reply(text=f"your key is {key}"))
    sip.user_ns["items"] = ["a", "b"]
    run_cell(sip, "%%claude --map items -o out --concurrency 1\n{item}")
    sip.run_line_magic("config", 'ClaudeMagics.answer_cache_path = ""')  # closes the file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for file in path.parent.iterdir():
        assert key.encode() not in file.read_bytes()
        assert key[-12:].encode() not in file.read_bytes()


# -- 3. cost before and during ---------------------------------------------------------


def test_dry_run_shows_the_first_item_count_tokens_and_cost(sip, fake, capsys):
    sip.user_ns["items"] = [f"review number {i} " * (i + 1) for i in range(30)]
    run_cell(sip, "%%claude --map items -o out --concurrency 1\n{item}")  # nothing cached yet
    sip.user_ns["items"] = sip.user_ns["items"] + ["one more"]
    before = sent(fake)
    capsys.readouterr()
    run_cell(sip, "%%claude --map items -o out --dry-run\n{item}")
    shown = capsys.readouterr().out
    assert sent(fake) == before  # nothing sent
    assert "review number 0" in shown  # the first rendered item
    assert "to send 1 · from the answer cache 30" in shown
    assert "input tokens: ~" in shown and "live" in shown and "as a batch" in shown
    assert "mean of the cached answers" in shown


def test_max_cost_refuses_to_start_above_the_estimate(sip, fake):
    sip.user_ns["items"] = ["x" * 4000] * 50
    with pytest.raises(UsageError, match=re.escape("--max-cost 0.001: the estimate is")):
        run_cell(sip, "%%claude --map items -o out --max-cost 0.001\n{item}")
    assert sent(fake) == 0


def test_max_cost_stops_sending_once_spent(sip, fake):
    sip.user_ns["items"] = [f"i{i}" for i in range(6)]
    fake.enqueue(Reply(text="long", usage={"input_tokens": 10, "output_tokens": 200_000}))
    run_cell(
        sip, "%%claude --map items -o out --max-tokens 16 --max-cost 1 --concurrency 1\n{item}"
    )
    out = sip.user_ns["out"]
    assert out[0] == "long"
    assert [v.kind for v in out[1:]] == ["budget"] * 5
    assert sent(fake) == 1


# -- 4. batches past the limits --------------------------------------------------------


@pytest.fixture
def small_batches(sip, fake, monkeypatch):
    monkeypatch.setattr(_batches, "_sleep", lambda s: None)
    monkeypatch.setattr(_batches, "MAX_BATCH_REQUESTS", 4)
    fake.batches.max_requests = 4
    return sip


def batch_posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/messages/batches"]


def test_a_batch_past_the_limit_splits_and_maps_back_by_custom_id(small_batches, fake):
    sip = small_batches
    sip.user_ns.update(s=pd.Series([f"t{i}" for i in range(10)], index=range(100, 110)))
    fake.batches.expired = {"markdown-5"}
    run_cell(sip, "%%claude --map s -o out --batch\n{item}")
    posts = batch_posts(fake)
    assert [len(p.body["requests"]) for p in posts] == [4, 4, 2]
    out = sip.user_ns["out"]
    assert list(out.index) == list(range(100, 110))
    assert isinstance(out[105], ItemError) and out[105].kind == "expired"
    assert [v.split("You said: ")[1] for k, v in out.items() if k != 105] == [
        f"t{i}" for i in range(10) if i != 5
    ]
    summary = sip.user_ns["_claude"]
    assert summary.batch_id.startswith("msgbatchgroup_") and len(summary.batch_ids) == 3
    # The results went into the answer cache: a live re-run sends only the expired one.
    before = len(fake.messages_requests())
    run_cell(sip, "%%claude --map s -o out\n{item}")
    assert len(fake.messages_requests()) - before == 1


def test_the_byte_limit_splits_too(small_batches, fake, monkeypatch):
    monkeypatch.setattr(_batches, "MAX_BATCH_BYTES", 4000)
    fake.batches.max_bytes = 4000
    sip = small_batches
    sip.user_ns["items"] = ["y" * 900] * 4
    run_cell(sip, "%%claude --map items -o out --batch\n{item}")
    assert len(batch_posts(fake)) >= 2
    assert all(not isinstance(v, ItemError) for v in sip.user_ns["out"])


def test_a_part_that_fails_leaves_the_others_intact_and_the_group_refetches(
    small_batches, fake, capsys
):
    sip = small_batches
    sip.user_ns["items"] = [f"t{i}" for i in range(8)]
    original = _batches.submit
    calls = []

    def submit(client, requests):
        calls.append(len(requests))
        if len(calls) == 2:
            from kuroryuu_magic.core.errors import ClaudeAPIError

            raise ClaudeAPIError("refused for the test")
        return original(client, requests)

    _batches.submit = submit
    try:
        run_cell(sip, "%%claude --map items -o out --batch\n{item}")
    finally:
        _batches.submit = original
    out = sip.user_ns["out"]
    assert all(not isinstance(v, ItemError) for v in out[:4])
    assert all(isinstance(v, ItemError) and "not submitted" in v.message for v in out[4:])
    group = sip.user_ns["_claude"].batch_id
    # As a restarted kernel: the record on disk names the parts.
    session_for().drop(_batches.KnownJobs)
    run_cell(sip, f"%claude batch {group} -o again")
    again = sip.user_ns["again"]
    assert [v.split("You said: ")[1] for v in again[:4]] == ["t0", "t1", "t2", "t3"]
    assert all(isinstance(v, ItemError) for v in again[4:])
    record = _groups.config_dir() / "batch_groups.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_one_collector_a_failed_read_raises_for_a_batch_and_fails_only_its_part_in_a_group(
    small_batches, fake
):
    sip = small_batches
    unreadable = Fault(
        "status", status=400, path="/v1/messages/batches/*/results", should_retry=False
    )
    # A run of one batch: its results are the whole run, so the failure is the cell's.
    sip.user_ns["few"] = ["a", "b"]
    fake.enqueue(unreadable)
    with pytest.raises(ClaudeAPIError, match="400"):
        run_cell(sip, "%%claude --map few -o out --batch\n{item}")
    batch_id = sip.user_ns["_claude"].batch_id
    run_cell(sip, f"%claude batch {batch_id} -o out")  # the batch is still there to fetch
    assert [v.split("You said: ")[1] for v in sip.user_ns["out"]] == ["a", "b"]
    # A group: the part whose results could not be read fails alone, through the same code.
    sip.user_ns["many"] = [f"t{i}" for i in range(6)]
    fake.enqueue(dataclasses.replace(unreadable))
    run_cell(sip, "%%claude --map many -o out --batch\n{item}")
    out = sip.user_ns["out"]
    assert all(isinstance(v, ItemError) and "could not read" in v.message for v in out[:4])
    assert [v.split("You said: ")[1] for v in out[4:]] == ["t4", "t5"]
    summary = sip.user_ns["_claude"]
    assert (summary.succeeded, summary.failed, len(summary.batch_ids)) == (2, 4, 2)


def test_split_requests_respects_both_limits():
    requests = [{"custom_id": f"text-{i}", "params": {"x": "z" * (i * 10)}} for i in range(20)]
    parts = _groups.split_requests(requests, max_requests=6, max_bytes=1200)
    assert [r for p in parts for r in p] == requests
    assert all(len(p) <= 6 for p in parts)
    assert all(64 + sum(_groups.request_bytes(r) for r in p) <= 1200 for p in parts if len(p) > 1)


# -- 5. provenance ---------------------------------------------------------------------


def test_answer_display_carries_provenance_metadata(ip, fake, monkeypatch):
    from kuroryuu_magic.ask import display as display_module

    seen = []
    monkeypatch.setattr(display_module, "is_rich_frontend", lambda shell: True)
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: seen.append(k.get("metadata")))
    ip.run_line_magic("config", "ClaudeMagics.show_usage = True")
    run_cell(ip, "%claude Hello")
    meta = [m for m in seen if m]
    assert meta, "no display carried metadata"
    info = meta[-1]["kuroryuu_magic"]
    assert info["source"] == "api" and info["model"].startswith("claude-")
    assert info["request_id"] and info["stop_reason"] == "end_turn"
    assert info["usage"]["output_tokens"] > 0 and info["cost_usd_estimate"] > 0
    assert os.environ["ANTHROPIC_API_KEY"] not in repr(meta)


def test_an_unusable_cache_file_never_costs_the_answer(sip, fake, tmp_path, capsys):
    bad = tmp_path / "not-a-cache.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    bad.chmod(0o600)
    sip.run_line_magic("config", f'ClaudeMagics.answer_cache_path = "{bad}"')
    sip.user_ns["items"] = ["a"]
    run_cell(sip, "%%claude --map items -o out\n{item}")
    assert isinstance(sip.user_ns["out"][0], str)
    assert "answer cache unavailable" in capsys.readouterr().out
    sip.run_line_magic("config", 'ClaudeMagics.answer_cache = "replay"')
    with pytest.raises(UsageError, match="replay mode"):
        run_cell(sip, "%%claude --map items -o out\n{item}")
    assert bad.read_bytes() == b"this is not sqlite" * 100


def test_the_estimate_extrapolates_a_fixed_overhead_and_varied_lengths():
    from types import SimpleNamespace

    from kuroryuu_magic.map._estimate import estimate_run, request_size

    requests = [
        {"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": "w" * n}]}
        for n in range(10, 5000, 37)
    ]

    class Counter:
        calls = 0

        def count_tokens(self, **kw):
            Counter.calls += 1
            # 300 tokens of overhead (a system prompt, a schema) plus one per 3 characters.
            return SimpleNamespace(input_tokens=300 + request_size(kw) // 3)

    client = SimpleNamespace(messages=Counter())
    est = estimate_run(client, "claude-sonnet-5-5", requests, cached=4, max_tokens=100)
    actual = sum(300 + request_size(r) // 3 for r in requests)
    assert abs(est.input_tokens - actual) / actual < 0.01
    assert Counter.calls == est.sampled <= 24
    assert est.output_tokens == 100 * len(requests) and est.output_assumed
    assert 0 < est.batch_cost < est.live_cost
    offline = estimate_run(None, "claude-sonnet-5-5", requests, cached=0, max_tokens=100)
    assert offline.sampled == 0 and offline.input_tokens > 0
