"""A unit's plan workbook (kind "plan"): its items below their maximum or target, where it writes
causes and solutions, and its remediation tasks, to fill in and send back to the Văn phòng.

Prefilled with what the master holds for the unit — the causes and solutions of its items, the
tasks of its earlier plan returns, the tasks the Văn phòng assigned to it — so a unit corrects and
updates rather than retypes. Tasks the Văn phòng assigned are locked except their progress.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .._version import __version__
from ..analysis.report import NodeReport, Report
from ..analysis.tasks import is_overdue, led_codes, node_name, nodes_by_code, task_code
from ..criteria.catalogue import Catalogue
from ..format.layout import (
    FORMAT_VERSION,
    META_SHEET,
    PROTECTION,
    ProtectionKind,
    TEMPLATE_ID,
    Column,
    cell_ref,
    col_letter,
    quote_sheet,
)
from ..format.state import State, Task, plain_value
from ..format.tracker import (
    ASSIGNED,
    ASSIGNED_KEYS,
    ITEM_COL,
    ITEM_COLUMNS,
    ITEM_FIRST_ROW,
    ITEM_HEADER_ROW,
    OVERDUE,
    PLAN_CODES_COL,
    PLAN_CODES_NAME,
    PLAN_COVER_SHEET,
    PLAN_ITEMS_SHEET,
    PLAN_KIND,
    PLAN_NAMES_NAME,
    PLAN_TASK_BLANK_ROWS,
    PLAN_TASK_COL,
    PLAN_TASK_COLUMNS,
    PLAN_TASK_FIRST_ROW,
    PLAN_TASK_HEADER_ROW,
    PLAN_TASKS_SHEET,
    TASK_STATUSES,
    normal_status,
)
from . import _workbook
from . import styles as st
from .context import cached, estimate_lines, print_a4_landscape, write_value
from .styles import Styles
from .sheets import write_meta_values
from .tracker import overdue_formula, progress_validations

# A row the unit types a cause or a task into shows this many lines: Excel keeps a row's height
# as written, it does not grow while one types.
TYPING_LINES = 3
LOCKED_FILL = "#F2F2F2"


def plan_items(report: Report, unit: str) -> list[NodeReport]:
    """The unit's sub-criteria below their maximum or their target, most points lost first."""
    return [r for r in report.gap_leaves() if r.node.lead == unit]


def plan_tasks(state: State, unit: str) -> tuple[list[Task], list[Task]]:
    """(tasks the Văn phòng assigned to the unit, tasks of the unit's earlier plan returns)."""
    assigned = [t for t in state.tasks if t.origin is None
                and str(plain_value(t.lead) or "").strip() == unit]
    own = [t for t in state.tasks if t.origin == unit]
    return assigned, own


def build_plan_workbook(catalogue: Catalogue, state: State, report: Report, unit: str,
                        path: Path, *, password: str = "", today: dt.date | None = None) -> None:
    """Write one unit's plan workbook at `path`."""
    name = catalogue.unit_name(unit)
    workbook = _workbook(Path(path), catalogue, f"Kế hoạch khắc phục {catalogue.year} — {name}")
    s = Styles(workbook)
    plain = state.without_formulas()
    _cover(workbook, s, catalogue, plain, unit, password)
    _items_sheet(workbook, s, catalogue, report, plain, unit, password)
    assigned, own = plan_tasks(plain, unit)
    _tasks_sheet(workbook, s, catalogue, unit, assigned, own, password, today or dt.date.today())
    _meta(workbook, catalogue, plain, unit)
    workbook.get_worksheet_by_name(PLAN_COVER_SHEET).activate()
    workbook.close()


def _protect(ws: Any, kind: ProtectionKind, password: str) -> None:
    ws.protect(password, dict(PROTECTION[kind]))


# ---------------------------------------------------------------------------------------------
# Cover


