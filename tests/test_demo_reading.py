"""The demo's plain answers read what the notebook sent: a frame, an error, a figure, a JSON shape.

Each test drives the real magic under ``%claude demo`` (so the real renderers build
the prompt) and checks the answer against the data, not against a canned text.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_cell

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def _sales() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "shop": rng.choice(["a", "b", "c"], size=200),
            "units": rng.integers(1, 9, size=200),
            "score": rng.integers(1, 6, size=200).astype(float),
        }
    )
    frame.loc[[5, 6, 7], "score"] = np.nan
    frame.loc[9, "units"] = 70000
    return frame


def test_a_frame_in_the_prompt_gets_its_own_facts(ip, quick_demo):
    ip.user_ns["sales"] = _sales()
    run_cell(ip, "%%claude --no-history\nHere is {sales}. What looks odd?")
    text = ip.user_ns["_claude"].text
    assert "**200 rows × 3 columns**" in text
    assert "`units` goes up to **70,000**" in text and "`score` has **3** missing" in text
    assert "outlier" not in text.lower() or "70,000" in text


def test_code_for_a_frame_uses_the_columns_the_question_names(ip, quick_demo):
    ip.user_ns["sales"] = _sales()
    run_cell(
        ip,
        "%%claude --schema-only --vars sales -f code --no-history\n"
        "Pandas code for the median units and the mean score per shop.",
    )
    code = ip.user_ns["_claude"].code
    assert 'sales.groupby("shop")' in code
    assert 'median_units=("units", "median")' in code and 'mean_score=("score", "mean")' in code
    namespace = {"sales": _sales()}
    exec(code, namespace)  # the code the demo wrote runs on the frame
    assert list(namespace["summary"].columns) == ["median_units", "mean_score"]


def test_fix_names_the_missing_column_and_quotes_the_failing_cell(ip, quick_demo):
    ip.user_ns["sales"] = _sales()
    result = ip.run_cell('total = sales["revenue"].sum()')
    assert result.error_in_exec is not None
    run_cell(ip, "%claude fix")
    answer = ip.user_ns["_claude"]
    assert "**`revenue`**" in answer.text
    assert (
        'sales["revenue"] = ...' in answer.code and 'total = sales["revenue"].sum()' in answer.code
    )


def test_a_figure_is_received_and_not_described(ip, quick_demo):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    plt.figure(figsize=(4, 2), dpi=100)
    plt.plot([1, 2, 3])
    run_cell(ip, "%%claude --plot --no-history\nWhat does this plot show?")
    text = ip.user_ns["_claude"].text
    assert "400×200 px PNG" in text and "cannot look at it" in text
    plt.close("all")


def test_map_json_fills_the_example_shape_from_each_row(ip, quick_demo):
    ip.user_ns["notes"] = pd.DataFrame(
        {"comment": ["box was crushed", "courier was late", "works fine"]}
    )
    run_cell(
        ip,
        "%%claude --map notes -o labels -f json\n"
        'Comment: "{row.comment}". Reply with JSON like '
        '{{"issue": "delivery|damage|other", "urgent": false}}',
    )
    labels = ip.user_ns["labels"]
    assert [v["issue"] for v in labels] == ["damage", "delivery", "other"]
    assert [v["urgent"] for v in labels] == [True, False, False]


def test_demo_batches_are_not_counted_as_spend(ip, quick_demo):
    ip.user_ns["items"] = ["3, 4, 5", "10, 20, 30"]
    run_cell(ip, "%%claude --map items -o out --batch\nSummarise {item}")
    rows = ip.magics_manager.registry["ClaudeMagics"].session_usage.by_model
    assert rows and all(m.endswith("(offline demo)") for m in rows)
    assert all(t.cost == 0 for t in rows.values())
