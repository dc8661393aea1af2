"""Live mode: merge, sync and the appraisal import inside Excel, on the open master, through
xlwings.

Excel holds the master open, so the file cannot be replaced. Instead the operation reads the
open workbook's sheets, runs the same merge, appraisal rule and report model as the headless
commands, and writes the results back in bulk — one range write per block (a sheet's input
columns, the evidence register, the new log rows, each gap table, the appraised points, the
appraisal sheet's table) — then lets Excel save the workbook.

What makes it behave like the headless commands:

* the master's write lock (`files.lock.WriteLock`) is held from the first read to the save, so a
  button and a command line run on the same master cannot interleave;
* a master protected with a password is written only after the password the button asked for
  matched the one stored in the saved file (`verify_password`), so a typo never reaches Excel;
* every sheet is read once per operation (`_ReadOnce`): a read is a COM call for a whole sheet;
* text is written as text (`entered`): Excel parses what `Range.Value` receives as if typed, so
  "2.10" would become 2.1 and a log time a date;
* Excel calculates nothing and redraws nothing while the blocks are written (`editing`), and
  each sheet is protected again with exactly the options it was built with
  (`format.layout.PROTECTION`).

Everything here works on a small `LiveBook` protocol. `XlwingsBook` is the thin adapter over an
xlwings Book (it needs Excel: not run in CI); `GridBook` is an in-memory book loaded from a
workbook file that behaves like Excel for what the live mode does, used by the tests to prove
the writes equal what the headless commands write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from ..analysis.report import Report, build_report
from ..analysis.tasks import node_name, task_code
from ..build.explanations import explained_items, explanation_cells
from ..build.summary import GapCell, gap_layout
from ..criteria.catalogue import Catalogue
from ..errors import FileError
from ..files import lock
from ..format.layout import (
    COL,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_SHEET,
    EXPLANATION_BLANK_ROWS,
    EXPLANATION_COLUMNS,
    EXPLANATION_FIRST_ROW,
    EXPLANATION_SHEET,
    GAP_SHEET,
    LOG_COLUMNS,
    LOG_FIRST_ROW,
    LOG_SHEET,
    MASTER_EVIDENCE_COLUMNS,
    sheet_protection,
)
from ..format.state import Formula, State
from ..format.tracker import TASK_COL, TASK_COLUMNS, TASK_FIRST_ROW, TRACKER_SHEET
from ..ops.appraisal import apply_appraisal, read_council_file
from ..ops.drift import refusal, would_be_lost
from ..ops.master import AppraisalResult
from ..ops.merge import MergeResult, append_log, merge_into
from ..ops.password import check_password, matches, stored_protection
from ..read.reader import WorkbookData, master_from_book

INPUT_BLOCK = ("a", "b", "value", "na", "supp")
# Who holds the lock, as other runs report it ("đang được ghi bởi … (lệnh: …)").
LOCK_COMMANDS = {"merge": "nút Gộp dữ liệu trong Excel", "sync": "nút Đồng bộ trong Excel",
                 "appraisal": "nút Nhập điểm thẩm định trong Excel"}


class LiveBook(Protocol):
    path: Path
    password: str  # the sheets' protection password ('' when there is none)

    @property
    def names(self) -> list[str]: ...

    def grid(self, sheet: str) -> list[list[Any]] | None: ...

    def write(self, sheet: str, row: int, col: int, rows: list[list[Any]],
              formulas: bool = False) -> None:
        """Write a block at (row, col), 0-based, exactly as Excel receives it (see `entered`)."""

    def unprotected(self, sheet: str) -> AbstractContextManager[Any]: ...

    def editing(self) -> AbstractContextManager[Any]:
        """While writing: no recalculation, no screen updates; both restored afterwards."""

    def copy_formats(self, sheet: str, source: int, last: int, width: int) -> None:
        """Give rows source+1 … last (0-based) the cell formats of row `source` (fill, borders,
        number formats, locking) over the first `width` columns, and fit the heights of rows
        source … last to their text."""

    def save(self) -> None: ...


def read_open_master(book: LiveBook) -> tuple[Catalogue, WorkbookData]:
    data = WorkbookData(book.path)
    return master_from_book(book, data), data


def live_merge(book: LiveBook, inputs: Iterable[Path], *, force: bool = False,
               now: dt.datetime | None = None) -> MergeResult:
    """Merge returns into the open master: same checks and state as `Master.merge`."""
    with _lock(book, "merge"):
        verify_password(book)
        once = _ReadOnce(book)
        catalogue, data = read_open_master(once)
        assert data.state is not None
        result = merge_into(catalogue, data.state, book.path, inputs, force=force, now=now)
        if result.files:
            with book.editing():
                write_state(once, data, result.state, catalogue)
            book.save()
            result.written = True
            append_log(result, book.path)
    return result


def live_sync(book: LiveBook) -> Report:
    """Re-sort and refresh the gap tables of the open master from its current inputs."""
    with _lock(book, "sync"):
        verify_password(book)
        once = _ReadOnce(book)
        catalogue, data = read_open_master(once)
        assert data.state is not None
        report = build_report(catalogue, data.state)
        with book.editing():
            write_gap_tables(once, data, report)
        book.save()
    return report


def live_appraisal(book: LiveBook, file: Path, *, first_round: bool = False) -> AppraisalResult:
    """The council's points into the open master: the same file reading, the same rule
    (`ops.appraisal`) and the same cells as `Master.import_appraisal` — the appraised points on
    the field sheets, the table of 'Giải trình thẩm định' and the gap tables, whose order
    follows the appraised points. A council file with any problem writes nothing."""
    with _lock(book, "appraisal"):
        verify_password(book)
        if EXPLANATION_SHEET not in book.names:
            raise FileError(f"{book.path.name} được tạo bằng bản cchc-xl cũ, chưa có sheet "
                            f"'{EXPLANATION_SHEET}'. Hãy đóng tệp trong Excel rồi trong Command "
                            "Prompt gõ: cchc-xl appraisal <tệp tổng hợp> <tệp của Hội đồng> "
                            "(lệnh tạo lại tệp theo mẫu mới). Tệp chưa bị thay đổi.")
        once = _ReadOnce(book)
        catalogue, data = read_open_master(once)
        assert data.state is not None
        if lost := would_be_lost(data):  # the appraisal table is rewritten below
            raise refusal(book.path.name, "nhập điểm thẩm định", lost)
        appraisal = read_council_file(Path(file), catalogue)
        applied = apply_appraisal(catalogue, data.state, appraisal.points,
                                  first_round=first_round)
        report = build_report(catalogue, applied.state)
        with book.editing():
            write_appraised(once, data, applied.state)
            write_explanations(once, data, report)
            write_gap_tables(once, data, report)
        book.save()
    return AppraisalResult(book.path, Path(file), appraisal.points, applied.first_round,
                           sorted(set(appraisal.ignored)), None, applied.lowered)


def _lock(book: LiveBook, action: str) -> lock.WriteLock:
    """The master's write lock, as the headless commands take it (waiting as long)."""
    return lock.WriteLock(book.path, command=LOCK_COMMANDS[action], wait=lock.WAIT_SECONDS)


