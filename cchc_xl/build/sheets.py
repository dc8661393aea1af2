"""The small sheets: cover (Hướng dẫn), evidence register, merge log and the hidden metadata."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .._version import __version__
from ..criteria.numbers import vn_number
from ..format.layout import (
    CATALOGUE_NAME,
    EVIDENCE_COL,
    EVIDENCE_COLUMNS,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_HEADER_ROW,
    EVIDENCE_LAST_ROW,
    FORMAT_VERSION,
    LOG_COLUMNS,
    LOG_FIRST_ROW,
    LOG_HEADER_ROW,
    MASTER_EVIDENCE_COLUMNS,
    META_LIST_FIRST_COL,
    META_MAP_COLUMNS,
    META_MAP_FIRST_COL,
    TEMPLATE_ID,
    Column,
    cell_ref,
    quote_sheet,
)
from . import styles as st
from .context import Context, estimate_lines, print_a4_landscape, write_value


def unit_steps(deduction: Decimal) -> list[str]:
    """The unit's how-to; the late-evidence deduction is the catalogue's, not a fixed 30%."""
    share = vn_number(deduction * 100)
    return [
        "Mở từng sheet lĩnh vực. Chỉ các tiêu chí do đơn vị chủ trì có ô màu vàng để nhập.",
        "Với tiêu chí tính theo tỷ lệ: nhập a (tổng số) và b (số đạt); b không được lớn hơn a.",
        "Với tiêu chí khác: nhập hoặc chọn ở cột 'Giá trị / lựa chọn' (số lượng, Đạt/Không "
        "đạt, mức lựa chọn, hoặc số điểm tự chấm).",
        "Cột 'Không chấm điểm': gõ x nếu đơn vị không được giao nhiệm vụ này (tiêu chí ra khỏi "
        "điểm tối đa). Cột 'Giải trình bổ sung': nếu tài liệu kiểm chứng phải bổ sung muộn, gõ x "
        "khi bổ sung cho cả tiêu chí, hoặc gõ số điểm của phần phải bổ sung (ví dụ 0,5); bị trừ "
        f"{share}% số điểm của phần đó.",
        "Điểm tự chấm tự tính ngay khi nhập. Nếu ô điểm báo 'Lỗi: …', hãy sửa ô nhập theo hướng "
        "dẫn.",
        "Ghi đủ tài liệu kiểm chứng ở sheet 'Tài liệu kiểm chứng' (mỗi văn bản một dòng, có mã "
        f"tiêu chí). Tiêu chí có điểm mà không có tài liệu kiểm chứng có nguy cơ bị trừ {share}%.",
        "Lưu tệp (giữ nguyên tên sheet, không thêm/xóa dòng) và gửi lại Văn phòng Sở.",
    ]


# The Văn phòng's steps in the order of the year, in the three phases of the cover's groups of
# buttons (build/macros.py COVER_GROUPS): each phase's heading, then its numbered steps.
MASTER_PHASES = [
    ("Tự đánh giá", [
        "Tạo file cho đơn vị (nút 'Tạo file cho đơn vị' hoặc lệnh: cchc-xl split): mỗi đơn vị "
        "chủ trì nhận một tệp chỉ có các tiêu chí của mình.",
        "Thu các tệp đơn vị gửi lại vào một thư mục, rồi Gộp dữ liệu (nút 'Gộp dữ liệu' hoặc "
        "cchc-xl merge): công cụ kiểm tra từng tệp và báo lỗi theo tệp, sheet, ô.",
        "Văn phòng nhập điểm điều tra xã hội học, điểm thưởng/điểm trừ, kết quả năm trước, mục "
        "tiêu năm nay (các ô màu xanh). Bất cứ lúc nào: nút 'Kiểm tra' (hoặc cchc-xl check) liệt "
        "kê số liệu sai, tiêu chí chưa nhập và tiêu chí có điểm nhưng chưa có tài liệu kiểm "
        "chứng.",
        "Đồng bộ (nút 'Đồng bộ' hoặc cchc-xl sync): cập nhật sheet Tổng hợp và Phân tích chênh "
        "lệch.",
    ]),
    ("Báo cáo, thẩm định", [
        "Xuất báo cáo tự đánh giá gửi Sở Nội vụ (nút 'Báo cáo tự đánh giá' hoặc cchc-xl report), "
        "kèm gói tài liệu kiểm chứng nếu chọn.",
        "Khi có kết quả thẩm định: nút 'Nhập điểm thẩm định' (hoặc cchc-xl appraisal) nhập điểm "
        "từ bảng tính của Hội đồng; tiêu chí bị chấm thấp hơn có một dòng ở sheet 'Giải trình "
        "thẩm định' để ghi giải trình.",
    ]),
    ("Khắc phục", [
        "Sau khi có kết quả công bố: Xuất kế hoạch khắc phục (nút hoặc cchc-xl plan) ra Word "
        "hoặc Excel.",
        "Gửi mỗi đơn vị tệp kế hoạch (nút 'Tạo file kế hoạch cho đơn vị' hoặc cchc-xl "
        "split-plan) để ghi nguyên nhân, giải pháp, nhiệm vụ; gộp tệp gửi về bằng nút 'Gộp dữ "
        "liệu' (hoặc cchc-xl merge) vào sheet 'Theo dõi khắc phục'.",
        "Trong năm: nút 'Báo cáo tiến độ khắc phục' (hoặc cchc-xl progress) xuất báo cáo tiến độ "
        "đến hôm nay, nhiệm vụ quá hạn trước.",
    ]),
]


def write_cover(ctx: Context, name: str, sheet_names: list[str]) -> Any:
    s, cat = ctx.styles, ctx.catalogue
    ws = ctx.workbook.add_worksheet(name)
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 100)
    ws.set_column(2, 2, 18)
    org = ctx.state.org or "Sở"
    ws.write_string(0, 1, f"{org.upper()}", s.get(bold=True, font_size=13))
    title = "TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM " + str(cat.year)
    ws.write_string(1, 1, title, s.get(bold=True, font_size=15))
    who = ("Tệp tổng hợp của Văn phòng Sở" if ctx.is_master
           else f"Tệp của đơn vị: {cat.unit_name(ctx.unit)} ({ctx.unit})")
    ws.write_string(2, 1, who, s.get(bold=True, italic=True, font_size=12))
    info = [f"Bộ tiêu chí: {cat.name}"]
    if cat.issued_by:
        info.append(f"Căn cứ: {cat.issued_by}")
    info.append(f"Tổng điểm tối đa: {vn_number(cat.max)} điểm; tài liệu kiểm chứng bổ sung muộn "
                f"bị trừ {vn_number(cat.supplement_deduction * 100)}% số điểm của phần phải bổ "
                "sung (cả tiêu chí hoặc một phần của nó).")
    wrap = s.get(text_wrap=True)
    row = 4
    for line in info:
        ws.write_string(row, 1, line, wrap)
        ws.set_row(row, 32 if len(line) > 110 else 16)
        row += 1
    row += 1
    ws.write_string(row, 1, "CÁCH LÀM", s.get(bold=True, font_size=12))
    row += 1
    phases = MASTER_PHASES if ctx.is_master else [("", unit_steps(cat.supplement_deduction))]
    number = 1
    for heading, steps in phases:
        if heading:
            ws.write_string(row, 1, heading, s.get(bold=True, italic=True))
            row += 1
        for step in steps:
            ws.write_number(row, 0, number, s.get(align="right"))
            ws.write_string(row, 1, step, wrap)
            ws.set_row(row, 16 * max(1, -(-len(step) // 110)) + 2)
            row += 1
            number += 1
    row += 1
    ws.write_string(row, 1, "MÀU Ô", s.get(bold=True, font_size=12))
    row += 1
    legend = [(st.UNIT_INPUT, "Ô đơn vị nhập (số liệu, lựa chọn, giải trình)"),
              (st.OFFICE_INPUT, "Ô Văn phòng nhập (điều tra xã hội học, thẩm định, năm trước, "
                                "mục tiêu, nguyên nhân, giải pháp)"),
              (st.NOT_APPLICABLE, "Không áp dụng cho tiêu chí này"),
              (None, "Ô không màu: công thức tự tính hoặc nội dung bộ tiêu chí, được khóa")]
    for fill, text in legend:
        fmt = s.cell(fill=fill) if fill else s.cell()
        ws.write_blank(row, 0, None, fmt)
        ws.write_string(row, 1, text, wrap)
        row += 1
    row += 1
    ws.write_string(row, 1, "CÁC SHEET", s.get(bold=True, font_size=12))
    row += 1
    for sheet in sheet_names:
        ws.write_url(row, 1, f"internal:{quote_sheet(sheet)}!A1", s.get(font_color="blue",
                     underline=1), sheet)
        row += 1
    print_a4_landscape(ws)
    ctx.protect(ws, "cover")
    return ws


def evidence_columns(kind: str) -> tuple[Column, ...]:
    """The register's columns: the master adds where each row came from."""
    return MASTER_EVIDENCE_COLUMNS if kind == "master" else EVIDENCE_COLUMNS


