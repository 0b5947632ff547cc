"""The magics in a terminal-style InteractiveShell against the fake API."""

from __future__ import annotations

import subprocess
import sys

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.conftest import run_cell


def test_cell_streams_plain_text_to_stdout(ip, fake: FakeAnthropic, capsys) -> None:
    fake.enqueue(Reply(text="Hello *there*", deltas=4))
    run_cell(ip, "%%claude\nhi")
    out = capsys.readouterr().out
    assert out.startswith("Hello *there*\n── claude-sonnet-5-5 · ")
    assert "<IPython.core.display" not in out
    result = ip.user_ns["_claude"]
    assert result.text == "Hello *there*" and result.model == "claude-sonnet-5-5"
    assert result.stop_reason == "end_turn" and result.usage.output_tokens > 0 and result.complete


def test_aliases_resolve_from_the_model_list(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, "%%claude -m haiku --no-history\nhi")
    run_cell(ip, "%%claude -m opus --no-history\nhi")
    models = [r.body["model"] for r in fake.messages_requests()]
    assert models == ["claude-haiku-5-5", "claude-opus-5-5"]
    assert sum(r.path.startswith("/v1/models") for r in fake.requests) == 1  # listed once, cached


def test_alias_falls_back_when_listing_fails(ip, fake: FakeAnthropic, capsys) -> None:
    fake.models_fault = 500
    run_cell(ip, "%%claude -m sonnet --no-history\nhi")
    assert fake.messages_requests()[-1].body["model"] == "claude-sonnet-5-5"
    assert "could not list models" in capsys.readouterr().out


def test_options_shape_the_request(ip, fake: FakeAnthropic) -> None:
    run_cell(
        ip,
        '%%claude -m claude-sonnet-4-6 -s "be brief" --max-tokens 3000 --thinking 2048 --effort low\nq',
    )
    body = fake.messages_requests()[-1].body
    assert body["system"] == "be brief" and body["max_tokens"] == 3000
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["output_config"] == {"effort": "low"}
    assert "temperature" not in body
    assert ip.user_ns["_claude"].thinking  # thinking arrived and was kept apart from the answer


def test_thinking_budget_raises_max_tokens_when_not_given(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, "%%claude -m claude-sonnet-4-6 --thinking 8000\nq")
    assert fake.messages_requests()[-1].body["max_tokens"] == 8000 + 4096


def test_adaptive_only_models_refuse_a_budget(ip, fake: FakeAnthropic) -> None:
    with pytest.raises(UsageError, match="only thinks adaptively"):
        run_cell(ip, "%%claude -m claude-sonnet-5-5 --thinking 2048\nq")


def test_threads_new_and_no_history(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, "%%claude\none")
    run_cell(ip, "%%claude\ntwo")
    assert len(fake.messages_requests()[-1].body["messages"]) == 3
    run_cell(ip, "%%claude -c other\nsolo")
    assert len(fake.messages_requests()[-1].body["messages"]) == 1
    run_cell(ip, "%%claude --no-history\nforget me")
    assert len(fake.messages_requests()[-1].body["messages"]) == 1
    run_cell(ip, "%%claude --new\nfresh")
    assert len(fake.messages_requests()[-1].body["messages"]) == 1
    magics = ip.magics_manager.registry["ClaudeMagics"]
    assert [len(magics.conversations.thread(n).turns) for n in ("default", "other")] == [1, 1]


def test_line_magic_prompt_and_out(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, "%claude -o answer what's 2+2?")
    assert fake.messages_requests()[-1].body["messages"][-1]["content"] == "what's 2+2?"
    assert ip.user_ns["answer"] == ip.user_ns["_claude"].text


def test_magic_line_is_not_variable_expanded(ip, fake: FakeAnthropic) -> None:
    ip.user_ns["secret_name"] = "sk-ant-api03-should-not-appear"
    run_cell(ip, "%claude --no-interpolate tell me about $secret_name and {secret_name}")
    sent = fake.messages_requests()[-1].body["messages"][-1]["content"]
    assert sent == "tell me about $secret_name and {secret_name}"


