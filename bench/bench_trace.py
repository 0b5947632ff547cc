"""How much of the package one command walks through: distinct functions and modules.

    python bench/bench_trace.py [--list]

``--list`` also prints the modules each command visits.

Runs in one in-process IPython shell against the fake (the ``tests`` shell
set-up: terminal front end, history off, no warm-up), each command once to
warm up and once traced with ``sys.setprofile`` and ``threading.setprofile``
(so ``--map``'s runner thread counts too).  A function is counted once per
code object (file, line, name) under ``kuroryuu_magic/``; the fake
(``testing/``) and the demo are left out: they stand in for the API.  Measured
on a tree by running the copy of this script in that tree, so a before/after
pair is the same method on two checkouts.

- ``%%claude``: a plain prompt (``--no-history``, one streamed answer);
- ``explore``: ``%claude explore df`` with one scripted tool call, then an answer;
- ``--map --schema``: three items into a pydantic model, concurrently (``--fresh``: the
  warm-up run's answers are in the answer cache).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuroryuu_magic.testing import FakeAnthropic, Reply  # noqa: E402
from tests.kernels import ISOLATED_PREFIXES, isolated_vars  # noqa: E402

PACKAGE = str(ROOT / "kuroryuu_magic") + os.sep
LEFT_OUT = (PACKAGE + "testing" + os.sep, PACKAGE + "demo" + os.sep)

SETUP = """
import pandas as pd
from pydantic import BaseModel
class Label(BaseModel):
    label: str
    score: float
df = pd.DataFrame({'a': [1, 1, 2, None], 'b': list('xxyz')})
items = ['red', 'green', 'blue']
"""

COMMANDS = {
    "%%claude": ("claude", "--no-history", "What is a p-value?"),
    "explore": ("claude", "explore df", None),
    "--map --schema": ("claude", "--map items --schema Label --fresh -o out", "Label {item}"),
}


def _shell() -> Any:
    from IPython.core.history import HistoryManager
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryAccessor.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    config.ClaudeMagics.warm_up = False
    shell = InteractiveShell.instance(config=config)
    HistoryManager.enabled = False
    shell.run_line_magic("load_ext", "kuroryuu_magic")
    shell.run_line_magic("config", "ClaudeMagics.update_interval = 0.0")
    shell.run_cell(SETUP).raise_error()
    return shell


def _run(shell: Any, fake: Any, command: tuple[str, str, str | None]) -> None:
    name, line, cell = command
    if line.startswith("explore"):
        fake.enqueue(Reply.call("null_counts", {"name": "df"}, text="Looking."))
        fake.enqueue(Reply(text="One null in a; x repeats."))
    if cell is None:
        shell.run_line_magic(name, line)
    else:
        shell.run_cell_magic(name, line, cell)


def trace(shell: Any, fake: Any, command: tuple[str, str, str | None]) -> set[tuple[str, int, str]]:
    seen: set[tuple[str, int, str]] = set()
    lock = threading.Lock()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        code = frame.f_code
        path = code.co_filename
        if path.startswith(PACKAGE) and not path.startswith(LEFT_OUT):
            with lock:
                seen.add((path, code.co_firstlineno, code.co_name))

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        _run(shell, fake, command)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    return seen


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="bench-trace-"))
    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES):
            del os.environ[name]
    os.environ.update(isolated_vars(home))
    with FakeAnthropic() as fake:
        os.environ.update(fake.env())
        shell = _shell()
        print(f"tree: {ROOT}")
        for label, command in COMMANDS.items():
            with contextlib.redirect_stdout(io.StringIO()):
                _run(shell, fake, command)  # warm: imports and first-use set-up are not counted
                seen = trace(shell, fake, command)
            modules = sorted({path[len(PACKAGE) :] for path, _, _ in seen})
            print(f"{label:16} {len(seen):4} functions / {len(modules):3} modules")
            if "--list" in sys.argv:
                print("    " + " ".join(modules))


if __name__ == "__main__":
    main()
