"""The administrative frame of Nghị định 30/2020/NĐ-CP, written once for every Word document.

A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm right; the two-column heading
(parent body over the agency with a short line under it, "Số:      /KH-STP"; the Quốc hiệu, the
motto with a line under it, the place and date in italics); the document type and title centred
bold with a short line; "Căn cứ …" paragraphs; a 14 pt justified body with a first-line indent;
page numbers centred in the header from page 2 (page 1 has a different, empty header);
appendices on landscape pages headed "Phụ lục …" and "(Kèm theo Kế hoạch số …)"; "Nơi nhận:"
bold italic 12 pt with its list in 11 pt; the signature block ("KT. GIÁM ĐỐC" over "PHÓ GIÁM
ĐỐC" when a deputy signs, space for the signature and seal, the signer's name).

The lines under the agency, the motto and the title are paragraph bottom borders narrowed by the
paragraph's indents, as Word users draw them: Word and LibreOffice both render them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..format.info import OrgSettings
from .outcome import Warnings
from .text import DOTS, printable

FONT = "Times New Roman"
BODY_PT = 14
INDENT_CM = 1.27
PAGE_CM = (21.0, 29.7)
# Nghị định 30: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 1.5}
LANDSCAPE_MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 2.0, "right": 1.5}
HEADING_COLUMNS_CM = (6.2, 10.3)
# The drawn lines (Nghị định 30): under the agency 1/3 to 1/2 of its name's width; under the motto
# the motto's own width (14 pt bold Times New Roman: 6,33 cm, measured in the rendered PDF with
# Liberation Serif, which has Times New Roman's metrics); under the title 1/3 of a full line.
AGENCY_LINE_SHARE = 0.45
MOTTO_LINE_CM = 6.33
TITLE_LINE_CM = 5.5
EM_CM = 2.54 / 72  # one point in cm
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
# w:pPr's children that come after w:pBdr (ECMA-376 CT_PPr order).
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
               "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
               "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
               "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
               "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")


@dataclass(frozen=True)
class Frame:
    """What the heading and the signature say: from 'Thông tin chung' and the document."""

    org: OrgSettings
    symbol: str  # 'KH' (kế hoạch), 'BC' (báo cáo)
    kind: str  # 'KẾ HOẠCH', 'BÁO CÁO'
    title: str
    year: int  # on the date line
    agency_name: str  # 'Sở Tư pháp tỉnh Lạng Sơn', as running text names it

    @property
    def number(self) -> str:
        """'Số:      /KH-STP': the number is the clerk's to write."""
        abbreviation = self.org.abbreviation or DOTS
        return f"Số:      /{self.symbol}-{abbreviation}"

    @property
    def date_line(self) -> str:
        place = self.org.place or DOTS
        return f"{place}, ngày      tháng      năm {self.year}"

    @property
    def reference(self) -> str:
        """'(Kèm theo Kế hoạch số      /KH-STP ngày      /     /2027 của Sở Tư pháp …)'."""
        kind = self.kind.capitalize()
        abbreviation = self.org.abbreviation or DOTS
        return (f"(Kèm theo {kind} số      /{self.symbol}-{abbreviation} ngày      /     /"
                f"{self.year} của {self.agency_name})")


def check_frame(frame: Frame, catalogue: Any, warnings: Warnings) -> None:
    """Warn about the settings a document needs and the sheet leaves blank."""
    org = frame.org
    if not org.abbreviation:
        warnings.setting(catalogue, "abbreviation", "chưa nhập chữ viết tắt tên cơ quan: dòng "
                         f"\"Số: …/{frame.symbol}-…\" để trống phần ký hiệu, hãy nhập (ví dụ STP).")
    if not org.signer_name:
        warnings.setting(catalogue, "signer_name", "chưa nhập họ và tên người ký: văn bản để "
                         "dòng chấm ở chỗ ghi tên người ký.")
    if not org.place:
        warnings.setting(catalogue, "place", "chưa nhập địa danh: dòng ngày tháng để trống "
                         "địa danh.")
    if not org.parent:
        warnings.setting(catalogue, "parent", "chưa nhập tên cơ quan chủ quản (dòng trên tên cơ "
                         "quan, ví dụ UBND TỈNH LẠNG SƠN).")


def agency_line_cm(agency: str, size: int = 13) -> float:
    """The line under the agency's name: 45% of the name's width, estimated from Times New Roman
    bold capitals (0,72 em a letter, 0,25 em a space: 'SỞ TƯ PHÁP' is 2,83 cm at 13 pt)."""
    longest = max(agency.upper().splitlines() or [""], key=len)
    ems = sum(0.25 if ch == " " else 0.72 for ch in longest)
    width = ems * size * EM_CM
    return min(max(width * AGENCY_LINE_SHARE, 1.0), HEADING_COLUMNS_CM[0] / 2)