def verify_password(book: LiveBook) -> None:
    """FileError, before anything is read or written, unless the button's password is right.

    Checked against the file the button saved just before (`ops.password.check_password`), so
    a wrong password never reaches Excel's Unprotect halfway through the writes.
    """
    try:
        check_password(book.path, book.password)
    except FileError:
        name = book.path.name
        if not book.password:
            message = (f"Các sheet của {name} được bảo vệ bằng mật khẩu, nhưng nút chưa nhận được "
                       "mật khẩu. Hãy bấm lại nút và gõ mật khẩu khi được hỏi.")
        elif stored_protection(book.path) is None:
            message = (f"Các sheet của {name} không đặt mật khẩu; hãy bấm lại nút (không cần gõ "
                       "mật khẩu).")
        else:
            message = (f"Sai mật khẩu: mật khẩu đã gõ không khớp với mật khẩu bảo vệ sheet của "
                       f"{name}. Hãy bấm lại nút và gõ đúng mật khẩu (phân biệt chữ hoa, chữ "
                       "thường).")
        raise FileError(message + " Tệp chưa bị thay đổi.") from None


# ---------------------------------------------------------------------------------------------
# Writing the state back, one block per range


def write_state(book: LiveBook, old: WorkbookData, new: State,
                catalogue: Catalogue | None = None) -> None:
    """Write inputs, notes, evidence and the new log rows that differ from what the book holds;
    with the catalogue, also what a plan return changes: causes, solutions and the tracker."""
    assert old.state is not None
    by_sheet: dict[str, list[Any]] = {}
    for mapped in old.rows.values():
        by_sheet.setdefault(mapped.sheet, []).append(mapped)
    for sheet, mapped_rows in by_sheet.items():
        changed = [m for m in mapped_rows if m.kind != "group"
                   and old.state.entry(m.code) != new.entry(m.code)]
        if not changed:
            continue
        first, last = min(m.row for m in changed), max(m.row for m in changed)
        codes = {m.row: m.code for m in mapped_rows if m.kind != "group"}
        grid = book.grid(sheet) or []
        inputs, notes = [], []
        for row in range(first, last + 1):
            if row in codes:
                entry = new.entry(codes[row])
                inputs.append([getattr(entry, key) for key in INPUT_BLOCK])
                notes.append([entry.note])
            else:  # a parent row between two changed leaves: keep it as it is
                inputs.append([_at(grid, row, COL[k]) for k in INPUT_BLOCK])
                notes.append([_at(grid, row, COL["note"])])
        with book.unprotected(sheet):
            book.write(sheet, first, COL["a"], _entered(inputs))
            book.write(sheet, first, COL["note"], _entered(notes))
    if old.state.evidence != new.evidence:
        size = max(len(old.state.evidence), len(new.evidence))
        rows = [[getattr(e, c.key) for c in MASTER_EVIDENCE_COLUMNS] for e in new.evidence]
        rows += [[None] * len(MASTER_EVIDENCE_COLUMNS)] * (size - len(new.evidence))
        with book.unprotected(EVIDENCE_SHEET):
            book.write(EVIDENCE_SHEET, EVIDENCE_FIRST_ROW, 0, _entered(rows))
    added = new.log[len(old.state.log):]
    if added:
        rows = [[getattr(r, key) for key, _ in LOG_COLUMNS] for r in added]
        with book.unprotected(LOG_SHEET):
            book.write(LOG_SHEET, LOG_FIRST_ROW + len(old.state.log), 0, _entered(rows))
    if catalogue is not None:
        write_causes(book, old, new)
        write_tasks(book, old, new, catalogue)


