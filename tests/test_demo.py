"""``%claude demo``: the offline demo answers like Claude would, and says it is a demo."""

from __future__ import annotations

import json

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic import demo
from kuroryuu_magic.demo import _answers as answers
from kuroryuu_magic.testing import FakeAnthropic
from tests.conftest import run_cell

WAITS = [3.1, 2.7, 45.0, 3.3, 2.9, 3.0]


def _body(text: str, system: str | None = None, **extra: object) -> dict:
    body = {"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": text}]}
    if system:
        body["system"] = system
    body.update(extra)
    return body


def test_json_answers_compute_what_is_asked() -> None:
    text = answers.demo_answer(
        _body(
            f'Return JSON with keys "median" and "mean" for {WAITS}.', "Reply with valid JSON only."
        )
    )
    assert json.loads(text) == {"median": 3.05, "mean": 10.0}


def test_code_answers_are_one_runnable_block() -> None:
    text = answers.demo_answer(
        _body(
            "Write a Python function that flags values more than 3 MADs from the median.",
            "Reply with exactly one fenced code block that can run as the user's next cell.",
        )
    )
    assert text.startswith("```python\n") and text.endswith("```") and text.count("```") == 2
    namespace: dict = {}
    exec(text.removeprefix("```python\n").removesuffix("```"), namespace)
    assert namespace["flag_outliers"](WAITS) == [45.0]


def test_markdown_answers_use_the_numbers_and_code_requests_get_a_fence() -> None:
    prose = answers.demo_answer(_body(f"Waiting times: {WAITS}. Which statistic would you report?"))
    assert "median is **3.05**" in prose and "45" in prose and "```" not in prose
    asked = answers.demo_answer(_body("Show me code to summarize [1, 2, 3, 4]"))
    assert "```python\n" in asked and "summarize([1, 2, 3, 4])" in asked
    fenced = answers.demo_answer(_body("Give me JSON for [1, 2, 3]"))
    assert json.loads(fenced.split("```json\n")[1].split("```")[0])["count"] == 3


def test_the_reply_streams_at_a_visible_pace() -> None:
    reply = answers.demo_reply(
        _body("In two sentences: what is a median?", thinking={"type": "adaptive"})
    )
    words = len(reply.text.split())
    assert words > 20 and 0.01 <= reply.delta_delay <= 0.05 and reply.first_byte_delay > 0
    assert 1.0 <= words * reply.delta_delay <= 2.0 and reply.thinking


def answers_note() -> str:
    from kuroryuu_magic.ask.result import DEMO_NOTE

    return DEMO_NOTE


@pytest.fixture
def quick_demo(monkeypatch: pytest.MonkeyPatch):
    """The demo without its deliberate pace, stopped after the test."""
    monkeypatch.setattr(answers, "STREAM_SECONDS", 0.0)
    monkeypatch.setattr(answers, "FIRST_BYTE_SECONDS", 0.0)
    yield
    demo.stop()


def test_demo_without_a_key_answers_and_every_footer_says_demo(ip, quick_demo, capsys) -> None:
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%%claude\nhi")
    assert "%claude setup" in str(info.value) and "%claude demo" in str(info.value)
    run_cell(ip, "%claude demo")
    assert "Offline demo on" in capsys.readouterr().out
    run_cell(ip, f"%%claude\nWaiting times: {WAITS}. What would you report?")
    out = capsys.readouterr().out
    assert "median is **3.05**" in out and "offline demo" in out.splitlines()[-1]
    result = ip.user_ns["_claude"]
    assert result.source == "demo" and result.footer().endswith(answers_note())
    assert "~$" not in result.footer()  # nothing was charged
    run_cell(
        ip, "%%claude -f code --no-history\nWrite a Python function that flags outliers (MAD)."
    )
    assert "def flag_outliers" in ip.user_ns["_claude"].code
    run_cell(
        ip, f'%%claude -f json --no-history\nReturn JSON with keys "median" and "mean" for {WAITS}.'
    )
    assert ip.user_ns["_claude"].data == {"median": 3.05, "mean": 10.0}
    assert len(demo.running().messages_requests()) == 3
    run_cell(ip, "%claude status")
    assert "offline demo" in capsys.readouterr().out
    run_cell(ip, "%claude usage")
    usage = capsys.readouterr().out
    assert "claude-sonnet-5-5 (offline demo)" in usage and "~$0.0000" in usage
    assert all(
        t.cost == 0
        for t in ip.magics_manager.registry["ClaudeMagics"].session_usage.by_model.values()
    )
    run_cell(ip, "%claude demo --stop")
    assert "stopped" in capsys.readouterr().out and demo.running() is None
    with pytest.raises(UsageError, match="%claude demo"):
        run_cell(ip, "%%claude\nhi")


