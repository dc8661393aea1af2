"""States and catalogues for the documents' tests, and readers for what the documents hold.

The Khánh Hòa case reproduces the seed's figures (khanh-hoa-2024-ke-hoach-khac-phuc-cchc.txt):
84,27/94,5 points published → 89,17%, Tốt, 8/21, last year 88,83% → "tăng 0,34%"; its items
use the seed's own inputs (285/291 tasks on time → 2 points, 9129/14697 electronic results →
0,31, 14673/14697 files on time → 4,5). The appraisal says 83,81: a plan on the published basis
must never print it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_xl.analysis.report import Report, build_report
from cchc_xl.criteria.catalogue import Catalogue, parse_catalogue
from cchc_xl.format.state import Entry, EvidenceRow, State, Task

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def khanh_hoa_catalogue() -> Catalogue:
    """Three fields with 94,5 points in all, as Khánh Hòa's applicable maximum for 2023."""
    return parse_catalogue({
        "name": "Bộ tiêu chí thử theo Khánh Hòa", "year": 2023, "province": "Khánh Hòa",
        "rating": [{"min": 85, "label": "Tốt"}, {"min": 70, "label": "Khá"},
                   {"min": 0, "label": "Trung bình"}],
        "units": [{"code": "VP", "name": "Văn phòng"},
                  {"code": "HCTP", "name": "Phòng Hành chính tư pháp"}],
        "fields": [
            {"code": "I", "name": "Công tác chỉ đạo, điều hành", "max": 10, "lead": "VP",
             "children": [
                 {"code": "I.1", "name": "Kế hoạch CCHC", "max": 7, "rule": {"kind": "manual"}},
                 {"code": "I.5", "name": "Thực hiện các nhiệm vụ UBND tỉnh giao trong năm",
                  "max": 3, "rule": {"kind": "tiers", "of": "rate", "a": "Tổng số nhiệm vụ",
                                     "b": "Số nhiệm vụ hoàn thành đúng hạn",
                                     "tiers": [[100, 3], [98, 2.5], [96, 2]]}}]},
            {"code": "II", "name": "Cải cách thủ tục hành chính", "max": 74.5, "lead": "VP",
             "support": ["HCTP"], "children": [
                 {"code": "II.1", "name": "Các nhiệm vụ khác", "max": 69,
                  "rule": {"kind": "manual"}},
                 {"code": "II.2.3.3.1", "name": "Tỷ lệ hồ sơ TTHC có cấp kết quả điện tử",
                  "max": 0.5, "rule": {"kind": "ratio"}},
                 {"code": "II.2.4.2.1", "name": "Tỷ lệ hồ sơ giải quyết đúng hạn", "max": 5,
                  "lead": "HCTP",
                  "rule": {"kind": "tiers", "of": "rate", "tiers": [[100, 5], [99, 4.5]]}}]},
            {"code": "III", "name": "Sự hài lòng", "max": 10, "lead": "VP", "children": [
                {"code": "III.1", "name": "Chỉ số hài lòng", "max": 10,
                 "rule": {"kind": "survey"}}]},
        ],
    }, source="khanh-hoa.yaml")