def write_causes(book: LiveBook, old: WorkbookData, new: State) -> None:
    """Causes and solutions a plan return brought, one row at a time (they are few)."""
    assert old.state is not None
    for code, mapped in old.rows.items():
        before, after = old.state.entry(code), new.entry(code)
        if (before.cause, before.remedy) != (after.cause, after.remedy):
            with book.unprotected(mapped.sheet):
                book.write(mapped.sheet, mapped.row, COL["cause"],
                           _entered([[after.cause, after.remedy]]))


def write_tasks(book: LiveBook, old: WorkbookData, new: State, catalogue: Catalogue) -> None:
    """The tracker's rows from its first, as one block, when a plan return changed them; rows
    the old tasks used beyond the new ones are cleared. Its formulas (overdue, days late) stay."""
    assert old.state is not None
    if old.state.tasks == new.tasks:
        return
    used = (max(old.task_rows) - TASK_FIRST_ROW + 1) if old.task_rows else 0
    size = max(used, len(new.tasks))
    keys = [c.key for c in TASK_COLUMNS[:TASK_COL["note"] + 1]]
    rows = [[node_name(catalogue, task_code(t)) if k == "name" else getattr(t, k) for k in keys]
            for t in new.tasks] + [[None] * len(keys)] * (size - len(new.tasks))
    origins = [[t.origin] for t in new.tasks] + [[None]] * (size - len(new.tasks))
    with book.unprotected(TRACKER_SHEET):
        book.write(TRACKER_SHEET, TASK_FIRST_ROW, 0, _entered(rows))
        book.write(TRACKER_SHEET, TASK_FIRST_ROW, TASK_COL["origin"], _entered(origins))


