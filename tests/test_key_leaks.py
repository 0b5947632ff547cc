"""A canary key through every path in a real kernel; then grep everything it could leak into.

The notebook saves the canary through the panel, asks Claude, shows the status,
tests a rejected canary, and raises errors under ``%xmode Verbose``.  Neither key
may appear in the saved ``.ipynb`` (outputs, metadata, widget state) nor in the
DEBUG logs of ``kuroryuu_magic``, ``anthropic`` and ``httpx``/``httpx2``.  A second
kernel then picks up the stored key, and ``ANTHROPIC_API_KEY`` wins over it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from kuroryuu_magic.core.mask import mask

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(240)]

# The marker never appears in a cell's source: cells read the keys from files.
MARKER = "LEAKCANARY"

_LOGGING = """\
import logging, os
_handler = logging.FileHandler(os.environ["LEAKTEST_LOG"])
_handler.setLevel(logging.DEBUG)
_handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
for _name in ("kuroryuu_magic", "anthropic", "httpx", "httpx2", "httpcore", "httpcore2"):
    logging.getLogger(_name).setLevel(logging.DEBUG)
    logging.getLogger(_name).addHandler(_handler)
def secret(name):
    with open(os.environ[name]) as fh:
        return fh.read()
"""

_SESSION = [
    _LOGGING,
    "%load_ext kuroryuu_magic",
    "%claude setup",
    "import kuroryuu_magic\npanel = kuroryuu_magic.setup_panel()\npanel",
    # What a user's paste + click does, minus the front end.
    'panel.key_field.value = secret("LEAKTEST_KEY")\npanel.save_button.click()\n'
    "print(panel.status)",
    "%%claude\nSay hello.",
    "%claude status",
    'panel.key_field.value = secret("LEAKTEST_BAD_KEY")\npanel.test_button.click()\npanel.wait()\n'
    "print(panel.status)",
    "panel.test_button.click()\npanel.wait()\nprint(panel.status)",  # the active (saved) key
    "%xmode Verbose",
    # A 401 through the magic, with the rejected key active for this session only.
    'panel.store_choice.value = "session"\n'
    'panel.key_field.value = secret("LEAKTEST_BAD_KEY")\npanel.save_button.click()',
    "%%claude\nThis one is rejected.",
    # A plain error in a frame that holds a credential: Verbose prints the argument
    # (IPython 8 printed every local; IPython 9 prints arguments and the failing line's names).
    "from kuroryuu_magic.keys.chain import resolve_credential\n"
    "def fails(cred):\n    return len(cred.source) / 0\nfails(resolve_credential())",
    "kuroryuu_magic.keys.chain.set_session_key(None)\n%claude status",
]

_NEW_KERNEL = [
    _LOGGING,
    "%load_ext kuroryuu_magic",
    "from kuroryuu_magic.keys.chain import resolve_credential\nprint(resolve_credential())",
    "%%claude\nHello from a new kernel.",
    'os.environ["ANTHROPIC_API_KEY"] = secret("LEAKTEST_ENV_KEY")\nprint(resolve_credential())',
    "%claude status",
    "%%claude\nWhich key now?",
    'del os.environ["ANTHROPIC_API_KEY"]\n'
    "kuroryuu_magic = __import__('kuroryuu_magic')\n"
    "print(kuroryuu_magic.keys.chain.forget_key())",
    "%%claude\nNo key any more.",
]


def _key(kind: str) -> str:
    return f"sk-ant-api03-{kind}{MARKER}{secrets.token_hex(36)}"


def _run(cells: list[str], path: Path) -> tuple[str, list[dict[str, Any]]]:
    """Execute ``cells`` in a fresh kernel; save the notebook; return its text and outputs."""
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    client = NotebookClient(
        nb,
        timeout=90,
        kernel_name="python3",
        allow_errors=True,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nbformat.write(nb, path)
    outputs = [{"source": c.source, "outputs": c.get("outputs", [])} for c in nb.cells]
    return path.read_text(), outputs


def _text(cell: dict[str, Any]) -> str:
    parts = []
    for out in cell["outputs"]:
        parts.append(out.get("text", ""))
        parts.extend(str(v) for v in out.get("data", {}).values())
        parts.extend([out.get("ename", ""), out.get("evalue", ""), *out.get("traceback", [])])
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(parts))


@pytest.fixture
def keys(tmp_path: Path, fake: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "LEAKTEST_KEY": _key("good"),
        "LEAKTEST_BAD_KEY": _key("bad"),  # the fake rejects sk-ant-api03-bad…
        "LEAKTEST_ENV_KEY": _key("env"),
    }
    for name, value in values.items():
        path = tmp_path / name.lower()
        path.write_text(value)
        path.chmod(0o600)
        monkeypatch.setenv(name, str(path))
    monkeypatch.delenv("ANTHROPIC_API_KEY")  # the panel's key must be the one used
    monkeypatch.setenv("LEAKTEST_LOG", str(tmp_path / "debug.log"))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return values


def _authorizations(fake: Any) -> list[str]:
    return [
        r.headers.get("x-api-key") or r.headers.get("authorization", "").removeprefix("Bearer ")
        for r in fake.requests
    ]


def test_canary_key_appears_nowhere(tmp_path: Path, fake: Any, keys: dict[str, str]) -> None:
    saved, cells = _run(_SESSION, tmp_path / "session.ipynb")
    log = Path(os.environ["LEAKTEST_LOG"]).read_text()

    # Nothing leaked: no key, no fragment of one.
    assert MARKER not in saved, "a key leaked into the saved notebook"
    assert MARKER not in log, "a key leaked into the DEBUG log"
    for key in keys.values():
        assert key[20:40] not in saved and key[20:40] not in log

    # ...and every path really ran.
    notebook = json.loads(saved)
    widget_state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    models = widget_state["state"].values()
    assert any(m["model_name"] == "PasswordModel" for m in models)
    good, bad = keys["LEAKTEST_KEY"], keys["LEAKTEST_BAD_KEY"]
    assert f"Saved {mask(good)}" in _text(cells[4])
    assert "Hello" in _text(cells[5]) or "hello" in _text(cells[5]).lower()
    assert mask(good) in _text(cells[6])
    assert "rejected (401)" in _text(cells[7])
    assert "is valid" in _text(cells[8])
    assert "401" in _text(cells[11]) or "authentication" in _text(cells[11])
    assert "ZeroDivisionError" in _text(cells[12]) and mask(bad) in _text(cells[12])
    sent = _authorizations(fake)
    assert good in sent and bad in sent  # the canaries did go over the wire
    assert "DEBUG" in log and "anthropic" in log  # the log captured request details


def test_new_kernel_uses_stored_key_and_env_wins(
    tmp_path: Path, fake: Any, keys: dict[str, str]
) -> None:
    from kuroryuu_magic.keys import chain as credentials

    credentials.save_key(keys["LEAKTEST_KEY"], "file")  # as a Save in an earlier kernel
    credentials.set_session_key(None)
    saved, cells = _run(_NEW_KERNEL, tmp_path / "new_kernel.ipynb")
    good, env = keys["LEAKTEST_KEY"], keys["LEAKTEST_ENV_KEY"]
    assert MARKER not in saved
    assert MARKER not in Path(os.environ["LEAKTEST_LOG"]).read_text()

    assert "key file" in _text(cells[2]) and mask(good) in _text(cells[2])
    assert "ANTHROPIC_API_KEY environment variable" in _text(cells[4])
    assert "shadows" in _text(cells[5])
    assert "Forgot the key in the key file" in _text(cells[7])
    assert "%claude setup" in _text(cells[8])  # no key any more: a one-line UsageError
    sent = _authorizations(fake)
    used = [k for k in sent if k in (good, env)]  # cell 3 with the file's key, cell 6 the env's
    assert used and used[0] == good and used[-1] == env
    assert used.index(env) > len(used) - 1 - used[::-1].index(good)