def khanh_hoa_state(*, published_fields: bool = True, appraised: bool = True,
                    published: bool = True) -> State:
    entries = {
        "I.1": Entry(value=7, target=7),
        "I.5": Entry(a=291, b=285, cause="Trễ hạn 06/291 nhiệm vụ (2,06%)",
                     remedy="Văn phòng rà soát, nhắc việc trong giao ban tuần",
                     deadline=dt.date(2024, 12, 10)),
        "II.1": Entry(value=60, appraised=61 if appraised else None),
        "II.2.3.3.1": Entry(a=14697, b=9129, cause="Bộ phận văn thư chỉ có 01 biên chế",
                            remedy="Bố trí nhân lực số hóa kết quả"),
        "II.2.4.2.1": Entry(a=14697, b=14673, cause="24 hồ sơ trễ hạn"),
        "III.1": Entry(value=9),
        "I": Entry(target=10),
        "II": Entry(target=74.5, deadline="Thường xuyên"),
        "III": Entry(target=10),
    }
    info: dict[str, Any] = {
        "agency": "SỞ TƯ PHÁP", "parent": "UBND TỈNH KHÁNH HÒA", "abbreviation": "STP",
        "place": "Khánh Hòa", "signer_name": "Lý Nguyễn Nguyên Vũ",
        "last_year.index": 0.8883, "last_year.rank": "9/21",
    }
    if published:
        info.update({"published.decision": "Quyết định số 91/QĐ-UBND ngày 11/01/2024 của UBND "
                                           "tỉnh", "published.total": 84.27,
                     "published.index": 0.8917, "published.rating": "Tốt",
                     "published.rank": "8/21"})
        if published_fields:
            info.update({"field.I": 9, "field.II": 66.27, "field.III": 9})
    tasks = [Task(code="I.5", task="Nhắc việc trong giao ban tuần", deliverable="Kết luận giao ban",
                  lead="VP", support="HCTP", deadline=dt.date(2024, 6, 30),
                  status="đang thực hiện"),
             Task(code="I.5", task="Theo dõi trên phần mềm nhắc việc", deliverable="Báo cáo tháng",
                  lead="VP", deadline=dt.date(2024, 12, 10), status="hoàn thành")]
    evidence = [EvidenceRow(code="I.5", number="318/BC-STP", date=dt.date(2023, 12, 13),
                            subject="Báo cáo kết quả công tác CCHC năm 2023",
                            issuer="Sở Tư pháp", link="bao-cao-318.pdf")]
    return State(kind="master", org="Sở Tư pháp tỉnh Khánh Hòa", entries=entries, info=info,
                 tasks=tasks, evidence=evidence)


def khanh_hoa_report(**kwargs: Any) -> Report:
    return build_report(khanh_hoa_catalogue(), khanh_hoa_state(**kwargs))


def tiny_state(**info: Any) -> State:
    """The conftest's tiny catalogue with points lost in two fields, a bonus and a penalty."""
    entries = {
        "1.1": Entry(a=291, b=285, cause="Trễ hạn 06 nhiệm vụ", remedy="Nhắc việc hằng tuần",
                     deadline=dt.date(2027, 6, 30)),
        "1.2": Entry(value="Ban hành kịp thời"),
        "2.1": Entry(a=14697, b=14673),
        "2.2": Entry(a=14697, b=9129, note="Văn thư chỉ có 01 biên chế"),
        "2.3": Entry(a=100, b=60),
        "2.4": Entry(value="Đạt"),
        "2.5": Entry(value=12),
        "2.6": Entry(value=0.5),
        "3.1": Entry(value=1.5),
        "T.1": Entry(value=2),
        "TR.2": Entry(value="Có vi phạm", cause="Gửi 01 văn bản giấy", remedy="Rà soát"),
        "1": Entry(target=4), "2": Entry(target=10.5), "3": Entry(target=2),
    }
    settings = {"abbreviation": "STP", "signer_title": "Phó Giám đốc",
                "signer_name": "Nguyễn Văn An", **info}
    evidence = [
        EvidenceRow(code="1.1", number="12/BC-VP", date=dt.date(2026, 12, 1),
                    subject="Báo cáo nhiệm vụ UBND tỉnh giao", issuer="Sở Tư pháp",
                    link="a.pdf"),
        EvidenceRow(code="2.1", number="15/TB-VP", date="15/11/2026",
                    subject="Thống kê hồ sơ", issuer="Sở Tư pháp", link="https://dvc.gov.vn/x"),
    ]
    return State(kind="master", org="Sở Tư pháp tỉnh Lạng Sơn", entries=entries,
                 info=settings, evidence=evidence)


# ---------------------------------------------------------------------------------------------
# Reading the documents back


def vn(text: str) -> Decimal | None:
    """'84,27' → 84.27; '-0,5' → -0.5; '' → None (Vietnamese decimal comma, '.' thousands)."""
    text = text.strip().replace("%", "")
    if not text or not re.fullmatch(r"-?[\d.]+(,\d+)?", text):
        return None
    return Decimal(text.replace(".", "").replace(",", "."))


def table_rows(table: Any) -> list[list[str]]:
    """A python-docx table's rows as texts (merged cells repeat their text)."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for r in table.rows for c in r.cells]
    return "\n".join(parts)


def pdf_pages(pdf: Path) -> list[str]:
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def squeeze(text: str) -> str:
    """No whitespace: pdftotext splits some Vietnamese words at diacritics."""
    return re.sub(r"\s+", "", text)
