"""Notebook objects as context through the magic: --vars, --schema-only, --image, --plot, fix, caching."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.conftest import run_cell

pd = pytest.importorskip("pandas")


def last_content(fake: FakeAnthropic) -> object:
    return fake.messages_requests()[-1].body["messages"][-1]["content"]


def test_dataframe_interpolates_as_a_bounded_summary(ip, fake: FakeAnthropic) -> None:
    ip.user_ns["df"] = pd.DataFrame({"price": range(100_000), "city": ["Oslo", "Lima"] * 50_000})
    run_cell(ip, "%%claude --no-history\nWhat's odd about {df}?")
    sent = last_content(fake)
    assert isinstance(sent, str) and sent.startswith("What's odd about ")
    assert "price" in sent and "city" in sent and "100,000" in sent.replace("100000", "100,000")
    assert len(sent) < 4_500  # the whole frame would be megabytes


def test_schema_only_sends_no_values(ip, fake: FakeAnthropic) -> None:
    ip.user_ns["people"] = pd.DataFrame({"name": ["Ada Secretname"], "age": [36]})
    run_cell(
        ip,
        "%%claude --vars people --schema-only --no-history\nWhich columns could identify a person?",
    )
    sent = last_content(fake)
    assert '<variable name="people"' in sent and "name" in sent and "age" in sent
    assert "Secretname" not in sent and "36" not in sent.split("</variable>")[0].split("dtype")[-1]


def test_vars_names_a_missing_variable(ip, fake: FakeAnthropic) -> None:
    with pytest.raises(UsageError, match="no variable named 'nope'"):
        run_cell(ip, "%%claude --vars nope\nhi")


def test_plot_attaches_the_current_figure(ip, fake: FakeAnthropic) -> None:
    pytest.importorskip("matplotlib")
    run_cell(
        ip,
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])",
    )
    run_cell(ip, "%%claude --plot --no-history\nExplain this plot")
    blocks = last_content(fake)
    assert [b["type"] for b in blocks] == ["image", "text"]
    assert (
        blocks[0]["source"]["media_type"] == "image/png"
        and blocks[1]["text"] == "Explain this plot"
    )


def test_image_from_a_variable_and_a_clear_error_otherwise(
    ip, fake: FakeAnthropic, tmp_path
) -> None:
    pil = pytest.importorskip("PIL.Image")
    path = tmp_path / "dot.png"
    pil.new("RGB", (8, 8), "red").save(path)
    run_cell(ip, f"%%claude --image {path} --no-history\nWhat colour?")
    assert last_content(fake)[0]["type"] == "image"
    ip.user_ns["not_an_image"] = 42
    with pytest.raises(UsageError):
        run_cell(ip, "%%claude --image not_an_image\nhm")


def test_fix_sends_the_last_error_and_offers_the_corrected_cell(ip, fake: FakeAnthropic) -> None:
    ip.run_cell("numbers = [1, 2]\nnumbers.avg()")
    fake.enqueue(Reply(text="Lists have no avg.\n```python\nsum(numbers) / len(numbers)\n```"))
    run_cell(ip, "%claude fix")
    sent = last_content(fake)
    assert "AttributeError" in sent and "numbers.avg()" in sent
    assert ip.rl_next_input == "sum(numbers) / len(numbers)"
    assert ip.user_ns["_claude"].code == "sum(numbers) / len(numbers)"


def test_fix_without_an_error_is_a_usage_error(ip, fake: FakeAnthropic) -> None:
    with pytest.raises(UsageError, match="no error"):
        run_cell(ip, "%claude fix")


def test_large_context_is_cached_and_follow_ups_read_the_cache(
    ip, fake: FakeAnthropic, capsys
) -> None:
    ip.user_ns["notes"] = "observation " * 1_000
    run_cell(ip, "%config ClaudeMagics.object_chars = 20000")  # keep the whole 12,000 characters
    run_cell(ip, "%%claude\nSummarise {notes}")
    first = last_content(fake)
    assert first[-1]["cache_control"] == {"type": "ephemeral"}
    run_cell(ip, "%%claude\nAnd in one word?")
    follow_up = fake.messages_requests()[-1].body["messages"]
    assert "cache_control" not in follow_up[0]["content"][-1]  # one breakpoint, on the newest turn
    assert follow_up[-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert ip.user_ns["_claude"].usage.cache_read_input_tokens > 0
    assert " read (saved ~$" in ip.user_ns["_claude"].footer()
    capsys.readouterr()
    run_cell(ip, "%claude usage")
    usage = capsys.readouterr().out
    assert "cache read / written" in usage and "~$" in usage
