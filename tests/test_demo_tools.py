"""The offline demo's tool prompts: real tools on the user's real data, scripted calls, $0.

``%claude explore`` and ``--tools`` under ``%claude demo`` must run the actual
inspection tools in the kernel, and the summary must quote what those tools
returned for *this* data (never a canned story), labelled as the offline demo
and never counted as spend.
"""

from __future__ import annotations

import builtins

import pytest

from kuroryuu_magic.demo._investigation import NOTE, parse_describe
from kuroryuu_magic.testing.tools import received_results
from tests.conftest import run_cell

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def _shop(seed: int, *, slip: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    frame = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east"], size=n),
            "amount": rng.gamma(3.0, 10.0, size=n).round(2),
            "score": rng.integers(1, 6, size=n).astype(float),
        }
    )
    frame.loc[rng.choice(n, 17, replace=False), "score"] = np.nan
    frame = pd.concat([frame, frame.iloc[[3, 8, 8]]], ignore_index=True)  # 3 exact repeats
    if slip:
        frame.loc[42, "amount"] = 98765.0
    return frame


def _usage_rows(ip) -> dict:
    return ip.magics_manager.registry["ClaudeMagics"].session_usage.by_model


def test_explore_runs_the_real_tools_and_cites_their_exact_numbers(ip, quick_demo, capsys):
    shop = _shop(3, slip=True)
    ip.user_ns["shop"] = shop
    run_cell(ip, "%claude explore shop")
    result = ip.user_ns["_claude"]
    names = [c["name"] for c in result.tool_calls]
    assert names[:4] == ["describe", "null_counts", "duplicates", "sample_rows"]
    assert not any(c["is_error"] for c in result.tool_calls)
    # What the fake received is exactly what the kernel's tools returned.
    received = [
        r for req in quick_demo.messages_requests() for r in received_results(req.body["messages"])
    ]
    assert [r["content"] for r in received] == [c["result"] for c in result.tool_calls]
    # The summary's numbers, computed here independently of the tools.
    nulls = int(shop["score"].isna().sum())
    dups = int(shop.duplicated().sum())
    assert nulls >= 17 and dups >= 3  # planted: 17 unrated rows, 3 repeated rows
    text = result.text
    assert f"`score` **{nulls}**" in text and f"**{dups}** rows repeat" in text
    assert "**98765**" in text and "at index 42" in text
    assert f"**{len(shop):,} rows × 3 columns**" in text
    assert NOTE in text
    # Labelled and free: source, footer, the session tally.
    assert result.source == "demo" and result.cost == 0
    assert "offline demo" in result.footer() and "saved" not in result.footer()
    assert "offline demo" in capsys.readouterr().out
    rows = _usage_rows(ip)
    assert rows and all(model.endswith("(offline demo)") for model in rows)
    assert all(t.cost == 0 for t in rows.values())


def test_clean_data_gets_no_canned_outlier_story(ip, quick_demo):
    tidy = pd.DataFrame({"city": ["Oslo", "Lima", "Pune", "Kyiv"] * 10, "temp": range(40)})
    ip.user_ns["tidy"] = tidy
    run_cell(ip, "%claude explore tidy")
    result = ip.user_ns["_claude"]
    assert "sample_rows" not in [c["name"] for c in result.tool_calls]
    text = result.text.lower()
    assert "outlier" not in text and "reaches" not in text and "data-entry" not in text
    assert "no nulls in any column" in text
    # tidy repeats its 4 cities 10 times, but every (city, temp) row is distinct
    assert "**0** rows repeat" in result.text


def test_a_tools_question_about_groups_gets_a_groupby_and_the_right_group(ip, quick_demo):
    trips = pd.DataFrame(
        {
            "carrier": ["ace"] * 5 + ["bolt"] * 5 + ["cargo"] * 5,
            "delay_minutes": [1, 2, 2, 3, 90, 10, 11, 12, 12, 13, 4, 5, 5, 6, 6],
        }
    )
    ip.user_ns["trips"] = trips
    run_cell(ip, "%%claude --tools\nWhich carrier has the highest median delay?")
    result = ip.user_ns["_claude"]
    calls = [(c["name"], c["input"].get("agg")) for c in result.tool_calls]
    assert calls == [
        ("list_variables", None),
        ("describe", None),
        ("groupby", "median"),
        ("groupby", "mean"),
    ]
    medians = trips.groupby("carrier")["delay_minutes"].median()
    means = trips.groupby("carrier")["delay_minutes"].mean()
    assert medians.idxmax() == "bolt" and means.idxmax() == "ace"  # ace: one 90-minute trip
    assert f"**'bolt'** has the largest median `delay_minutes`: **{medians.max():g}**" in (
        result.text
    )
    assert "puts 'ace' first instead" in result.text


def test_tools_code_proposes_code_and_a_decline_runs_nothing(ip, quick_demo, monkeypatch):
    ip.user_ns["orders"] = pd.DataFrame({"days": [1, 9, 3, 12]})
    monkeypatch.setattr(builtins, "input", lambda prompt="": "n")
    run_cell(ip, "%%claude --tools code\nAdd a column `late` to orders: days over 7.")
    result = ip.user_ns["_claude"]
    run = next(c for c in result.tool_calls if c["name"] == "run_python")
    assert run["input"]["code"].startswith("orders['late'] = orders['days'] > 7")
    assert "late" not in ip.user_ns["orders"] and "Nothing ran" in result.text

    monkeypatch.setattr(builtins, "input", lambda prompt="": "y")
    run_cell(ip, "%%claude --tools code\nAdd a column `late` to orders: days over 7.")
    assert list(ip.user_ns["orders"]["late"]) == [False, True, False, True]
    assert "Result: **0.5**" in ip.user_ns["_claude"].text


def test_a_variable_the_tools_cannot_read_is_said_plainly(ip, quick_demo):
    ip.user_ns["notes"] = {"a": 1}
    run_cell(ip, "%claude explore notes")
    result = ip.user_ns["_claude"]
    assert [c["name"] for c in result.tool_calls] == ["describe"]
    assert "could not read `notes`" in result.text and "not a DataFrame" in result.text


def test_describe_text_is_parsed_back_into_numbers():
    profile = parse_describe(
        "df (pandas.DataFrame, 3 rows × 1 columns)\n"
        "[0] x: float64, non-null 2/3 (1 null), distinct 2\n"
        "    min 1  max 7  mean 4  std 4.24264\n"
        "    25% 2.5  50% 4  75% 5.5  zeros 0 (0%)\n"
    )
    (x,) = profile.columns
    assert (profile.rows, x.name, x.nulls, x.distinct) == (3, "x", 1, 2)
    assert (x.number("max"), x.number("75%")) == (7.0, 5.5)
