"""The remediation plan (Kế hoạch khắc phục), as the seeds write it, in Word or Excel.

Two tables from one model: the per-field appendix of Lạng Sơn (max, results, target, lead,
support, deadline, total and index rows) and Khánh Hòa's table of every sub-criterion below its
maximum (achieved, cause, remedy, responsible unit, deadline). Labels such as "trừ 3 điểm" are
derived from the numbers, so the plan cannot disagree with itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..analysis.report import NodeReport, Report
from ..criteria.engine import index_of
from ..criteria.numbers import vn_number, vn_percent
from ..errors import FileError
from ..files.atomic import atomic_write
from ..format.state import as_date, plain_value

ZERO = Decimal(0)
BLANK = ""


@dataclass(frozen=True)
class FieldRow:
    number: str
    name: str
    max: str
    last_year: str
    achieved: str
    target: str
    lead: str
    support: str
    deadline: str


@dataclass(frozen=True)
class ItemRow:
    number: str
    code: str
    name: str
    max: str
    achieved: str
    lost: str
    cause: str
    remedy: str
    responsible: str
    deadline: str


@dataclass
class PlanModel:
    org: str
    year: int
    title: str
    intro: str
    field_headers: tuple[str, ...]
    fields: list[FieldRow]
    total: FieldRow
    index: FieldRow
    item_headers: tuple[str, ...]
    items: list[ItemRow]


def typed_text(value: Any) -> str:
    """What a person typed, as a document shows it: dates dd/mm/yyyy, a formula's value."""
    value = plain_value(value)
    date = as_date(value)
    if date is not None:
        return f"{date:%d/%m/%Y}"
    return "" if value is None else printable(str(value)).strip()


# Control characters a cell can hold but a Word document cannot: a line break copied from Word
# (vertical tab) or a page break becomes a new line; the others are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    return _CONTROL.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", text)


def _num(value: Decimal | None) -> str:
    return BLANK if value is None else vn_number(value)


def _field_label(row: NodeReport) -> str:
    if row.applicable_max == 0:
        return "không chấm điểm"
    return "Tiêu chí đạt điểm tối đa" if row.lost == 0 else \
        f"Tiêu chí trừ {vn_number(row.lost)} điểm"


def build_plan(report: Report) -> PlanModel:
    cat = report.catalogue
    year = cat.year
    default_deadline = f"Tháng 12/{year + 1}"
    fields = []
    for i, f in enumerate(report.fields, start=1):
        fields.append(FieldRow(
            str(i), f"{f.node.name} ({_field_label(f)})", _num(f.applicable_max),
            _num(f.last_year), _num(f.achieved), _num(f.target),
            cat.unit_name(f.node.lead), "; ".join(cat.unit_name(u) for u in f.node.support),
            typed_text(f.entry.deadline) or default_deadline))
    achieved = report.achieved + report.bonus - report.penalty
    total = FieldRow("", "TỔNG ĐIỂM", _num(report.applicable_max), _num(report.last_year),
                     _num(achieved), _num(report.target), "", "", "")
    index = FieldRow("", "Giá trị điểm chỉ số CCHC đạt được", "",
                     _pct(report.last_year, report.applicable_max),
                     _pct(achieved, report.applicable_max),
                     _pct(report.target, report.applicable_max), "", "", "")
    items = []
    for i, leaf in enumerate((r for r in report.gap_leaves() if r.lost > 0), start=1):
        node = leaf.node
        responsible = cat.unit_name(node.lead) + " chủ trì"
        if node.support:
            responsible += "; " + ", ".join(cat.unit_name(u) for u in node.support) + " phối hợp"
        items.append(ItemRow(str(i), node.code, node.name, _num(leaf.applicable_max),
                             _num(leaf.achieved), _num(leaf.lost),
                             typed_text(leaf.entry.cause), typed_text(leaf.entry.remedy),
                             responsible,
                             typed_text(leaf.entry.deadline) or f"Trong năm {year + 1}"))
    org = report.state.org or "Sở"
    title = (f"Khắc phục hạn chế, tồn tại trong công tác cải cách hành chính năm {year}; "
             f"nâng cao Chỉ số cải cách hành chính năm {year + 1} của {org}")
    index_text = vn_percent(report.index) if report.index is not None else "chưa tính được"
    intro = (f"Năm {year}, {org} đạt {vn_number(achieved)}/{vn_number(report.applicable_max)} "
             f"điểm (Chỉ số CCHC {index_text}, xếp loại {report.rating or 'chưa xếp loại'}). "
             f"Có {len(items)} tiêu chí thành phần chưa đạt điểm tối đa, được nêu tại Phụ lục II "
             "cùng nguyên nhân, giải pháp khắc phục và đơn vị thực hiện.")
    return PlanModel(
        org, year, title, intro,
        ("STT", "Lĩnh vực", "Điểm tối đa (không tính tiêu chí không chấm điểm)",
         f"Kết quả năm {year - 1}", f"Kết quả năm {year}", "Mục tiêu điểm số",
         "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"),
        fields, total, index,
        ("STT", "Mã", "Tiêu chí thành phần", "Điểm tối đa", "Điểm đạt", "Bị trừ",
         "Nguyên nhân", "Giải pháp khắc phục", "Trách nhiệm thực hiện", "Thời gian"),
        items)


