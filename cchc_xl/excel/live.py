"""Live mode: merge and sync inside Excel, on the open master, through xlwings.

Excel holds the master open, so the file cannot be replaced. Instead the operation reads the
open workbook's sheets (one range read per sheet), runs the same merge and report model as the
headless commands, and writes the results back in bulk — one range write per block (a sheet's
input columns, the evidence register, the new log rows, each gap table). Formulas recalculate in
Excel by themselves.

Everything here works on a small `LiveBook` protocol. `XlwingsBook` is the thin adapter over an
xlwings Book (it needs Excel: not run in CI); `GridBook` is an in-memory book loaded from a
workbook file, used by the tests to prove the writes equal what the headless merge writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from ..analysis.report import Report, build_report
from ..build.summary import GapCell, gap_layout
from ..criteria.catalogue import Catalogue
from ..files.atomic import atomic_write_text
from ..format.layout import (
    COL,
    MASTER_EVIDENCE_COLUMNS,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_SHEET,
    GAP_SHEET,
    LOG_COLUMNS,
    LOG_FIRST_ROW,
    LOG_SHEET,
)
from ..format.state import State
from ..ops.merge import MergeResult, log_lines, log_path, merge_into
from ..read.reader import WorkbookData, master_from_book

INPUT_BLOCK = ("a", "b", "value", "na", "supp")


class LiveBook(Protocol):
    path: Path

    @property
    def names(self) -> list[str]: ...

    def grid(self, sheet: str) -> list[list[Any]]: ...

    def write(self, sheet: str, row: int, col: int, rows: list[list[Any]],
              formulas: bool = False) -> None: ...

    def unprotected(self, sheet: str) -> Any: ...


def read_open_master(book: LiveBook) -> tuple[Catalogue, WorkbookData]:
    data = WorkbookData(book.path)
    return master_from_book(book, data), data


def live_merge(book: LiveBook, inputs: Iterable[Path], *, force: bool = False,
               now: dt.datetime | None = None) -> MergeResult:
    """Merge returns into the open master: same checks and state as `merge.merge`."""
    catalogue, data = read_open_master(book)
    assert data.state is not None
    result = merge_into(catalogue, data.state, book.path, inputs, force=force, now=now)
    if result.files:
        write_state(book, data, result.state)
        atomic_write_text(log_path(book.path), log_lines(result), append=True)
        result.written = True
    return result


def live_sync(book: LiveBook) -> Report:
    """Re-sort and refresh the gap tables of the open master from its current inputs."""
    catalogue, data = read_open_master(book)
    assert data.state is not None
    report = build_report(catalogue, data.state)
    write_gap_tables(book, data, report)
    return report


# ---------------------------------------------------------------------------------------------
# Writing the state back, one block per range


def write_state(book: LiveBook, old: WorkbookData, new: State) -> None:
    """Write inputs, notes, evidence and the new log rows that differ from what the book holds."""
    assert old.state is not None
    by_sheet: dict[str, list[Any]] = {}
    for entry in old.rows.values():
        by_sheet.setdefault(entry.sheet, []).append(entry)
    for sheet, entries in by_sheet.items():
        changed = [e for e in entries if e.kind != "group"
                   and old.state.entry(e.code) != new.entry(e.code)]
        if not changed:
            continue
        first, last = min(e.row for e in changed), max(e.row for e in changed)
        codes = {e.row: e.code for e in entries if e.kind != "group"}
        inputs, notes = [], []
        for row in range(first, last + 1):
            if row in codes:
                entry = new.entry(codes[row])
                inputs.append([getattr(entry, key) for key in INPUT_BLOCK])
                notes.append([entry.note])
            else:  # a parent row between two changed leaves: keep it as it is
                grid = book.grid(sheet)
                inputs.append([_at(grid, row, COL[k]) for k in INPUT_BLOCK])
                notes.append([_at(grid, row, COL["note"])])
        with book.unprotected(sheet):
            book.write(sheet, first, COL["a"], inputs)
            book.write(sheet, first, COL["note"], notes)
    if old.state.evidence != new.evidence:
        size = max(len(old.state.evidence), len(new.evidence))
        rows = [[getattr(e, c.key) for c in MASTER_EVIDENCE_COLUMNS] for e in new.evidence]
        rows += [[None] * len(MASTER_EVIDENCE_COLUMNS)] * (size - len(new.evidence))
        with book.unprotected(EVIDENCE_SHEET):
            book.write(EVIDENCE_SHEET, EVIDENCE_FIRST_ROW, 0, rows)
    added = new.log[len(old.state.log):]
    if added:
        rows = [[getattr(r, key) for key, _ in LOG_COLUMNS] for r in added]
        with book.unprotected(LOG_SHEET):
            book.write(LOG_SHEET, LOG_FIRST_ROW + len(old.state.log), 0, rows)


def write_gap_tables(book: LiveBook, data: WorkbookData, report: Report) -> None:
    """The two gap tables as formula blocks; rows left from a longer previous table are cleared."""
    where = {code: (e.sheet, e.row) for code, e in data.rows.items()}
    layout = gap_layout(report, where)
    grid = book.grid(GAP_SHEET)
    previous = _table_length(grid, layout.leaf_header + 1)
    leaf_rows = [_formula_row(cells, 12) for cells in layout.leaf_rows]
    leaf_rows += [[None] * 12] * max(previous - len(leaf_rows), 0)
    with book.unprotected(GAP_SHEET):
        book.write(GAP_SHEET, layout.field_first, 0,
                   [_formula_row(cells, 10) for cells in layout.field_rows], formulas=True)
        if leaf_rows:
            book.write(GAP_SHEET, layout.leaf_header + 1, 0, leaf_rows, formulas=True)


def _formula_row(cells: list[GapCell], width: int) -> list[Any]:
    values: list[Any] = [c.value if c.is_formula else literal(c.value) for c in cells]
    return values + [None] * (width - len(values))


def _table_length(grid: list[list[Any]], first: int) -> int:
    count = 0
    while first + count < len(grid) and _at(grid, first + count, 1) not in (None, ""):
        count += 1
    return count


def _at(grid: list[list[Any]], row: int, col: int) -> Any:
    if row < len(grid) and col < len(grid[row]):
        value = grid[row][col]
        return None if value == "" else value
    return None


def literal(value: Any) -> Any:
    """Text Excel must keep as text even where it would parse a formula (=, +, -, @ first)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


