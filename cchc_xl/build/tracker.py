"""The master's tracker sheet (Theo dõi khắc phục): one row per remediation task.

Blue cells are the Văn phòng's (or came from a unit's plan return: the locked last column says
which unit); the criterion's name, "quá hạn" and the days late are derived, the last two by
formulas over the deadline, the status and TODAY(), so the sheet stays current when it is opened
months later. An Excel table gives filters; overdue rows are shaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..analysis.tasks import days_late, is_overdue, node_name, task_code
from ..format.layout import META_MAP_FIRST_COL, META_SHEET, cell_ref, col_letter, quote_sheet
from ..format.state import Task
from ..format.tracker import (
    DONE,
    OVERDUE,
    TASK_BLANK_ROWS,
    TASK_CODES_NAME,
    TASK_COL,
    TASK_COLUMNS,
    TASK_FIRST_ROW,
    TASK_HEADER_ROW,
    TASK_NOTE_ROW,
    TASK_STATUSES,
    TASK_TITLE_ROW,
    TRACKER_TABLE,
    normal_status,
)
from . import styles as st
from .context import Context, estimate_lines, print_a4_landscape, write_value

OVERDUE_FILL = "#F8CBAD"
DONE_FILL = "#E2EFDA"
INPUT_KEYS = tuple(c.key for c in TASK_COLUMNS if c.role == "office")


def write_tracker(ctx: Context, name: str, today: dt.date | None = None) -> None:
    s, cat = ctx.styles, ctx.catalogue
    today = today or dt.date.today()
    ws = ctx.workbook.add_worksheet(name)
    ws.write_string(TASK_TITLE_ROW, 0, "THEO DÕI THỰC HIỆN KẾ HOẠCH KHẮC PHỤC (kết quả Chỉ số "
                                       f"CCHC năm {cat.year})", s.title())
    ws.write_string(TASK_NOTE_ROW, 0, "Mỗi nhiệm vụ một dòng. Ô xanh: Văn phòng nhập (hoặc do "
                                      "tệp kế hoạch của đơn vị gửi về, xem cột cuối; tệp kế hoạch "
                                      "sau của đơn vị thay các dòng đó). Thời hạn và ngày hoàn "
                                      "thành dạng dd/mm/yyyy; 'Quá hạn' tự tính theo ngày hôm "
                                      "nay.", s.get(italic=True, font_size=10))
    tasks = list(ctx.state.tasks)
    last = TASK_FIRST_ROW + len(tasks) + TASK_BLANK_ROWS - 1
    ws.add_table(TASK_HEADER_ROW, 0, last, len(TASK_COLUMNS) - 1, {
        "name": TRACKER_TABLE, "style": None, "autofilter": True,
        "columns": [{"header": c.header, "header_format": s.header()} for c in TASK_COLUMNS]})
    for i, column in enumerate(TASK_COLUMNS):
        ws.set_column(i, i, column.width)
    ws.set_row(TASK_HEADER_ROW, 45)
    for r in range(TASK_FIRST_ROW, last + 1):
        i = r - TASK_FIRST_ROW
        _write_row(ctx, ws, r, tasks[i] if i < len(tasks) else None, today)
    _validations(ctx, ws, last)
    _highlight(ctx, ws, last)
    ws.freeze_panes(TASK_FIRST_ROW, 2)
    print_a4_landscape(ws, repeat=TASK_HEADER_ROW)
    ws.print_area(0, 0, TASK_FIRST_ROW + max(len(tasks), 20) - 1, len(TASK_COLUMNS) - 1)
    ctx.protect(ws, "tracker")


def _write_row(ctx: Context, ws: Any, r: int, task: Task | None, today: dt.date) -> None:
    s = ctx.styles
    text = s.cell(fill=st.OFFICE_INPUT, unlocked=True)
    date = s.cell(kind="date", fill=st.OFFICE_INPUT, unlocked=True)
    code_fmt = s.get(border=1, border_color=st.BORDER_COLOR, bg_color=st.OFFICE_INPUT,
                     locked=False, num_format="@")  # '2.2' typed stays the code, not a number
    for key in INPUT_KEYS:
        value = getattr(task, key) if task else None
        if key == "status" and task is not None and normal_status(value) in TASK_STATUSES:
            value = normal_status(value)
        fmt = date if key in ("deadline", "completed") else code_fmt if key == "code" else text
        write_value(ws, r, TASK_COL[key], value, fmt, s)
    code = task_code(task) if task else ""
    ws.write_string(r, TASK_COL["name"], node_name(ctx.catalogue, code) if code else "", s.cell())
    _derived(ctx, ws, r, task, today)
    ws.write_string(r, TASK_COL["origin"], (task.origin or "") if task else "", s.cell())
    if task is not None:  # XlsxWriter cannot autofit: size filled rows to their text
        lines = max(estimate_lines(str(getattr(task, c.key) or ""), c.width)
                    for c in TASK_COLUMNS if c.key in ("task", "deliverable", "evidence", "note",
                                                      "support"))
        ws.set_row(r, 15 * max(lines, estimate_lines(node_name(ctx.catalogue, code), 30)) + 3)


def overdue_formula(deadline: str, status: str, completed: str) -> str:
    """'quá hạn' when the deadline is a date before today and the task is not done by today
    (as `analysis.tasks.is_overdue` computes it; Excel compares text ignoring case)."""
    done = f'AND(TRIM({status})="{DONE}",OR(NOT(ISNUMBER({completed})),{completed}<=TODAY()))'
    return f'=IF(AND(ISNUMBER({deadline}),{deadline}<TODAY(),NOT({done})),"{OVERDUE}","")'


def days_late_formula(r: int) -> str:
    """Days past the deadline: of an overdue task today, or of a task completed late."""
    deadline, status, completed, overdue = (cell_ref(r, TASK_COL[k]) for k in (
        "deadline", "status", "completed", "overdue"))
    late = (f'AND(TRIM({status})="{DONE}",ISNUMBER({deadline}),ISNUMBER({completed}),'
            f'{completed}>{deadline})')
    return (f'=IF({overdue}="{OVERDUE}",TODAY()-{deadline},IF({late},{completed}-{deadline},'
            '""))')


def _derived(ctx: Context, ws: Any, r: int, task: Task | None, today: dt.date) -> None:
    s = ctx.styles
    overdue = OVERDUE if task is not None and is_overdue(task, today) else ""
    late = days_late(task, today) if task is not None else None
    refs = (cell_ref(r, TASK_COL[k]) for k in ("deadline", "status", "completed"))
    ws.write_formula(r, TASK_COL["overdue"], overdue_formula(*refs), s.cell(kind="flag"),
                     overdue)
    ws.write_formula(r, TASK_COL["days_late"], days_late_formula(r), s.cell(kind="count"),
                     "" if late is None else late)


def _validations(ctx: Context, ws: Any, last: int) -> None:
    first, year = TASK_FIRST_ROW, ctx.catalogue.year
    codes = len(ctx.row_map)
    ctx.names[TASK_CODES_NAME] = (
        f"={quote_sheet(META_SHEET)}!{cell_ref(1, META_MAP_FIRST_COL, True)}:"
        f"{cell_ref(max(codes, 1), META_MAP_FIRST_COL, True)}")
    col = TASK_COL
    ws.data_validation(first, col["code"], last, col["code"], {
        "validate": "list", "source": f"={TASK_CODES_NAME}", "ignore_blank": True,
        "error_title": "Mã tiêu chí không có",
        "error_message": "Chọn mã tiêu chí trong danh sách (để trống nếu là nhiệm vụ chung)."})
    ws.data_validation(first, col["lead"], last, col["lead"], {
        "validate": "list", "source": "=CCHC_UNITS", "ignore_blank": True,
        "error_title": "Mã đơn vị không có", "error_message": "Chọn mã đơn vị trong danh sách."})
    progress_validations(ws, first, last, col, year)


def progress_validations(ws: Any, first: int, last: int, col: dict[str, int], year: int) -> None:
    """A task's status from the list, its deadline and completion as dates near the year: the
    same rules on the tracker and in a unit's plan workbook."""
    ws.data_validation(first, col["status"], last, col["status"], {
        "validate": "list", "source": list(TASK_STATUSES), "ignore_blank": True,
        "error_title": "Tình trạng không hợp lệ",
        "error_message": "Chọn: " + ", ".join(TASK_STATUSES) + "."})
    for key in ("deadline", "completed"):
        ws.data_validation(first, col[key], last, col[key], {
            "validate": "date", "criteria": "between", "minimum": dt.date(year - 1, 1, 1),
            "maximum": dt.date(year + 3, 12, 31), "ignore_blank": True,
            "error_title": "Ngày không hợp lệ",
            "error_message": f"Nhập ngày dạng dd/mm/yyyy, trong khoảng {year - 1} đến "
                             f"{year + 3}."})


def _highlight(ctx: Context, ws: Any, last: int) -> None:
    """Overdue rows shaded red, done rows green: by formula, so they follow the date."""
    flag, status = col_letter(TASK_COL["overdue"]), col_letter(TASK_COL["status"])
    row = TASK_FIRST_ROW + 1
    span = (TASK_FIRST_ROW, 0, last, len(TASK_COLUMNS) - 1)
    red = ctx.workbook.add_format({"bg_color": OVERDUE_FILL, "font_color": "#9C0006"})
    green = ctx.workbook.add_format({"bg_color": DONE_FILL})
    ws.conditional_format(*span, {"type": "formula", "criteria": f'=${flag}{row}="{OVERDUE}"',
                                  "format": red})
    ws.conditional_format(*span, {"type": "formula",
                                  "criteria": f'=TRIM(${status}{row})="{DONE}"', "format": green})