def test_dry_run_sends_nothing(ip, fake: FakeAnthropic, capsys) -> None:
    ip.user_ns["df_like"] = {"a": 1}
    run_cell(ip, "%%claude --dry-run -s sys\nLook at {df_like}")
    out = capsys.readouterr().out
    assert "Dry run: nothing was sent" in out and "input tokens (counted by the API)" in out
    assert "Look at {'a': 1}" in out and '"system": "sys"' in out
    assert fake.messages_requests() == []


def test_subcommands(ip, fake: FakeAnthropic, capsys) -> None:
    run_cell(ip, "%%claude\nq1")
    capsys.readouterr()
    run_cell(ip, "%claude status")
    status = capsys.readouterr().out
    assert "ANTHROPIC_API_KEY environment variable" in status and fake.base_url in status
    assert fake.api_key not in status and "default (1 turn)" in status
    run_cell(ip, "%claude models")
    assert "claude-opus-5-5" in capsys.readouterr().out
    listings = sum(r.path.startswith("/v1/models") for r in fake.requests)
    run_cell(ip, "%claude models")  # the session's listing is reused...
    run_cell(ip, "%claude models --refresh")  # ...until asked again
    assert sum(r.path.startswith("/v1/models") for r in fake.requests) == listings + 1
    capsys.readouterr()
    run_cell(ip, "%claude history")
    assert "You: q1" in capsys.readouterr().out
    run_cell(ip, "%claude usage")
    usage = capsys.readouterr().out
    assert "claude-sonnet-5-5" in usage and "~$" in usage
    run_cell(ip, "%claude reset")
    assert "Cleared thread 'default' (1 turn)" in capsys.readouterr().out
    run_cell(ip, "%claude help")
    assert "%claude setup" in capsys.readouterr().out


def test_misspelled_subcommand_sends_nothing(ip, fake: FakeAnthropic) -> None:
    for line in ("stauts", "modles"):
        with pytest.raises(UsageError, match="did you mean"):
            run_cell(ip, f"%claude {line}")
    with pytest.raises(UsageError, match="unbalanced quotes"):
        run_cell(ip, '%claude -s "unbalanced hi')
    assert fake.messages_requests() == []


def test_no_credential_names_both_fixes(ip, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%%claude\nhello")
    assert "%claude setup" in str(info.value) and "ANTHROPIC_API_KEY" in str(info.value)


def test_empty_prompt_is_a_usage_error(ip, fake: FakeAnthropic) -> None:
    with pytest.raises(UsageError, match="Empty prompt"):
        run_cell(ip, "%%claude\n   \n")


def test_config_traits(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, '%config ClaudeMagics.model = "claude-haiku-4-5"')
    run_cell(ip, "%config ClaudeMagics.max_tokens = 99")
    run_cell(ip, "%config ClaudeMagics.show_usage = False")
    run_cell(ip, "%%claude\nhi")
    body = fake.messages_requests()[-1].body
    assert body["model"] == "claude-haiku-4-5" and body["max_tokens"] == 99
    with pytest.raises(Exception, match="thinking"):
        ip.magics_manager.registry["ClaudeMagics"].thinking = "sometimes"


def test_short_errors_off_shows_the_sdk_exception(ip, fake: FakeAnthropic) -> None:
    import anthropic

    from kuroryuu_magic.testing import Fault

    run_cell(ip, "%config ClaudeMagics.short_errors = False")
    fake.enqueue(Fault("status", status=400, message="nope"))
    with pytest.raises(anthropic.BadRequestError):
        run_cell(ip, "%%claude --no-history\nhi")


def test_unload_and_reload(ip) -> None:
    run_cell(ip, "%unload_ext kuroryuu_magic")
    assert "claude" not in ip.magics_manager.magics["cell"]
    run_cell(ip, "%load_ext kuroryuu_magic")
    run_cell(ip, "%reload_ext kuroryuu_magic")
    assert "claude" in ip.magics_manager.magics["line"]
    assert sum(type(c).__name__ == "ClaudeMagics" for c in ip.configurables) == 1


def test_load_ext_is_cheap() -> None:
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'kuroryuu_magic')\n"
        "heavy = [m for m in ('anthropic', 'ipywidgets', 'httpx2', 'pandas', 'numpy', 'PIL') if m in sys.modules]\n"
        # The subcommand handlers, the view, the renderers and the MCP set-up load when
        # first used: each would add to every %load_ext (about half of it, measured).
        "later = ('kuroryuu_magic.magic._commands', 'kuroryuu_magic.magic._mcp_command', "
        "'kuroryuu_magic.ask.display', 'kuroryuu_magic.context.render', 'kuroryuu_magic.mcp')\n"
        "heavy += [m for m in later if m in sys.modules]\n"
        "print(heavy)\n"
        "ip.run_line_magic('claude', 'help')\n"  # and the table's lazy handler still runs
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[0] == "[]"
    assert "%claude explore" in out