def test_demo_with_a_real_credential_changes_nothing_unless_forced(
    ip, fake: FakeAnthropic, quick_demo, capsys
) -> None:
    run_cell(ip, "%claude demo")
    assert "changed nothing" in capsys.readouterr().out and demo.running() is None
    run_cell(ip, "%%claude --no-history\nhi")
    assert len(fake.messages_requests()) == 1
    assert "offline demo" not in ip.user_ns["_claude"].footer()
    run_cell(ip, "%claude demo --force")
    run_cell(ip, "%%claude --no-history\nhi")
    assert len(fake.messages_requests()) == 1 and len(demo.running().messages_requests()) == 1
    assert "offline demo" in ip.user_ns["_claude"].footer()


def test_map_answers_from_the_demo_say_so(ip, quick_demo) -> None:
    run_cell(ip, "%claude demo")
    ip.user_ns["items"] = ["3, 4, 5", "10, 20, 30"]
    run_cell(ip, "%%claude --map items -o out\nSummarise {item}")
    summary = ip.user_ns["_claude"]
    assert summary.succeeded == 2 and summary.footer().endswith(answers_note())
    assert "median is **20**" in ip.user_ns["out"][1]


def test_testing_the_active_key_in_the_demo_asks_the_demo(ip, quick_demo) -> None:
    from kuroryuu_magic.keys.chain import check_key

    run_cell(ip, "%claude demo")
    check = check_key()
    assert check.ok and demo.running().base_url in check.message and "offline demo" in check.message


def test_saving_a_key_ends_the_demo(ip, quick_demo) -> None:
    from kuroryuu_magic.keys.chain import demo_credential, set_session_key

    run_cell(ip, "%claude demo")
    assert demo_credential() is not None
    set_session_key("sk-ant-api03-" + "x" * 40)
    assert demo_credential() is None


def test_dry_run_works_without_any_credential(ip, capsys) -> None:
    run_cell(ip, "%%claude --dry-run -m haiku\nIs {WAITS} skewed?")
    out = capsys.readouterr().out
    assert "Dry run: nothing was sent" in out and "tokens can't be counted" in out
    assert '"model": "claude-haiku' in out


def test_map_dry_run_works_without_any_credential(ip, capsys) -> None:
    ip.user_ns["items"] = ["a", "b"]
    run_cell(ip, "%%claude --map items -o out --dry-run\nLabel {item}")
    out = capsys.readouterr().out
    assert "tokens can't be counted" in out and "would send 2 requests" in out


@pytest.mark.kernel
def test_demo_streams_visibly_in_a_kernel(tmp_path) -> None:
    from tests.kernels import kernel_env, start_kernel

    with start_kernel(kernel_env(tmp_path / "home")) as k:
        k.ok("%load_ext kuroryuu_magic")
        k.ok("%claude demo")
        run = k.ok(
            "%%claude\nIn two sentences: what is the difference between a median and a mean?"
        )
        assert run.updates >= 5 and run.seconds >= 1.0  # it arrives piece by piece, not at once
        assert "The **mean** adds everything up" in run.text("text/markdown")
        assert DEMO_NOTE_TEXT in run.text("text/markdown") + run.text()


DEMO_NOTE_TEXT = "offline demo: scripted, not Claude"
