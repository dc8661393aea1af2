"""Cell values of a workbook as plain grids, read with python-calamine (fast, read-only).

A sheet is read once, whole, as rows from A1 (so row and column indexes are cell positions);
`cell()` reads one value with blanks as None. Formulas are their cached values: calamine never
calculates.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

Grid = list[list[Any]]


def normalise(value: Any) -> Any:
    """calamine's '' for blank becomes None; floats that are whole stay floats.

    A non-finite number (a cell holding inf or NaN, which Excel never writes) is kept as its
    text, so it is reported like any other text where a number belongs.
    """
    if value == "" or value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


class BrokenSheet(Exception):
    """A sheet's XML could not be parsed; calamine only finds out when the sheet is first read."""

    def __init__(self, sheet: str, exc: Exception) -> None:
        super().__init__(f"sheet '{sheet}' bị hỏng, không đọc được nội dung ({type(exc).__name__})"
                         "; hãy yêu cầu gửi lại tệp.")
        self.sheet = sheet


class Book:
    """A calamine workbook with sheets read once, as full grids from A1.

    `source` is a path, or the bytes of a file already read (and checked: see
    `read.untrusted`); `guard(sheet)` runs before calamine parses a sheet and may refuse it.
    """

    def __init__(self, source: Path | str | bytes,
                 guard: Callable[[str], None] | None = None) -> None:
        from python_calamine import CalamineWorkbook

        if isinstance(source, bytes):
            self.book = CalamineWorkbook.from_filelike(io.BytesIO(source))
        else:
            self.book = CalamineWorkbook.from_path(str(source))
        self.names = list(self.book.sheet_names)
        self.guard = guard
        self._grids: dict[str, Grid] = {}

    def grid(self, sheet: str) -> Grid | None:
        if sheet not in self.names:
            return None
        if sheet not in self._grids:
            from python_calamine import CalamineError

            if self.guard is not None:
                self.guard(sheet)
            try:
                self._grids[sheet] = self.book.get_sheet_by_name(sheet).to_python(
                    skip_empty_area=False)
            except CalamineError as exc:
                raise BrokenSheet(sheet, exc) from None
        return self._grids[sheet]

    def grids(self) -> dict[str, Grid]:
        """Every sheet's grid, by name."""
        return {name: self.grid(name) or [] for name in self.names}


def cell(grid: Grid, row: int, col: int) -> Any:
    if row < len(grid) and col < len(grid[row]):
        return normalise(grid[row][col])
    return None
