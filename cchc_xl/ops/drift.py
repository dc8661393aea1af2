"""Drift: what a master file holds that rebuilding it from its state would lose.

Every write of the master rebuilds it whole from (catalogue, state). Before the new file
replaces the old one, the two are compared cell by cell, and a value a person typed where the
tool does not read it back (a note below a table, a sheet added by hand, a label changed after
unprotecting a sheet) makes the write refuse, leaving the file untouched.

Three kinds of cell are never compared, because the comparison would only find the tool
itself: the input cells (they are the state, read back and rewritten), the cells the tool
derives from the state (points and sums, the whole body of 'Tổng hợp' and of the gap sheet,
whose rows are sorted by the numbers, the Python UDF column), and everything on the hidden
sheets. The tracker's rows ('Theo dõi khắc phục') are tasks, state like the evidence register.
A spreadsheet program that re-saves the master (Excel, LibreOffice, WPS, openpyxl)
changes the cached values of derived cells, never what the comparison looks at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..criteria.catalogue import Catalogue
from ..errors import InputError, Problem
from ..files.grids import Book, BrokenSheet, normalise
from ..format.info import INFO_SHEET, info_cells
from ..format.layout import (
    COL,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_SHEET,
    EXPLANATION_FIRST_ROW,
    EXPLANATION_SHEET,
    FIRST_DATA_ROW,
    GAP_HEADER_ROW,
    GAP_SHEET,
    LOG_FIRST_ROW,
    LOG_SHEET,
    META_SHEET,
    SUMMARY_HEADER_ROW,
    SUMMARY_SHEET,
    TRACKER_SHEET,
    UDF_COLUMN,
    UNITS_FIRST_ROW,
    UNITS_SHEET,
    XLWINGS_CONF_SHEET,
    cell_ref,
)
from ..read.reader import WOULD_BE_LOST, WorkbookData, for_master, generator_is_current
from ..format.state import shown
from ..format.tracker import TASK_FIRST_ROW
from ..read.typed import typed_keys

TOLERANCE = 1e-6
MAX_PROBLEMS = 50
Cell = tuple[int, int]
IGNORED_SHEETS = (META_SHEET, XLWINGS_CONF_SHEET)
# Sheets whose body below a row is entirely state or derived: (first row of the body).
BODIES = {SUMMARY_SHEET: SUMMARY_HEADER_ROW + 1, GAP_SHEET: GAP_HEADER_ROW + 1,
          EXPLANATION_SHEET: EXPLANATION_FIRST_ROW, UNITS_SHEET: UNITS_FIRST_ROW,
          EVIDENCE_SHEET: EVIDENCE_FIRST_ROW, LOG_SHEET: LOG_FIRST_ROW,
          TRACKER_SHEET: TASK_FIRST_ROW}  # the tracker's rows are tasks (state) and derived
DERIVED_COLUMNS = (COL["applicable"], COL["points"], UDF_COLUMN)


def tree_cells(data: WorkbookData) -> dict[str, set[Cell]]:
    """Per tree sheet: the input cells of its rows."""
    cells: dict[str, set[Cell]] = {}
    for entry in data.rows.values():
        cells.setdefault(entry.sheet, set()).update((entry.row, COL[key])
                                                    for key in typed_keys(entry))
    return cells


def skipped(sheet: str, trees: dict[str, set[Cell]],
            extra_inputs: dict[str, set[Cell]]) -> Callable[[int, int], bool]:
    """Whether a cell of `sheet` is state or derived, so never compared."""
    if sheet in BODIES:
        first = BODIES[sheet]
        return lambda r, c: r >= first
    inputs = extra_inputs.get(sheet, set())
    if sheet not in trees:
        return lambda r, c: (r, c) in inputs
    tree_inputs = trees[sheet]
    appraised = COL["appraised"]

    def is_skipped(r: int, c: int) -> bool:
        # The appraised column is typed on leaf rows (inputs) and summed on every other row.
        return ((r, c) in tree_inputs or (r, c) in inputs or c in DERIVED_COLUMNS
                or (c == appraised and r >= FIRST_DATA_ROW))
    return is_skipped


def would_be_lost(data: WorkbookData) -> list[Problem]:
    """Typed rows the reader could not place (an explanation under an unknown code): writing the
    master, rebuilt or in Excel, would drop them."""
    return [p for p in data.notices if p.kind == WOULD_BE_LOST]


def refusal(file: str, action: str, problems: list[Problem]) -> InputError:
    """The one refusal of a write that would lose something typed."""
    return InputError(f"Không {action}: {file} có nội dung mà bản tạo lại sẽ làm mất. Hãy chuyển "
                      "các nội dung này vào đúng ô nhập (ô màu) hoặc xóa, rồi chạy lại. Tệp chưa "
                      "bị thay đổi.", problems)


def drift(current: Path, fresh: Path, catalogue: Catalogue, data: WorkbookData,
          extra_inputs: dict[str, set[Cell]] | None = None) -> list[Problem]:
    """Problems for every sheet or cell of `current` that the rebuilt `fresh` does not keep."""
    try:
        return _drift(current.name, Book(current), Book(fresh), catalogue, data,
                      extra_inputs or {})
    except BrokenSheet as exc:  # a sheet of the master the reader did not need is damaged
        return [for_master(Problem(str(exc), file=current.name, sheet=exc.sheet))]


def _drift(file: str, old: Book, new: Book, catalogue: Catalogue, data: WorkbookData,
           extra_inputs: dict[str, set[Cell]]) -> list[Problem]:
    problems = would_be_lost(data)
    for sheet in old.names:
        if sheet not in new.names and sheet not in IGNORED_SHEETS:
            problems.append(Problem("sheet này không thuộc mẫu; ghi lại tệp sẽ làm mất nó. Hãy "
                                    "chuyển nội dung sang tệp khác rồi xóa sheet.", file=file,
                                    sheet=sheet))
    trees = tree_cells(data)
    extra_inputs = {**extra_inputs, INFO_SHEET: set(info_cells(catalogue).values())}
    # A master written by another version of the tool may differ in its own labels (cover text,
    # rule wording): there only text typed into cells the fresh build leaves empty is user data.
    strict = generator_is_current(data)
    for sheet in new.names:
        if sheet not in old.names or sheet in IGNORED_SHEETS:
            continue
        problems += _sheet_drift(file, sheet, old.grid(sheet) or [], new.grid(sheet) or [],
                                 skipped(sheet, trees, extra_inputs), strict)
        if len(problems) > MAX_PROBLEMS:
            break
    return problems


def _sheet_drift(file: str, sheet: str, old: list[list[Any]], new: list[list[Any]],
                 is_skipped: Callable[[int, int], bool], strict: bool) -> list[Problem]:
    problems = []
    for r, row in enumerate(old):
        for c, value in enumerate(row):
            value = normalise(value)
            if value is None or is_skipped(r, c):
                continue
            expected = normalise(new[r][c]) if r < len(new) and c < len(new[r]) else None
            if _same(value, expected) or (not strict and expected is not None):
                continue
            problems.append(Problem(f"ô ngoài vùng nhập đang chứa {shown(value)}"
                                    + (f" (mẫu: {shown(expected)})" if expected is not None else "")
                                    + "; ghi lại tệp sẽ làm mất nội dung này.", file=file,
                                    sheet=sheet, cell=cell_ref(r, c)))
    return problems


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= TOLERANCE
    return a == b