def write_appraised(book: LiveBook, old: WorkbookData, new: State) -> None:
    """The appraised points that changed, one block per run of leaf rows: a parent's cell
    between two leaves holds the sum formula of its children and is not written over."""
    assert old.state is not None
    by_sheet: dict[str, dict[int, str]] = {}
    for mapped in old.rows.values():
        if mapped.kind != "group":
            by_sheet.setdefault(mapped.sheet, {})[mapped.row] = mapped.code
    for sheet, leaves in by_sheet.items():
        changed = sorted(row for row, code in leaves.items()
                         if old.state.entry(code).appraised != new.entry(code).appraised)
        runs: list[list[int]] = []
        for row in changed:
            if runs and all(r in leaves for r in range(runs[-1][-1] + 1, row + 1)):
                runs[-1].extend(range(runs[-1][-1] + 1, row + 1))
            else:
                runs.append([row])
        if not runs:
            continue
        with book.unprotected(sheet):
            for run in runs:
                book.write(sheet, run[0], COL["appraised"],
                           _entered([[new.entry(leaves[r]).appraised] for r in run]))


def write_explanations(book: LiveBook, data: WorkbookData, report: Report) -> None:
    """The appraisal sheet's table as the builder writes it (`build.explanations`): one row per
    item, in the catalogue's order, as one block; rows left from a longer table are cleared.
    The builder formats the table and 10 blank rows after it, every row alike
    (`row_formats`); the table written here may be longer, so its rows and 10 blank rows after
    them get the formats of its first row: the rows added are typed into like the others."""
    width = len(EXPLANATION_COLUMNS)
    where = {code: (e.sheet, e.row) for code, e in data.rows.items()}
    rows = [_explanation_row(explanation_cells(report, node, where, EXPLANATION_FIRST_ROW + i))
            for i, node in enumerate(explained_items(report))]
    grid = book.grid(EXPLANATION_SHEET) or []
    used = _used_rows(grid, EXPLANATION_FIRST_ROW, width)
    size = len(rows)
    rows += [[None] * width] * max(used - size, 0)
    with book.unprotected(EXPLANATION_SHEET):
        if rows:
            book.write(EXPLANATION_SHEET, EXPLANATION_FIRST_ROW, 0, rows, formulas=True)
        book.copy_formats(EXPLANATION_SHEET, EXPLANATION_FIRST_ROW,
                          EXPLANATION_FIRST_ROW + size + EXPLANATION_BLANK_ROWS - 1, width)


def _explanation_row(cells: Mapping[str, Any]) -> list[Any]:
    row = []
    for key, _, _ in EXPLANATION_COLUMNS:
        cell = cells[key]
        if cell.formula is not None:
            row.append(cell.formula)
        elif isinstance(cell.value, Formula):  # a formula typed in the Văn phòng's cell
            row.append(cell.value.text)
        else:
            row.append(entered(cell.value))
    return row


def _used_rows(grid: list[list[Any]], first: int, width: int) -> int:
    """How many rows from `first` to the last one with anything in its first `width` cells."""
    used = 0
    for r in range(first, len(grid)):
        if any(_at(grid, r, c) is not None for c in range(width)):
            used = r - first + 1
    return used


def write_gap_tables(book: LiveBook, data: WorkbookData, report: Report) -> None:
    """The two gap tables as formula blocks; rows left from a longer previous table are cleared."""
    where = {code: (e.sheet, e.row) for code, e in data.rows.items()}
    layout = gap_layout(report, where)
    grid = book.grid(GAP_SHEET) or []
    previous = _table_length(grid, layout.leaf_header + 1)
    leaf_rows = [_formula_row(cells, 12) for cells in layout.leaf_rows]
    leaf_rows += [[None] * 12] * max(previous - len(leaf_rows), 0)
    with book.unprotected(GAP_SHEET):
        book.write(GAP_SHEET, layout.field_first, 0,
                   [_formula_row(cells, 10) for cells in layout.field_rows], formulas=True)
        if leaf_rows:
            book.write(GAP_SHEET, layout.leaf_header + 1, 0, leaf_rows, formulas=True)


def _formula_row(cells: list[GapCell], width: int) -> list[Any]:
    values: list[Any] = [c.value if c.is_formula else entered(c.value) for c in cells]
    return values + [None] * (width - len(values))