def evidence_codes(ctx: Context) -> list[str]:
    """Codes a register row may point at: the unit's own and supported items (master: all)."""
    if ctx.is_master:
        return [leaf.code for leaf in ctx.catalogue.all_leaves()]
    own = {leaf.code for leaf in ctx.catalogue.unit_leaves(ctx.unit)}
    own |= {leaf.code for leaf in ctx.catalogue.supported_leaves(ctx.unit)}
    return [leaf.code for leaf in ctx.catalogue.leaves() if leaf.code in own]


def write_evidence(ctx: Context, name: str) -> None:
    """The register: filled rows as cells; the empty rows below take their look, their unlocked
    state and their validations from the columns, so no blank cell is written for them."""
    s = ctx.styles
    ws = ctx.workbook.add_worksheet(name)
    columns = evidence_columns(ctx.kind)
    above = s.get()  # cells above the header stay plain and locked, not the columns' yellow
    for r in range(EVIDENCE_HEADER_ROW):
        for c in range(len(columns)):
            ws.write_blank(r, c, None, above)
    ws.write_string(0, 0, "SỔ TÀI LIỆU KIỂM CHỨNG", s.title())
    ws.write_string(1, 0, "Mỗi văn bản một dòng. Cột 'Mã tiêu chí' chọn trong danh sách; ngày "
                          "ban hành dạng dd/mm/yyyy; 'Đơn vị cung cấp' để trống nghĩa là đơn vị "
                          "của tệp này.", s.get(italic=True, font_size=10))
    text = s.cell(fill=st.UNIT_INPUT, unlocked=True)
    date = s.cell(kind="date", fill=st.UNIT_INPUT, unlocked=True)
    origin = s.cell()  # written by the tool, locked
    formats = {c.key: origin if c.key == "origin" else date if c.key == "date" else text
               for c in columns}
    for i, column in enumerate(columns):
        ws.write_string(EVIDENCE_HEADER_ROW, i, column.header, s.header())
        ws.set_column(i, i, column.width, formats[column.key])
    ws.set_row(EVIDENCE_HEADER_ROW, 30)
    rows = list(ctx.state.evidence)
    for i, entry in enumerate(rows):
        r = EVIDENCE_FIRST_ROW + i
        for column in columns:
            write_value(ws, r, EVIDENCE_COL[column.key], getattr(entry, column.key),
                        formats[column.key], s)
        # XlsxWriter cannot autofit: size filled rows to their text.
        lines = max(estimate_lines(str(getattr(entry, c.key) or ""), c.width)
                    for c in columns if c.key != "date")
        ws.set_row(r, 15 * lines + 3)
    first, last = EVIDENCE_FIRST_ROW, EVIDENCE_LAST_ROW
    ws.data_validation(first, EVIDENCE_COL["code"], last, EVIDENCE_COL["code"], {
        "validate": "list", "source": "=CCHC_CODES", "ignore_blank": True,
        "error_title": "Mã tiêu chí không có",
        "error_message": "Chọn mã tiêu chí trong danh sách."})
    year = ctx.catalogue.year
    ws.data_validation(first, EVIDENCE_COL["date"], last, EVIDENCE_COL["date"], {
        "validate": "date", "criteria": "between", "minimum": dt.date(year - 3, 1, 1),
        "maximum": dt.date(year + 1, 12, 31), "ignore_blank": True,
        "error_title": "Ngày không hợp lệ",
        "error_message": f"Nhập ngày dạng dd/mm/yyyy, trong khoảng {year - 3} đến {year + 1}."})
    ws.data_validation(first, EVIDENCE_COL["unit"], last, EVIDENCE_COL["unit"], {
        "validate": "list", "source": "=CCHC_UNITS", "ignore_blank": True,
        "error_title": "Mã đơn vị không có", "error_message": "Chọn mã đơn vị trong danh sách."})
    ws.freeze_panes(EVIDENCE_FIRST_ROW, 1)
    print_a4_landscape(ws, repeat=EVIDENCE_HEADER_ROW)
    ws.print_area(0, 0, EVIDENCE_FIRST_ROW + max(len(rows), 20) - 1, len(columns) - 1)
    ctx.protect(ws, "evidence")


