"""Inspection tools never run the user's hooks (issue 19): ``list_variables`` reads only
type-level facts, and one object that can't be read is one line, never a failed tool."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kuroryuu_magic.tools import list_variables, run_tool

CALLED: list[str] = []


class Proxy:
    """A lazy proxy: every attribute goes through ``__getattr__`` (and it lies about its class)."""

    def __getattr__(self, name: str) -> Any:
        CALLED.append(f"__getattr__ {name}")
        raise RuntimeError("proxy hook ran")

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        CALLED.append("__class__")
        return type


class RaisingShape:
    @property
    def shape(self) -> Any:
        CALLED.append("shape property")
        raise ValueError("boom")

    @property
    def columns(self) -> Any:
        CALLED.append("columns property")
        raise ValueError("boom")


class LongList(list):  # type: ignore[type-arg]
    def __len__(self) -> int:
        CALLED.append("__len__")
        raise OverflowError("no")


class Plain:
    def __init__(self) -> None:
        self.shape = (2, 3)  # the instance's own value: read without a hook


def namespace() -> dict[str, Any]:
    return {
        "proxy": Proxy(),
        "raising": RaisingShape(),
        "longlist": LongList([1, 2]),
        "plain": Plain(),
        "df": pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]}),
        "arr": np.zeros((4, 5)),
        "words": ["a", "b"],
    }


def test_list_variables_runs_no_user_hook_and_lists_every_object() -> None:
    CALLED.clear()
    outcome = list_variables(namespace(), max_chars=4000)
    assert not outcome.is_error, outcome.text
    assert CALLED == []
    text = outcome.text
    assert "7 user variables" in text
    for line in (
        "proxy: tests.Proxy",
        "raising: tests.RaisingShape",
        "longlist: tests.LongList",
        "plain: tests.Plain, shape (2, 3)",
    ):
        assert line in text
    assert "df: pandas.DataFrame, shape (3, 2), 2 columns" in text
    assert "arr: numpy.ndarray, shape (4, 5)" in text and "words: list, len 2" in text


def test_run_tool_list_variables_with_hostile_objects_is_not_an_error() -> None:
    CALLED.clear()
    outcome = run_tool("list_variables", {}, namespace(), max_chars=4000, schema_only=False)
    assert not outcome.is_error and CALLED == []


def test_other_tools_on_a_raising_object_give_one_error_result() -> None:
    for name in ("describe", "null_counts", "value_counts"):
        args: dict[str, Any] = {"name": "raising"}
        if name == "value_counts":
            args["column"] = "a"
        outcome = run_tool(name, args, namespace(), max_chars=2000, schema_only=False)
        assert outcome.is_error and "\n" not in outcome.text.strip(), (name, outcome.text)
