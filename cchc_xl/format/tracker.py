"""The remediation plan's workbook format: the master's tracker sheet and the plan workbooks.

After the results are published, each lead unit gets a plan workbook (kind "plan") with its items
below their maximum or their target, where it writes causes and solutions and the tasks it will
carry out (Lạng Sơn's plan, §III.1). Returned plan workbooks are merged like score returns; their
tasks land in the master's tracker sheet, where the Văn phòng follows them through the year
(§III.3). Builders write this layout and readers read it; nothing else knows these columns.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .layout import COVER_SHEET, TRACKER_SHEET, Column
from .state import PLAN_LOG_KIND, SCORE_LOG_KIND, OVERDUE, TASK_STATUSES, plain_value

__all__ = ["OVERDUE", "PLAN_LOG_KIND", "SCORE_LOG_KIND", "TASK_STATUSES", "TRACKER_SHEET"]

PLAN_KIND = "plan"  # the `kind` meta of a plan workbook
DONE, STARTED, NOT_STARTED = TASK_STATUSES[2], TASK_STATUSES[1], TASK_STATUSES[0]


# ---------------------------------------------------------------------------------------------
# The master's tracker sheet (Theo dõi khắc phục)

TASK_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã tiêu chí", 9, "office"),
    Column("name", "Tiêu chí", 30, "none"),  # derived from the code when the master is written
    Column("task", "Nhiệm vụ", 40, "office"),
    Column("deliverable", "Sản phẩm, kết quả", 28, "office"),
    Column("lead", "Đơn vị chủ trì", 10, "office"),
    Column("support", "Đơn vị phối hợp", 16, "office"),
    Column("deadline", "Thời hạn", 11, "office"),
    Column("status", "Tình trạng", 15, "office"),
    Column("completed", "Ngày hoàn thành", 11, "office"),
    Column("evidence", "Kết quả thực hiện, tài liệu chứng minh", 30, "office"),
    Column("note", "Ghi chú", 20, "office"),
    Column("overdue", "Quá hạn", 9, "none"),  # formula: deadline, status, TODAY()
    Column("days_late", "Số ngày trễ", 8, "none", number=True),  # formula
    Column("origin", "Từ kế hoạch của đơn vị", 11, "none"),  # written by the tool, locked
)
TASK_COL = {c.key: i for i, c in enumerate(TASK_COLUMNS)}
TASK_TITLE_ROW, TASK_NOTE_ROW, TASK_HEADER_ROW = 0, 1, 3
TASK_FIRST_ROW = 4
TASK_BLANK_ROWS = 100
TASK_DATE_KEYS = ("deadline", "completed")
TRACKER_TABLE = "TheoDoiKhacPhuc"
TASK_CODES_NAME = "CCHC_TASK_CODES"  # every criterion code, for the code column's list

# ---------------------------------------------------------------------------------------------
# A unit's plan workbook

PLAN_COVER_SHEET = COVER_SHEET
PLAN_ITEMS_SHEET = "Tiêu chí cần khắc phục"
PLAN_TASKS_SHEET = "Nhiệm vụ khắc phục"

ITEM_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã", 8, "none"),
    Column("name", "Tiêu chí thành phần", 40, "none"),
    Column("max", "Điểm tối đa áp dụng", 9, "none", number=True),
    Column("achieved", "Điểm đạt (thẩm định nếu có)", 9, "none", number=True),
    Column("lost", "Điểm bị trừ", 8, "none", number=True),
    Column("target", "Mục tiêu năm nay", 9, "none", number=True),
    Column("last_year", "Kết quả năm trước", 9, "none", number=True),
    Column("label", "Kết quả", 16, "none"),
    Column("cause", "Nguyên nhân chưa đạt", 38, "unit"),
    Column("remedy", "Giải pháp khắc phục", 38, "unit"),
)
ITEM_COL = {c.key: i for i, c in enumerate(ITEM_COLUMNS)}
ITEM_HEADER_ROW, ITEM_FIRST_ROW = 3, 4

PLAN_TASK_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã tiêu chí", 9, "unit"),
    Column("name", "Tiêu chí", 26, "none"),  # formula over the unit's codes
    Column("task", "Nhiệm vụ", 38, "unit"),
    Column("deliverable", "Sản phẩm, kết quả", 26, "unit"),
    Column("support", "Đơn vị phối hợp", 16, "unit"),
    Column("deadline", "Thời hạn", 11, "unit"),
    Column("status", "Tình trạng", 15, "unit"),
    Column("completed", "Ngày hoàn thành", 11, "unit"),
    Column("evidence", "Kết quả thực hiện, tài liệu chứng minh", 28, "unit"),
    Column("note", "Ghi chú", 18, "unit"),
    Column("overdue", "Quá hạn", 9, "none"),
    Column("source", "Nguồn", 14, "none"),  # ASSIGNED: a task the Văn phòng typed for the unit
)
PLAN_TASK_COL = {c.key: i for i, c in enumerate(PLAN_TASK_COLUMNS)}
PLAN_TASK_HEADER_ROW, PLAN_TASK_FIRST_ROW = 3, 4
PLAN_TASK_BLANK_ROWS = 40
ASSIGNED = "Văn phòng giao"
# What a unit may change in a task the Văn phòng assigned to it: its progress, nothing else.
PROGRESS_KEYS = ("status", "completed", "evidence", "note")
ASSIGNED_KEYS = ("code", "task", "deliverable", "support", "deadline")
# On '_cchc' of a plan workbook: the unit's codes and their names (for the lists and the
# name column), from column J.
PLAN_CODES_COL = 9
PLAN_CODES_NAME = "CCHC_PLAN_CODES"
PLAN_NAMES_NAME = "CCHC_PLAN_NAMES"


def normal_status(value: Any) -> str | None:
    """The status as listed ('Hoàn thành ' → 'hoàn thành'); None when blank; anything else is
    returned as typed (stripped), for the checks to report."""
    value = plain_value(value)
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not text:
        return None
    folded = " ".join(text.split()).casefold()
    return next((s for s in TASK_STATUSES if s == folded), text)


def valid_status(value: Any) -> bool:
    status = normal_status(value)
    return status is None or status in TASK_STATUSES