def plan_steps(catalogue: Catalogue) -> list[str]:
    year = catalogue.year + 1
    return [
        f"Sheet '{PLAN_ITEMS_SHEET}': các tiêu chí thành phần đơn vị chủ trì chưa đạt điểm tối đa "
        "hoặc chưa đạt mục tiêu, với điểm tối đa, điểm đạt, điểm bị trừ. Ghi nguyên nhân và giải "
        "pháp khắc phục vào ô vàng; nội dung Văn phòng đang có đã được điền sẵn: hãy sửa cho "
        "đúng, không cần gõ lại.",
        f"Sheet '{PLAN_TASKS_SHEET}': mỗi nhiệm vụ một dòng: mã tiêu chí (chọn trong danh sách), "
        "nhiệm vụ, sản phẩm/kết quả, đơn vị phối hợp, thời hạn (ngày dạng dd/mm/yyyy, ví dụ "
        f"30/06/{year}; việc làm thường xuyên: ghi ngày cuối kỳ và ghi 'thường xuyên' ở cột Ghi "
        "chú) và tình trạng (chọn trong danh sách).",
        f"Dòng có cột Nguồn là '{ASSIGNED}': nhiệm vụ Văn phòng giao; đơn vị chỉ cập nhật tình "
        "trạng, ngày hoàn thành, kết quả thực hiện và ghi chú.",
        "Trong năm, mỗi lần Văn phòng gửi tệp mới (đã có các nhiệm vụ đơn vị gửi trước), hãy cập "
        "nhật tình trạng, ngày hoàn thành và kết quả, tài liệu chứng minh rồi gửi lại. Tệp gửi "
        "sau thay toàn bộ nhiệm vụ đơn vị đã gửi trước đó: dòng nào xóa đi là bỏ nhiệm vụ đó.",
        "Lưu tệp (giữ nguyên tên sheet, không đổi cột) và gửi lại Văn phòng Sở.",
    ]


def _cover(workbook: Any, s: Styles, catalogue: Catalogue, state: State, unit: str,
           password: str) -> None:
    ws = workbook.add_worksheet(PLAN_COVER_SHEET)
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 1, (state.org or "Sở").upper(), s.get(bold=True, font_size=13))
    ws.write_string(1, 1, "KẾ HOẠCH KHẮC PHỤC HẠN CHẾ, NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
                    s.get(bold=True, font_size=15))
    ws.write_string(2, 1, f"Tệp của đơn vị: {catalogue.unit_name(unit)} ({unit}) — kết quả Chỉ "
                          f"số CCHC năm {catalogue.year}", s.get(bold=True, italic=True,
                                                                 font_size=12))
    ws.write_string(4, 1, "CÁCH LÀM", s.get(bold=True, font_size=12))
    wrap = s.get(text_wrap=True)
    row = 5
    for i, step in enumerate(plan_steps(catalogue), start=1):
        ws.write_number(row, 0, i, s.get(align="right"))
        ws.write_string(row, 1, step, wrap)
        ws.set_row(row, 15 * estimate_lines(step, 100) + 3)
        row += 1
    row += 1
    legend = [(st.UNIT_INPUT, "Ô đơn vị nhập"),
              (None, "Ô không màu: số liệu của Văn phòng hoặc công thức, được khóa")]
    for fill, text in legend:
        ws.write_blank(row, 0, None, s.cell(fill=fill) if fill else s.cell())
        ws.write_string(row, 1, text, wrap)
        row += 1
    print_a4_landscape(ws)
    _protect(ws, "cover", password)


# ---------------------------------------------------------------------------------------------
# Items: figures, cause and remedy


