"""The progress report in Word, in the administrative form of Nghị định 30/2020/NĐ-CP.

A minimal frame of its own (heading block, title, body, Nơi nhận and signature, page numbers from
page 2), filled from the master's 'Thông tin chung' settings; it is meant to move onto the shared
administrative frame (`documents/admin.py`) once that exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis.progress import Progress
from ..analysis.report import Report
from ..criteria.numbers import vn_number, vn_percent
from ..format.info import OrgSettings
from .progress import FIELD_COLUMNS, OVERDUE_COLUMNS, RISK_COLUMNS, UNIT_COLUMNS, Col, records
from .progress import title as report_title

FONT = "Times New Roman"
APPENDIX_COLUMNS = (
    Col("Mã tiêu chí", "code", "text", 1.5), Col("Nhiệm vụ", "task", "text", 6.2),
    Col("Sản phẩm, kết quả", "deliverable", "text", 4.0),
    Col("Đơn vị chủ trì", "lead_name", "text", 3.5), Col("Thời hạn", "deadline", "date", 2.2),
    Col("Tình trạng", "state", "text", 2.6), Col("Ngày hoàn thành", "completed", "date", 2.2),
    Col("Kết quả thực hiện", "evidence", "text", 3.6))


def write_progress_docx(progress: Progress, report: Report, path: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    _page_numbers(section)
    org = report.org
    _heading(doc, org, progress)
    _para(doc, "BÁO CÁO", bold=True, center=True, size=14, before=12, after=0)
    _para(doc, report_title(progress, report), bold=True, center=True, size=14, after=12)
    _body(doc, progress)
    _signature(doc, org)
    _appendix(doc, progress)
    doc.core_properties.title = report_title(progress, report)
    doc.core_properties.author = "cchc-xl"
    doc.save(str(path))


def _para(doc: Any, text: str = "", *, bold: bool = False, italic: bool = False,
          center: bool = False, size: int = 13, before: int = 0, after: int = 6,
          indent: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return p


def _heading(doc: Any, org: OrgSettings, progress: Progress) -> None:
    """Agency over the issuing unit on the left, Quốc hiệu and motto on the right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=3, cols=2)
    _widths(table, [6.0, 10.0])
    place = org.place or "…"
    cells = [((org.parent.upper(), False), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True)),
             ((org.agency.upper(), True), ("Độc lập - Tự do - Hạnh phúc", True)),
             ((f"Số:      /BC-{org.abbreviation}", False),
              (f"{place}, ngày      tháng      năm {progress.on.year}", False))]
    for row, pair in zip(table.rows, cells):
        for cell, (text, bold) in zip(row.cells, pair):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold = bold
            run.italic = text.startswith(place) and not bold
            run.font.size = Pt(12 if bold and text.isupper() else 13 if bold else 12)


def _body(doc: Any, progress: Progress) -> None:
    t = progress.totals
    share = vn_percent(_dec(t["share_done"]), 1) if t["share_done"] is not None else "0%"
    _para(doc, "I. TÌNH HÌNH CHUNG", bold=True)
    _para(doc, f"Tính đến ngày {progress.on:%d/%m/%Y}, Kế hoạch có {t['total']} nhiệm vụ: hoàn "
               f"thành {t['done']} ({share}); đang thực hiện {t['started']}; chưa thực hiện "
               f"{t['not_started']}; quá hạn {t['overdue']} nhiệm vụ.", indent=True)
    _para(doc, "II. NHIỆM VỤ QUÁ HẠN", bold=True)
    overdue = records(progress.overdue)
    if overdue:
        _table(doc, OVERDUE_COLUMNS[:6] + OVERDUE_COLUMNS[7:], overdue,
               [1.2, 2.6, 4.0, 2.2, 2.3, 1.4, 1.4])
    else:
        _para(doc, "Không có nhiệm vụ quá hạn.", indent=True)
    _para(doc, "III. TIẾN ĐỘ THEO ĐƠN VỊ CHỦ TRÌ", bold=True, before=6)
    _table(doc, UNIT_COLUMNS[1:], records(progress.by_unit), [4.3] + [1.8] * 6)
    _para(doc, "IV. TIẾN ĐỘ THEO LĨNH VỰC", bold=True, before=6)
    _table(doc, FIELD_COLUMNS[1:], records(progress.by_field), [4.3] + [1.8] * 6)
    _para(doc, "V. TIÊU CHÍ CÓ NGUY CƠ KHÔNG CẢI THIỆN ĐƯỢC ĐIỂM", bold=True, before=6)
    risk = records(progress.at_risk)
    if risk:
        _para(doc, "Các tiêu chí có nhiệm vụ quá hạn hoặc chưa thực hiện, với số điểm đã bị trừ:",
              indent=True)
        _table(doc, RISK_COLUMNS, risk, [1.3, 4.3, 2.6, 1.5, 1.8, 1.2, 1.4])
    else:
        _para(doc, "Không có tiêu chí nào có nhiệm vụ quá hạn hoặc chưa thực hiện.", indent=True)
    _para(doc, "VI. ĐỀ XUẤT", bold=True, before=6)
    _para(doc, "Đề nghị các phòng, đơn vị có nhiệm vụ quá hạn hoặc chưa thực hiện khẩn trương "
               "triển khai, cập nhật tiến độ và tài liệu chứng minh vào tệp kế hoạch khắc phục, "
               "gửi về Văn phòng Sở; Văn phòng Sở tiếp tục theo dõi, đôn đốc, tổng hợp, báo cáo "
               "Lãnh đạo Sở. Danh sách nhiệm vụ chi tiết tại Phụ lục kèm theo./.", indent=True)


