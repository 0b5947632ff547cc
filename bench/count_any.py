"""Parameters and variables annotated exactly ``Any`` in the package (issue 22's measure).

    python bench/count_any.py [--list] [PACKAGE_DIR]

Counts function parameters (``*args``/``**kwargs`` included) and annotated
assignments (``x: Any = …``, dataclass fields) whose annotation is ``Any`` or
``typing.Any``; ``dict[str, Any]`` and the like are a known shape and do not
count.  ``--list`` prints each one with its line, and whether the line (or the
one above) carries a comment saying why.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _is_any(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "Any" as a string
        return node.value.strip() == "Any"
    if isinstance(node, ast.Name):
        return node.id == "Any"
    return isinstance(node, ast.Attribute) and node.attr == "Any"


def found(package: Path) -> list[tuple[Path, int, str, bool]]:
    rows = []
    for path in sorted(package.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            names: list[tuple[int, str]] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                a = node.args
                every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
                names = [
                    (x.lineno, x.arg) for x in every if x is not None and _is_any(x.annotation)
                ]
            elif isinstance(node, ast.AnnAssign) and _is_any(node.annotation):
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