def _items_sheet(workbook: Any, s: Styles, catalogue: Catalogue, report: Report, state: State,
                 unit: str, password: str) -> None:
    ws = workbook.add_worksheet(PLAN_ITEMS_SHEET)
    ws.write_string(0, 0, "TIÊU CHÍ THÀNH PHẦN CẦN KHẮC PHỤC", s.title())
    ws.write_string(1, 0, f"{catalogue.unit_name(unit)} — kết quả năm {catalogue.year}. Điểm "
                          "đạt: điểm thẩm định nếu đã có, nếu không là điểm tự chấm. Ghi nguyên "
                          "nhân và giải pháp vào ô vàng.", s.subtitle())
    _headers(ws, s, ITEM_COLUMNS, ITEM_HEADER_ROW)
    text, number, maximum = s.cell(), s.cell(kind="number"), s.cell(kind="max")
    unit_text = s.cell(fill=st.UNIT_INPUT, unlocked=True)
    items = plan_items(report, unit)
    for r, node in enumerate(items, start=ITEM_FIRST_ROW):
        entry = state.entry(node.code)
        values = {"code": node.code, "name": node.node.name, "max": node.applicable_max,
                  "achieved": node.achieved, "lost": node.lost, "target": node.target,
                  "last_year": node.last_year, "label": node.label, "cause": entry.cause,
                  "remedy": entry.remedy}
        for column in ITEM_COLUMNS:
            fmt = (unit_text if column.role == "unit" else maximum if column.key == "max"
                   else number if column.number else text)
            write_value(ws, r, ITEM_COL[column.key], cached(values[column.key]), fmt, s)
        lines = max(estimate_lines(str(values[c.key] or ""), c.width) for c in ITEM_COLUMNS
                    if not c.number)
        ws.set_row(r, 15 * max(lines, TYPING_LINES) + 3)  # room for the cause the unit types
    if not items:
        ws.write_string(ITEM_FIRST_ROW, ITEM_COL["name"], "Không có tiêu chí thành phần nào của "
                        "đơn vị bị trừ điểm hoặc chưa đạt mục tiêu.", s.get(italic=True))
    ws.freeze_panes(ITEM_FIRST_ROW, 2)
    print_a4_landscape(ws, repeat=ITEM_HEADER_ROW)
    _protect(ws, "evidence", password)  # rows and columns resizable, as the register's


def _headers(ws: Any, s: Styles, columns: tuple[Column, ...], row: int) -> None:
    for i, column in enumerate(columns):
        ws.write_string(row, i, column.header, s.header())
        ws.set_column(i, i, column.width)
    ws.set_row(row, 45)


# ---------------------------------------------------------------------------------------------
# Tasks


def _tasks_sheet(workbook: Any, s: Styles, catalogue: Catalogue, unit: str,
                 assigned: list[Task], own: list[Task], password: str, today: dt.date) -> None:
    ws = workbook.add_worksheet(PLAN_TASKS_SHEET)
    ws.write_string(0, 0, "NHIỆM VỤ KHẮC PHỤC", s.title())
    ws.write_string(1, 0, f"{catalogue.unit_name(unit)}: mỗi nhiệm vụ một dòng; thời hạn và ngày "
                          "hoàn thành dạng dd/mm/yyyy; tình trạng chọn trong danh sách. Dòng "
                          f"'{ASSIGNED}': chỉ cập nhật tình trạng, ngày hoàn thành, kết quả, ghi "
                          "chú.", s.subtitle())
    _headers(ws, s, PLAN_TASK_COLUMNS, PLAN_TASK_HEADER_ROW)
    rows = [(t, True) for t in assigned] + [(t, False) for t in own]
    last = PLAN_TASK_FIRST_ROW + len(rows) + PLAN_TASK_BLANK_ROWS - 1
    for r in range(PLAN_TASK_FIRST_ROW, last + 1):
        i = r - PLAN_TASK_FIRST_ROW
        task, is_assigned = rows[i] if i < len(rows) else (None, False)
        _task_row(ws, s, catalogue, r, task, is_assigned, today)
    _task_validations(ws, catalogue, last)
    flag = col_letter(PLAN_TASK_COL["overdue"])
    red = workbook.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
    ws.conditional_format(PLAN_TASK_FIRST_ROW, 0, last, len(PLAN_TASK_COLUMNS) - 1, {
        "type": "formula", "criteria": f'=${flag}{PLAN_TASK_FIRST_ROW + 1}="{OVERDUE}"',
        "format": red})
    ws.autofilter(PLAN_TASK_HEADER_ROW, 0, last, len(PLAN_TASK_COLUMNS) - 1)
    ws.freeze_panes(PLAN_TASK_FIRST_ROW, 2)
    print_a4_landscape(ws, repeat=PLAN_TASK_HEADER_ROW)
    ws.print_area(0, 0, PLAN_TASK_FIRST_ROW + max(len(rows), 20) - 1,
                  len(PLAN_TASK_COLUMNS) - 1)
    _protect(ws, "tracker", password)


