"""Tool definitions and the dispatcher: schema checks, error results, bounds, redaction."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuroryuu_magic.tools import (
    CODE_TOOL,
    DEFINITIONS,
    INSPECT_TOOLS,
    ToolOutcome,
    run_tool,
    tool_definitions,
)

from ._tools_helpers import err, ok, sales_frame

NS = {"df": sales_frame(), "s": pd.Series([1, 2, 2], name="v")}
CONTRACT = {
    "list_variables": set(),
    "describe": {"name", "columns"},
    "value_counts": {"name", "column", "top", "normalize"},
    "null_counts": {"name"},
    "duplicates": {"name", "subset", "show"},
    "quantiles": {"name", "column", "q"},
    "correlations": {"name", "columns", "method"},
    "sample_rows": {"name", "n", "where", "columns"},
    "groupby": {"name", "by", "column", "agg"},
    "histogram": {"name", "column", "bins"},
    "cell": {"n"},
    "last_error": set(),
    "run_python": {"code"},
}


def test_definitions_follow_the_contract_and_api_format() -> None:
    assert {d["name"] for d in DEFINITIONS} == set(CONTRACT)
    for d in DEFINITIONS:
        assert set(d) == {"name", "description", "input_schema"}
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,128}", d["name"])
        assert 20 < len(d["description"]) < 1024
        schema = d["input_schema"]
        assert schema["type"] == "object"
        assert set(schema["properties"]) == CONTRACT[d["name"]], d["name"]
        assert set(schema["required"]) <= set(schema["properties"])
    json.dumps(DEFINITIONS)  # sent as JSON as they are


def test_run_python_only_with_code() -> None:
    names = [d["name"] for d in tool_definitions()]
    assert CODE_TOOL not in names and tuple(names) == INSPECT_TOOLS
    assert [d["name"] for d in tool_definitions(code=True)][-1] == CODE_TOOL
    tool_definitions()[0]["name"] = "changed"  # callers get copies
    assert DEFINITIONS[0]["name"] == "list_variables"


@pytest.mark.parametrize(
    ("name", "input", "says"),
    [
        ("nope", {}, "no tool 'nope'"),
        ("run_python", {"code": "1"}, "approval"),
        ("describe", {}, "missing required input 'name'"),
        ("describe", {"name": 3}, "name must be string"),
        ("describe", {"name": "df", "colums": ["a"]}, "unknown input 'colums'"),
        ("value_counts", {"name": "df", "column": "city", "top": True}, "top must be integer"),
        ("value_counts", {"name": "df", "column": "city", "top": 0}, "top must be >= 1"),
        ("correlations", {"name": "df", "method": "kendall"}, "method must be one of"),
        ("sample_rows", {"name": "df", "where": [["qty", "~~", 1]]}, "where[0][1] must be one of"),
        ("sample_rows", {"name": "df", "where": "qty > 1"}, "where must be array"),
        (
            "groupby",
            {"name": "df", "by": "city", "column": "price"},
            "missing required input 'agg'",
        ),
        ("quantiles", {"name": "df", "column": "price", "q": [2]}, "input[0] must be <= 1"),
        ("describe", "df", "input must be object"),
        ("describe", {"name": "missing"}, "no variable named 'missing'"),
    ],
)
def test_bad_calls_are_error_results(name: str, input: Any, says: str) -> None:
    text = err(run_tool(name, input, NS, max_chars=500, schema_only=False))
    assert says.replace("input[0]", "q[0]") in text or says in text


def test_good_calls_run() -> None:
    calls = {
        "list_variables": {},
        "describe": {"name": "df", "columns": ["price"]},
        "value_counts": {"name": "s", "column": "v"},
        "null_counts": {"name": "df"},
        "duplicates": {"name": "df", "subset": ["city"], "show": 1},
        "quantiles": {"name": "df", "column": "price", "q": [0.5]},
        "correlations": {"name": "df", "method": "spearman"},
        "sample_rows": {"name": "df", "n": 2, "where": [["city", "isnull"]]},
        "groupby": {"name": "df", "by": ["city"], "column": "qty", "agg": "sum"},
        "histogram": {"name": "df", "column": "qty", "bins": 5},
    }
    for name, input in calls.items():
        out = run_tool(name, input, NS, max_chars=1500, schema_only=False)
        assert len(ok(out)) <= 1500, name


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(
    st.sampled_from([*CONTRACT, "bogus"]),
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "column",
                "columns",
                "by",
                "agg",
                "n",
                "q",
                "where",
                "top",
                "bins",
                "subset",
                "x",
            ]
        ),
        json_values | st.sampled_from(["df", "s", "price", "city", "when", "mean"]),
        max_size=5,
    ),
    st.integers(min_value=0, max_value=3000),
    st.booleans(),
)
def test_any_input_never_raises_and_is_bounded(
    name: str, input: dict, limit: int, schema_only: bool
) -> None:
    out = run_tool(name, input, NS, max_chars=limit, schema_only=schema_only)
    assert isinstance(out, ToolOutcome)
    assert len(out.text) <= max(80, limit)


def test_secrets_in_data_never_reach_tool_results() -> None:
    key = "sk-ant-api03-" + "Q" * 60 + "wxyz"
    token = "sk-ant-oat01-" + "Z" * 50 + "abcd"
    df = pd.DataFrame({"note": [key, token, key], "n": [1, 2, 3], key: [0, 0, 1]})
    ns = {"df": df}
    calls = [
        ("describe", {"name": "df"}),
        ("value_counts", {"name": "df", "column": "note"}),
        ("sample_rows", {"name": "df", "where": [["note", "contains", "sk-ant"]]}),
        ("duplicates", {"name": "df", "subset": ["note"]}),
        ("groupby", {"name": "df", "by": "note", "column": "n", "agg": "sum"}),
        ("null_counts", {"name": "df"}),
        ("describe", {"name": "df", "columns": ["nope" + key]}),
    ]
    for name, input in calls:
        text = run_tool(name, input, ns, max_chars=4000, schema_only=False).text
        assert key not in text and token not in text, name
        assert "QQQQQQQQ" not in text and "ZZZZZZZZ" not in text, name


def test_schema_only_sends_no_values() -> None:
    df = pd.DataFrame(
        {
            "patient": ["canary-alice", "canary-bob", "canary-alice"],
            "age": [31337, 42424, 31337],
            "score": [0.123456, 0.654321, 0.123456],
            "seen": pd.to_datetime(["2031-05-06", "2032-07-08", "2031-05-06"]),
        }
    )
    ns = {"df": df, "In": ["", "df"], "Out": {1: df}}
    calls = [
        ("describe", {"name": "df"}),
        ("value_counts", {"name": "df", "column": "patient"}),
        ("value_counts", {"name": "df", "column": "age"}),
        ("duplicates", {"name": "df"}),
        ("quantiles", {"name": "df", "column": "age"}),
        ("correlations", {"name": "df"}),
        ("sample_rows", {"name": "df", "where": [["age", ">", 1]]}),
        ("groupby", {"name": "df", "by": "patient", "column": "age", "agg": "max"}),
        ("histogram", {"name": "df", "column": "seen"}),
        ("cell", {"n": 1}),
    ]
    for name, input in calls:
        out = run_tool(name, input, ns, max_chars=4000, schema_only=True)
        assert not out.is_error, (name, out.text)
        for value in ("canary", "31337", "42424", "0.123", "0.654", "2031", "2032"):
            assert value not in out.text, (name, value, out.text)
    counts = run_tool("duplicates", {"name": "df"}, ns, max_chars=4000, schema_only=True).text
    assert "1 duplicated rows" in counts  # counts still answer


def test_unknown_tool_names_are_redacted() -> None:
    key = "sk-ant-api03-" + "K" * 40
    text = err(run_tool(key, {}, NS, max_chars=500, schema_only=False))
    assert "KKKKKKKK" not in text


def test_polars_series_and_numpy() -> None:
    pl = pytest.importorskip("polars")
    ns = {"s": pl.Series("v", [3, 1, None, 3]), "a": np.array([[1.0, 2.0], [1.0, 2.0]])}
    out = ok(
        run_tool("value_counts", {"name": "s", "column": "v"}, ns, max_chars=500, schema_only=False)
    )
    assert "2 distinct values, 1 null" in out
    dup = ok(run_tool("duplicates", {"name": "a"}, ns, max_chars=500, schema_only=False))
    assert "1 duplicated rows" in dup


def test_one_record_per_tool_makes_the_definition_and_the_check() -> None:
    from kuroryuu_magic.tools import TOOLS, tool_named

    assert [t.definition() for t in TOOLS] == DEFINITIONS
    for record in TOOLS:
        schema = record.definition()["input_schema"]
        assert set(schema["properties"]) == set(record.input.model_fields)
        assert "title" not in json.dumps(schema)  # tidied: no pydantic noise for Claude to read
    describe = tool_named("describe")
    assert describe is not None and describe.run is not None and describe.read_only
    assert tool_named(CODE_TOOL).run is None  # type: ignore[union-attr]
    # Left out means the tool's default; an explicit null is refused, as the schema says.
    text = err(
        run_tool("describe", {"name": "df", "columns": None}, NS, max_chars=500, schema_only=False)
    )
    assert "columns must be array, got NoneType" in text
    text = err(
        run_tool("sample_rows", {"name": "df", "n": 1.5}, NS, max_chars=500, schema_only=False)
    )
    assert "n must be integer, got float" in text
