"""Execute every bundled notebook headless, as a newcomer's Run All would, under the offline demo.

Run with the Python of a venv that has only ``pip install '.[lab]'``: a notebook that
imports something the ``[lab]`` extra does not install fails here.  The kernel gets no
key (every ``ANTHROPIC_*``/``KURORYUU_*`` variable is dropped, HOME and the config
directory are fresh), so each notebook's own ``%claude demo`` cell is what answers.

Fails (exit 1) on an error output in any cell not tagged ``raises-exception``, and on a
notebook whose prompts were not answered by the demo.  Usage::

    python .ci/run_notebooks.py [NOTEBOOK ...]   # default: notebooks/*.ipynb
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
DROPPED = ("ANTHROPIC_", "KURORYUU_", "CLAUDE_")
TIMEOUT = 180  # seconds per cell; the slowest (a --batch wait) takes a few


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    env.update(
        HOME=str(home),
        KURORYUU_CONFIG_DIR=str(home / "config"),
        IPYTHONDIR=str(home / ".ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        MPLBACKEND="agg",
    )
    return env


def problems(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        expected = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and not expected:
                found.append(f"cell {i} ({cell.source[:40]!r}): {out.ename}: {out.evalue[:300]}")
    return found


def run(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="kuroryuu-nb-") as tmp:
        client = NotebookClient(
            nb,
            timeout=TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute(env=clean_env(Path(tmp)))
    found = problems(nb)
    prompts = [c for c in nb.cells if c.cell_type == "code" and "%%claude" in c.source]
    saved = nbformat.writes(nb)
    if prompts and "offline demo" not in saved:
        found.append("no answer says 'offline demo': the demo did not answer")
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    failed = 0
    for path in paths:
        t0 = time.monotonic()
        try:
            found = run(path)
        except Exception as exc:  # a cell error nbclient raised, a timeout, a dead kernel
            found = [f"{type(exc).__name__}: {str(exc)[-600:]}"]
        status = "ok" if not found else "FAILED"
        print(f"{path.name}: {status} in {time.monotonic() - t0:.1f} s", flush=True)
        for line in found:
            print(f"    {line}", flush=True)
        failed += bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
