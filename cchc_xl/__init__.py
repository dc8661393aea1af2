"""cchc-xl: self-assessment of a Sở's PAR Index (Chỉ số CCHC) in Excel.

The library API is `Master` (the Văn phòng's master workbook and everything done to it); the
`cchc-xl` command is a thin layer over it. Importing the package is cheap: the names below are
loaded on first use, and heavy libraries (XlsxWriter, calamine, pandas, python-docx) only when
a method needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .criteria.catalogue import Catalogue, load_catalogue
    from .demo import sample_catalogue_path
    from .errors import CchcError, FileError, InputError, Problem
    from .ops.master import CheckResult, Master, SplitResult, SyncResult
    from .ops.merge import MergeResult

__all__ = [
    "Catalogue",
    "CchcError",
    "CheckResult",
    "FileError",
    "InputError",
    "Master",
    "MergeResult",
    "Problem",
    "SplitResult",
    "SyncResult",
    "__version__",
    "load_catalogue",
    "sample_catalogue_path",
]

_LAZY = {
    "Catalogue": "criteria.catalogue", "load_catalogue": "criteria.catalogue",
    "CchcError": "errors", "FileError": "errors", "InputError": "errors", "Problem": "errors",
    "Master": "ops.master", "CheckResult": "ops.master", "SplitResult": "ops.master",
    "SyncResult": "ops.master", "MergeResult": "ops.merge", "sample_catalogue_path": "demo",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'cchc_xl' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"cchc_xl.{_LAZY[name]}"), name)
