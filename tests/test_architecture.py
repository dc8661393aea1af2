"""The layers of docs/architecture.md, enforced: a module imports only its own layer and below.

Every `import` and `from … import` in the package is checked, including those inside
functions (the package imports heavy modules lazily, and a lazy import breaks a layer as much
as a top-level one).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cchc_xl"

# Each layer and the layers it may import (its own layer is always allowed).
ALLOWED: dict[str, set[str]] = {
    "base": set(),  # errors, _version
    "vba": {"base"},
    "files": {"base"},
    "criteria": {"base", "files"},
    "format": {"base", "files", "criteria"},
    "analysis": {"base", "files", "criteria", "format"},
    "read": {"base", "files", "criteria", "format"},
    "build": {"base", "files", "criteria", "format", "analysis", "vba"},
    "documents": {"base", "files", "criteria", "format", "analysis"},
    "ops": {"base", "files", "criteria", "format", "analysis", "read", "build", "documents"},
    "excel": {"base", "files", "criteria", "format", "analysis", "read", "build", "documents",
              "ops"},
    "app": {"base", "files", "criteria", "format", "analysis", "read", "build", "documents",
            "ops", "excel", "vba"},
}
APP = {"cli", "console", "demo", "sample_data", "templates", "__init__", "__main__"}
BASE = {"errors", "_version"}


def layer_of(module: str) -> str:
    """'cchc_xl.ops.merge' → 'ops'; 'cchc_xl.cli' → 'app'; 'cchc_xl.errors' → 'base'."""
    parts = module.split(".")[1:]
    if not parts:
        return "app"
    head = parts[0]
    if head in BASE:
        return "base"
    if head in APP:
        return "app"
    assert head in ALLOWED, f"{module}: a new top-level module or package needs a layer"
    return head


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import of a cchc_xl module in the file."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path),
                      path.name == "__init__.py")


def imports_in(source: str, name: str, is_package: bool) -> list[tuple[int, str]]:
    package = name if is_package else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "cchc_xl" or target.startswith("cchc_xl."):
                # `from . import x` imports the submodule x when it is one.
                names = [a.name for a in node.names]
                subs = [f"{target}.{n}" for n in names if (PACKAGE.parent / Path(
                    *f"{target}.{n}".split("."))).with_suffix(".py").exists() or (
                    PACKAGE.parent / Path(*f"{target}.{n}".split("."))).is_dir()]
                found += [(node.lineno, s) for s in subs] or [(node.lineno, target)]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("cchc_xl")]
    return found


def test_every_import_respects_the_layers():
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        layer = layer_of(source)
        for line, target in imported(path):
            target_layer = layer_of(target)
            if target_layer != layer and target_layer not in ALLOWED[layer]:
                broken.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {layer} → "
                              f"{target_layer} ({target})")
    assert broken == [], "imports that break docs/architecture.md:\n" + "\n".join(broken)


def test_siblings_of_one_level_do_not_know_each_other():
    """build, read and documents sit side by side: none imports another."""
    siblings = {"build", "read", "documents"}
    for layer in siblings:
        assert not (ALLOWED[layer] & (siblings - {layer})), layer


def test_the_rule_catches_a_violation():
    """The checker itself: an upward import inside a function of a lower layer is found."""
    source = "def f():\n    from ..ops import master\n    from ..format.layout import COL\n"
    found = imports_in(source, "cchc_xl.criteria.probe", is_package=False)
    assert [t for _, t in found] == ["cchc_xl.ops.master", "cchc_xl.format.layout"]
    assert layer_of("cchc_xl.ops.master") not in ALLOWED["criteria"]


def test_the_architecture_page_names_every_layer():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer in ALLOWED:
        if layer not in ("base", "app"):
            assert f"`{layer}/`" in text, layer


def test_the_architecture_page_names_every_module():
    """A module the page does not mention is a concept a reader cannot find; `plan*.py` names
    a family."""
    import fnmatch

    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w*]+)(?:\.py)?`", text))
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        if not any(fnmatch.fnmatch(path.stem, pattern) for pattern in named):
            raise AssertionError(f"docs/architecture.md does not name {path.relative_to(PACKAGE)}")
