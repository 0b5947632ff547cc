"""The package's import graph, read from the source: no circles, layers point down.

Function-level imports count: a circle hidden inside a function is still a circle
(it only moves the failure to the first call).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kuroryuu_magic"

DOC = PACKAGE.parent / "docs" / "architecture.md"
_ROW = re.compile(r"^\| `(?P<name>[^`]+)` \|.*\| (?P<may>[^|]*) \|$")


def layer_table() -> list[tuple[str, set[str]]]:
    """The ONE layer list: docs/architecture.md's package table, top to bottom.

    Each row is a package and the packages it may import, named in backticks in
    the last column (prose around them is ignored).  ``__init__.py`` is the layer
    ``""``; ``testing`` is a product feature of its own and sits near the floor.
    """
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            name = match["name"]
            layer = "" if name == "__init__.py" else name.rstrip("/")
            rows.append((layer, set(re.findall(r"`([^`]+)`", match["may"]))))
    return rows


ALLOWED = dict(layer_table())


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle found by a depth-first walk (one path per back edge)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in done:
                visit(nxt, [*path, nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_package_has_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_layers_only_import_downwards() -> None:
    wrong = []
    for module, targets in import_graph().items():
        layer = _layer(module)
        for target in targets:
            other = _layer(target)
            if other != layer and other not in ALLOWED.get(layer, set()):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports that run against the layering:\n" + "\n".join(sorted(wrong))


@pytest.mark.parametrize("layer", sorted(set(ALLOWED) - {"", "magic"}))
def test_no_lower_layer_imports_the_magic_surface(layer: str) -> None:
    offenders = [
        f"{m} -> {t}"
        for m, targets in import_graph().items()
        if _layer(m) == layer
        for t in targets
        if _layer(t) == "magic"
    ]
    assert not offenders, offenders


def test_the_top_level_holds_only_the_entry_points() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py"], top


def test_the_doc_table_lists_every_package_once_in_layer_order() -> None:
    table = layer_table()
    names = [layer for layer, _ in table]
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert sorted(names) == sorted({"", *packages}), "a package without a row, or a row too many"
    below = {layer: set(names[i + 1 :]) for i, layer in enumerate(names)}
    upward = {layer: sorted(may - below[layer]) for layer, may in table if may - below[layer]}
    assert not upward, f"allowed imports that point up the table: {upward}"


def test_the_doc_names_every_module_and_only_modules_that_exist() -> None:
    """docs/architecture.md matches the code: each package's row names every one of its
    modules (in backticks, as ``name`` or ``_name``), and every ``pkg/module.py`` or
    ``pkg/module.attr`` path the page mentions is a module that exists."""
    text = DOC.read_text(encoding="utf-8")
    rows = {m["name"].rstrip("/"): line for line in text.splitlines() if (m := _ROW.match(line))}
    missing = {}
    for package, row in rows.items():
        if package == "__init__.py":
            continue
        named = set(re.findall(r"`([^`]+)`", row))
        modules = {
            p.stem
            for p in (PACKAGE / package).glob("*.py")
            if p.stem not in ("__init__", "__main__")
        }
        unnamed = sorted(modules - named)
        if unnamed:
            missing[package] = unnamed
    assert not missing, f"modules the architecture table does not name: {missing}"
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    stale = sorted(
        f"{package}/{module}"
        for package, module in re.findall(r"`(\w+)/(\w+)(?:\.py|\.\w+)`", text)
        if package in packages and not (PACKAGE / package / f"{module}.py").exists()
    )
    assert not stale, f"the architecture page names modules that do not exist: {stale}"


def test_no_layer_below_the_magic_knows_the_magics_object_or_argparse() -> None:
    """Requests go down as ``ask.settings.Request``; nothing below the magic takes a
    ``Magics`` object or an argparse namespace (the CLIs of ``mcp`` and ``testing``
    build their own parsers and stay there)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        layer = _layer(_module_name(path))
        if layer in ("", "magic"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.arg) and node.arg == "magics":
                offenders.append(f"{where} parameter {node.arg}")
            elif isinstance(node, ast.Attribute) and node.attr == "Namespace":
                if isinstance(node.value, ast.Name) and node.value.id == "argparse":
                    offenders.append(f"{where} argparse.Namespace")
            elif isinstance(node, ast.Name) and node.id in ("ClaudeMagics", "Magics"):
                offenders.append(f"{where} {node.id}")
    assert not offenders, offenders
