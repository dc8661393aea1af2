"""The progress report of the remediation plan on a date, in Excel or Word (báo cáo tiến độ).

One model (`analysis.progress.Progress`), two outputs. The Excel workbook has proper tables —
numbers as numbers, dates as dates, table objects with filters, frozen headers, overdue rows
shaded, A4 landscape — one sheet per table; the Word report is `progress_docx.py`, in the
Nghị định 30 frame (`admin.py`) every Word document shares.

Both return a `DocumentResult`: the tracker rows the report cannot count as typed (no deadline, a
deadline that is not a date, an unknown code or unit …) are warnings located on the sheet 'Theo
dõi khắc phục'; the Word report adds the frame's (no signer, no abbreviation … on 'Thông tin
chung').
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.progress import Progress
from ..analysis.report import Report
from ..analysis.tasks import task_code, task_row_problems
from ..files.atomic import atomic_write
from ..format.layout import TRACKER_SHEET, cell_ref, col_letter
from ..format.tracker import DONE, OVERDUE, TASK_COL
from .admin import Frame, check_frame
from .outcome import DocumentResult, Warnings, output_suffix
from .text import agency_name

FONT = "Times New Roman"
OVERDUE_FILL = "#F8CBAD"


@dataclass(frozen=True)
class Col:
    header: str
    key: str
    kind: str  # text, date, int, number, percent
    width: float


OVERDUE_COLUMNS = (
    Col("Mã tiêu chí", "code", "text", 9), Col("Tiêu chí", "name", "text", 30),
    Col("Nhiệm vụ", "task", "text", 40), Col("Đơn vị chủ trì", "lead_name", "text", 20),
    Col("Thời hạn", "deadline", "date", 11), Col("Số ngày quá hạn", "days_late", "int", 9),
    Col("Tình trạng ghi nhận", "status", "text", 14), Col("Ghi chú", "note", "text", 24))
COUNT_COLUMNS = (
    Col("Tổng số nhiệm vụ", "total", "int", 9), Col("Hoàn thành", "done", "int", 9),
    Col("Đang thực hiện", "started", "int", 9), Col("Chưa thực hiện", "not_started", "int", 9),
    Col("Quá hạn", "overdue", "int", 9), Col("Tỷ lệ hoàn thành", "share_done", "percent", 10))
UNIT_COLUMNS = (Col("Mã đơn vị", "lead", "text", 9), Col("Đơn vị chủ trì", "lead_name",
                                                            "text", 30), *COUNT_COLUMNS)
FIELD_COLUMNS = (Col("Lĩnh vực", "field", "text", 8), Col("Tên lĩnh vực", "field_name", "text",
                                                           44), *COUNT_COLUMNS)
RISK_COLUMNS = (
    Col("Mã tiêu chí", "code", "text", 9), Col("Tiêu chí", "name", "text", 44),
    Col("Đơn vị chủ trì", "lead_name", "text", 22), Col("Điểm bị trừ", "lost", "number", 9),
    Col("Điểm còn thiếu so với mục tiêu", "needed", "number", 11),
    Col("Nhiệm vụ quá hạn", "overdue", "int", 9),
    Col("Nhiệm vụ chưa thực hiện", "not_started", "int", 10))
TASK_COLUMNS = (
    Col("Mã tiêu chí", "code", "text", 9), Col("Tiêu chí", "name", "text", 26),
    Col("Lĩnh vực", "field_name", "text", 18), Col("Nhiệm vụ", "task", "text", 36),
    Col("Sản phẩm, kết quả", "deliverable", "text", 24),
    Col("Đơn vị chủ trì", "lead_name", "text", 18), Col("Đơn vị phối hợp", "support", "text", 16),
    Col("Thời hạn", "deadline", "date", 11),
    Col("Tình trạng tại ngày báo cáo", "state", "text", 14),
    Col("Ngày hoàn thành", "completed", "date", 11), Col("Số ngày trễ", "days_late", "int", 8),
    Col("Kết quả thực hiện, tài liệu chứng minh", "evidence", "text", 28),
    Col("Ghi chú", "note", "text", 20))


def export_progress(progress: Progress, report: Report, out: Path,
                    task_rows: list[int] | None = None) -> DocumentResult:
    """Write the progress report to `out` (.docx or .xlsx), atomically; returns the path and the
    warnings. `task_rows`: the tracker's sheet row (0-based) of each of `report.state.tasks`, so
    a warning names its cell."""
    out = Path(out)
    suffix = output_suffix(out, (".docx", ".xlsx"), "báo cáo tiến độ")
    warnings = tracker_warnings(report, task_rows)
    if suffix == ".docx":
        from .progress_docx import write_progress_docx

        frame = progress_frame(progress, report)
        check_frame(frame, report.catalogue, warnings)
        atomic_write(out, lambda tmp: write_progress_docx(progress, report, frame, tmp))
    else:
        atomic_write(out, lambda tmp: write_progress_xlsx(progress, report, tmp))
    return DocumentResult(out, list(warnings))


def plan_name(report: Report) -> str:
    """The plan the report follows, as its title names it."""
    year = report.catalogue.year
    return (f"Kế hoạch khắc phục hạn chế, tồn tại trong công tác CCHC năm {year}; nâng cao "
            f"Chỉ số CCHC năm {year + 1}")


def title(progress: Progress, report: Report) -> str:
    return f"Tình hình thực hiện {plan_name(report)}, tính đến ngày {progress.on:%d/%m/%Y}"


def progress_frame(progress: Progress, report: Report) -> Frame:
    """'BÁO CÁO', "Số:      /BC-STP", dated in the year of the report's date."""
    name = agency_name(report.state.org, report.org.agency)
    return Frame(report.org, "BC", "BÁO CÁO", title(progress, report), progress.on.year, name)


