"""What issue 9 took out stays out: no dead entry points, no guarded imports of our own modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kuroryuu_magic"


def test_nest_asyncio_is_not_a_dependency_and_the_readme_says_why() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("nest")]
    assert "does not depend on `nest-asyncio`" in (ROOT / "README.md").read_text(encoding="utf-8")


def _guarded_own_imports(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Try):
            continue
        catches_import_error = any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
            for h in node.handlers
        )
        own = any(
            isinstance(n, ast.ImportFrom)
            and (n.level or (n.module or "").startswith("kuroryuu_magic"))
            for stmt in node.body
            for n in ast.walk(stmt)
        )
        if catches_import_error and own:
            lines.append(node.lineno)
    return lines


def test_no_except_import_error_around_our_own_modules() -> None:
    found = {
        str(p.relative_to(PACKAGE)): lines
        for p in PACKAGE.rglob("*.py")
        if (lines := _guarded_own_imports(p))
    }
    assert found == {}


def test_removed_names_stay_removed() -> None:
    from kuroryuu_magic.ask.memory import Turn
    from kuroryuu_magic.ask.result import Answer
    from kuroryuu_magic.ask.usage import SessionUsage
    from kuroryuu_magic.context import images
    from kuroryuu_magic.keys import chain, panel
    from kuroryuu_magic.map import _batches

    gone = [
        (_batches, "describe"),
        (images, "install_image_capture"),
        (chain, "generation"),
        (SessionUsage, "reset"),
        (panel.SetupPanel, "forget_button"),
    ]
    assert [name for owner, name in gone if hasattr(owner, name)] == []
    assert "extras" not in Answer.__dataclass_fields__
    assert "partial" not in Turn.__dataclass_fields__
