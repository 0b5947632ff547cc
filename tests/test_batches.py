"""``--map --batch`` through the Message Batches API, and ``%claude batch ID``."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.core.errors import ClaudeAPIError, ClaudeInterrupted
from kuroryuu_magic.core.session import session_for
from kuroryuu_magic.map import batches
from kuroryuu_magic.map.results import ItemError
from kuroryuu_magic.models.pricing import estimate_cost
from tests.conftest import run_cell

pd = pytest.importorskip("pandas")


def said(answer: str) -> str:
    return answer.split("You said: ", 1)[1]


@pytest.fixture
def bip(ip, fake, monkeypatch):
    """A shell whose batch polling does not make the tests wait."""
    monkeypatch.setattr(batches, "POLL_FIRST", 0.01)
    session_for().drop(batches.KnownJobs)
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
    session_for().drop(batches.KnownJobs)  # a kernel that never saw the submission
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

    monkeypatch.setattr(batches, "_sleep", sleep)
    result = bip.run_cell("%%claude --map items -o out --batch\n{item}")
    error = result.error_in_exec
    assert isinstance(error, ClaudeInterrupted)
    batch_id = bip.user_ns["_claude"].batch_id
    assert f"%claude batch {batch_id} -o out" in str(error)
    assert calls[1] > calls[0]  # polling backs off
    monkeypatch.setattr(batches, "_sleep", lambda s: None)
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
    assert batches.parse_custom_id(batches.custom_id("json", 17)) == ("json", 17)
    assert batches.parse_custom_id("someone-else's id") is None


def test_too_many_items_for_one_batch(bip, fake, monkeypatch):
    monkeypatch.setattr(batches, "MAX_BATCH_REQUESTS", 2)
    bip.user_ns["items"] = ["a", "b", "c"]
    with pytest.raises(UsageError, match="at most 2 items"):
        run_cell(bip, "%%claude --map items -o out --batch\n{item}")
    assert batch_posts(fake) == []