def tracker_warnings(report: Report, task_rows: list[int] | None = None) -> Warnings:
    """What in the tracker the report cannot count as typed, located on its sheet: the checks
    of `cchc-xl check` (`analysis.tasks`), as warnings since the report is written anyway."""
    warnings = Warnings()
    tasks = report.state.tasks
    if not tasks:
        warnings.add(f"sheet '{TRACKER_SHEET}' chưa có nhiệm vụ nào: báo cáo không có số liệu "
                     "tiến độ. Hãy nhập nhiệm vụ ở sheet đó, hoặc gửi tệp kế hoạch cho các phòng, "
                     "đơn vị (nút 'Tạo file kế hoạch cho đơn vị') rồi gộp tệp họ gửi lại (nút "
                     "'Gộp dữ liệu').", kind="progress-empty", sheet=TRACKER_SHEET)
    rows = task_rows if task_rows is not None and len(task_rows) == len(tasks) else None
    for i, task in enumerate(tasks):
        for key, message, _ in task_row_problems(task, report.catalogue):
            cell = cell_ref(rows[i], TASK_COL[key]) if rows is not None else None
            warnings.add(message, kind=f"task-{key}", code=task_code(task) or None,
                         sheet=TRACKER_SHEET, cell=cell)
    return warnings


def records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as dicts, NaN as None (documents never show 'nan')."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


# ---------------------------------------------------------------------------------------------
# Excel


