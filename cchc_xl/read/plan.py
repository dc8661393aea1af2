"""Reading a returned plan workbook (kind "plan"): causes and solutions, and the unit's tasks.

Only what is structurally wrong is recorded here (a sheet missing, columns moved): such a file
cannot be read as the unit meant it and is never merged. What is wrong with the content (a text
where a deadline belongs, a status not in the list, another unit's criterion) is found by the
merge's checks (`ops/plan_return.py`), with the cell of each problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..files.grids import Book, cell
from ..format.layout import cell_ref
from ..format.state import State, Task
from ..format.tracker import (
    ASSIGNED,
    ITEM_COL,
    ITEM_COLUMNS,
    ITEM_FIRST_ROW,
    ITEM_HEADER_ROW,
    PLAN_ITEMS_SHEET,
    PLAN_TASK_COL,
    PLAN_TASK_COLUMNS,
    PLAN_TASK_FIRST_ROW,
    PLAN_TASK_HEADER_ROW,
    PLAN_TASKS_SHEET,
)
from .tasks import code_text, typed_task

if TYPE_CHECKING:
    from .reader import WorkbookData

TASK_KEYS = tuple(c.key for c in PLAN_TASK_COLUMNS if c.role == "unit")


def read_plan(book: Book, data: WorkbookData) -> None:
    """The plan return's items (`data.plan_rows`) and tasks (`data.state.tasks`)."""
    state = State("unit", unit=data.unit)
    data.state = state
    items = book.grid(PLAN_ITEMS_SHEET)
    tasks = book.grid(PLAN_TASKS_SHEET)
    for sheet, grid in ((PLAN_ITEMS_SHEET, items), (PLAN_TASKS_SHEET, tasks)):
        if grid is None:
            data.problem(f"thiếu sheet '{sheet}' (bị đổi tên hoặc xóa); hãy lấy lại tệp kế hoạch "
                         "Văn phòng gửi và nhập lại, không đổi tên sheet.", sheet=sheet)
    if items is not None and _headers_ok(data, items, PLAN_ITEMS_SHEET, ITEM_COLUMNS,
                                         ITEM_HEADER_ROW):
        _read_items(items, data)
    if tasks is not None and _headers_ok(data, tasks, PLAN_TASKS_SHEET, PLAN_TASK_COLUMNS,
                                         PLAN_TASK_HEADER_ROW):
        _read_tasks(tasks, data, state)


def _headers_ok(data: WorkbookData, grid: list[list[Any]], sheet: str, columns: Any,
                row: int) -> bool:
    for i, column in enumerate(columns):
        if cell(grid, row, i) != column.header:
            data.problem(f"cột '{column.header}' bị chèn, xóa hoặc đổi chỗ; hãy dùng lại tệp gốc "
                         "Văn phòng gửi.", sheet=sheet, cell=cell_ref(row, i))
            return False
    return True


def _read_items(grid: list[list[Any]], data: WorkbookData) -> None:
    for r in range(ITEM_FIRST_ROW, len(grid)):
        code, cause, remedy = (cell(grid, r, ITEM_COL[k]) for k in ("code", "cause", "remedy"))
        if code is None and cause is None and remedy is None:
            continue
        data.plan_rows.append((r, code_text(code), cause, remedy))


def _read_tasks(grid: list[list[Any]], data: WorkbookData, state: State) -> None:
    for r in range(PLAN_TASK_FIRST_ROW, len(grid)):
        values = {key: cell(grid, r, PLAN_TASK_COL[key]) for key in TASK_KEYS}
        if all(v is None for v in values.values()):
            continue
        assigned = cell(grid, r, PLAN_TASK_COL["source"]) == ASSIGNED
        task = Task(**values, lead=data.unit, origin=None if assigned else data.unit)
        state.tasks.append(typed_task(task))
        data.task_rows.append(r)



