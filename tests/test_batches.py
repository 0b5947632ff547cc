"""``--map --batch`` through the Message Batches API, and ``%claude batch ID``."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.core.errors import ClaudeAPIError, ClaudeInterrupted
from kuroryuu_magic.core.session import session_for
from kuroryuu_magic.map import _batch_run, _batches
from kuroryuu_magic.map._results import ItemError
from kuroryuu_magic.models.facts import estimate_cost
from tests.conftest import run_cell

pd = pytest.importorskip("pandas")


def said(answer: str) -> str:
    return answer.split("You said: ", 1)[1]


@pytest.fixture
def bip(ip, fake, monkeypatch):
    """A shell whose batch polling does not make the tests wait."""
    monkeypatch.setattr(_batches, "POLL_FIRST", 0.01)
    session_for().drop(_batches.KnownJobs)
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    return ip


def batch_posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/messages/batches"]


def test_batch_round_trip_maps_results_back_to_the_index(bip, fake, capsys):
    bip.user_ns["df"] = pd.DataFrame({"text": ["good", "bad", "ok"]}, index=["a", "b", "c"])
    run_cell(bip, "%%claude --map df -o labels --batch -f text\nLabel: {row.text} [{index}]")
    labels = bip.user_ns["labels"]
    assert isinstance(labels, pd.Series) and list(labels.index) == ["a", "b", "c"]
    assert [said(v) for v in labels] == ["Label: good [a]", "Label: bad [b]", "Label: ok [c]"]
    summary = bip.user_ns["_claude"]
    assert summary.batch_id.startswith("msgbatch_")
    assert (summary.succeeded, summary.failed, summary.status) == (3, 0, "complete")
    printed = capsys.readouterr().out
    assert f"%claude batch {summary.batch_id} -o labels" in printed
    [post] = batch_posts(fake)
    sent = post.body["requests"]
    assert [r["custom_id"] for r in sent] == ["text-0", "text-1", "text-2"]
    assert all("stream" not in r["params"] and len(r["params"]["messages"]) == 1 for r in sent)
    assert fake.messages_requests() == []  # nothing went through the live endpoint
    # Usage is counted at the batch discount.
    tokens = summary.usage
    full = estimate_cost(
        summary.model,
        input_tokens=tokens["input_tokens"],
        output_tokens=tokens["output_tokens"],
    )
    assert summary.cost == pytest.approx(full / 2)


def test_fetch_from_another_kernel_uses_the_custom_ids(bip, fake):
    bip.user_ns["items"] = ["x", "y"]
    run_cell(bip, '%%claude --map items -o first --batch -f json\nSay {{"v": "{item}"}}')
    assert [v["v"] for v in bip.user_ns["first"]] == ["x", "y"]  # parsed from the echo
    batch_id = bip.user_ns["_claude"].batch_id
    session_for().drop(_batches.KnownJobs)  # a kernel that never saw the submission
    run_cell(bip, f"%claude batch {batch_id} -o again")
    # The format travels in the custom id, so JSON is parsed here too.
    assert bip.user_ns["again"] == [{"v": "x"}, {"v": "y"}]
    assert bip.user_ns["_claude"].batch_id == batch_id


def test_fetch_without_out_keeps_results_on_the_summary(bip, fake):
    bip.user_ns["items"] = ["x"]
    run_cell(bip, "%%claude --map items -o first --batch\n{item}")
    batch_id = bip.user_ns["_claude"].batch_id
    run_cell(bip, f"%claude batch {batch_id}")
    assert said(bip.user_ns["_claude"].results[0]) == "x"


def test_errored_requests_become_item_errors(bip, fake):
    bip.user_ns["items"] = pd.Series(["x", "y"], index=["p", "q"])
    run_cell(bip, "%%claude --map items -o out --batch -m claude-nope-9\n{item}")
    out = bip.user_ns["out"]
    assert all(isinstance(v, ItemError) for v in out)
    assert "not_found_error" in out["p"].message
    assert (out["p"].index, out["q"].index) == ("p", "q")
    assert bip.user_ns["_claude"].failed == 2


def test_polling_waits_until_the_batch_ends_and_shows_progress(bip, fake, capsys):
    fake.batch_polls_to_end = 4
    bip.user_ns["items"] = ["x"]
    run_cell(bip, "%%claude --map items -o out --batch\n{item}")
    polls = [
        r for r in fake.requests if r.method == "GET" and r.path.startswith("/v1/messages/batches/")
    ]
    # Four polls until it ended, plus the SDK's own look-up of the results URL.
    assert len([r for r in polls if not r.path.endswith("/results")]) == 5
    assert "1/1 done" in capsys.readouterr().out


def test_ctrl_c_while_polling_leaves_the_batch_and_says_how_to_fetch(bip, fake, monkeypatch):
    fake.batch_polls_to_end = 100
    bip.user_ns["items"] = ["x", "y"]
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(_batches, "_sleep", sleep)
    result = bip.run_cell("%%claude --map items -o out --batch\n{item}")
    error = result.error_in_exec
    assert isinstance(error, ClaudeInterrupted)
    batch_id = bip.user_ns["_claude"].batch_id
    assert f"%claude batch {batch_id} -o out" in str(error)
    assert calls[1] > calls[0]  # polling backs off
    monkeypatch.setattr(_batches, "_sleep", lambda s: None)
    fake.batch_polls_to_end = 1
    run_cell(bip, f"%claude batch {batch_id} -o out")
    assert [said(v) for v in bip.user_ns["out"]] == ["x", "y"]


def test_bad_and_unknown_batch_ids(bip, fake):
    with pytest.raises(UsageError, match="not a batch id"):
        run_cell(bip, "%claude batch 'a b/c'")
    with pytest.raises(ClaudeAPIError, match="404"):
        run_cell(bip, "%claude batch msgbatch_doesnotexist")


def test_batch_needs_map(bip, fake):
    with pytest.raises(UsageError, match="--map"):
        run_cell(bip, "%%claude --batch\nhello")


def test_custom_ids_round_trip():
    assert _batches.parse_custom_id(_batches.custom_id("json", 17)) == ("json", 17)
    assert _batches.parse_custom_id("someone-else's id") is None


def test_too_many_items_for_one_batch_split_into_a_group(bip, fake, monkeypatch):
    # Past one batch's limit the run is split (issue 14 item 4; tests/test_mapscale.py).
    monkeypatch.setattr(_batches, "MAX_BATCH_REQUESTS", 2)
    fake.batches.max_requests = 2
    bip.user_ns["items"] = ["a", "b", "c"]
    run_cell(bip, "%%claude --map items -o out --batch\n{item}")
    assert len(batch_posts(fake)) == 2
    assert [said(v) for v in bip.user_ns["out"]] == ["a", "b", "c"]


def _foreign_batch(fake, ids):
    """A batch another tool made through the SDK, with its own custom ids."""
    import anthropic

    client = anthropic.Anthropic(base_url=fake.base_url, api_key=fake.api_key)
    params = {"model": "claude-sonnet-4-6", "max_tokens": 32}
    requests = [
        {"custom_id": cid, "params": {**params, "messages": [{"role": "user", "content": cid}]}}
        for cid in ids
    ]
    return client.messages.batches.create(requests=requests).id


def test_foreign_custom_ids_never_size_a_list(bip, fake, monkeypatch):
    made: list[int] = []

    class CountedItemError(ItemError):
        def __init__(self, *args, **kwargs):
            made.append(1)
            # The old code built one placeholder per number in the largest id.
            assert len(made) < 1_000, "a foreign custom_id sized the results"
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(_batches, "ItemError", CountedItemError)
    monkeypatch.setattr(_batch_run, "ItemError", CountedItemError)  # the collector's placeholders
    ids = ["req-20240101", "row-120000000", "json-99999999999", "plain_id"]
    batch_id = _foreign_batch(fake, ids)
    run_cell(bip, f"%claude batch {batch_id} -o got")
    got = bip.user_ns["got"]
    assert isinstance(got, dict) and list(got) == ids
    assert said(got["req-20240101"]) == "req-20240101"
    assert bip.user_ns["_claude"].total == 4


def test_ids_like_ours_but_beyond_the_batch_go_in_a_dict(bip, fake):
    batch_id = _foreign_batch(fake, ["text-0", "text-5"])  # a batch of 2 has no position 5
    run_cell(bip, f"%claude batch {batch_id} -o got")
    assert list(bip.user_ns["got"]) == ["text-0", "text-5"]


def test_our_slots_accepts_only_ids_this_package_issues():
    assert _batches.our_slots(["json-1", "json-0"], 2) == {
        "json-1": ("json", 1),
        "json-0": ("json", 0),
    }
    assert _batches.our_slots(["json-2"], 2) is None
    assert _batches.our_slots(["req-0"], 2) is None
    assert _batches.our_slots(["text-0", "json-0"], 2) is None  # one position twice


def test_waiting_for_a_batch_that_never_ends_gives_up(bip, fake, monkeypatch):
    fake.batch_polls_to_end = 10_000
    slept: list[float] = []
    monkeypatch.setattr(_batches, "_sleep", slept.append)
    monkeypatch.setattr(_batches, "MAX_WAIT", 0.1)
    bip.user_ns["items"] = ["x"]
    with pytest.raises(ClaudeAPIError, match="has not ended after"):
        run_cell(bip, "%%claude --map items -o out --batch\n{item}")
    assert sum(slept) >= 0.1 and len(slept) < 10


def test_a_bad_prompt_in_a_batch_is_that_items_error_and_the_rest_are_sent(bip, fake):
    bip.user_ns["items"] = ["", "b", ""]
    run_cell(bip, "%%claude --map items -o out --batch\n{item}")
    out = bip.user_ns["out"]
    assert [isinstance(v, ItemError) for v in out] == [True, False, True]
    assert out[0].kind == "usage" and "Empty prompt" in out[0].message
    assert said(out[1]) == "b"
    [post] = batch_posts(fake)
    [request] = post.body["requests"]
    assert request["custom_id"].endswith("-1")  # position 1: the good item's own slot


def test_a_batch_where_every_prompt_is_bad_submits_nothing(bip, fake):
    bip.user_ns["items"] = ["", ""]
    run_cell(bip, "%%claude --map items -o out --batch\n{item}")
    assert all(isinstance(v, ItemError) and v.kind == "usage" for v in bip.user_ns["out"])
    assert batch_posts(fake) == []


def test_a_servers_request_counts_are_kept_to_what_a_batch_holds():
    from types import SimpleNamespace

    from kuroryuu_magic.map._progress import TextProgress

    counts = SimpleNamespace(
        succeeded=10**15, errored=-5, canceled=None, expired=3, processing=-(10**15) + 1
    )
    finished, failed, total = _batches.counts(SimpleNamespace(request_counts=counts))
    cap = _batches.MAX_BATCH_REQUESTS
    assert 0 <= failed <= finished <= total <= cap
    # A bar fed more done than total (or a total of 1) stays its own width.
    assert "#" * 25 not in TextProgress(1)._line(10**15, 0, "")