def write_progress_xlsx(progress: Progress, report: Report, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_format_properties": {"font_name": FONT, "font_size": 11}})
    workbook.set_properties({"title": title(progress, report), "author": "cchc-xl"})
    formats = _formats(workbook)
    _overview(workbook, formats, progress, report)
    state_col = next(i for i, c in enumerate(TASK_COLUMNS) if c.key == "state")
    sheets = (("Quá hạn", "NHIỆM VỤ QUÁ HẠN", OVERDUE_COLUMNS, progress.overdue, None),
              ("Theo đơn vị", "TIẾN ĐỘ THEO ĐƠN VỊ CHỦ TRÌ", UNIT_COLUMNS, progress.by_unit, None),
              ("Theo lĩnh vực", "TIẾN ĐỘ THEO LĨNH VỰC", FIELD_COLUMNS, progress.by_field, None),
              ("Nguy cơ mất điểm", "TIÊU CHÍ CÓ NHIỆM VỤ QUÁ HẠN HOẶC CHƯA THỰC HIỆN",
               RISK_COLUMNS, progress.at_risk, None),
              ("Tất cả nhiệm vụ", "DANH SÁCH NHIỆM VỤ (quá hạn trước)", TASK_COLUMNS,
               progress.tasks, state_col))
    for i, (name, heading, columns, frame, flag) in enumerate(sheets, start=1):
        ws = workbook.add_worksheet(name)
        ws.write_string(0, 0, heading, formats["title"])
        ws.write_string(1, 0, title(progress, report), formats["subtitle"])
        _table(workbook, ws, formats, columns, records(frame), f"BaoCao{i}", flag)
    workbook.close()


def _formats(workbook: Any) -> dict[str, Any]:
    base = {"font_name": FONT, "border": 1, "border_color": "#A6A6A6", "valign": "top"}
    return {
        "title": workbook.add_format({"font_name": FONT, "bold": True, "font_size": 14}),
        "subtitle": workbook.add_format({"font_name": FONT, "italic": True}),
        "header": workbook.add_format({**base, "bold": True, "text_wrap": True,
                                       "align": "center", "valign": "vcenter",
                                       "bg_color": "#D9E1F2"}),
        "text": workbook.add_format({**base, "text_wrap": True}),
        "date": workbook.add_format({**base, "num_format": "dd/mm/yyyy"}),
        "int": workbook.add_format({**base, "num_format": "0"}),
        "number": workbook.add_format({**base, "num_format": "0.00"}),
        "percent": workbook.add_format({**base, "num_format": "0.0%"}),
        "label": workbook.add_format({**base, "bold": True}),
        "overdue": workbook.add_format({"bg_color": OVERDUE_FILL, "font_color": "#9C0006"}),
    }


def _table(workbook: Any, ws: Any, formats: dict[str, Any], columns: tuple[Col, ...],
           rows: list[dict[str, Any]], name: str, flag_col: int | None) -> None:
    header, first = 3, 4
    shown = rows or [{columns[1].key: "Không có."}]
    last = first + len(shown) - 1
    ws.add_table(header, 0, last, len(columns) - 1, {
        "name": name, "style": "Table Style Light 1", "autofilter": True,
        "columns": [{"header": c.header, "header_format": formats["header"]} for c in columns]})
    for c, column in enumerate(columns):
        ws.set_column(c, c, column.width)
    ws.set_row(header, 45)
    for r, row in enumerate(shown, start=first):
        for c, column in enumerate(columns):
            _write(ws, r, c, row.get(column.key), column.kind, formats)
        ws.set_row(r, 15 * max(_lines(row.get(c.key), c.width) for c in columns) + 3)
    if flag_col is not None:
        letter = col_letter(flag_col)
        ws.conditional_format(first, 0, last, len(columns) - 1, {
            "type": "formula", "criteria": f'=${letter}{first + 1}="{OVERDUE}"',
            "format": formats["overdue"]})
    ws.freeze_panes(first, 0)
    _print_setup(ws, header)


def _write(ws: Any, r: int, c: int, value: Any, kind: str, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, formats[kind])
    elif kind == "date" and isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), formats[kind])
    elif kind in ("int", "number", "percent") and isinstance(value, (int, float)):
        ws.write_number(r, c, value, formats[kind])
    else:
        ws.write_string(r, c, str(value), formats["text"])


def _lines(value: Any, width: float) -> int:
    """Lines a wrapped text cell needs, roughly (XlsxWriter cannot autofit rows)."""
    if not isinstance(value, str) or not value:
        return 1
    return sum(max(1, math.ceil(len(part) * 1.15 / max(width - 1, 1)))
               for part in value.split("\n"))


def _print_setup(ws: Any, header: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header)


def _overview(workbook: Any, formats: dict[str, Any], progress: Progress,
              report: Report) -> None:
    ws = workbook.add_worksheet("Tổng quan")
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 16)
    ws.write_string(0, 0, "BÁO CÁO TIẾN ĐỘ THỰC HIỆN KẾ HOẠCH KHẮC PHỤC", formats["title"])
    ws.write_string(1, 0, report.org.agency or report.state.org, formats["subtitle"])
    ws.write_string(3, 0, "Tính đến ngày", formats["label"])
    ws.write_datetime(3, 1, dt.datetime(progress.on.year, progress.on.month, progress.on.day),
                      formats["date"])
    totals = progress.totals
    rows = (("Tổng số nhiệm vụ", "total", "int"), ("Hoàn thành", "done", "int"),
            ("Đang thực hiện", "started", "int"), ("Chưa thực hiện", "not_started", "int"),
            ("Quá hạn", "overdue", "int"), ("Tỷ lệ hoàn thành", "share_done", "percent"),
            ("Tiêu chí có nguy cơ mất điểm", None, "int"))
    for r, (label, key, kind) in enumerate(rows, start=4):
        ws.write_string(r, 0, label, formats["label"])
        value = totals[key] if key else len(progress.at_risk)
        _write(ws, r, 1, value, kind, formats)
    ws.write_string(len(rows) + 5, 0, f"'{DONE}': đã hoàn thành đến ngày báo cáo; '{OVERDUE}': "
                                      "quá thời hạn mà chưa hoàn thành.", formats["subtitle"])
    _print_setup(ws, 0)
