"""The self-assessment report in Word: the Nghị định 30 frame around the summary by field, one
table per field (every criterion and sub-criterion with its points and evidence), the giải
trình of every item below its maximum, and the list of evidence documents as an appendix."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..analysis.report import NodeReport
from ..criteria.catalogue import Leaf
from ..format.state import EvidenceRow
from .admin import AdminDocument
from .figures import headline
from .report import ReportModel, SummaryRow
from .text import num, pct, sentence, signed, typed_text
from .wordtable import Column, Row, add_table

STATUS_TEXT = {"na": "không chấm điểm", "missing": "chưa nhập", "pending": "chờ kết quả",
               "error": "số liệu lỗi"}


def write_docx(model: ReportModel, path: Path) -> None:
    doc = AdminDocument(model.frame)
    doc.heading()
    doc.title()
    catalogue = model.report.catalogue
    issued = f" ({catalogue.issued_by})" if catalogue.issued_by else ""
    doc.basis(f"Căn cứ {catalogue.name}{issued};")
    doc.paragraph(f"{model.org_name} báo cáo kết quả tự đánh giá, chấm điểm Chỉ số cải cách "
                  f"hành chính (CCHC) năm {model.year} như sau:")
    _summary(doc, model)
    _details(doc, model)
    _shortfalls(doc, model)
    doc.paragraph(f"Trên đây là báo cáo kết quả tự đánh giá, chấm điểm Chỉ số CCHC năm "
                  f"{model.year} của {model.org_name}; danh mục tài liệu kiểm chứng tại Phụ lục "
                  "kèm theo./.")
    doc.signature()
    _appendix(doc, model)
    doc.save(path)


def summary_columns() -> list[Column]:
    return [Column("STT", 1.3, "center"), Column("Lĩnh vực", 6.7),
            Column("Điểm tối đa", 2.0, "center"),
            Column("Điểm tối đa được chấm", 2.2, "center"),
            Column("Điểm tự đánh giá", 2.1, "center"),
            Column("Chỉ số thành phần", 2.2, "center")]


def summary_cells(row: SummaryRow) -> list[str]:
    points = signed(-row.points) if row.kind == "penalty" and row.points is not None else \
        num(row.points)
    return [row.number, row.name, num(row.max), num(row.applicable_max), points,
            pct(row.sub_index)]


def _summary(doc: AdminDocument, model: ReportModel) -> None:
    report = model.report
    doc.section("I. KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM")
    doc.subsection("1. Kết quả chung")
    doc.paragraph(headline(report, model.result, model.org_name))
    if model.pending:
        waiting = sum((r.applicable_max for r in model.pending), Decimal(0))
        codes = ", ".join(r.code for r in model.pending)
        doc.paragraph(f"Kết quả trên chưa gồm {num(waiting)} điểm của các tiêu chí đo lường sự "
                      f"hài lòng ({codes}) chờ Sở Nội vụ công bố kết quả điều tra xã hội học.")
    doc.paragraph("Kết quả tự đánh giá theo từng lĩnh vực:")
    rows = [Row(summary_cells(r)) for r in model.summary]
    total = model.total
    rows.append(Row(["TỔNG ĐIỂM", "", num(total.max), num(total.applicable_max),
                     num(total.points), ""], bold=True, merge=(0, 1)))
    rows.append(Row(["Chỉ số CCHC", "", "", "", pct(model.result.index), ""], bold=True,
                    merge=(0, 3)))
    add_table(doc.doc, summary_columns(), rows, size=12)


def detail_columns() -> list[Column]:
    return [Column("Mã", 1.5, "center"), Column("Tiêu chí, tiêu chí thành phần", 5.6),
            Column("Điểm tối đa", 1.6, "center"), Column("Điểm tự đánh giá", 1.8, "center"),
            Column("Tài liệu kiểm chứng", 6.0)]


def points_text(row: NodeReport) -> str:
    if isinstance(row.node, Leaf) and row.status in STATUS_TEXT:
        return STATUS_TEXT[row.status]
    return num(row.points)


def evidence_line(row: EvidenceRow) -> str:
    """'Số 12/KH-VP ngày 03/02/2026 của Sở Tư pháp: Kế hoạch …'."""
    number, date, issuer = (typed_text(v) for v in (row.number, row.date, row.issuer))
    head = " ".join(part for part in (f"Số {number}" if number else "",
                                      f"ngày {date}" if date else "",
                                      f"của {issuer}" if issuer else "") if part)
    subject = typed_text(row.subject)
    return f"{head}: {subject}" if head and subject else head or subject


def _details(doc: AdminDocument, model: ReportModel) -> None:
    doc.subsection("2. Kết quả theo tiêu chí, tiêu chí thành phần")
    for n, f in enumerate(model.report.fields, start=1):
        doc.item(f"2.{n}. Lĩnh vực {f.code}. {f.node.name}: {num(f.points)}/"
                 f"{num(f.applicable_max)} điểm" + (f" ({pct(f.sub_index)})"
                                                     if f.sub_index is not None else ""))
        rows = []
        for row in model.detail(f):
            leaf = isinstance(row.node, Leaf)
            evidence = "\n".join(f"- {evidence_line(e)}" for e in model.evidence_of(row.code))
            if leaf and not evidence and row.points > 0:
                evidence = "(chưa có tài liệu kiểm chứng)"
            rows.append(Row([row.code, row.node.name, num(row.max), points_text(row), evidence],
                            bold=not leaf))
        add_table(doc.doc, detail_columns(), rows, size=11)


def _shortfalls(doc: AdminDocument, model: ReportModel) -> None:
    doc.section("II. GIẢI TRÌNH CÁC TIÊU CHÍ THÀNH PHẦN CHƯA ĐẠT ĐIỂM TỐI ĐA")
    if not model.shortfalls:
        doc.paragraph("Tất cả các tiêu chí thành phần được chấm điểm đều đạt điểm tối đa.")
    for item in model.shortfalls:
        row = item.row
        doc.runs([("b", f"- {row.code} {row.node.name} "),
                  ("", f"(đạt {num(row.points)}/{num(row.applicable_max)} điểm): "),
                  ("", sentence(item.text))])


def evidence_columns() -> list[Column]:
    return [Column("STT", 1.3, "center"), Column("Mã tiêu chí", 1.8, "center"),
            Column("Số, ký hiệu", 3.2), Column("Ngày ban hành", 2.4, "center"),
            Column("Trích yếu", 8.0), Column("Cơ quan ban hành", 3.8),
            Column("Tệp, đường dẫn", 3.6), Column("Đơn vị cung cấp", 2.1)]


def _appendix(doc: AdminDocument, model: ReportModel) -> None:
    doc.appendix("", "Danh mục tài liệu kiểm chứng")
    rows: list[Row] = []
    n = 0
    for code in model.evidence_codes():
        node = model.report.nodes.get(code)
        heading = f"{code} {node.node.name}" if node else (
            f"{code} (mã không có trong bộ tiêu chí)" if code else "Chưa ghi mã tiêu chí")
        rows.append(Row(["", heading] + [""] * 6, bold=True, merge=(1, 7), heading=True))
        for e in model.evidence_of(code):
            n += 1
            rows.append(Row([str(n), code, typed_text(e.number), typed_text(e.date),
                             typed_text(e.subject), typed_text(e.issuer), typed_text(e.link),
                             typed_text(e.unit)]))
    if not rows:
        rows.append(Row(["", "", "", "", "Sổ tài liệu kiểm chứng chưa có dòng nào."] + [""] * 3))
    add_table(doc.doc, evidence_columns(), rows, size=11)