def _entered(rows: list[list[Any]]) -> list[list[Any]]:
    return [[entered(v) for v in row] for row in rows]


def entered(value: Any) -> Any:
    """A value as it must reach Excel's `Range.Value`/`Range.Formula` to be stored unchanged.

    Excel parses a string it receives there as if it were typed: "2.10" becomes the number
    2,1, "12/2026" and "2026-12-12 08:30:00" become dates, "TRUE" a boolean, "=…" a formula.
    Every non-empty text therefore gets a leading apostrophe, Excel's own mark for "text as
    typed": the cell stores the text without the apostrophe (and sets its PrefixCharacter), and
    reading it back gives the text. A number format of "@" would also keep text, but needs a
    format change per text cell (extra COM calls for scattered cells) and stays on the cell, so
    a number typed there later would become text too. Numbers, dates, booleans and blanks go as
    they are, typed.
    """
    if isinstance(value, str) and value:
        return "'" + value
    return value


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


class _ReadOnce:
    """A LiveBook that reads each sheet at most once per operation.

    Reading a sheet from Excel is one COM call for the whole used range, and the reader asks
    for a sheet once per row; a sheet that was written is read again if asked for.
    """

    def __init__(self, book: LiveBook) -> None:
        self.book = book
        self.path = book.path
        self.password = book.password
        self._grids: dict[str, list[list[Any]] | None] = {}
        self._names: list[str] | None = None

    @property
    def names(self) -> list[str]:
        if self._names is None:
            self._names = self.book.names
        return self._names

    def grid(self, sheet: str) -> list[list[Any]] | None:
        if sheet not in self._grids:
            self._grids[sheet] = self.book.grid(sheet)
        return self._grids[sheet]

    def write(self, sheet: str, row: int, col: int, rows: list[list[Any]],
              formulas: bool = False) -> None:
        self._grids.pop(sheet, None)
        self.book.write(sheet, row, col, rows, formulas)

    def unprotected(self, sheet: str) -> AbstractContextManager[Any]:
        return self.book.unprotected(sheet)

    def editing(self) -> AbstractContextManager[Any]:
        return self.book.editing()

    def copy_formats(self, sheet: str, source: int, last: int, width: int) -> None:
        self._grids.pop(sheet, None)
        self.book.copy_formats(sheet, source, last, width)

    def save(self) -> None:
        self.book.save()


# ---------------------------------------------------------------------------------------------
# Sheet protection in Excel's terms

# Excel's Worksheet.Protect arguments after Password, in the order of its signature.
EXCEL_PROTECT_ARGS = (
    "DrawingObjects", "Contents", "Scenarios", "UserInterfaceOnly", "AllowFormattingCells",
    "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
    "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns",
    "AllowDeletingRows", "AllowSorting", "AllowFiltering", "AllowUsingPivotTables",
)
XL_NO_RESTRICTIONS, XL_UNLOCKED_CELLS, XL_NO_SELECTION = 0, 1, -4142  # Worksheet.EnableSelection
XL_FILL_FORMATS = 3  # Range.AutoFill's Type: copy the formats only


def excel_protect_args(options: Mapping[str, bool]) -> dict[str, bool]:
    """XlsxWriter `protect()` options (`layout.PROTECTION`) as Excel's Protect arguments.

    XlsxWriter names what stays allowed ("objects": False means drawing objects are protected);
    Excel's first three arguments name what is protected, the Allow… ones what stays allowed.
    """
    return {
        "DrawingObjects": not options["objects"], "Contents": options["sheet"],
        "Scenarios": not options["scenarios"], "UserInterfaceOnly": False,
        "AllowFormattingCells": options["format_cells"],
        "AllowFormattingColumns": options["format_columns"],
        "AllowFormattingRows": options["format_rows"],
        "AllowInsertingColumns": options["insert_columns"],
        "AllowInsertingRows": options["insert_rows"],
        "AllowInsertingHyperlinks": options["insert_hyperlinks"],
        "AllowDeletingColumns": options["delete_columns"],
        "AllowDeletingRows": options["delete_rows"], "AllowSorting": options["sort"],
        "AllowFiltering": options["autofilter"], "AllowUsingPivotTables": options["pivot_tables"],
    }


