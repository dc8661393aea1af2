"""pyproject's dependencies match what the product imports.

A runtime dependency is one that a module of cchc_xl imports (outside cchc_xl/excel/, which only
Excel's xlwings add-in loads: its libraries are the [excel] extra). Every library cchc_xl imports
is declared. Imports are read from the source (ast), not by importing it; imports under
`if TYPE_CHECKING:` do not count.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cchc_xl"
EXCEL = PACKAGE / "excel"  # loaded by Excel's add-in only
# Distribution name -> the name it is imported by, where they differ beyond '-' and '_'.
IMPORT_NAME = {"python-calamine": "python_calamine", "python-docx": "docx", "pyyaml": "yaml"}


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def import_name(requirement: str) -> str:
    """'python-docx>=1.1' -> 'docx'; 'msoffcrypto-tool>=5' -> 'msoffcrypto_tool'."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    assert match, requirement
    name = match.group(0).lower()
    return IMPORT_NAME.get(name, name.replace("-", "_").replace(".", "_"))


def imports(path: Path) -> Iterator[str]:
    """Top-level names of the absolute imports of a module, except type-checking-only ones."""

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child.test):
                yield from (name for stmt in child.orelse for name in walk_one(stmt))
                continue
            yield from walk_one(child)

    def walk_one(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]
        else:
            yield from walk(node)

    yield from walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def third_party(paths: list[Path]) -> dict[str, list[str]]:
    """Library -> the modules (relative paths) that import it."""
    found: dict[str, list[str]] = {}
    for path in paths:
        for name in imports(path):
            if name not in sys.stdlib_module_names and name != "cchc_xl":
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def product_modules(*, excel: bool) -> list[Path]:
    paths = sorted(PACKAGE.rglob("*.py"))
    assert len(paths) > 20
    return [p for p in paths if (EXCEL in p.parents) == excel]


def test_the_import_reader_sees_function_level_imports() -> None:
    used = third_party(product_modules(excel=False))
    assert "pandas" in used and "docx" in used and "click" in used  # inside functions, and top
    assert "cchc_xl/ops/master.py" not in used["pandas"]  # there only under TYPE_CHECKING


def test_every_runtime_dependency_is_imported_by_the_product() -> None:
    used = third_party(product_modules(excel=False))
    declared = [import_name(r) for r in pyproject()["project"]["dependencies"]]
    unused = [name for name in declared if name not in used]
    assert unused == [], (f"runtime dependencies no module of cchc_xl imports: {unused}; move them "
                          "to an extra (test, dev, excel) or drop them")


def test_every_library_the_product_imports_is_declared() -> None:
    project = pyproject()["project"]
    runtime = {import_name(r) for r in project["dependencies"]}
    excel = {import_name(r) for r in project["optional-dependencies"]["excel"]}
    outside = third_party(product_modules(excel=False))
    assert {n: m for n, m in outside.items() if n not in runtime} == {}
    inside = third_party(product_modules(excel=True))
    assert {n: m for n, m in inside.items() if n not in runtime | excel} == {}
    assert set(inside) - runtime == excel, "the [excel] extra lists what cchc_xl/excel needs"


def test_the_test_extra_can_import_the_excel_modules() -> None:
    extras = pyproject()["project"]["optional-dependencies"]
    test = {import_name(r) for r in extras["test"]}
    assert {import_name(r) for r in extras["excel"]} <= test  # test_excel_bridge imports udfs
