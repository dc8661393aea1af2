"""The Word documents' administrative frame (Nghị định 30/2020/NĐ-CP), the self-assessment report,
the evidence package, and both Word documents as LibreOffice renders them.

The frame is checked from the document's XML: page and margins, the two-column heading and its
lines, "Số:      /KH-STP", the title, "Căn cứ" and body paragraphs, page numbers from page 2,
"Nơi nhận:", the signature block, the appendices' "(Kèm theo …)".
"""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import needs_poppler
from document_cases import (W, docx_text, khanh_hoa_catalogue, khanh_hoa_report,
                            khanh_hoa_state, pdf_pages, squeeze, table_rows, tiny_state, vn)

from cchc_xl.analysis.report import build_report
from cchc_xl.documents.admin import MOTTO_LINE_CM
from cchc_xl.documents.evidence import (COPIED, INDEX_NAME, MISSING, REUSED, WEB, safe_name,
                                        split_links)
from cchc_xl.documents.plan import export_plan
from cchc_xl.documents.report import build_report_model, export_report
from cchc_xl.documents.text import DOTS
from cchc_xl.files.grids import Book
from cchc_xl.format.state import Entry, EvidenceRow

CM = 360000  # EMU


@pytest.fixture(scope="module")
def plan_docx(tmp_path_factory):
    from cchc_xl.criteria.catalogue import parse_catalogue
    from conftest import tiny_data

    tiny = parse_catalogue(tiny_data(), source="tiny.yaml")
    out = tmp_path_factory.mktemp("plan") / "ke-hoach.docx"
    state = tiny_state()
    entries = dict(state.entries)
    entries["2.1"] = Entry(a=14697, b=14673, cause="Dòng một\x0bDòng hai\x07")
    state.entries = entries
    return export_plan(build_report(tiny, state), out)


def _doc(path):
    from docx import Document

    return Document(str(path))


def _size(run) -> float | None:
    return run.font.size.pt if run.font.size is not None else None


def _runs(paragraph):
    return [r for r in paragraph.runs if r.text.strip()]


def _border(paragraph) -> bool:
    p_pr = paragraph._p.pPr
    return p_pr is not None and p_pr.find(f"{W}pBdr/{W}bottom") is not None


def _line_cm(paragraph, width_cm: float) -> float:
    fmt = paragraph.paragraph_format
    return width_cm - (fmt.left_indent + fmt.right_indent) / CM


# ---------------------------------------------------------------------------------------------
# The frame


def test_a4_portrait_margins_and_landscape_appendices(plan_docx):
    doc = _doc(plan_docx.path)
    first, *appendices = doc.sections
    assert (round(first.page_width / CM, 1), round(first.page_height / CM, 1)) == (21.0, 29.7)
    assert 2.0 <= round(first.top_margin / CM, 2) <= 2.5
    assert 2.0 <= round(first.bottom_margin / CM, 2) <= 2.5
    assert 3.0 <= first.left_margin / CM <= 3.5
    assert 1.5 <= round(first.right_margin / CM, 2) <= 2.0  # stored in twips: 1,4993 cm
    assert len(appendices) == 2
    for section in appendices:
        assert section.orientation == 1  # landscape
        assert round(section.page_width / CM, 1) == 29.7


def test_page_numbers_from_page_two(plan_docx):
    doc = _doc(plan_docx.path)
    first = doc.sections[0]
    assert first.different_first_page_header_footer  # w:titlePg
    header = first.header._element
    assert " PAGE " in "".join(t.text for t in header.iter(f"{W}instrText"))
    [number] = first.header.paragraphs
    assert number.alignment == 1  # centred
    assert {_size(r) for r in number.runs} == {14.0}
    assert not first.first_page_header.is_linked_to_previous
    assert "PAGE" not in first.first_page_header._element.xml
    for section in doc.sections[1:]:
        assert not section.different_first_page_header_footer
        assert section.header.is_linked_to_previous  # the same numbered header