# ---------------------------------------------------------------------------------------------
# Books


class XlwingsBook:
    """An xlwings Book as a LiveBook. Needs Excel (Windows/macOS); not exercised in CI."""

    def __init__(self, book: Any, password: str = "") -> None:
        self.book = book
        self.path = Path(book.fullname)
        self.password = password

    @property
    def names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def grid(self, sheet: str) -> list[list[Any]]:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        values = ws.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [["" if v is None else v for v in row] for row in values]

    def write(self, sheet: str, row: int, col: int, rows: list[list[Any]],
              formulas: bool = False) -> None:
        target = self.book.sheets[sheet].range((row + 1, col + 1))
        if formulas:
            target.formula = rows
        else:
            target.value = [[literal(v) for v in r] for r in rows]

    @contextmanager
    def unprotected(self, sheet: str) -> Iterator[None]:
        api = self.book.sheets[sheet].api
        api.Unprotect(self.password)
        try:
            yield
        finally:
            api.Protect(Password=self.password, DrawingObjects=False,
                        AllowFormattingColumns=True, AllowFormattingRows=True)


class GridBook:
    """A workbook file's cached values in memory, writable: the live mode without Excel."""

    def __init__(self, path: Path, grids: dict[str, list[list[Any]]]) -> None:
        self.path = Path(path)
        self.grids = grids
        self.formulas: dict[tuple[str, int, int], str] = {}
        self.unprotect_calls: list[str] = []

    @classmethod
    def from_file(cls, path: Path) -> GridBook:
        from ..files.grids import Book

        return cls(path, Book(path).grids())

    @property
    def names(self) -> list[str]:
        return list(self.grids)

    def grid(self, sheet: str) -> list[list[Any]]:
        return self.grids[sheet]

    def write(self, sheet: str, row: int, col: int, rows: list[list[Any]],
              formulas: bool = False) -> None:
        grid = self.grids[sheet]
        for r, values in enumerate(rows, start=row):
            while len(grid) <= r:
                grid.append([])
            for c, value in enumerate(values, start=col):
                while len(grid[r]) <= c:
                    grid[r].append("")
                if formulas and isinstance(value, str) and value.startswith("="):
                    self.formulas[(sheet, r, c)] = value
                    grid[r][c] = ""  # no engine here: the value appears on recalculation
                else:
                    self.formulas.pop((sheet, r, c), None)
                    grid[r][c] = "" if value is None else value

    @contextmanager
    def unprotected(self, sheet: str) -> Iterator[None]:
        self.unprotect_calls.append(sheet)
        yield
