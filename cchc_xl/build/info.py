"""The master's 'Thông tin chung' sheet: settings and published results, all blue cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..criteria.numbers import vn_number
from ..format.info import (
    FIELDS_HEADING_ROW,
    LABEL_COL,
    NOTE_ROW,
    ORG_FIELDS,
    ORG_HEADING_ROW,
    OTHER_COL,
    PUBLISHED_HEADING_ROW,
    TITLE_ROW,
    VALUE_COL,
    InfoField,
    all_fields,
    field_points,
    info_cells,
)
from . import styles as st
from .context import Context, estimate_lines, print_a4_landscape, write_value

WIDTHS = (52, 40, 40)
KIND_FORMAT = {"text": "text", "lines": "text", "number": "number", "percent": "percent",
               "rank": "text", "date": "date"}


def write_info(ctx: Context, name: str) -> None:
    s, cat, info = ctx.styles, ctx.catalogue, ctx.state.info
    ws = ctx.workbook.add_worksheet(name)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.write_string(TITLE_ROW, 0, "THÔNG TIN CHUNG", s.title())
    ws.write_string(NOTE_ROW, 0, "Văn phòng gõ vào các ô xanh. Thông tin cơ quan dùng cho mọi văn "
                                 "bản công cụ xuất ra; kết quả công bố ghi đúng như văn bản công "
                                 "bố, không tính lại.", s.get(italic=True, font_size=10))
    cells = info_cells(cat)
    heading = s.header()
    ws.write_string(ORG_HEADING_ROW, LABEL_COL, "A. CƠ QUAN BAN HÀNH VĂN BẢN", heading)
    ws.write_string(ORG_HEADING_ROW, VALUE_COL, "Nội dung", heading)
    ws.write_string(ORG_HEADING_ROW, OTHER_COL, "Ví dụ", heading)
    for field in ORG_FIELDS:
        row, col = cells[field.key]
        _label(ctx, ws, row, field.label)
        _value(ctx, ws, field, row, col, info.get(field.key))
        ws.write_string(row, OTHER_COL, field.hint, s.cell(fill=None))
        lines = max(estimate_lines(field.label, WIDTHS[0]), estimate_lines(field.hint, WIDTHS[2]),
                    estimate_lines(str(info.get(field.key) or ""), WIDTHS[1]))
        ws.set_row(row, 15 * lines + 3)
    year = cat.year
    ws.write_string(PUBLISHED_HEADING_ROW, LABEL_COL, "B. KẾT QUẢ ĐƯỢC CÔNG BỐ", heading)
    ws.write_string(PUBLISHED_HEADING_ROW, VALUE_COL, f"Năm {year}", heading)
    ws.write_string(PUBLISHED_HEADING_ROW, OTHER_COL, f"Năm {year - 1} (như đã công bố)", heading)
    heights: dict[int, int] = {}  # a row's height follows the longer of its two years
    for field in all_fields(cat):
        if not field.key.startswith(("published.", "last_year.")):
            continue
        row, col = cells[field.key]
        _label(ctx, ws, row, field.label)
        _value(ctx, ws, field, row, col, info.get(field.key))
        heights[row] = max(heights.get(row, 1), estimate_lines(field.label, WIDTHS[0]),
                           estimate_lines(str(info.get(field.key) or ""), WIDTHS[col]))
    for row, count in heights.items():
        if count > 1:
            ws.set_row(row, 15 * count + 3)
    ws.write_string(FIELDS_HEADING_ROW, LABEL_COL, f"C. ĐIỂM TỪNG LĨNH VỰC ĐƯỢC CÔNG BỐ NĂM "
                                                   f"{year}", heading)
    ws.write_string(FIELDS_HEADING_ROW, VALUE_COL, "Điểm công bố", heading)
    ws.write_string(FIELDS_HEADING_ROW, OTHER_COL, "Điểm tối đa", heading)
    for f, field in zip(cat.fields, field_points(cat)):
        row, col = cells[field.key]
        _label(ctx, ws, row, field.label)
        _value(ctx, ws, field, row, col, info.get(field.key))
        ws.write_string(row, OTHER_COL, vn_number(f.max), s.cell())
    print_a4_landscape(ws)
    ctx.protect(ws, "info")


def _label(ctx: Context, ws: Any, row: int, text: str) -> None:
    ws.write_string(row, LABEL_COL, text, ctx.styles.cell())


def _value(ctx: Context, ws: Any, field: InfoField, row: int, col: int, value: Any) -> None:
    fmt = ctx.styles.cell(kind=KIND_FORMAT[field.kind], fill=st.OFFICE_INPUT, unlocked=True)
    write_value(ws, row, col, value, fmt, ctx.styles)
    ctx.define(field.name, ws.get_name(), row, col)
    if field.kind in ("number", "percent"):
        ws.data_validation(row, col, row, col, {
            "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
            "error_title": "Chỉ nhập số", "error_message": "Ô này chỉ nhận số (không âm)."})
    elif field.kind == "date":
        ws.data_validation(row, col, row, col, {
            "validate": "date", "criteria": ">=", "value": dt.date(2000, 1, 1),
            "ignore_blank": True, "error_title": "Ngày không hợp lệ",
            "error_message": "Nhập ngày dạng dd/mm/yyyy."})