def test_two_column_heading(plan_docx):
    doc = _doc(plan_docx.path)
    heading = doc.tables[0]
    (left, right), (number, date) = (r.cells for r in heading.rows)
    parent, agency, line = left.paragraphs
    assert parent.text == "UBND TỈNH LẠNG SƠN"
    assert [(bool(r.bold), _size(r)) for r in _runs(parent)] == [(False, 13.0)]
    assert agency.text == "SỞ TƯ PHÁP"
    assert [(r.bold, _size(r)) for r in _runs(agency)] == [(True, 13.0)]
    assert _border(line) and line.text == ""
    agency_line = _line_cm(line, left.width / CM)
    assert 1.0 <= agency_line <= 0.5 * left.width / CM  # a third to a half of the name
    national, motto, motto_line = right.paragraphs
    assert national.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert [(r.bold, _size(r)) for r in _runs(national)] == [(True, 13.0)]
    assert motto.text == "Độc lập - Tự do - Hạnh phúc"
    assert [(r.bold, _size(r)) for r in _runs(motto)] == [(True, 14.0)]
    assert _border(motto_line)
    assert _line_cm(motto_line, right.width / CM) == pytest.approx(MOTTO_LINE_CM, abs=0.05)
    assert number.text == "Số:      /KH-STP"
    assert [_size(r) for r in _runs(number.paragraphs[0])] == [13.0]
    assert date.text == "Lạng Sơn, ngày      tháng      năm 2027"
    assert [(r.italic, _size(r)) for r in _runs(date.paragraphs[0])] == [(True, 14.0)]
    for cell in (left, right, number, date):
        assert all(p.alignment == 1 for p in cell.paragraphs)
    borders = heading._tbl.tblPr.find(f"{W}tblBorders")
    assert {b.get(f"{W}val") for b in borders} == {"nil"}


def test_title_basis_and_body_paragraphs(plan_docx):
    doc = _doc(plan_docx.path)
    paragraphs = doc.paragraphs
    kind = next(i for i, p in enumerate(paragraphs) if p.text == "KẾ HOẠCH")
    title, line = paragraphs[kind + 1], paragraphs[kind + 2]
    for p in (paragraphs[kind], title):
        assert p.alignment == 1 and all(r.bold and _size(r) == 14.0 for r in _runs(p))
    assert title.text.startswith("Khắc phục hạn chế, tồn tại trong công tác CCHC năm 2026")
    assert _border(line) and line.text == ""
    basis = paragraphs[kind + 3]
    assert basis.text.startswith("Căn cứ ")
    body = [p for p in paragraphs[kind + 3:] if p.text.strip()
            and p.paragraph_format.alignment != 1]
    body = body[:next(i for i, p in enumerate(body) if p.text.endswith("./."))]
    assert len(body) > 20
    for p in body:
        assert p.paragraph_format.alignment == 3, p.text  # justified
        assert p.paragraph_format.first_line_indent / CM == pytest.approx(1.27, abs=0.01)
        assert {_size(r) for r in _runs(p)} == {14.0}, p.text


def test_recipients_and_a_deputy_signs_for_the_director(plan_docx):
    doc = _doc(plan_docx.path)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    left, right = table.rows[0].cells
    head, *recipients = left.paragraphs
    [run] = _runs(head)
    assert (run.text, run.bold, run.italic, _size(run)) == ("Nơi nhận:", True, True, 12.0)
    assert [p.text for p in recipients] == ["- UBND tỉnh (b/c);", "- Sở Nội vụ;",
                                            "- Lãnh đạo Sở;", "- Các phòng, đơn vị thuộc Sở;",
                                            "- Lưu: VT, VP."]
    assert all(_size(r) == 11.0 for p in recipients for r in _runs(p))
    lines = [p for p in right.paragraphs if p.text]
    assert [p.text for p in lines] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"]
    assert all(r.bold for p in lines for r in _runs(p))
    blank = [p for p in right.paragraphs if not p.text]
    assert len(blank) >= 3  # the space for the signature and the seal
    assert all(p.alignment == 1 for p in right.paragraphs)


