"""The units at a glance (master sheet 'Đơn vị') and each unit's supplement requests.

Both are derived from the state (analysis/requests.py) and never read back: the master shows
every unit's status and open requests; a unit's next workbook shows its own requests on the
sheet 'Yêu cầu bổ sung', beside the figures already merged for it.
"""

from __future__ import annotations

from typing import Any

from ..analysis.requests import Request, unit_requests, unit_statuses
from ..format.layout import UNITS_FIRST_ROW, UNITS_HEADER_ROW
from .context import Context, estimate_lines, print_a4_landscape

STATUS_COLUMNS = (("Mã", 7), ("Đơn vị", 30), ("Tiêu chí chủ trì", 9), ("Tiêu chí phối hợp", 9),
                  ("Tệp đã gộp gần nhất", 30), ("Lưu lúc", 16), ("Thời hạn gửi", 18),
                  ("Yêu cầu còn mở", 9))
REQUEST_COLUMNS = (("Đơn vị", 7), ("Nội dung", 24), ("Mã", 8), ("Tiêu chí", 40),
                   ("Yêu cầu", 60))


def write_units(ctx: Context, name: str) -> None:
    """Master: one row per unit with a workbook, then every open request."""
    s, report = ctx.styles, ctx.report
    ws = ctx.workbook.add_worksheet(name)
    ws.write_string(0, 0, "CÁC ĐƠN VỊ: TÌNH HÌNH GỬI TỆP VÀ YÊU CẦU BỔ SUNG", s.title())
    ws.write_string(1, 0, "Tự tính từ số liệu đã gộp (không gõ vào sheet này). Các yêu cầu của mỗi "
                          "đơn vị được ghi vào tệp tiếp theo gửi cho đơn vị (sheet 'Yêu cầu bổ "
                          "sung'); hạn gửi ghi ở sheet 'Thông tin chung'.",
                    s.get(italic=True, font_size=10))
    for i, (header, width) in enumerate(STATUS_COLUMNS):
        ws.write_string(UNITS_HEADER_ROW, i, header, s.header())
        ws.set_column(i, i, max(width, REQUEST_COLUMNS[i][1] if i < len(REQUEST_COLUMNS) else 0))
    ws.set_row(UNITS_HEADER_ROW, 30)
    text, number = s.cell(), s.cell(kind="count")
    statuses = unit_statuses(report, ctx.today)
    r = UNITS_FIRST_ROW
    for status in statuses:
        saved = status.saved.astimezone().strftime("%d/%m/%Y %H:%M") if status.saved else ""
        values: tuple[Any, ...] = (status.code, status.name, status.leads, status.supports,
                                   status.returned, saved, status.timeliness,
                                   len(status.requests))
        for c, value in enumerate(values):
            if isinstance(value, int):
                ws.write_number(r, c, value, number)
            else:
                ws.write_string(r, c, value, text)
        widths = [max(w, REQUEST_COLUMNS[i][1] if i < len(REQUEST_COLUMNS) else 0)
                  for i, (_, w) in enumerate(STATUS_COLUMNS)]
        lines = max(estimate_lines(str(v), w) for v, w in zip(values, widths))
        ws.set_row(r, 15 * lines + 3)
        r += 1
    r += 1
    ws.write_string(r, 0, "YÊU CẦU BỔ SUNG CÒN MỞ", s.get(bold=True, font_size=12))
    r += 1
    for i, (header, _) in enumerate(REQUEST_COLUMNS):
        ws.write_string(r, i, header, s.header())
    r += 1
    requests = [req for status in statuses for req in status.requests]
    _request_rows(ctx, ws, r, requests, with_unit=True)
    ws.freeze_panes(UNITS_FIRST_ROW, 2)
    print_a4_landscape(ws)
    ctx.protect(ws, "units")


def write_requests(ctx: Context, name: str) -> None:
    """A unit's workbook: what the Văn phòng asks it to fix or send."""
    s, unit = ctx.styles, ctx.unit or ""
    ws = ctx.workbook.add_worksheet(name)
    ws.write_string(0, 0, "YÊU CẦU BỔ SUNG CỦA VĂN PHÒNG SỞ", s.title())
    ws.write_string(1, 0, f"{ctx.catalogue.unit_name(unit)}: sửa trực tiếp trong tệp này (số liệu "
                          "đã gộp được giữ sẵn), rồi lưu và gửi lại Văn phòng.",
                    s.get(italic=True, font_size=10))
    headers = REQUEST_COLUMNS[1:]
    for i, (header, width) in enumerate(headers):
        ws.write_string(UNITS_HEADER_ROW, i, header, s.header())
        ws.set_column(i, i, width)
    requests = unit_requests(ctx.report, unit)
    if requests:
        _request_rows(ctx, ws, UNITS_FIRST_ROW, requests, with_unit=False)
    else:
        ws.write_string(UNITS_FIRST_ROW, 0, "Không có yêu cầu bổ sung.", s.cell())
    ws.freeze_panes(UNITS_FIRST_ROW, 0)
    print_a4_landscape(ws)
    ctx.protect(ws, "units")


def _request_rows(ctx: Context, ws: Any, first: int, requests: list[Request],
                  with_unit: bool) -> None:
    cat, text = ctx.catalogue, ctx.styles.cell()
    columns = REQUEST_COLUMNS if with_unit else REQUEST_COLUMNS[1:]
    for r, req in enumerate(requests, start=first):
        leaf = cat.leaf(req.code) if req.code else None
        values: tuple[str, ...] = (req.kind_text, req.code, leaf.name if leaf else "",
                                   req.message)
        if with_unit:
            values = (req.unit, *values)
        for c, value in enumerate(values):
            ws.write_string(r, c, value, text)
        ws.set_row(r, 15 * max(estimate_lines(v, w) for v, (_, w) in zip(values, columns)) + 3)