def _dec(value: float) -> Any:
    from decimal import Decimal

    return Decimal(str(value))


def _table(doc: Any, columns: tuple[Col, ...], rows: list[dict[str, Any]],
           widths_cm: list[float]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(columns) + 1)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["TT", *(c.header for c in columns)]):
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, Pt(11)
    for i, row in enumerate(rows, start=1):
        cells = table.add_row().cells
        values = [str(i), *(_shown(row.get(c.key), c.kind) for c in columns)]
        for cell, text in zip(cells, values):
            cell.paragraphs[0].add_run(text).font.size = Pt(11)
    _widths(table, [0.9, *widths_cm])
    tr_pr = table.rows[0]._tr.get_or_add_trPr()  # the header repeats on every page
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _shown(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "date":
        return f"{value:%d/%m/%Y}"
    if kind == "percent":
        return vn_percent(_dec(value), 1)
    if kind == "number":
        return vn_number(_dec(value), 2)
    if kind == "int":
        return str(int(value))
    return str(value).replace("\x0b", "\n")


def _widths(table: Any, widths_cm: list[float]) -> None:
    from docx.shared import Cm

    table.autofit = False  # Word reads cell widths, LibreOffice the grid columns: set both
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _signature(doc: Any, org: OrgSettings) -> None:
    """Nơi nhận (bold italic 12 pt, the list 11 pt) on the left, the signer on the right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=2)
    _widths(table, [8.0, 8.0])
    left, right = table.rows[0].cells
    head = left.paragraphs[0].add_run("Nơi nhận:")
    head.bold, head.italic, head.font.size = True, True, Pt(12)
    for line in org.recipients:
        paragraph = left.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(line).font.size = Pt(11)
    first = True
    for line in org.signature_lines():
        paragraph = right.paragraphs[0] if first else right.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).bold = True
        first = False
    for _ in range(3):
        right.add_paragraph()
    name = right.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name.add_run(org.signer_name or "").bold = True


def _appendix(doc: Any, progress: Progress) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    landscape = doc.add_section()
    landscape.orientation = WD_ORIENT.LANDSCAPE
    landscape.page_width, landscape.page_height = Cm(29.7), Cm(21)
    landscape.left_margin = landscape.right_margin = Cm(1.5)
    _para(doc, "Phụ lục", bold=True, center=True, after=0)
    _para(doc, "DANH SÁCH NHIỆM VỤ KHẮC PHỤC VÀ TÌNH TRẠNG THỰC HIỆN", bold=True, center=True,
          after=0)
    _para(doc, f"(Kèm theo Báo cáo số      /BC-… ngày {progress.on:%d/%m/%Y}; nhiệm vụ quá hạn "
               "xếp trước)", italic=True, center=True)
    rows = records(progress.tasks)
    if rows:
        _table(doc, APPENDIX_COLUMNS, rows, [c.width for c in APPENDIX_COLUMNS])
    else:
        _para(doc, "Chưa có nhiệm vụ nào trong sheet 'Theo dõi khắc phục'.", center=True)


def _page_numbers(section: Any) -> None:
    """A centred PAGE field in the header, shown from page 2 (the first page has none)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
