"""The package as distributed: one version source, typed, licensed, a declared range."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import kuroryuu_magic

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the suite runs on 3.11 in CI
ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_version_comes_from_the_installed_metadata() -> None:
    assert kuroryuu_magic.__version__ == version("kuroryuu-magic")
    assert kuroryuu_magic.__version__ == PYPROJECT["project"]["version"]


def test_an_uninstalled_tree_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise PackageNotFoundError(name)

    monkeypatch.setattr("importlib.metadata.version", missing)
    assert kuroryuu_magic.__version__ == "0+unknown"
    with pytest.raises(AttributeError):
        _ = kuroryuu_magic.no_such_attribute  # type: ignore[attr-defined]


def test_typed_and_licensed() -> None:
    assert (Path(kuroryuu_magic.__file__).parent / "py.typed").is_file()
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Typing :: Typed" in project["classifiers"]


def _floor_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints" / "floor.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            pins[name.strip().lower()] = pinned.strip()
    return pins


def test_every_runtime_dependency_has_a_floor_and_the_constraints_pin_it() -> None:
    pins = _floor_pins()
    declared = {}
    for requirement in PYPROJECT["project"]["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement)
        assert match, requirement
        name, spec = match.group(1).lower(), match.group(2)
        floor = re.search(r">=\s*([0-9][^,\s]*)", spec)
        assert floor, f"{name}: no floor (>=) in {requirement!r}"
        declared[name] = floor.group(1)
    assert {n: pins.get(n) for n in declared} == declared, "constraints/floor.txt != floors"