def test_the_head_signs_and_a_blank_name_is_dotted_and_warned(tmp_path, tiny):
    state = tiny_state(signer_title="", signer_name="")
    result = export_plan(build_report(tiny, state), tmp_path / "kh.docx")
    table = next(t for t in _doc(result.path).tables
                 if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    lines = [p.text for p in table.rows[0].cells[1].paragraphs if p.text]
    assert lines == ["GIÁM ĐỐC", DOTS]
    assert any(w.cell == "B11" and "họ và tên người ký" in w.message for w in result.warnings)


def _sections(doc) -> list[list]:
    """The document's paragraphs by section (a paragraph holding a w:sectPr ends one)."""
    from docx.text.paragraph import Paragraph

    sections: list[list] = [[]]
    for element in doc.element.body:
        if element.tag != f"{W}p":
            continue
        paragraph = Paragraph(element, doc)
        sections[-1].append(paragraph)
        if element.find(f"{W}pPr/{W}sectPr") is not None:
            sections.append([])
    return sections


def test_every_appendix_says_which_plan_it_belongs_to(plan_docx):
    doc = _doc(plan_docx.path)
    appendices = _sections(doc)[1:]
    assert len(appendices) == 2
    for number, paragraphs in zip(("I", "II"), appendices):
        texts = [p.text for p in paragraphs]
        assert texts[0] == f"Phụ lục {number}"
        reference = next(p for p in paragraphs if p.text.startswith("(Kèm theo Kế hoạch số"))
        assert reference.text == ("(Kèm theo Kế hoạch số      /KH-STP ngày      /     /2027 của "
                                  "Sở Tư pháp tỉnh Lạng Sơn)")
        assert all(r.italic for r in _runs(reference))
    header = doc.tables[2].rows[0]._tr  # Phụ lục I: its header repeats on every page
    assert header.find(f"{W}trPr/{W}tblHeader") is not None


def test_control_characters_are_dropped_and_a_vertical_tab_breaks_the_line(plan_docx):
    text = docx_text(plan_docx.path)
    assert "Dòng một\nDòng hai" in text and "\x07" not in text and "\x0b" not in text


# ---------------------------------------------------------------------------------------------
# The self-assessment report


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "bao-cao.docx"
    state = khanh_hoa_state()
    entries = dict(state.entries)
    entries["I.5"] = Entry(a=291, b=285)  # nothing typed: the giải trình is generated
    entries["II.2.3.3.1"] = Entry(a=14697, b=9129, note="Văn thư chỉ có 01 biên chế")
    state.entries = entries
    state.evidence = [
        EvidenceRow(code="I.1", number="06/QĐ-STP", date=dt.date(2023, 1, 3),
                    subject="Kế hoạch CCHC năm 2023", issuer="Sở Tư pháp", link="kh.pdf"),
        EvidenceRow(code="II.2.4.2.1", number="", date="tháng 12/2023",
                    subject="Thống kê hồ sơ", issuer="Hệ thống một cửa"),
        EvidenceRow(code="I.5", number="318/BC-STP", date=dt.date(2023, 12, 13),
                    subject="Báo cáo nhiệm vụ UBND tỉnh giao", issuer="Sở Tư pháp"),
        EvidenceRow(code="X.9", number="1/TB", subject="Một dòng ghi sai mã"),
    ]
    report = build_report(khanh_hoa_catalogue(), state)
    return export_report(report, out), report


def test_report_is_self_assessed_only(report_docx):
    result, _ = report_docx
    doc = _doc(result.path)
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert ("Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2023 của Sở Tư pháp "
            "tỉnh Khánh Hòa") in texts
    headline = next(t for t in texts if t.startswith("Theo kết quả tự đánh giá"))
    assert "đạt 82,81/94,5 điểm (87,63%), xếp loại Tốt" in headline
    assert "xếp thứ 8/21" not in headline  # this year's rank is the published result's
    whole = docx_text(result.path)
    assert "83,81" not in whole and "84,27" not in whole
    heading = doc.tables[0]
    assert heading.rows[1].cells[0].text == "Số:      /BC-STP"
    assert heading.rows[1].cells[1].text == "Khánh Hòa, ngày      tháng      năm 2023"
    for heading_text in ("I. KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM",
                         "II. GIẢI TRÌNH CÁC TIÊU CHÍ THÀNH PHẦN CHƯA ĐẠT ĐIỂM TỐI ĐA"):
        assert heading_text in texts


def test_report_summary_total_is_the_sum_of_its_rows(report_docx):
    result, _ = report_docx
    summary = next(t for t in _doc(result.path).tables if t.rows[0].cells[1].text == "Lĩnh vực")
    rows = table_rows(summary)
    assert rows[0] == ["STT", "Lĩnh vực", "Điểm tối đa", "Điểm tối đa được chấm",
                       "Điểm tự đánh giá", "Chỉ số thành phần"]
    body, total, index = rows[1:-2], rows[-2], rows[-1]
    assert [r[1] for r in body] == ["Công tác chỉ đạo, điều hành", "Cải cách thủ tục hành chính",
                                    "Sự hài lòng"]
    for col in (2, 3, 4):
        assert vn(total[col]) == sum((vn(r[col]) for r in body), Decimal(0))
    assert [r[5] for r in body] == ["90,00%", "86,99%", "90,00%"]
    assert index[0] == "Chỉ số CCHC" and index[4] == "87,63%"


def test_report_tables_carry_each_items_evidence(report_docx):
    result, _ = report_docx
    text = docx_text(result.path)
    assert "- Số 06/QĐ-STP ngày 03/01/2023 của Sở Tư pháp: Kế hoạch CCHC năm 2023" in text
    assert "- ngày tháng 12/2023 của Hệ thống một cửa: Thống kê hồ sơ" in text


def test_every_item_below_its_maximum_is_explained(report_docx):
    result, _ = report_docx
    texts = [p.text for p in _doc(result.path).paragraphs]
    explained = {t.split(" ")[1]: t for t in texts if t.startswith("- I") or t.startswith("- II")}
    assert explained["I.5"].endswith("(đạt 2/3 điểm): Số nhiệm vụ hoàn thành đúng hạn: "
                                     "285/291 (97,94%).")
    assert explained["II.2.3.3.1"].endswith(": Văn thư chỉ có 01 biên chế.")  # the note first
    assert explained["II.2.4.2.1"].endswith(": 24 hồ sơ trễ hạn.")  # else the cause
    assert explained["II.1"].endswith("(đạt 60/69 điểm): Tự chấm 60/69 điểm; điểm thẩm định "
                                      "61.")
    generated = {w.code for w in result.warnings if w.kind == "report-explain"}
    assert generated == {"I.5", "II.1", "III.1"}


def test_survey_items_not_yet_published_are_pending_not_lost(tmp_path):
    state = khanh_hoa_state()
    entries = dict(state.entries)
    entries["III.1"] = Entry()
    state.entries = entries
    model = build_report_model(build_report(khanh_hoa_catalogue(), state))
    assert [r.code for r in model.pending] == ["III.1"]
    assert "III.1" not in {s.row.code for s in model.shortfalls}
    result = export_report(build_report(khanh_hoa_catalogue(), state), tmp_path / "bc.docx")
    assert "chưa gồm 10 điểm của các tiêu chí đo lường sự hài lòng (III.1) chờ Sở Nội vụ công " \
        "bố" in docx_text(result.path)


def test_report_appendix_lists_the_evidence_by_code(report_docx):
    result, _ = report_docx
    doc = _doc(result.path)
    appendix = _sections(doc)[1]
    assert [p.text for p in appendix[:2]] == ["Phụ lục", "DANH MỤC TÀI LIỆU KIỂM CHỨNG"]
    assert any(p.text.startswith("(Kèm theo Báo cáo số      /BC-STP ngày") for p in appendix)
    rows = table_rows(doc.tables[-1])
    assert rows[0] == ["STT", "Mã tiêu chí", "Số, ký hiệu", "Ngày ban hành", "Trích yếu",
                       "Cơ quan ban hành", "Tệp, đường dẫn", "Đơn vị cung cấp"]
    headings = [r[1] for r in rows[1:] if r[0] == ""]
    assert headings == ["I.1 Kế hoạch CCHC", "I.5 Thực hiện các nhiệm vụ UBND tỉnh giao trong "
                        "năm", "II.2.4.2.1 Tỷ lệ hồ sơ giải quyết đúng hạn",
                        "X.9 (mã không có trong bộ tiêu chí)"]
    first = next(r for r in rows if r[0] == "1")
    assert first[1:5] == ["I.1", "06/QĐ-STP", "03/01/2023", "Kế hoạch CCHC năm 2023"]
    kinds = {(w.kind, w.code, w.cell) for w in result.warnings if w.kind == "report-evidence"}
    assert ("report-evidence", None, "A8") in kinds  # X.9's code, the register's 4th row
    assert any(code == "II.1" for _, code, _ in kinds)  # scored, no evidence


def test_report_in_excel_is_typed_tables_that_add_up(tmp_path):
    import openpyxl

    out = tmp_path / "bc.xlsx"
    export_report(khanh_hoa_report(), out)
    grids = Book(out).grids()
    assert list(grids) == ["Tổng hợp", "Chi tiết", "Tài liệu kiểm chứng"]
    summary = grids["Tổng hợp"]
    total_at = next(i for i, r in enumerate(summary) if r[1] == "TỔNG ĐIỂM")
    for col in (2, 3, 4):
        assert summary[total_at][col] == pytest.approx(sum(r[col] for r in summary[4:total_at]))
    assert summary[total_at + 1][4] == pytest.approx(0.8763)
    details = grids["Chi tiết"]
    total = next(r for r in details if r[2] == "Cộng")
    assert total[5] == pytest.approx(82.81)
    evidence = grids["Tài liệu kiểm chứng"]
    assert evidence[4][3] == dt.date(2023, 12, 13)
    book = openpyxl.load_workbook(out)
    for ws in book.worksheets:
        assert len(ws.tables) == 1 and ws.freeze_panes == "A5"
    assert book["Tài liệu kiểm chứng"]["D5"].number_format == "dd/mm/yyyy"


# ---------------------------------------------------------------------------------------------
# The evidence package


@pytest.fixture
def evidence_case(tmp_path, tiny):
    src = tmp_path / "tong-hop"
    (src / "ho-so" / "chi-tiet").mkdir(parents=True)
    (src / "d1").mkdir()
    (src / "d2").mkdir()
    (src / "a.pdf").write_bytes(b"A")
    (src / "ho-so" / "b.pdf").write_bytes(b"B")
    (src / "ho-so" / "chi-tiet" / "c.docx").write_bytes(b"C")
    (src / "d1" / "x.pdf").write_bytes(b"X1")
    (src / "d2" / "x.pdf").write_bytes(b"X2")
    absolute = tmp_path / "noi-khac" / "tuyet-doi.pdf"
    absolute.parent.mkdir()
    absolute.write_bytes(b"ABS")
    rows = [
        EvidenceRow(code="1.1", number="12/BC-VP", date=dt.date(2026, 12, 1),
                    subject="Báo cáo", link="a.pdf"),
        EvidenceRow(code="1.1", number="13/BC-VP", link="ho-so\\b.pdf; https://dvc.gov.vn/x"),
        EvidenceRow(code="2.1", number="1", link="d1/x.pdf\nd2/x.pdf"),
        EvidenceRow(code="2.2", number="2", link="a.pdf"),  # the same file as row 1
        EvidenceRow(code="2.3", number="3", link="khong-co.pdf"),
        EvidenceRow(code="2.4", number="4", link=str(absolute)),
        EvidenceRow(code="2.5", number="5", link="ho-so"),  # a folder
        EvidenceRow(code="2.6", number="6", link=(src / "a.pdf").as_uri()),
        EvidenceRow(code="1/2:3", number="7", link="\\\\may-chu\\CCHC\\z.pdf"),
        EvidenceRow(code="1.2", number="8"),
    ]
    state = tiny_state()
    state.evidence = rows
    return build_report(tiny, state), src, tmp_path / "goi"


def _package(evidence_case, tmp_path):
    report, src, folder = evidence_case
    result = export_report(report, tmp_path / "bc.docx", evidence_dir=folder,
                           source_folder=src)
    return result, result.evidence, folder


def test_evidence_files_are_copied_by_criterion(evidence_case, tmp_path):
    result, package, folder = _package(evidence_case, tmp_path)
    assert (folder / "1.1" / "a.pdf").read_bytes() == b"A"
    assert (folder / "1.1" / "b.pdf").read_bytes() == b"B"  # a Windows-style relative path
    assert (folder / "2.1" / "x.pdf").read_bytes() == b"X1"
    assert (folder / "2.1" / "x (2).pdf").read_bytes() == b"X2"  # same name, another file
    assert (folder / "2.2" / "a.pdf").read_bytes() == b"A"  # one file proves two criteria
    assert (folder / "2.4" / "tuyet-doi.pdf").read_bytes() == b"ABS"
    assert (folder / "2.5" / "ho-so" / "chi-tiet" / "c.docx").read_bytes() == b"C"
    assert (folder / "2.6" / "a.pdf").read_bytes() == b"A"  # a file:// address
    assert not (folder / "2.3").exists()
    statuses = {(f.code, f.link): f.status for f in package.files}
    assert statuses[("1.1", "https://dvc.gov.vn/x")] == WEB
    assert statuses[("2.3", "khong-co.pdf")] == MISSING
    assert statuses[("1/2:3", "\\\\may-chu\\CCHC\\z.pdf")] == MISSING
    assert statuses[("1.1", "a.pdf")] == COPIED
    assert safe_name("1/2:3") == "1_2_3" and safe_name("CON") == "_CON"
    assert safe_name("a. ") == "a" and safe_name("") == "_" and safe_name("con") == "_con"
    assert split_links('"a.pdf"; b.pdf\nc.pdf') == ["a.pdf", "b.pdf", "c.pdf"]


def test_missing_and_duplicate_files_are_warned_with_the_register_row(evidence_case, tmp_path):
    result, package, _ = _package(evidence_case, tmp_path)
    warnings = {(w.kind, w.cell, w.code) for w in package.warnings}
    assert ("evidence-missing", "F9", "2.3") in warnings  # the register's 5th row
    assert ("evidence-missing", "F13", "1/2:3") in warnings
    assert ("evidence-missing", "F14", "1.2") in warnings  # no link at all
    messages = {w.cell: w.message for w in package.warnings if w.kind == "evidence-missing"}
    assert "tương đối tính từ" in messages["F9"]  # khong-co.pdf, beside the master
    assert "tương đối" not in messages["F13"]  # a UNC path is not relative to anything
    assert ("evidence-duplicate", "F7", "2.1") in warnings  # x.pdf twice
    assert ("evidence-duplicate", "F8", "2.2") in warnings  # a.pdf cited again
    assert all(w.sheet == "Tài liệu kiểm chứng" for w in package.warnings)
    assert set(package.warnings) <= set(result.warnings)


def test_evidence_index_workbook(evidence_case, tmp_path):
    import openpyxl

    _, package, folder = _package(evidence_case, tmp_path)
    grid = Book(folder / INDEX_NAME).grids()["Danh mục"]
    header = grid[3]
    assert header == ["STT", "Dòng trong sổ", "Mã tiêu chí", "Số, ký hiệu", "Ngày ban hành",
                      "Trích yếu", "Cơ quan ban hành", "Tệp, đường dẫn gốc", "Tệp trong gói",
                      "Tình trạng"]
    first = grid[4]
    assert first[1:5] == ["F5", "1.1", "12/BC-VP", dt.date(2026, 12, 1)]
    assert first[7:] == ["a.pdf", "1.1/a.pdf", COPIED]
    ws = openpyxl.load_workbook(folder / INDEX_NAME)["Danh mục"]
    assert ws["I5"].hyperlink.target.replace("\\", "/") == "1.1/a.pdf"  # Excel's separator
    assert len(ws.tables) == 1


def test_a_folder_holding_the_package_is_not_copied_into_itself(tmp_path, tiny):
    state = tiny_state()
    state.evidence = [EvidenceRow(code="1.1", number="1", link=".")]
    package = export_report(build_report(tiny, state), tmp_path / "bc.docx",
                            evidence_dir=tmp_path / "goi", source_folder=tmp_path).evidence
    assert [w.kind for w in package.warnings] == ["evidence-missing"]
    assert not (tmp_path / "goi" / "1.1").exists()


def test_a_second_run_reuses_and_never_overwrites(evidence_case, tmp_path):
    report, src, folder = evidence_case
    (folder / "1.1").mkdir(parents=True)
    (folder / "1.1" / "a.pdf").write_bytes(b"DON'T TOUCH")
    _package(evidence_case, tmp_path)
    assert (folder / "1.1" / "a.pdf").read_bytes() == b"DON'T TOUCH"
    assert (folder / "1.1" / "a (2).pdf").read_bytes() == b"A"
    again = export_report(report, tmp_path / "bc.docx", evidence_dir=folder,
                          source_folder=src).evidence
    assert not (folder / "1.1" / "a (3).pdf").exists()
    assert {f.status for f in again.files if f.code == "1.1" and f.link == "a.pdf"} == {REUSED}
    assert not list(folder.rglob(".~cchc-*"))


# ---------------------------------------------------------------------------------------------
# Rendered by LibreOffice


def _render(path: Path, outdir: Path) -> Path:
    from devtools.libreoffice import convert

    return convert([path], outdir, "pdf")[0]


def _first_line(page: str) -> str:
    return next((line.strip() for line in page.splitlines() if line.strip()), "")


def _dark_runs(pgm: Path, top_share: float = 0.3) -> list[int]:
    """Lengths of the horizontal runs of dark pixels in the top of a grey page (P5 PGM)."""
    data = pgm.read_bytes()
    parts = data.split(maxsplit=4)
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4]
    runs = []
    for y in range(int(height * top_share)):
        row = pixels[y * width:(y + 1) * width]
        run = 0
        for value in row:
            if value < 128:
                run += 1
            else:
                if run:
                    runs.append(run)
                run = 0
    return runs


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_poppler
def test_word_plan_renders_with_its_lines_sections_and_page_numbers(plan_docx, tmp_path):
    pdf = _render(plan_docx.path, tmp_path)
    pages = pdf_pages(pdf)
    assert squeeze(_first_line(pages[0])).startswith("UBNDTỈNHLẠNGSƠN")  # no number on page 1
    for n, page in enumerate(pages[1:], start=2):
        assert _first_line(page) == str(n), n
    whole = squeeze("".join(pages))
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "Số: /KH-STP", "KẾ HOẠCH", "I. MỤC ĐÍCH, YÊU CẦU",
                   "II. KẾT QUẢ CHỈ SỐ CCHC NĂM 2026", "III. NHIỆM VỤ, GIẢI PHÁP",
                   "IV. TỔ CHỨC THỰC HIỆN", "Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                   "Nguyễn Văn An", "Phụ lục I", "Phụ lục II", "TỔNG ĐIỂM", "TỔNG CỘNG"):
        assert squeeze(phrase) in whole, phrase
    assert whole.count(squeeze("(Kèm theo Kế hoạch số")) == 2
    # The lines under the agency, the motto and the title are drawn (dots at 150 dpi).
    subprocess.run(["pdftoppm", "-gray", "-r", "150", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "p")], check=True)
    runs = _dark_runs(next(tmp_path.glob("p*.pgm")))
    per_cm = 150 / 2.54
    motto = [r for r in runs if abs(r - MOTTO_LINE_CM * per_cm) < 0.3 * per_cm]
    title = [r for r in runs if abs(r - 5.5 * per_cm) < 0.3 * per_cm]
    agency = [r for r in runs if 1.0 * per_cm <= r <= 1.6 * per_cm]
    assert motto and title and agency, sorted(runs)[-10:]


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_poppler
def test_word_report_renders_with_its_appendix(report_docx, tmp_path):
    result, _ = report_docx
    pages = pdf_pages(_render(result.path, tmp_path))
    assert not _first_line(pages[0]).isdigit()
    for n, page in enumerate(pages[1:], start=2):
        assert _first_line(page) == str(n), n
    whole = squeeze("".join(pages))
    for phrase in ("BÁO CÁO", "I. KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM", "Chỉ số CCHC",
                   "II. GIẢI TRÌNH", "Phụ lục", "DANH MỤC TÀI LIỆU KIỂM CHỨNG",
                   "(Kèm theo Báo cáo số", "318/BC-STP"):
        assert squeeze(phrase) in whole, phrase

