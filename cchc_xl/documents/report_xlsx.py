"""The self-assessment report in Excel: the summary by field (with its total and index), every
sub-criterion with its points, explanation and evidence count, and the evidence register, each
an Excel table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..criteria.catalogue import Leaf
from ..criteria.engine import index_of
from ..format.state import as_date, plain_value
from .report import ReportModel
from .report_docx import STATUS_TEXT
from .text import typed_text
from .xlsx import HEADER_ROW, Book, Formula, XColumn, ref, sheet, table, write


def write_xlsx(model: ReportModel, path: Path) -> None:
    book = Book(path)
    _summary(book, model)
    _items(book, model)
    _evidence(book, model)
    book.workbook.set_properties({"title": model.frame.title, "author": model.org_name})
    book.close()


def _summary(book: Book, model: ReportModel) -> None:
    ws = sheet(book, "Tổng hợp", model.frame.title, "KẾT QUẢ TỰ ĐÁNH GIÁ THEO LĨNH VỰC")
    columns = [XColumn("STT", 6, "int"), XColumn("Lĩnh vực", 46, total="label"),
               XColumn("Điểm tối đa", 12, "number", "sum"),
               XColumn("Điểm tối đa được chấm", 14, "number", "sum"),
               XColumn("Điểm tự đánh giá", 14, "number", "sum"),
               XColumn("Chỉ số thành phần", 14, "percent")]
    first = HEADER_ROW + 1
    rows = []
    for n, r in enumerate(model.summary):
        row = first + n
        share: Any = None
        if r.kind == "field":
            share = Formula(f'=IF({ref(row, 3)}=0,"",ROUND({ref(row, 4)}/{ref(row, 3)},4))',
                            "" if r.sub_index is None else r.sub_index)
        rows.append([int(r.number) if r.number else None, r.name, r.max, r.applicable_max,
                     r.points, share])
    placed = table(book, ws, columns, rows, name="TongHop", total_label="TỔNG ĐIỂM")
    assert placed.total is not None
    total = model.total
    value = index_of(total.points, total.applicable_max) \
        if total.points is not None and total.applicable_max else None
    write(book, ws, placed.total + 1, 1, "Chỉ số CCHC", "text", bold=True)
    points, applicable = ref(placed.total, 4), ref(placed.total, 3)
    write(book, ws, placed.total + 1, 4, Formula(
        f'=IF({applicable}=0,"",ROUND({points}/{applicable},4))', "" if value is None else value),
        "percent", bold=True)


def _items(book: Book, model: ReportModel) -> None:
    ws = sheet(book, "Chi tiết", model.frame.title,
               "KẾT QUẢ TỰ ĐÁNH GIÁ THEO TIÊU CHÍ THÀNH PHẦN")
    columns = [XColumn("Lĩnh vực", 8), XColumn("Mã", 10),
               XColumn("Tiêu chí thành phần", 50, total="label"),
               XColumn("Điểm tối đa", 11, "number", "sum"),
               XColumn("Điểm tối đa được chấm", 13, "number", "sum"),
               XColumn("Điểm tự đánh giá", 13, "number", "sum"), XColumn("Tình trạng", 16),
               XColumn("Giải trình", 50), XColumn("Số tài liệu kiểm chứng", 12, "int")]
    explained = {s.row.code: s.text for s in model.shortfalls}
    rows = []
    for f in model.report.fields:
        for row in model.detail(f):
            if not isinstance(row.node, Leaf):
                continue
            status = STATUS_TEXT.get(row.status, "")
            rows.append([f.code, row.code, row.node.name, row.max, row.applicable_max,
                         row.points, status, explained.get(row.code, ""),
                         len(model.evidence_of(row.code))])
    table(book, ws, columns, rows, name="ChiTiet", total_label="Cộng")


def _evidence(book: Book, model: ReportModel) -> None:
    from .evidence import register_row

    ws = sheet(book, "Tài liệu kiểm chứng", model.frame.title, "DANH MỤC TÀI LIỆU KIỂM CHỨNG")
    columns = [XColumn("STT", 6, "int"), XColumn("Mã tiêu chí", 10),
               XColumn("Số, ký hiệu", 16), XColumn("Ngày ban hành", 13, "date"),
               XColumn("Trích yếu", 50), XColumn("Cơ quan ban hành", 24),
               XColumn("Tệp, đường dẫn", 32), XColumn("Đơn vị cung cấp", 12),
               XColumn("Dòng trong sổ", 10)]
    rows: list[list[Any]] = []
    for code in model.evidence_codes():
        for i, e in model.evidence[code]:
            date = as_date(plain_value(e.date))
            rows.append([len(rows) + 1, typed_text(e.code), typed_text(e.number),
                         date if date is not None else typed_text(e.date),
                         typed_text(e.subject), typed_text(e.issuer), typed_text(e.link),
                         typed_text(e.unit), register_row(i)])
    table(book, ws, columns, rows, name="TaiLieuKiemChung")
