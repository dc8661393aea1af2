"""The progress report in Word, in the Nghị định 30 frame every Word document shares (`admin.py`).

The heading ("Số:      /BC-STP", the place and date), "BÁO CÁO" and its title; I. Tình hình chung
(tasks done, in progress, not started, overdue); II. Nhiệm vụ quá hạn; III. Tiến độ theo đơn vị
chủ trì; IV. Tiến độ theo lĩnh vực (each with a total row); V. Tiêu chí có nguy cơ không cải
thiện được điểm; VI. Đề xuất; Nơi nhận and the signature ("KT. GIÁM ĐỐC" when a deputy signs);
then the appendix on a landscape page: every task with its state on the report's date, overdue
first. Tables are `wordtable` tables (header repeated on every page, rows kept on one page).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..analysis.progress import Progress
from ..analysis.report import Report
from ..criteria.numbers import vn_number, vn_percent
from .admin import AdminDocument, Frame
from .progress import (FIELD_COLUMNS, OVERDUE_COLUMNS, RISK_COLUMNS, TASK_COLUMNS, UNIT_COLUMNS,
                       Col, plan_name, records)
from .wordtable import Align, Column, Row, add_table

APPENDIX_COLUMNS = tuple(next(c for c in TASK_COLUMNS if c.key == key) for key in (
    "code", "task", "deliverable", "lead_name", "deadline", "state", "completed", "evidence"))
# Widths in cm, after the STT column: a portrait page holds 16,5 cm of text, a landscape one
# 26,2 cm; a date at 11 pt needs 2,3 cm, "STT" 1,2 cm.
STT_WIDTH = 1.2
OVERDUE_WIDTHS = (1.4, 2.5, 3.6, 2.6, 2.3, 1.3, 1.6)
COUNT_WIDTHS = (4.5, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8)
RISK_WIDTHS = (1.4, 3.9, 2.6, 1.5, 2.0, 1.8, 2.1)
APPENDIX_WIDTHS = (1.5, 5.6, 3.8, 3.3, 2.3, 2.6, 2.3, 3.6)
ALIGN: dict[str, Align] = {"text": "left", "date": "center", "int": "center",
                           "number": "center", "percent": "center"}


def write_progress_docx(progress: Progress, report: Report, frame: Frame, path: Path) -> None:
    doc = AdminDocument(frame)
    doc.heading()
    doc.title()
    doc.paragraph(f"Thực hiện {plan_name(report)}, {frame.agency_name} báo cáo tình hình thực "
                  f"hiện tính đến ngày {progress.on:%d/%m/%Y} như sau:")
    _body(doc, progress)
    doc.signature()
    _appendix(doc, progress)
    doc.save(path)


def _body(doc: AdminDocument, progress: Progress) -> None:
    t = progress.totals
    doc.section("I. TÌNH HÌNH CHUNG")
    if not t["total"]:
        doc.paragraph("Chưa có nhiệm vụ nào trong sheet 'Theo dõi khắc phục' của tệp tổng hợp.")
    else:
        share = _shown(t["share_done"], "percent")
        doc.paragraph(f"Tính đến ngày {progress.on:%d/%m/%Y}, Kế hoạch có {t['total']} nhiệm vụ: "
                      f"hoàn thành {t['done']} ({share}); đang thực hiện {t['started']}; chưa "
                      f"thực hiện {t['not_started']}; quá hạn {t['overdue']} nhiệm vụ.")
    doc.section("II. NHIỆM VỤ QUÁ HẠN")
    overdue = records(progress.overdue)
    if overdue:
        _table(doc, OVERDUE_COLUMNS[:6] + OVERDUE_COLUMNS[7:], OVERDUE_WIDTHS, overdue)
    else:
        doc.paragraph("Không có nhiệm vụ quá hạn.")
    for heading, columns, frame in (("III. TIẾN ĐỘ THEO ĐƠN VỊ CHỦ TRÌ", UNIT_COLUMNS[1:],
                                     progress.by_unit),
                                    ("IV. TIẾN ĐỘ THEO LĨNH VỰC", FIELD_COLUMNS[1:],
                                     progress.by_field)):
        doc.section(heading)
        rows = records(frame)
        if rows:
            _table(doc, columns, COUNT_WIDTHS, rows, total=t)
        else:
            doc.paragraph("Chưa có nhiệm vụ.")
    doc.section("V. TIÊU CHÍ CÓ NGUY CƠ KHÔNG CẢI THIỆN ĐƯỢC ĐIỂM")
    risk = records(progress.at_risk)
    if risk:
        doc.paragraph("Các tiêu chí có nhiệm vụ quá hạn hoặc chưa thực hiện, với số điểm đã bị "
                      "trừ:")
        _table(doc, RISK_COLUMNS, RISK_WIDTHS, risk)
    else:
        doc.paragraph("Không có tiêu chí nào có nhiệm vụ quá hạn hoặc chưa thực hiện.")
    doc.section("VI. ĐỀ XUẤT")
    doc.paragraph("Đề nghị các phòng, đơn vị có nhiệm vụ quá hạn hoặc chưa thực hiện khẩn trương "
                  "triển khai, cập nhật tiến độ và tài liệu chứng minh vào tệp kế hoạch khắc "
                  "phục, gửi về Văn phòng Sở; Văn phòng Sở tiếp tục theo dõi, đôn đốc, tổng hợp, "
                  "báo cáo Lãnh đạo Sở. Danh sách nhiệm vụ chi tiết tại Phụ lục kèm theo./.")


def _table(doc: AdminDocument, columns: Sequence[Col], widths: Sequence[float],
           rows: list[dict[str, Any]], total: dict[str, Any] | None = None) -> None:
    """A ruled table: STT, then `columns`; with `total`, a bold total row of the counts."""
    word = [Column("STT", STT_WIDTH, "center"),
            *(Column(c.header, w, ALIGN[c.kind]) for c, w in zip(columns, widths))]
    body = [Row([str(i), *(_shown(row.get(c.key), c.kind) for c in columns)])
            for i, row in enumerate(rows, start=1)]
    if total is not None:
        body.append(Row(["Tổng cộng", "", *(_shown(total.get(c.key), c.kind)
                                            for c in columns[1:])], bold=True, merge=(0, 1)))
    add_table(doc.doc, word, body, size=11)


def _shown(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "date":
        return f"{value:%d/%m/%Y}"
    if kind == "percent":
        return vn_percent(Decimal(str(value)), 1)
    if kind == "number":
        return vn_number(Decimal(str(value)), 2)
    if kind == "int":
        return str(int(value))
    return str(value)


def _appendix(doc: AdminDocument, progress: Progress) -> None:
    doc.appendix("", "Danh sách nhiệm vụ khắc phục và tình trạng thực hiện")
    doc.paragraph(f"Tình trạng tính đến ngày {progress.on:%d/%m/%Y}; nhiệm vụ quá hạn xếp trước.",
                  italic=True, center=True, before=0, after=6)
    rows = records(progress.tasks)
    if rows:
        _table(doc, APPENDIX_COLUMNS, APPENDIX_WIDTHS, rows)
    else:
        doc.paragraph("Chưa có nhiệm vụ nào trong sheet 'Theo dõi khắc phục'.", center=True)
