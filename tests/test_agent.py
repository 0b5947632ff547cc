"""The tool-use loop in a terminal-style shell against the fake (the real SDK on loopback)."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.agent._caching import mark_transcript
from kuroryuu_magic.core.redact import register_secret
from kuroryuu_magic.testing import Reply, ToolCall
from tests.conftest import run_cell


@pytest.fixture
def aip(ip, fake):
    run_cell(
        ip,
        "import pandas as pd\ndf = pd.DataFrame({'a': [1, 1, 2, 3], 'b': ['x', 'x', 'y', None]})\n",
    )
    return ip


def marks(body) -> int:
    n = sum(1 for t in body.get("tools", []) if "cache_control" in t)
    for m in body["messages"]:
        if isinstance(m["content"], list):
            n += sum(1 for b in m["content"] if "cache_control" in b)
    return n


def test_scripted_calls_get_exact_results_and_the_answer_streams(aip, fake, capsys):
    fake.enqueue(Reply.call("duplicates", {"name": "df"}, text="Let me check duplicates."))
    fake.enqueue(
        Reply(
            text="",
            tool_calls=[ToolCall("null_counts", {"name": "df"}), ToolCall("nope", {})],
            off_tools=True,  # "nope" is not a declared tool: the loop must cope anyway
        )
    )
    fake.enqueue(Reply(text="One duplicated row and one null in b."))
    run_cell(aip, "%%claude --tools\nAnything odd in df?")
    out = capsys.readouterr().out
    results = fake.tool_results
    assert [r["name"] for r in results] == ["duplicates", "null_counts", "nope"]
    assert "1" in results[0]["content"] and not results[0]["is_error"]
    assert "b" in results[1]["content"]
    assert results[2]["is_error"] and "no tool" in results[2]["content"]
    assert "Let me check duplicates." in out and "One duplicated row" in out
    assert 'duplicates(name="df") →' in out and "characters" in out
    result = aip.user_ns["_claude"]
    assert result.rounds == 2 and len(result.tool_calls) == 3
    assert "One duplicated row" in result.text


def test_usage_adds_up_every_round_and_the_footer_says_so(aip, fake, capsys):
    fake.enqueue(Reply.call("null_counts", {"name": "df"}))
    fake.enqueue(Reply(text="Done."))
    run_cell(aip, "%%claude --tools\nNulls?")
    requests = fake.messages_requests()
    assert len(requests) == 2
    result = aip.user_ns["_claude"]
    magics = aip.magics_manager.registry["ClaudeMagics"]
    [tally] = magics.session_usage.by_model.values()
    assert tally.requests == 2
    assert result.usage["input_tokens"] == tally.input_tokens
    assert result.usage["output_tokens"] == tally.output_tokens > 0
    assert result.usage["cache_read_input_tokens"] == tally.cache_read_tokens
    assert result.usage["cache_creation_input_tokens"] == tally.cache_write_tokens > 0
    assert result.cost == pytest.approx(tally.cost) and result.cost > 0
    out = capsys.readouterr().out
    assert "1 tool call in 1 round" in out


def test_tools_and_transcript_are_marked_for_caching_within_four(aip, fake):
    for _ in range(5):
        fake.enqueue(Reply.call("list_variables", {}))
    fake.enqueue(Reply(text="ok"))
    run_cell(aip, "%%claude --tools --cache\nLook around")
    requests = fake.messages_requests()
    assert len(requests) == 6
    for r in requests:
        body = r.body
        assert "cache_control" in body["tools"][-1]
        last = body["messages"][-1]["content"]
        assert isinstance(last, list) and "cache_control" in last[-1]
        assert marks(body) <= 4
    assert not fake.errors
    # Later rounds read the earlier prefix from the cache.
    assert aip.user_ns["_claude"].usage["cache_read_input_tokens"] > 0


def test_mark_transcript_keeps_at_most_the_budget_and_never_mutates():
    msgs = [
        {
            "role": "user",
            "content": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}],
        },
        {"role": "assistant", "content": "b"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "c", "cache_control": {"type": "ephemeral"}}],
        },
        {"role": "assistant", "content": "d"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "e", "cache_control": {"type": "ephemeral"}}],
        },
        {"role": "assistant", "content": "f"},
        {"role": "user", "content": "g"},
    ]
    out = mark_transcript(msgs, 3)
    assert marks({"messages": out}) == 3
    assert "cache_control" in out[-1]["content"][-1]
    assert "cache_control" not in out[0]["content"][0]  # the oldest gave way
    assert msgs[-1]["content"] == "g" and "cache_control" in msgs[0]["content"][0]


def test_max_rounds_stops_calling_tools_and_asks_for_the_answer(aip, fake, capsys):
    run_cell(aip, "%config ClaudeMagics.max_tool_rounds = 2")
    for _ in range(2):
        fake.enqueue(Reply.call("list_variables", {}))
    fake.enqueue(Reply(text="Here is what I found."))
    run_cell(aip, "%%claude --tools\nLook around")
    requests = fake.messages_requests()
    assert len(requests) == 3
    assert "tool_choice" not in requests[1].body
    assert requests[2].body["tool_choice"] == {"type": "none"}
    assert "max_tool_rounds=2" in requests[2].body["messages"][-1]["content"][-1]["text"]
    out = capsys.readouterr().out
    assert "max_tool_rounds=2 reached" in out and "Here is what I found." in out


def test_follow_up_carries_the_question_and_the_answer(aip, fake):
    fake.enqueue(Reply.call("describe", {"name": "df"}))
    fake.enqueue(Reply(text="Column a ranges 1 to 3."))
    run_cell(aip, "%%claude --tools\nRanges in df?")
    fake.enqueue(Reply(text="Yes."))
    run_cell(aip, "%%claude\nAnd is that plausible?")
    follow = fake.messages_requests()[-1].body
    roles = [m["role"] for m in follow["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert "Ranges in df?" in str(follow["messages"][0]["content"])
    assert "Column a ranges 1 to 3." in follow["messages"][1]["content"]
    assert "tools" not in follow


def test_dry_run_shows_the_tool_definitions_and_sends_nothing(aip, fake, capsys):
    run_cell(aip, "%%claude --tools code --dry-run\nLook")
    out = capsys.readouterr().out
    assert '"input_schema"' in out and "run_python" in out and "Tools offered (13)" in out
    assert not fake.messages_requests()
    run_cell(aip, "%%claude --tools --dry-run\nLook")
    assert "run_python" not in capsys.readouterr().out


def test_explore_investigates_one_variable_with_the_default_question(aip, fake, capsys):
    fake.enqueue(Reply.call("describe", {"name": "df"}))
    fake.enqueue(Reply(text="b has a null."))
    run_cell(aip, "%claude explore df")
    first = fake.messages_requests()[0].body
    prompt = str(first["messages"][-1]["content"])
    assert "`df`" in prompt and "what is missing" in prompt
    assert "run_python" not in [t["name"] for t in first["tools"]]
    fake.enqueue(Reply(text="fine"))
    run_cell(aip, "%claude explore df why are there nulls in b?")
    assert "why are there nulls in b?" in str(fake.messages_requests()[-1].body["messages"][-1])
    with pytest.raises(UsageError, match="No variable named 'nothere'"):
        aip.run_line_magic("claude", "explore nothere")
    with pytest.raises(UsageError, match="explore"):
        aip.run_line_magic("claude", "explore")


def test_tools_line_option_and_trait(aip, fake):
    fake.enqueue(Reply(text="a"))
    run_cell(aip, "%claude --tools What is odd in df?")
    body = fake.messages_requests()[-1].body
    assert "tools" in body and "What is odd in df?" in str(body["messages"][-1]["content"])
    run_cell(aip, "%config ClaudeMagics.tools = 'code'")
    fake.enqueue(Reply(text="b"))
    run_cell(aip, "%claude hello")
    assert "run_python" in [t["name"] for t in fake.messages_requests()[-1].body["tools"]]
    fake.enqueue(Reply(text="c"))
    run_cell(aip, "%claude --tools off hello")
    assert "tools" not in fake.messages_requests()[-1].body
    with pytest.raises(UsageError, match="--map"):
        aip.run_cell_magic("claude", "--tools --map df", "x")


def test_secrets_never_appear_in_tool_results(aip, fake):
    secret = "sk-ant-api03-" + "Q" * 86 + "AA"
    register_secret(secret)
    run_cell(aip, f"leak = pd.DataFrame({{'k': ['{secret}', 'plain']}})")
    fake.enqueue(
        Reply(
            text="",
            tool_calls=[
                ToolCall("sample_rows", {"name": "leak"}),
                ToolCall("value_counts", {"name": "leak", "column": "k"}),
                ToolCall("describe", {"name": "leak"}),
            ],
        )
    )
    fake.enqueue(Reply(text="ok"))
    run_cell(aip, "%%claude --tools\nShow leak")
    assert len(fake.tool_results) == 3
    for r in fake.tool_results:
        assert secret not in str(r["content"]) and "QQQQQQQQQQ" not in str(r["content"])
    for r in fake.messages_requests():
        assert secret not in str(r.body)


def test_thinking_blocks_go_back_with_their_signatures(aip, fake):
    fake.enqueue(Reply.call("null_counts", {"name": "df"}, thinking="I should count nulls."))
    fake.enqueue(Reply(text="One null."))
    run_cell(aip, "%%claude --tools --thinking adaptive\nNulls?")
    assert not fake.errors
    second = fake.messages_requests()[1].body["messages"]
    sent_back = second[-2]["content"]
    assert sent_back[0]["type"] == "thinking" and sent_back[0]["signature"]
    assert aip.user_ns["_claude"].text == "One null."


def test_schema_only_tools_answer_without_values(aip, fake):
    run_cell(aip, "secretish = pd.DataFrame({'name': ['Alice Example', 'Bob Example']})")
    fake.enqueue(
        Reply(
            text="",
            tool_calls=[
                ToolCall("describe", {"name": "secretish"}),
                ToolCall("value_counts", {"name": "secretish", "column": "name"}),
            ],
        )
    )
    fake.enqueue(Reply(text="ok"))
    run_cell(aip, "%%claude --tools --schema-only\nWho is in it?")
    assert len(fake.tool_results) == 2
    for r in fake.tool_results:
        assert "Alice" not in r["content"] and "Bob" not in r["content"]
    assert "name" in fake.tool_results[0]["content"]