def write_log(ctx: Context, name: str) -> None:
    s = ctx.styles
    ws = ctx.workbook.add_worksheet(name)
    ws.write_string(0, 0, "NHẬT KÝ GỘP DỮ LIỆU", s.title())
    widths = (18, 36, 36, 10, 22, 80, 18, 16)
    for i, ((_, header), width) in enumerate(zip(LOG_COLUMNS, widths)):
        ws.write_string(LOG_HEADER_ROW, i, header, s.header())
        ws.set_column(i, i, width)
    text = s.cell()
    digest = s.get(border=1, border_color=st.BORDER_COLOR, text_wrap=True, font_size=8)
    for r, row in enumerate(ctx.state.log, start=LOG_FIRST_ROW):
        values = tuple(getattr(row, key) for key, _ in LOG_COLUMNS)
        for c, value in enumerate(values):
            ws.write_string(r, c, value, digest if c == 2 else text)
        lines = max(estimate_lines(v, w) for v, w in zip(values, widths) if v is not row.sha256)
        ws.set_row(r, 15 * max(lines, 2) + 3)
    ws.freeze_panes(LOG_FIRST_ROW, 0)
    # 220 characters wide: three pages across unless fitted to one page wide
    print_a4_landscape(ws, repeat=LOG_HEADER_ROW)
    ctx.protect(ws, "log")


