"""Smoke test of an installed wheel: load the extension and get one answer from the fake.

    python .ci/smoke_wheel.py        # run from OUTSIDE the checkout, in a venv with the wheel

.ci/run installs the built wheel (not editable) into a clean venv and runs this from a
temporary directory, so ``import kuroryuu_magic`` can only find the installed copy.
It checks what the wheel must carry (``py.typed``, the license in the metadata, a
version from that metadata), then drives an IPython shell: ``%load_ext
kuroryuu_magic`` and one ``%%claude`` cell against the fake API on loopback, and
asserts the answer's text.  Exits non-zero on any failure.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from importlib.metadata import distribution
from pathlib import Path

ANSWER = "The wheel works: **hello** from the fake."


def check_installed_files() -> str:
    import kuroryuu_magic

    package = Path(kuroryuu_magic.__file__).parent
    assert "site-packages" in package.parts, f"not the installed copy: {package}"
    assert (package / "py.typed").is_file(), "py.typed missing from the wheel"
    dist = distribution("kuroryuu-magic")
    assert dist.metadata["License-Expression"] == "MIT", dist.metadata["License-Expression"]
    licenses = [f for f in dist.files or () if f.name == "LICENSE"]
    assert licenses and "MIT License" in licenses[0].read_text(), "LICENSE missing"
    version = kuroryuu_magic.__version__
    assert version == dist.version and version != "0+unknown", version
    return version


def ask_the_fake() -> str:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from kuroryuu_magic.testing import FakeAnthropic, Reply

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    config.ClaudeMagics.warm_up = False
    with FakeAnthropic() as fake:
        os.environ.update(fake.env())
        fake.enqueue(Reply(text=ANSWER, deltas=4))
        shell = InteractiveShell.instance(config=config)
        shell.run_line_magic("load_ext", "kuroryuu_magic")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = shell.run_cell("%%claude --no-history\nSay hello from the wheel.")
        result.raise_error()
        answer = shell.user_ns["_claude"]
        assert answer.text == ANSWER, answer.text
        assert ANSWER in out.getvalue(), out.getvalue()
        assert len(fake.messages_requests()) == 1
        return str(answer.model)


def main() -> None:
    version = check_installed_files()
    model = ask_the_fake()
    print(f"smoke: kuroryuu-magic {version} from the wheel answered via {model}: ok")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
