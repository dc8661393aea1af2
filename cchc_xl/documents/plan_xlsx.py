"""The remediation plan in Excel: the two appendices and the task tracker as Excel tables.

'Phụ lục I - Lĩnh vực' (per field, with the bonus and penalty rows, a total row that sums them
and the index below it), 'Phụ lục II - Tiêu chí' (per lost sub-criterion, its points lost as a
formula) and 'Nhiệm vụ' (every task: status chosen from a list, "quá hạn" computed from the
deadline and TODAY(), overdue rows marked red).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..criteria.engine import index_of
from ..format.layout import col_letter
from ..format.state import OVERDUE, TASK_STATUSES
from ..format.tracker import DONE, normal_status
from .plan import PlanItem, PlanModel, TaskLine
from .plan_docx import item_cells
from .xlsx import HEADER_ROW, Book, Formula, XColumn, ref, sheet, table, write

FIELDS_SHEET = "Phụ lục I - Lĩnh vực"
ITEMS_SHEET = "Phụ lục II - Tiêu chí"
TASKS_SHEET = "Nhiệm vụ"
SPARE_ROWS = 200  # rows below the tasks that keep the status list and the overdue colour


def write_xlsx(model: PlanModel, path: Path, today: dt.date | None = None) -> None:
    book = Book(path)
    _fields(book, model)
    _items(book, model)
    _tasks(book, model, today or dt.date.today())
    book.workbook.set_properties({"title": model.frame.title, "author": model.org_name})
    book.close()


def _fields(book: Book, model: PlanModel) -> None:
    ws = sheet(book, FIELDS_SHEET, model.frame.title,
               f"PHỤ LỤC I. CHỈ TIÊU KHẮC PHỤC, NÂNG CAO CHỈ SỐ CCHC NĂM {model.next_year} "
               "THEO LĨNH VỰC", f"Kết quả năm {model.year} theo {model.result.basis_text}.")
    columns = [
        XColumn("STT", 6, "int"),
        XColumn("Lĩnh vực", 46, total="label"),
        XColumn("Điểm tối đa (không tính tiêu chí không chấm điểm)", 14, "number", "sum"),
        XColumn(f"Kết quả năm {model.year}", 12, "number", "sum"),
        XColumn(f"Mục tiêu năm {model.next_year}", 12, "number", "sum"),
        XColumn("Đơn vị chủ trì", 24),
        XColumn("Đơn vị phối hợp", 28),
        XColumn("Thời gian hoàn thành", 14, "date"),
    ]
    rows = [[int(r.number) if r.number else None, r.name, r.max, r.result, r.target, r.lead,
             r.support, r.deadline] for r in model.field_rows]
    placed = table(book, ws, columns, rows, name="PhuLucI", total_label="TỔNG ĐIỂM")
    assert placed.total is not None
    total = model.total
    index_row = placed.total + 1
    write(book, ws, index_row, 1, "Chỉ số CCHC", "text", bold=True)
    for col, points in ((3, total.result), (4, total.target)):
        top, bottom = ref(placed.first, col), ref(placed.last, col)
        share, max_ = ref(placed.total, col), ref(placed.total, 2)
        value = index_of(points, total.max) if points is not None and total.max else None
        write(book, ws, index_row, col, Formula(
            f'=IF(OR(COUNT({top}:{bottom})=0,{max_}=0),"",ROUND({share}/{max_},4))',
            "" if value is None else value), "percent", bold=True)


def _items(book: Book, model: PlanModel) -> None:
    ws = sheet(book, ITEMS_SHEET, model.frame.title,
               "PHỤ LỤC II. NHIỆM VỤ, GIẢI PHÁP KHẮC PHỤC CÁC TIÊU CHÍ THÀNH PHẦN BỊ TRỪ ĐIỂM "
               f"NĂM {model.year}")
    columns = [
        XColumn("STT", 6, "int"), XColumn("Mã", 9), XColumn("Lĩnh vực", 22),
        XColumn("Tiêu chí thành phần", 38, total="label"),
        XColumn("Điểm tối đa", 9, "number", "sum"), XColumn("Điểm đạt", 9, "number", "sum"),
        XColumn("Điểm bị trừ", 9, "number", "sum"), XColumn("Nguyên nhân", 32),
        XColumn("Giải pháp khắc phục", 34), XColumn("Sản phẩm", 24),
        XColumn("Đơn vị chủ trì", 18), XColumn("Đơn vị phối hợp", 20),
        XColumn("Thời hạn", 13, "date"),
    ]
    first = HEADER_ROW + 1
    labelled = [(f"{g.row.code}. {g.row.node.name}", item) for g in model.groups
                for item in g.items]
    rows = [_item_row(n, item, field, first + n - 1)
            for n, (field, item) in enumerate(labelled, start=1)]
    table(book, ws, columns, rows, name="PhuLucII", total_label="TỔNG CỘNG")


def _item_row(n: int, item: PlanItem, field: str, r: int) -> list[Any]:
    row = item.row
    cells = item_cells(item, blank="")
    dates = {t.deadline for t in item.tasks}
    deadline = next(iter(dates)) if len(dates) == 1 else cells["deadline"]
    lost = Formula(f"=MAX({ref(r, 4)}-{ref(r, 5)},0)", item.lost)
    return [n, row.code, field, row.node.name, row.applicable_max, row.achieved, lost,
            item.cause, cells["remedy"], cells["deliverable"], cells["lead"], cells["support"],
            deadline]


def _tasks(book: Book, model: PlanModel, today: dt.date) -> None:
    ws = sheet(book, TASKS_SHEET, model.frame.title,
               f"THEO DÕI THỰC HIỆN NHIỆM VỤ KHẮC PHỤC NĂM {model.next_year}",
               "Trạng thái chọn trong danh sách; cột Quá hạn tự tính từ thời hạn và ngày hôm "
               "nay; dòng quá hạn tô đỏ.")
    columns = [
        XColumn("STT", 6, "int"), XColumn("Mã tiêu chí", 10), XColumn("Nhiệm vụ", 40),
        XColumn("Sản phẩm", 26), XColumn("Đơn vị chủ trì", 18), XColumn("Đơn vị phối hợp", 20),
        XColumn("Thời hạn", 13, "date"), XColumn("Trạng thái", 16),
        XColumn("Ngày hoàn thành", 14, "date"), XColumn("Minh chứng", 24),
        XColumn("Ghi chú", 20), XColumn("Quá hạn", 10),
    ]
    first = HEADER_ROW + 1
    rows = [_task_row(n, task, first + n - 1, today)
            for n, task in enumerate(model.tasks, start=1)]
    placed = table(book, ws, columns, rows, name="NhiemVu")
    status, flag = 7, 11
    bottom = placed.last + SPARE_ROWS
    ws.data_validation(placed.first, status, bottom, status, {
        "validate": "list", "source": list(TASK_STATUSES), "error_title": "Trạng thái",
        "error_message": "Chọn một trong: " + ", ".join(TASK_STATUSES) + "."})
    red = book.workbook.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
    ws.conditional_format(placed.first, 0, bottom, len(columns) - 1, {
        "type": "formula", "criteria": f'=${col_letter(flag)}{placed.first + 1}="{OVERDUE}"',
        "format": red})


def _task_row(n: int, task: TaskLine, r: int, today: dt.date) -> list[Any]:
    deadline, status = ref(r, 6), ref(r, 7)
    formula = (f'=IF(AND(ISNUMBER({deadline}),{deadline}<TODAY(),{status}<>"{TASK_STATUSES[-1]}"),'
               f'"{OVERDUE}","")')
    note = task.note or ("Theo giải pháp khắc phục của tiêu chí" if task.derived else "")
    return [n, task.code, task.task, task.deliverable, task.lead, task.support, task.deadline,
            task.status, task.completed, task.evidence, note,
            Formula(formula, OVERDUE if overdue(task, today) else "")]


def overdue(task: TaskLine, today: dt.date) -> bool:
    """Whether a task's deadline (a date) has passed and it is not done."""
    return isinstance(task.deadline, dt.date) and task.deadline < today and \
        normal_status(task.status) != DONE  # 'Hoàn thành ' as typed is done too