def write_meta_values(ws: Any, values: dict[str, Any]) -> None:
    """The key/value pairs of a '_cchc' sheet, in A:B from row 2 (numbers stay numbers)."""
    ws.write_string(0, 0, "key")
    ws.write_string(0, 1, "value")
    for r, (key, value) in enumerate(values.items(), start=1):
        ws.write_string(r, 0, key)
        if isinstance(value, int):
            ws.write_number(r, 1, value)
        else:
            ws.write_string(r, 1, str(value))


def write_meta(ctx: Context, name: str) -> None:
    """The hidden metadata sheet: identity, the row map, and the lists validations use."""
    ws = ctx.workbook.add_worksheet(name)
    cat = ctx.catalogue
    values = {
        "template_id": TEMPLATE_ID, "format_version": FORMAT_VERSION, "kind": ctx.kind,
        "catalogue_name": cat.name, "catalogue_year": cat.year,
        "catalogue_hash": cat.content_hash, "org": ctx.state.org,
        "unit_code": ctx.unit or "", "unit_name": cat.unit_name(ctx.unit) if ctx.unit else "",
        "generator": f"cchc-xl {__version__}",
    }
    write_meta_values(ws, values)
    if ctx.is_master:
        # The master carries its own catalogue so sync and merge need nothing else.
        from ..criteria.catalogue import dump_catalogue

        text = dump_catalogue(cat)
        chunks = [text[i:i + 30000] for i in range(0, len(text), 30000)]
        first = r = len(values) + 1
        for i, chunk in enumerate(chunks, start=1):
            ws.write_string(r, 0, f"catalogue_yaml_{i}")
            ws.write_string(r, 1, chunk)
            r += 1
        # The Python UDFs take the catalogue as an argument: this name hands it to them.
        ctx.names[CATALOGUE_NAME] = (f"={quote_sheet(name)}!{cell_ref(first, 1, True)}:"
                                       f"{cell_ref(r - 1, 1, True)}")
    for i, header in enumerate(META_MAP_COLUMNS):
        ws.write_string(0, META_MAP_FIRST_COL + i, header)
    for r, entry in enumerate(ctx.row_map, start=1):
        ws.write_string(r, META_MAP_FIRST_COL, entry.code)
        ws.write_string(r, META_MAP_FIRST_COL + 1, entry.sheet)
        ws.write_number(r, META_MAP_FIRST_COL + 2, entry.row + 1)  # 1-based, as users see rows
        ws.write_string(r, META_MAP_FIRST_COL + 3, entry.role)
        ws.write_string(r, META_MAP_FIRST_COL + 4, entry.kind)
    _write_lists(ctx, ws, name)
    ws.very_hidden()


def _write_lists(ctx: Context, ws: Any, name: str) -> None:
    codes = evidence_codes(ctx)
    units = [u.code for u in ctx.catalogue.units]
    code_col, unit_col = META_LIST_FIRST_COL, META_LIST_FIRST_COL + 1
    for r, code in enumerate(codes):
        ws.write_string(r, code_col, code)
    for r, code in enumerate(units):
        ws.write_string(r, unit_col, code)
    quoted = quote_sheet(name)
    ctx.workbook.define_name("CCHC_CODES", f"={quoted}!{cell_ref(0, code_col, True)}:"
                                           f"{cell_ref(max(len(codes), 1) - 1, code_col, True)}")
    ctx.workbook.define_name("CCHC_UNITS", f"={quoted}!{cell_ref(0, unit_col, True)}:"
                                           f"{cell_ref(len(units) - 1, unit_col, True)}")
    for r, (_code, options) in enumerate(ctx.option_lists):
        for c, option in enumerate(options):
            ws.write_string(r, META_LIST_FIRST_COL + 2 + c, option)