class AdminDocument:
    """A python-docx document in the Nghị định 30 frame; callers add paragraphs and tables."""

    def __init__(self, frame: Frame) -> None:
        from docx import Document

        self.frame = frame
        self.doc = Document()
        _base_styles(self.doc)
        section = self.doc.sections[0]
        _page(section, landscape=False)
        section.different_first_page_header_footer = True  # page 1 carries no number
        section.first_page_header.is_linked_to_previous = False  # an empty header
        _page_number(section)

    # -- the heading ------------------------------------------------------------------------
    def heading(self) -> None:
        frame = self.frame
        table = self.doc.add_table(rows=2, cols=2)
        _borderless(table)
        set_widths(table, HEADING_COLUMNS_CM)
        (left, right), (number, date) = (r.cells for r in table.rows)
        _cell_line(left, frame.org.parent.upper(), size=13, first=True)
        _cell_line(left, frame.org.agency.upper(), size=13, bold=True)
        self._line(left.add_paragraph(), agency_line_cm(frame.org.agency), HEADING_COLUMNS_CM[0])
        _cell_line(right, NATIONAL, size=13, bold=True, first=True)
        _cell_line(right, MOTTO, size=14, bold=True)
        self._line(right.add_paragraph(), MOTTO_LINE_CM, HEADING_COLUMNS_CM[1])
        _cell_line(number, frame.number, size=13, first=True)
        _cell_line(date, frame.date_line, size=14, italic=True, first=True)

    def title(self) -> None:
        self.paragraph(self.frame.kind, bold=True, center=True, before=18)
        self.paragraph(self.frame.title, bold=True, center=True, before=0)
        self._line(self.doc.add_paragraph(), TITLE_LINE_CM, self.text_width_cm)

    # -- the body ---------------------------------------------------------------------------
    def paragraph(self, text: str = "", *, bold: bool = False, italic: bool = False,
                  center: bool = False, indent: bool = True, size: int = BODY_PT,
                  before: int = 6, after: int = 0) -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        if indent and not center:
            fmt.first_line_indent = Cm(INDENT_CM)
        if text:
            run = p.add_run(printable(text))
            run.bold, run.italic, run.font.size = bold, italic, Pt(size)
        return p

    def runs(self, parts: list[tuple[str, str]], *, indent: bool = True) -> Any:
        """A body paragraph of styled parts: ('b', 'Nguyên nhân: '), ('', 'text') …
        ('b' bold, 'i' italic, 'bi' both)."""
        from docx.shared import Pt

        p = self.paragraph(indent=indent)
        for style, text in parts:
            run = p.add_run(printable(text))
            run.bold, run.italic = "b" in style, "i" in style
            run.font.size = Pt(BODY_PT)
        return p

    def basis(self, text: str) -> None:
        """A 'Căn cứ …' paragraph."""
        self.paragraph(text)

    def section(self, text: str) -> None:
        """'I. MỤC ĐÍCH, YÊU CẦU' (kept with what follows it, as every heading)."""
        self.paragraph(text, bold=True, before=12).paragraph_format.keep_with_next = True

    def subsection(self, text: str) -> None:
        """'1. Mục đích'."""
        self.paragraph(text, bold=True).paragraph_format.keep_with_next = True

    def item(self, text: str) -> None:
        """'1.1. …', 'a) …'."""
        self.paragraph(text, bold=True, italic=True).paragraph_format.keep_with_next = True

    # -- the end ----------------------------------------------------------------------------
    def signature(self, warnings: Warnings | None = None) -> None:
        """'Nơi nhận:' and its list on the left, the signer on the right."""
        from docx.shared import Pt

        org = self.frame.org
        body = self.doc.paragraphs
        if body:
            body[-1].paragraph_format.keep_with_next = True  # the closing line and the signer
        self.paragraph(before=6).paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1, cols=2)
        _borderless(table)
        set_widths(table, (7.5, 9.0))
        left, right = table.rows[0].cells
        head = left.paragraphs[0]
        run = head.add_run("Nơi nhận:")
        run.bold = run.italic = True
        run.font.size = Pt(12)
        _tight(head)
        for line in org.recipients:
            _tight(left.add_paragraph())
            p = left.paragraphs[-1]
            p.add_run(printable(line)).font.size = Pt(11)
        first = True
        for line in org.signature_lines():
            _cell_line(right, line, size=BODY_PT, bold=True, first=first)
            first = False
        for _ in range(4):
            _cell_line(right, "", size=BODY_PT)
        _cell_line(right, org.signer_name or DOTS, size=BODY_PT, bold=True)
        row_flag(table.rows[0]._tr, "w:cantSplit")

    def appendix(self, number: str, title: str) -> None:
        """A landscape page headed 'Phụ lục I', its title and '(Kèm theo …)'."""
        from docx.enum.section import WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=True)
        section.different_first_page_header_footer = False
        section.header.is_linked_to_previous = True
        self.paragraph(f"Phụ lục {number}".strip(), bold=True, center=True, before=0)
        self.paragraph(title.upper(), bold=True, center=True, before=0)
        self.paragraph(self.frame.reference, italic=True, center=True, before=0)
        self._line(self.doc.add_paragraph(), TITLE_LINE_CM, self.text_width_cm, after=8)

    @property
    def text_width_cm(self) -> float:
        section = self.doc.sections[-1]
        width, left, right = (section.page_width or 0, section.left_margin or 0,
                              section.right_margin or 0)
        return (width - left - right) / 360000

    def save(self, path: Any) -> None:
        self.doc.core_properties.title = self.frame.title
        self.doc.core_properties.author = self.frame.agency_name
        self.doc.save(str(path))

    # -- the lines --------------------------------------------------------------------------
    @staticmethod
    def _line(paragraph: Any, length_cm: float, width_cm: float, after: int = 0) -> None:
        """A centred horizontal line `length_cm` long: the bottom border of an empty paragraph
        narrowed by its indents."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt

        side = max((width_cm - length_cm) / 2, 0)
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Cm(side)
        fmt.first_line_indent = Cm(0)
        fmt.space_before, fmt.space_after = Pt(0), Pt(after)
        fmt.line_spacing = Pt(3)
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _mark_size(paragraph, 2)
        _bottom_border(paragraph)


# ---------------------------------------------------------------------------------------------
# Page, styles and XML helpers


def _base_styles(doc: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), FONT)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = 1.15


def _page(section: Any, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    width, height = PAGE_CM
    margins = LANDSCAPE_MARGINS_CM if landscape else MARGINS_CM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Cm(height), Cm(width)) if landscape else \
        (Cm(width), Cm(height))
    section.top_margin, section.bottom_margin = Cm(margins["top"]), Cm(margins["bottom"])
    section.left_margin, section.right_margin = Cm(margins["left"]), Cm(margins["right"])
    section.header_distance = Cm(1.0)


def _page_number(section: Any) -> None:
    """The page number, centred in the header of every page but the first."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"),
                       ("end", None)):
        run = paragraph.add_run()
        run.font.size = Pt(BODY_PT)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            run.text = text or ""


