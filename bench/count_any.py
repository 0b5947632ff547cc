"""Parameters and variables annotated exactly ``Any`` in the package (issue 22's measure).

    python bench/count_any.py [--list] [PACKAGE_DIR]

Counts function parameters (``*args``/``**kwargs`` included) and annotated
assignments (``x: Any = …``, dataclass fields) whose annotation is ``Any`` or
``typing.Any``; ``dict[str, Any]`` and the like are a known shape and do not
count.  So that the measure can't be met by renaming ``Any``, an annotation
also counts when it is Any by another name: a module-level alias of ``Any``
(``Frame = Any``), ``types.ModuleType`` (its ``__getattr__`` returns ``Any``),
or a name imported from a package mypy sees as untyped (pandas without
pandas-stubs, ipywidgets, keyring: ``pyproject.toml``'s
``ignore_missing_imports`` list, less the packages that ship ``py.typed``).  ``--list`` prints each one with its line, and whether the line (or the
one above) carries a comment saying why.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Packages in pyproject's ignore_missing_imports that mypy sees as Any (no py.typed,
# no stubs installed).  polars, Pillow and pyarrow ship their own types: not here.
UNTYPED = ("pandas", "ipywidgets", "keyring", "google.colab")


def _any_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names that mean Any in this module: aliases, and imports from untyped packages."""
    aliases, untyped = {"ModuleType"}, set()
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if value is not None and _is_any(value, set(), set()):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            aliases |= {t.id for t in targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(UNTYPED):
                    untyped.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(UNTYPED):
            untyped |= {a.asname or a.name for a in node.names}
    return aliases, untyped


def _is_any(node: ast.expr | None, aliases: set[str], untyped: set[str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "Any" as a string
        text = node.value.strip()
        try:
            parsed = ast.parse(text, mode="eval").body
        except SyntaxError:
            return text == "Any"
        return _is_any(parsed, aliases, untyped)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | None
        return _is_any(node.left, aliases, untyped) or _is_any(node.right, aliases, untyped)
    if isinstance(node, ast.Name):
        return node.id == "Any" or node.id in aliases or node.id in untyped
    if isinstance(node, ast.Attribute):
        head = node
        while isinstance(head, ast.Attribute):
            head = head.value  # pd.DataFrame -> pd
        untyped_head = isinstance(head, ast.Name) and head.id in untyped
        return node.attr in ("Any", "ModuleType") or untyped_head
    return False


def found(package: Path) -> list[tuple[Path, int, str, bool]]:
    rows = []
    for path in sorted(package.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        aliases, untyped = _any_names(tree)

        def is_any(node: ast.expr | None, a: set[str] = aliases, u: set[str] = untyped) -> bool:
            return _is_any(node, a, u)

        for node in ast.walk(tree):
            names: list[tuple[int, str]] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                a = node.args
                every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
                names = [(x.lineno, x.arg) for x in every if x is not None and is_any(x.annotation)]
            elif isinstance(node, ast.AnnAssign) and is_any(node.annotation):
                names = [(node.lineno, ast.unparse(node.target))]
            for line, name in names:
                here = lines[line - 1]
                above = lines[line - 2].strip() if line > 1 else ""
                said = "#" in here or above.startswith("#")
                rows.append((path.relative_to(package.parent), line, name, said))
    return rows


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--list"]
    package = Path(args[0]) if args else ROOT / "kuroryuu_magic"
    rows = found(package)
    if "--list" in sys.argv:
        for path, line, name, said in rows:
            print(f"{path}:{line} {name}{'' if said else '  (no comment)'}")
    uncommented = sum(1 for *_, said in rows if not said)
    print(f"{len(rows)} annotated Any ({uncommented} without a comment) in {package}")


if __name__ == "__main__":
    main()