def _task_row(ws: Any, s: Styles, catalogue: Catalogue, r: int, task: Task | None,
              assigned: bool, today: dt.date) -> None:
    border = {"border": 1, "border_color": st.BORDER_COLOR}
    for column in PLAN_TASK_COLUMNS:
        if column.role != "unit":
            continue
        key = column.key
        locked = assigned and key in ASSIGNED_KEYS
        props = {**border, "text_wrap": key != "code", "bg_color": LOCKED_FILL if locked
                 else st.UNIT_INPUT, "locked": locked}
        if key == "code":
            props["num_format"] = "@"
        elif key in ("deadline", "completed"):
            props["num_format"] = st.DATE
        value = getattr(task, key) if task else None
        if key == "status" and normal_status(value) in TASK_STATUSES:
            value = normal_status(value)
        write_value(ws, r, PLAN_TASK_COL[key], value, s.get(**props), s)
    code = task_code(task) if task else ""
    ref = cell_ref(r, PLAN_TASK_COL["code"])
    ws.write_formula(r, PLAN_TASK_COL["name"], f'=IF({ref}="","",IFERROR(VLOOKUP({ref},'
                     f'{PLAN_NAMES_NAME},2,FALSE),""))', s.cell(), node_name(catalogue, code))
    refs = (cell_ref(r, PLAN_TASK_COL[k]) for k in ("deadline", "status", "completed"))
    ws.write_formula(r, PLAN_TASK_COL["overdue"], overdue_formula(*refs), s.cell(kind="flag"),
                     OVERDUE if task is not None and is_overdue(task, today) else "")
    ws.write_string(r, PLAN_TASK_COL["source"], ASSIGNED if assigned else "", s.cell())
    if task is not None:
        lines = max(estimate_lines(str(plain_value(getattr(task, c.key)) or ""), c.width)
                    for c in PLAN_TASK_COLUMNS if c.role == "unit")
        name_lines = estimate_lines(node_name(catalogue, code), PLAN_TASK_COLUMNS[1].width)
        ws.set_row(r, 15 * max(lines, name_lines) + 3)
    else:
        ws.set_row(r, 15 * TYPING_LINES + 3)  # a row to type a task in


def _task_validations(ws: Any, catalogue: Catalogue, last: int) -> None:
    first, col, year = PLAN_TASK_FIRST_ROW, PLAN_TASK_COL, catalogue.year
    ws.data_validation(first, col["code"], last, col["code"], {
        "validate": "list", "source": f"={PLAN_CODES_NAME}", "ignore_blank": True,
        "error_title": "Mã tiêu chí không hợp lệ",
        "error_message": "Chọn mã tiêu chí do đơn vị chủ trì, trong danh sách."})
    progress_validations(ws, first, last, col, year)


# ---------------------------------------------------------------------------------------------
# Metadata


def _meta(workbook: Any, catalogue: Catalogue, state: State, unit: str) -> None:
    ws = workbook.add_worksheet(META_SHEET)
    values = {
        "template_id": TEMPLATE_ID, "format_version": FORMAT_VERSION, "kind": PLAN_KIND,
        "catalogue_name": catalogue.name, "catalogue_year": catalogue.year,
        "catalogue_hash": catalogue.content_hash, "org": state.org, "unit_code": unit,
        "unit_name": catalogue.unit_name(unit), "generator": f"cchc-xl {__version__}",
    }
    write_meta_values(ws, values)
    codes = [c for c in nodes_by_code(catalogue) if c in led_codes(catalogue, unit)]
    for r, code in enumerate(codes):
        ws.write_string(r, PLAN_CODES_COL, code)
        ws.write_string(r, PLAN_CODES_COL + 1, node_name(catalogue, code))
    end = max(len(codes), 1) - 1
    quoted = quote_sheet(META_SHEET)
    first = cell_ref(0, PLAN_CODES_COL, True)
    workbook.define_name(PLAN_CODES_NAME, f"={quoted}!{first}:"
                                          f"{cell_ref(end, PLAN_CODES_COL, True)}")
    workbook.define_name(PLAN_NAMES_NAME, f"={quoted}!{first}:"
                                          f"{cell_ref(end, PLAN_CODES_COL + 1, True)}")
    ws.very_hidden()