def _cell_line(cell: Any, text: str, *, size: int, bold: bool = False, italic: bool = False,
               first: bool = False) -> Any:
    """A centred line in a heading or signature cell (the cell's first paragraph if `first`)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _tight(p)
    if text:
        run = p.add_run(printable(text))
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    else:
        _mark_size(p, size)
    return p


def _tight(paragraph: Any) -> None:
    from docx.shared import Cm, Pt

    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Cm(0)
    fmt.line_spacing = 1.0


def _mark_size(paragraph: Any, size: float) -> None:
    """The size of an empty paragraph's mark (what sets its height)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        p_pr.insert_element_before(r_pr, "w:sectPr", "w:pPrChange")
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size * 2)))
        r_pr.append(el)


def _bottom_border(paragraph: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.insert_element_before(borders, *_AFTER_PBDR)


def _borderless(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert_tbl_pr(tbl_pr, borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _insert_tbl_pr(tbl_pr, margins)


# The order of w:tblPr's children (ECMA-376 CT_TblPr).
_TBL_PR_SEQ = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
               "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
               "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
               "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _insert_tbl_pr(tbl_pr: Any, element: Any) -> None:
    from docx.oxml.ns import qn

    tag = element.tag
    old = tbl_pr.find(tag)
    if old is not None:
        tbl_pr.remove(old)
    names = [qn(t) for t in _TBL_PR_SEQ]
    after = names[names.index(tag) + 1:]
    for child in tbl_pr:
        if child.tag in after:
            child.addprevious(element)
            return
    tbl_pr.append(element)


def set_widths(table: Any, widths_cm: tuple[float, ...] | list[float]) -> None:
    """Fixed column widths: Word reads the cells' widths, LibreOffice the grid's."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _insert_tbl_pr(table._tbl.tblPr, layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    width.set(qn("w:type"), "dxa")
    _insert_tbl_pr(table._tbl.tblPr, width)
    for column, w in zip(table.columns, widths_cm):
        column.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)


def row_flag(tr: Any, tag: str) -> None:
    """w:tblHeader (repeat on every page) or w:cantSplit (keep the row on one page)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = tr.get_or_add_trPr()
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    # CT_TrPr's children: cnfStyle, divId, gridBefore, gridAfter, wBefore, wAfter, cantSplit,
    # trHeight, tblHeader, tblCellSpacing, jc, hidden.
    if tag == "w:cantSplit":
        later = [c for c in tr_pr if c.tag in (qn("w:trHeight"), qn("w:tblHeader"),
                                                qn("w:tblCellSpacing"), qn("w:jc"),
                                                qn("w:hidden"))]
        if later:
            later[0].addprevious(flag)
            return
    tr_pr.append(flag)
