"""list_variables, cell and last_error in a real IPython shell."""

from __future__ import annotations

from typing import Any

from kuroryuu_magic.tools import cell, last_error, list_variables, run_tool

from ._tools_helpers import err, ok
from .conftest import run_cell


def test_list_variables_names_types_and_shapes_only(ip: Any) -> None:
    run_cell(
        ip,
        "import os, numpy as np, pandas as pd\n"
        "df = pd.DataFrame({'secret_value_col': ['canary-value'] * 3})\n"
        "arr = np.zeros((2, 5))\n"
        "words = ['canary-word']\n"
        "_private = 1\n"
        "class Thing: pass\n"
        "def helper(): return 1\n",
    )
    out = ok(list_variables(ip.user_ns, shell=ip, max_chars=2000))
    assert "df: pandas.DataFrame, shape (3, 1), 1 columns" in out
    assert "arr: numpy.ndarray, shape (2, 5)" in out
    assert "words: list, len 1" in out
    assert "helper: function" in out
    for hidden in ("_private", "os:", "np:", "Thing", "In:", "Out:", "exit", "get_ipython"):
        assert hidden not in out
    assert "canary" not in out


def test_list_variables_is_bounded() -> None:
    ns = {f"v{i}": i for i in range(2000)}
    out = ok(list_variables(ns, max_chars=500))
    assert len(out) <= 500 and "more" in out


def test_cell_source_and_output(ip: Any) -> None:
    ip.run_cell("x = 21", store_history=True).raise_error()
    ip.run_cell("x * 2", store_history=True).raise_error()
    n = ip.execution_count - 1
    out = ok(cell(ip.user_ns, n, shell=ip, max_chars=2000))
    assert f"In[{n}]:\nx * 2" in out and f"Out[{n}] (int):\n42" in out
    assert "In[" in ok(cell(ip.user_ns, -1, shell=ip, max_chars=2000))
    prev = ok(cell(ip.user_ns, n - 1, shell=ip, max_chars=2000))
    assert "x = 21" in prev and "none" in prev
    schema = ok(cell(ip.user_ns, n, shell=ip, schema_only=True, max_chars=2000))
    assert "42" not in schema.split(f"Out[{n}]")[1]
    err(cell(ip.user_ns, 10_000, shell=ip, max_chars=2000))
    err(cell({}, 1, max_chars=2000))


def test_last_error_is_trimmed_and_names_the_cell(ip: Any) -> None:
    ip.run_cell("def inner(d):\n    return d['missing']\n", store_history=True)
    ip.run_cell("inner({'present': 1})", store_history=True)
    out = ok(last_error(ip.user_ns, shell=ip, max_chars=3000))
    assert out.startswith("KeyError: 'missing'")
    assert "in inner" in out and "return d['missing']" in out
    assert "failing cell In[" in out and "inner({'present': 1})" in out
    assert "site-packages" not in out and "interactiveshell" not in out
    via = run_tool("last_error", {}, ip.user_ns, max_chars=3000, schema_only=False, shell=ip)
    assert via.text == out


def test_last_error_when_there_is_none(monkeypatch: Any) -> None:
    import sys

    for attr in ("last_value", "last_exc", "last_traceback"):
        monkeypatch.delattr(sys, attr, raising=False)
    assert ok(last_error({}, max_chars=500)) == "no error in this kernel yet"


def test_last_error_masks_keys(ip: Any) -> None:
    key = "sk-ant-api03-" + "A" * 40 + "wxyz"
    ip.run_cell(f"raise ValueError('bad key {key}')")
    out = ok(last_error(ip.user_ns, shell=ip, max_chars=3000))
    assert key not in out and "AAAAAAAAAA" not in out and "sk-ant-…wxyz" in out