def excel_selection(options: Mapping[str, bool]) -> int:
    """Worksheet.EnableSelection for the "select locked/unlocked cells" options."""
    if options["select_locked_cells"] and options["select_unlocked_cells"]:
        return XL_NO_RESTRICTIONS
    return XL_UNLOCKED_CELLS if options["select_unlocked_cells"] else XL_NO_SELECTION


# ---------------------------------------------------------------------------------------------
# Books


class XlwingsBook:
    """An xlwings Book as a LiveBook: the only code between the live mode and Excel.

    Needs Excel (Windows/macOS), so it does not run in CI; tests/test_live.py checks the calls
    it makes against a minimal recording stand-in for the xlwings objects.
    """

    def __init__(self, book: Any, password: str = "") -> None:
        self.book = book
        self.path = Path(book.fullname)
        self.password = password

    @property
    def names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def grid(self, sheet: str) -> list[list[Any]] | None:
        if sheet not in self.names:
            return None
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        values = ws.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [["" if v is None else v for v in row] for row in values]

    def write(self, sheet: str, row: int, col: int, rows: list[list[Any]],
              formulas: bool = False) -> None:
        if not rows or not rows[0]:
            return
        # The target has the block's shape: before xlwings 0.37.6, `Range.formula = rows` went
        # to COM as it was, and a one-cell range then received only the top-left formula.
        target = self.book.sheets[sheet].range((row + 1, col + 1)).resize(len(rows), len(rows[0]))
        if formulas:
            target.formula = rows
        else:
            target.value = rows

    @contextmanager
    def unprotected(self, sheet: str) -> Iterator[None]:
        api = self.book.sheets[sheet].api
        api.Unprotect(self.password)
        try:
            yield
        finally:
            options = sheet_protection(sheet)
            if options is not None:
                # Positional, in the order of Excel's signature: works with any COM dispatch.
                api.Protect(self.password, *excel_protect_args(options).values())
                api.EnableSelection = excel_selection(options)

    def copy_formats(self, sheet: str, source: int, last: int, width: int) -> None:
        ws = self.book.sheets[sheet]
        rows = ws.range((source + 1, 1)).resize(max(last - source + 1, 1), width)
        if last > source:
            # AutoFill with xlFillFormats: the formats of the first row, without the clipboard.
            ws.range((source + 1, 1)).resize(1, width).api.AutoFill(rows.api, XL_FILL_FORMATS)
        rows.rows.autofit()

    @contextmanager
    def editing(self) -> Iterator[None]:
        app = self.book.app
        calculation, updating = app.calculation, app.screen_updating
        app.screen_updating = False
        app.calculation = "manual"
        try:
            yield
        finally:
            try:
                app.calculation = calculation  # back to automatic: Excel recalculates now
            finally:
                app.screen_updating = updating

    def save(self) -> None:
        """Keep the file as it was before the button in sao-luu, then let Excel save it."""
        from ..files.atomic import backup

        backup(self.path, dt.datetime.now())
        self.book.save()


