"""cchc-xl: self-assessment of a Sở's PAR Index (Chỉ số CCHC) in Excel.

The library API; the `cchc-xl` command is a thin layer over it. Importing this package is cheap:
heavy libraries (XlsxWriter, calamine, pandas, python-docx) load only when used.
"""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]