def test_line_prompt_ending_in_question_mark_is_asked_not_helped(ip, fake: FakeAnthropic) -> None:
    run_cell(ip, "%claude What's the mean of {nums}?")
    run_cell(ip, "nums = [1, 2]\n%claude How big is {nums}??")
    sent = [r.body["messages"][-1]["content"] for r in fake.messages_requests()]
    assert sent == ["What's the mean of {nums}?", "How big is [1, 2]??"]
    run_cell(ip, "%unload_ext kuroryuu_magic")
    assert not any("claude" in getattr(t, "__name__", "") for t in ip.input_transformers_cleanup)


def test_failed_stream_counts_the_output_it_already_sent(ip, fake: FakeAnthropic, capsys) -> None:
    from kuroryuu_magic.testing import Fault

    answer = " ".join(f"word{i:03d}" for i in range(120))  # 40 pieces of ~24 characters
    fake.enqueue(Fault("midstream_error", after_deltas=30))
    fake.enqueue(Reply(text=answer, deltas=40))
    with pytest.raises(Exception, match="mid"):
        run_cell(ip, "%%claude --no-history\nhi")
    result = ip.user_ns["_claude"]
    assert result.status == "failed" and len(result.text) > 600
    # message_start said "1 out": the ~180 tokens already shown count instead, marked as estimated.
    out_tokens = result.usage["output_tokens"]
    assert out_tokens >= len(result.text) // 4 and result.usage_estimated
    assert f"/ ~{out_tokens:,} out" in capsys.readouterr().out
    tally = ip.magics_manager.registry["ClaudeMagics"].session_usage.by_model
    assert sum(t.output_tokens for t in tally.values()) == out_tokens


def test_partial_usage_prefers_the_apis_last_count() -> None:
    from kuroryuu_magic.ask.usage import partial_usage

    start = {"input_tokens": 50, "output_tokens": 1, "cache_read_input_tokens": 7}
    usage, estimated = partial_usage(start, {"output_tokens": 321}, "x" * 40)
    assert usage == {
        "input_tokens": 50,
        "output_tokens": 321,
        "cache_read_input_tokens": 7,
        "cache_creation_input_tokens": 0,
    }
    assert not estimated
    usage, estimated = partial_usage(start, None, "x" * 40)
    assert usage is not None and usage["output_tokens"] == 10 and estimated
    assert partial_usage(None, None, "text") == (None, False)


def test_max_tokens_stays_within_the_models_output_limit(ip, fake: FakeAnthropic) -> None:
    # The API answers 400 above a model's maximum output (models/facts.py: 64,000 for Haiku 4.5).
    run_cell(ip, "%%claude -m claude-haiku-4-5 --thinking 60000 --no-history\nhi")
    assert fake.messages_requests()[-1].body["max_tokens"] == 64_000  # default + budget, trimmed
    with pytest.raises(UsageError, match="more than claude-haiku-4-5 can write"):
        run_cell(ip, "%%claude -m claude-haiku-4-5 --max-tokens 100000 --no-history\nhi")
    with pytest.raises(UsageError, match="leaves no room"):
        run_cell(ip, "%%claude -m claude-haiku-4-5 --thinking 64000 --no-history\nhi")
    assert len(fake.messages_requests()) == 1
