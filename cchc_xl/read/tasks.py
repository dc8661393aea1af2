"""Reading remediation tasks: the master's tracker sheet (Theo dõi khắc phục).

A master of format 1 or 2 has no tracker: it has no tasks. Dates stay dates; a date typed as
text ('15/03/2027') is read as that date; a status is read as listed whatever its case. Anything
else is kept as typed (it is the Văn phòng's data) for `Master.check()` to report with its cell.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..files.grids import Book, cell
from ..files.package import Package
from ..format.layout import cell_ref
from ..format.state import Formula, State, Task, as_date
from ..format.tracker import (
    TASK_COL,
    TASK_COLUMNS,
    TASK_DATE_KEYS,
    TASK_FIRST_ROW,
    TASK_HEADER_ROW,
    TASK_STATUSES,
    TRACKER_SHEET,
    normal_status,
)
from .typed import _kept, parse_date

if TYPE_CHECKING:
    from .reader import WorkbookData

TYPED_KEYS = tuple(c.key for c in TASK_COLUMNS if c.role == "office")


def read_tracker(book: Book | Any, data: WorkbookData, state: State) -> None:
    """Every non-blank row of the tracker into `state.tasks` (row positions in `task_rows`)."""
    grid = book.grid(TRACKER_SHEET)
    if grid is None:
        return
    for column in TASK_COLUMNS:
        if cell(grid, TASK_HEADER_ROW, TASK_COL[column.key]) != column.header:
            data.problem(f"cột '{column.header}' của sheet theo dõi khắc phục bị chèn, xóa hoặc "
                         "đổi chỗ; hãy khôi phục bản trước từ thư mục sao-luu.",
                         sheet=TRACKER_SHEET,
                         cell=cell_ref(TASK_HEADER_ROW, TASK_COL[column.key]))
            return
    for r in range(TASK_FIRST_ROW, len(grid)):
        task = Task(**{key: cell(grid, r, TASK_COL[key]) for key in TYPED_KEYS})
        if task.is_blank():
            continue
        origin = cell(grid, r, TASK_COL["origin"])
        origin = str(origin).strip() if origin not in (None, "") else None
        state.tasks.append(typed_task(replace(task, origin=origin or None)))
        data.task_rows.append(r)


def typed_task(task: Task) -> Task:
    """Dates as dates (text dates parsed), the status as listed; the rest as typed."""
    changes: dict[str, Any] = {}
    for key in TASK_DATE_KEYS:
        value = getattr(task, key)
        if isinstance(value, str):
            date = parse_date(value)
            if date is not None:
                changes[key] = date
        elif as_date(value) is not None:
            changes[key] = as_date(value)
    status = normal_status(task.status)
    if status in TASK_STATUSES and status != task.status:
        changes["status"] = status
    for key in ("code", "lead"):  # a code typed as a number (2.2, or 1 for field 1) is a code
        value = getattr(task, key)
        if code_text(value) != value:
            changes[key] = code_text(value)
    return replace(task, **changes) if changes else task


def code_text(value: Any) -> Any:
    """A code as text (a code typed as the number 2.2 is the code '2.2'), stripped."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value.strip() if isinstance(value, str) else value


def read_tracker_formulas(package: Package, state: State, task_rows: list[int],
                          notices: list[Problem], file: str) -> None:
    """Formulas typed into the tracker's cells, kept as formulas (with their values)."""
    rows = {r: i for i, r in enumerate(task_rows)}
    keys = {TASK_COL[key]: key for key in TYPED_KEYS}
    for (row, col), text in package.formulas(TRACKER_SHEET).items():
        if row not in rows or col not in keys:
            continue
        i, key = rows[row], keys[col]
        value = getattr(state.tasks[i], key)
        if isinstance(value, Formula):
            continue
        kept = _kept(value, text, notices, file, TRACKER_SHEET, cell_ref(row, col), None)
        state.tasks[i] = replace(state.tasks[i], **{key: kept})
