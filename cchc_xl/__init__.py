"""cchc-xl: self-assessment of a Sở's PAR Index (Chỉ số CCHC) in Excel.

The library API; the `cchc-xl` command is a thin layer over it. Importing this package is cheap:
heavy libraries (XlsxWriter, calamine, pandas, python-docx) load only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "assess",
    "check_master_file",
    "create_master",
    "export_plan",
    "load_catalogue",
    "merge",
    "split",
    "sync",
]


def __getattr__(name: str) -> object:
    # Lazy re-exports keep `import cchc_xl` (and `cchc-xl --help`) fast.
    targets = {
        "assess": ("engine", "assess"),
        "check_master_file": ("operations", "check_master_file"),
        "create_master": ("operations", "create_master"),
        "export_plan": ("plan", "export_plan"),
        "load_catalogue": ("catalogue", "load_catalogue"),
        "merge": ("merge", "merge"),
        "split": ("split", "split"),
        "sync": ("sync", "sync"),
    }
    if name not in targets:
        raise AttributeError(name)
    from importlib import import_module

    module, attr = targets[name]
    return getattr(import_module(f"cchc_xl.{module}"), attr)