def _pct(points: Decimal | None, applicable: Decimal) -> str:
    value = index_of(points, applicable) if points is not None else None
    return vn_percent(value) if value is not None else BLANK


def export_plan(report: Report, out: Path) -> Path:
    """Write the plan for a master's report to `out` (.docx or .xlsx), atomically."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        raise FileError(f"Chỉ xuất kế hoạch ra .docx (Word) hoặc .xlsx (Excel), không phải "
                        f"'{out.suffix}'.")
    model = build_plan(report)
    writer = write_docx if suffix == ".docx" else write_xlsx
    atomic_write(out, lambda tmp: writer(model, tmp))
    return out


# ---------------------------------------------------------------------------------------------
# Word


def _heading_lines(org: str) -> tuple[str, str]:
    """('UBND TỈNH LẠNG SƠN', 'SỞ TƯ PHÁP') from 'Sở Tư pháp tỉnh Lạng Sơn'."""
    match = re.match(r"(.*?)\s+(tỉnh|thành phố)\s+(.+)$", org, flags=re.IGNORECASE)
    if match:
        return f"UBND {match.group(2).upper()} {match.group(3).upper()}", match.group(1).upper()
    return "", org.upper()


def write_docx(model: PlanModel, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)

    def para(text: str = "", *, bold: bool = False, italic: bool = False,
             align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY, size: int = 13, before: int = 0,
             after: int = 6) -> object:
        p = doc.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_before = Pt(before)
        p.paragraph_format.space_after = Pt(after)
        run = p.add_run(printable(text))
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
        return p

    _national_heading(doc, model, Pt, WD_ALIGN_PARAGRAPH)
    para("KẾ HOẠCH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, before=12, after=0)
    para(model.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, after=12)
    para("I. KẾT QUẢ VÀ HẠN CHẾ", bold=True)
    para(model.intro)
    para("II. NHIỆM VỤ, GIẢI PHÁP KHẮC PHỤC", bold=True)
    para("Các phòng, đơn vị thuộc Sở căn cứ Phụ lục I (chỉ tiêu theo lĩnh vực) và Phụ lục II "
         "(tiêu chí thành phần chưa đạt điểm tối đa) xây dựng lộ trình thực hiện; Văn phòng Sở "
         "theo dõi, đôn đốc, tổng hợp và báo cáo.")
    para("III. TỔ CHỨC THỰC HIỆN", bold=True)
    para("Trưởng các phòng, đơn vị thuộc Sở tổ chức thực hiện các nhiệm vụ được giao tại Kế "
         "hoạch này; Văn phòng Sở là đầu mối theo dõi, tổng hợp, báo cáo Lãnh đạo Sở kết quả "
         "thực hiện. Trong quá trình thực hiện, nếu có vướng mắc, các phòng, đơn vị phản ánh về "
         "Văn phòng Sở để tổng hợp, báo cáo./.")
    _signature_block(doc, Pt, WD_ALIGN_PARAGRAPH)

    landscape = doc.add_section()
    landscape.orientation = WD_ORIENT.LANDSCAPE
    landscape.page_width, landscape.page_height = Cm(29.7), Cm(21)
    landscape.left_margin = landscape.right_margin = Cm(1.5)
    para("Phụ lục I", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    para("CHỈ TIÊU KHẮC PHỤC, NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH THEO LĨNH VỰC",
         bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    rows = [list(r.__dict__.values()) for r in model.fields]
    rows += [list(model.total.__dict__.values()), list(model.index.__dict__.values())]
    _docx_table(doc, model.field_headers, rows, [1.2, 6.3, 2.2, 2.0, 2.0, 2.0, 3.5, 4.0, 2.8],
                bold_rows={len(rows) - 2, len(rows) - 1}, Cm=Cm, Pt=Pt,
                align=WD_TABLE_ALIGNMENT.CENTER)
    doc.add_page_break()
    para("Phụ lục II", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    para("TIÊU CHÍ THÀNH PHẦN CHƯA ĐẠT ĐIỂM TỐI ĐA, NGUYÊN NHÂN VÀ GIẢI PHÁP KHẮC PHỤC",
         bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    item_rows = [list(r.__dict__.values()) for r in model.items] or \
        [["", "", "Không có tiêu chí thành phần nào bị trừ điểm.", "", "", "", "", "", "", ""]]
    _docx_table(doc, model.item_headers, item_rows,
                [1.2, 1.4, 5.0, 1.5, 1.5, 1.3, 4.2, 4.2, 3.6, 2.1], bold_rows=set(), Cm=Cm,
                Pt=Pt, align=WD_TABLE_ALIGNMENT.CENTER)
    doc.core_properties.title = model.title
    doc.core_properties.author = "cchc-xl"
    doc.save(str(path))


def _national_heading(doc: object, model: PlanModel, Pt: object, align: object) -> None:
    """The two-column heading block of Vietnamese administrative documents (Nghị định 30)."""
    upper, org_line = _heading_lines(model.org)
    table = doc.add_table(rows=3, cols=2)  # type: ignore[attr-defined]
    from docx.shared import Cm

    _set_widths(table, [6.0, 10.0], Cm)
    cells = [
        (upper, False, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
        (org_line, True, "Độc lập - Tự do - Hạnh phúc", True),
        ("Số:      /KH-", False, f"…, ngày … tháng … năm {model.year + 1}", False),
    ]
    for row, (left, left_bold, right, right_bold) in zip(table.rows, cells):
        for cell, text, bold in ((row.cells[0], left, left_bold), (row.cells[1], right,
                                                                   right_bold)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = align.CENTER  # type: ignore[attr-defined]
            run = paragraph.add_run(text)
            run.bold = bold
            run.italic = text.startswith("…")
            run.font.size = Pt(12 if bold or text.startswith("Số") else 13)  # type: ignore


def _signature_block(doc: Any, Pt: Any, align: Any) -> None:
    """Nơi nhận on the left, the signer on the right, as administrative documents end."""
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=2)
    _set_widths(table, [8.0, 8.0], Cm)
    left, right = table.rows[0].cells
    receivers = ["Nơi nhận:", "- Sở Nội vụ (để b/c);", "- Lãnh đạo Sở;",
                 "- Các phòng, đơn vị thuộc Sở;", "- Lưu: VT, VP."]
    left.paragraphs[0].add_run(receivers[0]).bold = True
    for line in receivers[1:]:
        run = left.add_paragraph().add_run(line)
        run.font.size = Pt(11)
    title = right.paragraphs[0]
    title.alignment = align.CENTER
    title.add_run("GIÁM ĐỐC").bold = True
    note = right.add_paragraph()
    note.alignment = align.CENTER
    note.add_run("(Ký, ghi rõ họ tên, đóng dấu)").italic = True


def _docx_table(doc: object, headers: tuple[str, ...], rows: list[list[str]],
                widths_cm: list[float], bold_rows: set[int], Cm: object, Pt: object,
                align: object) -> None:
    table = doc.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = align
    for cell, text in zip(table.rows[0].cells, headers):
        _cell_text(cell, text, bold=True, Pt=Pt)
    for i, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            _cell_text(cell, str(text), bold=i in bold_rows, Pt=Pt)
    _set_widths(table, widths_cm, Cm)
    _repeat_header(table)


def _set_widths(table: object, widths_cm: list[float], Cm: object) -> None:
    # Word reads cell widths, LibreOffice the grid columns: set both, with autofit off.
    table.autofit = False  # type: ignore[attr-defined]
    for column, width in zip(table.columns, widths_cm):  # type: ignore[attr-defined]
        column.width = Cm(width)  # type: ignore[operator]
    for row in table.rows:  # type: ignore[attr-defined]
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)  # type: ignore[operator]


def _cell_text(cell: object, text: str, *, bold: bool, Pt: object) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    run = paragraph.add_run(printable(text))
    run.bold = bold
    run.font.size = Pt(11)  # type: ignore[operator]


def _repeat_header(table: object) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


# ---------------------------------------------------------------------------------------------
# Excel


def write_xlsx(model: PlanModel, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_format_properties": {"font_name": "Times New Roman", "font_size": 12}})
    base = {"font_name": "Times New Roman", "text_wrap": True, "valign": "top", "border": 1}
    header = workbook.add_format({**base, "bold": True, "align": "center",
                                  "valign": "vcenter", "bg_color": "#D9E1F2"})
    cell = workbook.add_format(base)
    bold = workbook.add_format({**base, "bold": True})
    title = workbook.add_format({"font_name": "Times New Roman", "bold": True, "font_size": 14})
    sheets = (
        ("Phụ lục I - Lĩnh vực", "PHỤ LỤC I. CHỈ TIÊU THEO LĨNH VỰC", model.field_headers,
         [list(r.__dict__.values()) for r in model.fields]
         + [list(model.total.__dict__.values()), list(model.index.__dict__.values())],
         (5, 44, 14, 11, 11, 11, 22, 26, 14), 2),
        ("Phụ lục II - Tiêu chí", "PHỤ LỤC II. TIÊU CHÍ THÀNH PHẦN CHƯA ĐẠT ĐIỂM TỐI ĐA",
         model.item_headers, [list(r.__dict__.values()) for r in model.items],
         (5, 9, 40, 9, 9, 8, 30, 30, 28, 14), 0),
    )
    for name, heading, headers, rows, widths, bold_tail in sheets:
        ws = workbook.add_worksheet(name)
        ws.write_string(0, 0, model.title, title)
        ws.write_string(1, 0, heading, title)
        for c, (text, width) in enumerate(zip(headers, widths)):
            ws.write_string(3, c, text, header)
            ws.set_column(c, c, width)
        for r, values in enumerate(rows, start=4):
            fmt = bold if r >= 4 + len(rows) - bold_tail else cell
            for c, value in enumerate(values):
                ws.write_string(r, c, str(value), fmt)
        ws.set_row(3, 45)
        ws.freeze_panes(4, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(3)
    workbook.close()