class GridBook:
    """A workbook file's cached values in memory, acting as the workbook open in Excel.

    It follows Excel where the live mode depends on it: a string written is parsed as if typed
    (`excel_entry`: a leading apostrophe keeps text, "=…" is a formula, numbers, dates and
    booleans are converted), a sheet protected with a password cannot be unprotected with a
    wrong one (the hashes of the real file), and formulas have no value until recalculated.
    `calls` records what was done, in order, and `shapes` each written block's size, for the
    tests.
    """

    def __init__(self, path: Path, grids: dict[str, list[list[Any]]],
                 protection: dict[str, dict[str, str]] | None = None,
                 password: str = "") -> None:
        self.path = Path(path)
        self.grids = grids
        self.protection = protection or {}
        self.password = password
        self.formulas: dict[tuple[str, int, int], str] = {}
        self.calls: list[tuple[Any, ...]] = []
        self.shapes: list[tuple[int, int]] = []  # (rows, columns) of each block written
        self._editing = False

    @classmethod
    def from_file(cls, path: Path, password: str = "") -> GridBook:
        from ..files.grids import Book
        from ..files.package import Package

        grids = Book(path).grids()
        with Package(path) as package:
            protection = {sheet: attrs for sheet in grids
                          if (attrs := package.protection(sheet)) is not None}
        return cls(path, grids, protection, password)

    @property
    def names(self) -> list[str]:
        return list(self.grids)

    @property
    def unprotect_calls(self) -> list[str]:
        return [c[1] for c in self.calls if c[0] == "unprotect"]

    def grid(self, sheet: str) -> list[list[Any]] | None:
        self.calls.append(("grid", sheet))
        return self.grids.get(sheet)

    def write(self, sheet: str, row: int, col: int, rows: list[list[Any]],
              formulas: bool = False) -> None:
        self.calls.append(("write", sheet, row, col, formulas, self._editing))
        self.shapes.append((len(rows), max((len(r) for r in rows), default=0)))
        grid = self.grids[sheet]
        for r, values in enumerate(rows, start=row):
            while len(grid) <= r:
                grid.append([])
            for c, value in enumerate(values, start=col):
                while len(grid[r]) <= c:
                    grid[r].append("")
                stored, formula = excel_entry(value)
                if formula is not None:
                    self.formulas[(sheet, r, c)] = formula
                else:
                    self.formulas.pop((sheet, r, c), None)
                grid[r][c] = stored

    @contextmanager
    def unprotected(self, sheet: str) -> Iterator[None]:
        attrs = self.protection.get(sheet)
        if attrs and (attrs.get("password") or attrs.get("hashValue")) \
                and not matches(self.password, attrs):
            raise RuntimeError(f"Excel: the password of sheet '{sheet}' is not correct")
        self.calls.append(("unprotect", sheet))
        try:
            yield
        finally:
            self.calls.append(("protect", sheet, self.password))

    def copy_formats(self, sheet: str, source: int, last: int, width: int) -> None:
        self.calls.append(("copy_formats", sheet, source, last, width, self._editing))

    @contextmanager
    def editing(self) -> Iterator[None]:
        self.calls.append(("editing", True))
        self._editing = True
        try:
            yield
        finally:
            self._editing = False
            self.calls.append(("editing", False))

    def save(self) -> None:
        self.calls.append(("save",))


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*(%?)\s*")
_ISO = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*")
_SLASHED = re.compile(r"\s*(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\s*")
_MONTH_YEAR = re.compile(r"\s*(\d{1,2})/(\d{4})\s*")
_TIME = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*")


def excel_entry(value: Any) -> tuple[Any, str | None]:
    """(what a cell holds, its formula or None) after Excel receives `value` through
    `Range.Value`/`Range.Formula`, for the entry rules the live mode meets (en-US input; Excel
    knows more formats, e.g. month names, so this only ever under-converts)."""
    if value is None:
        return "", None
    if not isinstance(value, str):
        return value, None
    if value.startswith("'"):
        return value[1:], None
    if value.startswith("="):
        return "", value  # no engine here: the value appears on recalculation
    if value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE", None
    if m := _NUMBER.fullmatch(value):
        number = float(value.strip().rstrip("%"))
        return (number / 100 if m.group(3) else number), None
    if value[:1] in ("+", "-", "@"):
        return "", "=" + value[1:]  # typed like that, it is taken for a formula
    try:
        if m := _ISO.fullmatch(value):
            y, mo, d, h, mi, s = (int(g or 0) for g in m.groups())
            return dt.datetime(y, mo, d, h, mi, s), None
        if m := _MONTH_YEAR.fullmatch(value):
            return dt.datetime(int(m.group(2)), int(m.group(1)), 1), None
        if m := _SLASHED.fullmatch(value):  # month/day[/year]
            year = int(m.group(3) or dt.date.today().year)
            year += 2000 if year < 30 else 1900 if year < 100 else 0
            return dt.datetime(year, int(m.group(1)), int(m.group(2))), None
        if m := _TIME.fullmatch(value):
            h, mi, s = (int(g or 0) for g in m.groups())
            return dt.time(h, mi, s), None
    except ValueError:  # not a real date (13/2026, 31/31): Excel keeps the text
        pass
    return value, None
