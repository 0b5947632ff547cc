"""Prompt caching: big context is marked, follow-ups read the cache, and the reads are shown."""

from __future__ import annotations

import pytest

from kuroryuu_magic.ask.prompt import CACHE_MIN_CHARS
from tests.conftest import run_cell


@pytest.fixture
def cip(ip, fake):
    # Two objects of ~6,000 characters each: together well over the caching threshold.
    ip.user_ns["notes"] = "field notes: the sensor drifted by 0.2 C per week. " * 120
    ip.user_ns["log"] = "2024-05-01 12:00 pump 3 pressure 4.1 bar nominal\n" * 120
    return ip


def user_blocks(request):
    return request.body["messages"][-1]["content"]


def marked(content) -> list[bool]:
    return [] if isinstance(content, str) else ["cache_control" in b for b in content]


def test_big_context_goes_into_a_block_marked_for_caching(cip, fake):
    run_cell(cip, "%%claude\nCompare {notes} with {log}")
    [request] = fake.messages_requests()
    content = user_blocks(request)
    assert marked(content) == [True]
    assert content[0]["cache_control"] == {"type": "ephemeral"}
    assert len(content[0]["text"]) >= CACHE_MIN_CHARS


def test_small_prompts_are_not_marked_unless_asked(cip, fake):
    run_cell(cip, "%%claude\nWhat is a p-value?")
    run_cell(cip, "%%claude --cache --no-history\nWhat is a p-value?")
    plain, asked = fake.messages_requests()
    assert isinstance(user_blocks(plain), str)
    assert marked(user_blocks(asked)) == [True]


def test_follow_up_reads_the_cache_and_the_footer_and_usage_show_it(cip, fake, capsys):
    run_cell(cip, "%%claude\nCompare {notes} with {log}")
    first = cip.user_ns["_claude"]
    assert first.usage.cache_creation_input_tokens > 0
    capsys.readouterr()
    run_cell(cip, "%%claude\nAnd which one matters more?")
    follow_up = cip.user_ns["_claude"]
    read = follow_up.usage.cache_read_input_tokens
    assert read == first.usage.cache_creation_input_tokens
    # One breakpoint, on the newest turn: the earlier turn's mark is moved, not repeated.
    request = fake.messages_requests()[-1]
    assert [marked(m["content"]) for m in request.body["messages"] if m["role"] == "user"] == [
        [False],
        [True],
    ]
    assert f"cache {read:,} read" in capsys.readouterr().out
    run_cell(cip, "%claude usage")
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if line.startswith("claude-"))
    assert f"{read:,} / " in row and "~$" in row.split(f"{read:,} / ")[1]
    magics = cip.magics_manager.registry["ClaudeMagics"]
    [tally] = magics.session_usage.by_model.values()
    assert tally.cache_read_tokens == read and tally.saved > 0


def test_map_caches_the_shared_part_once_and_items_read_it(cip, fake):
    cip.user_ns["items"] = ["a", "b", "c", "d"]
    run_cell(
        cip, "%%claude --map items -o out --concurrency 2\nContext: {notes} {log}\nItem: {item}"
    )
    requests = fake.messages_requests()
    for request in requests:
        shared, own = user_blocks(request)
        assert (
            shared["cache_control"] == {"type": "ephemeral"} and "sensor drifted" in shared["text"]
        )
        assert shared["text"].endswith("\nItem: ") and "cache_control" not in own
    assert sorted(user_blocks(r)[1]["text"] for r in requests) == list("abcd")
    usage = cip.user_ns["_claude"].usage
    written = usage["cache_creation_input_tokens"]
    assert written > 0 and usage["cache_read_input_tokens"] == 3 * written
    assert f"cache {3 * written:,} read (saved ~$" in cip.user_ns["_claude"].footer()


def test_map_with_small_shared_text_sends_plain_prompts(cip, fake):
    cip.user_ns["items"] = ["a", "b"]
    run_cell(cip, "%%claude --map items -o out\nLabel this: {item}")
    # The two items run concurrently: the fake may see them in either order.
    assert sorted(user_blocks(r) for r in fake.messages_requests()) == [
        "Label this: a",
        "Label this: b",
    ]
    fake.reset()
    run_cell(cip, "%%claude --map items -o out --cache\nLabel this: {item}")
    assert [marked(user_blocks(r)) for r in fake.messages_requests()] == [[True, False]] * 2


def test_map_template_split_matches_whole_interpolation():
    from kuroryuu_magic.map.magic import split_template

    assert split_template("Ctx {df} {{item}} then {row.a} and {item}") == (
        "Ctx {df} {{item}} then ",
        "{row.a} and {item}",
    )
    assert split_template("no per-item field {df}") == ("", "no per-item field {df}")


def test_dry_run_shows_the_cache_mark(cip, fake, capsys):
    run_cell(cip, "%%claude --dry-run\nCompare {notes} with {log}")
    assert '"cache_control": {' in capsys.readouterr().out
    assert fake.messages_requests() == []
