"""The workbook format in one place: sheet names, columns, defined names, metadata keys.

The builders write this layout and the readers read it; nothing else knows a column letter.
`docs/workbook-format.md` documents it for people and other tools.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from ..criteria.catalogue import Group

FORMAT_VERSION = 3
# 2: evidence origin column, log save times; 3: the tracker sheet, plan workbooks, log file kinds
READABLE_FORMATS = (1, 2, 3)
TEMPLATE_ID = "cchc-xl"

COVER_SHEET = "Hướng dẫn"
INFO_SHEET = "Thông tin chung"
EVIDENCE_SHEET = "Tài liệu kiểm chứng"
EXTRAS_SHEET = "Điểm thưởng, điểm trừ"
SUMMARY_SHEET = "Tổng hợp"
GAP_SHEET = "Phân tích chênh lệch"
EXPLANATION_SHEET = "Giải trình thẩm định"
UNITS_SHEET = "Đơn vị"  # the master's units at a glance
REQUESTS_SHEET = "Yêu cầu bổ sung"  # a unit workbook's requests
LOG_SHEET = "Nhật ký gộp"
TRACKER_SHEET = "Theo dõi khắc phục"  # the remediation plan's tasks (format/tracker.py)
META_SHEET = "_cchc"
CATALOGUE_NAME = "CCHC_CATALOGUE"  # the defined name of the catalogue YAML chunks on '_cchc'
XLWINGS_CONF_SHEET = "xlwings.conf"

Kind = Literal["master", "unit"]
Role = Literal["unit", "office", "none"]  # who types into a column: a unit, the Văn phòng, nobody

# Rows on a tree sheet (field sheets and the bonus/penalty sheet), 0-based for XlsxWriter.
TITLE_ROW, SUBTITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 2, 3
FIRST_DATA_ROW = 4
SECOND_PAGE_COLUMN = "lead"  # printing breaks before this column


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    role: Role  # on leaf rows of the master; unit workbooks unlock only role "unit"
    number: bool = False


# The columns of a tree sheet, in order. `key` is what readers and builders use.
COLUMNS: tuple[Column, ...] = (
    # What a unit reads and types: printed on the first page.
    Column("code", "Mã", 7, "none"),
    Column("name", "Tiêu chí, tiêu chí thành phần", 40, "none"),
    Column("max", "Điểm tối đa", 7, "none", number=True),
    Column("rule", "Cách tính điểm", 30, "none"),
    Column("a", "a (tổng số)", 9, "unit", number=True),
    Column("b", "b (số đạt)", 9, "unit", number=True),
    Column("value", "Giá trị / lựa chọn", 14, "unit"),
    Column("na", "Không chấm điểm (x)", 8, "unit"),
    Column("supp", "Giải trình bổ sung (x hoặc số điểm)", 12, "unit"),
    Column("applicable", "Điểm tối đa áp dụng", 8, "none", number=True),
    Column("points", "Điểm tự chấm", 8, "none", number=True),
    Column("note", "Giải trình, ghi chú", 26, "unit"),
    # Responsibility and the Văn phòng's columns: the second printed page.
    Column("lead", "Đơn vị chủ trì", 16, "none"),
    Column("support", "Đơn vị phối hợp", 18, "none"),
    Column("appraised", "Điểm thẩm định", 8, "office", number=True),
    Column("last_year", "Kết quả năm trước", 8, "office", number=True),
    Column("target", "Mục tiêu năm nay", 8, "office", number=True),
    Column("cause", "Nguyên nhân chưa đạt", 26, "office"),
    Column("remedy", "Giải pháp khắc phục", 26, "office"),
    Column("deadline", "Thời hạn hoàn thành", 11, "office"),
)
COL = {c.key: i for i, c in enumerate(COLUMNS)}
# Macro-enabled masters only: a hidden column holding one array call of the Python UDF per sheet
# (CCHC_DIEM_KHOI); each points cell uses it and falls back to its native formula on an error.
UDF_COLUMN = len(COLUMNS)
UDF_HEADER = "Điểm (Python)"
INPUT_KEYS = ("a", "b", "value", "na", "supp")
OFFICE_KEYS = ("appraised", "last_year", "target", "cause", "remedy", "deadline")
TEXT_KEYS = ("note", "cause", "remedy", "deadline")
# The typed cells of a leaf row and of a parent row (a parent's appraised points are summed).
LEAF_KEYS = INPUT_KEYS + ("appraised", "last_year", "target", "note", "cause", "remedy",
                          "deadline")
GROUP_KEYS = ("last_year", "target", "note", "cause", "remedy", "deadline")

# The evidence register (Tài liệu kiểm chứng).
EVIDENCE_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã tiêu chí", 10, "unit"),
    Column("number", "Số, ký hiệu", 16, "unit"),
    Column("date", "Ngày ban hành", 13, "unit"),
    Column("subject", "Trích yếu", 50, "unit"),
    Column("issuer", "Cơ quan ban hành", 24, "unit"),
    Column("link", "Tệp, đường dẫn", 30, "unit"),
    Column("unit", "Đơn vị cung cấp", 12, "unit"),
)
EVIDENCE_COL = {c.key: i for i, c in enumerate(EVIDENCE_COLUMNS)}
# The master's register has one more column, written by the tool and locked: the unit whose
# return brought the row (blank: typed in the master by the Văn phòng). A unit's next return
# replaces exactly the rows of its earlier returns; rows the Văn phòng typed are never touched.
ORIGIN_COLUMN = Column("origin", "Gộp từ tệp của đơn vị", 12, "none")
EVIDENCE_COL["origin"] = len(EVIDENCE_COLUMNS)
MASTER_EVIDENCE_COLUMNS = EVIDENCE_COLUMNS + (ORIGIN_COLUMN,)
EVIDENCE_HEADER_ROW = 3
EVIDENCE_FIRST_ROW = 4
# The register's empty rows are formatted and validated by column down to here (no cell is
# written for them): Excel's last row.
EVIDENCE_LAST_ROW = 1_048_575

# The consolidated sheet (Tổng hợp), the gap analysis and the merge log: where their bodies start.
SUMMARY_HEADER_ROW = 3
GAP_HEADER_ROW = 3
LOG_HEADER_ROW = 2
LOG_FIRST_ROW = 3
LOG_COLUMNS = (("time", "Thời gian"), ("file", "Tệp"), ("sha256", "SHA-256"), ("unit", "Đơn vị"),
               ("outcome", "Kết quả"), ("problems", "Vấn đề"), ("saved", "Tệp lưu lúc"),
               ("kind", "Loại tệp"))

# The appraisal sheet (Giải trình thẩm định): its columns (key, header, width) and rows.
EXPLANATION_COLUMNS = (
    ("code", "Mã", 8), ("name", "Tiêu chí thành phần", 40), ("max", "Điểm tối đa", 8),
    ("points", "Điểm tự chấm", 8), ("first", "Điểm thẩm định lần đầu", 10),
    ("explanation", "Nội dung giải trình của Sở", 36),
    ("supplement", "Tài liệu kiểm chứng bổ sung", 30),
    ("decision", "Kết luận của Hội đồng thẩm định", 28),
    ("final", "Điểm sau giải trình (cột 'Điểm thẩm định' ở sheet lĩnh vực)", 16),
    ("change", "Chênh lệch so với điểm tự chấm", 10),
)
UNITS_HEADER_ROW = 3
UNITS_FIRST_ROW = 4
EXPLANATION_HEADER_ROW = 3
EXPLANATION_FIRST_ROW = 4
EXPLANATION_BLANK_ROWS = 10

# The metadata sheet: key/value pairs in A:B, the row map in D:H, lists in J onwards.
META_KEYS = ("template_id", "format_version", "kind", "catalogue_name", "catalogue_year",
             "catalogue_hash", "org", "unit_code", "unit_name", "generator")
META_MAP_COLUMNS = ("code", "sheet", "row", "role", "kind")  # D:H
META_MAP_FIRST_COL = 3
META_LIST_FIRST_COL = 9  # J: code list, K: unit list, L onwards: per-leaf option lists


# Sheet protection, per kind of sheet, in XlsxWriter's `Worksheet.protect()` option names: the
# builders protect with these and the live mode (the buttons inside Excel) re-protects with the
# same options translated to Excel's `Worksheet.Protect` arguments (`excel/live.py`), so a button
# never leaves a sheet protected differently from a fresh build. `_LOCKED` is XlsxWriter's own
# defaults spelled out (everything locked except selecting cells), so each entry is complete.
_LOCKED: Mapping[str, bool] = MappingProxyType({
    "sheet": True, "content": False, "objects": False, "scenarios": False,
    "format_cells": False, "format_columns": False, "format_rows": False,
    "insert_columns": False, "insert_rows": False, "insert_hyperlinks": False,
    "delete_columns": False, "delete_rows": False, "select_locked_cells": True, "sort": False,
    "autofilter": False, "pivot_tables": False, "select_unlocked_cells": True,
})
ProtectionKind = Literal["tree", "cover", "evidence", "log", "summary", "gap", "info",
                         "explanations", "units", "tracker"]


def _allowing(**allowed: bool) -> Mapping[str, bool]:
    return MappingProxyType({**_LOCKED, **allowed})


PROTECTION: Mapping[ProtectionKind, Mapping[str, bool]] = MappingProxyType({
    "tree": _allowing(format_columns=True, format_rows=True),  # field and bonus/penalty sheets
    "cover": _allowing(),
    "evidence": _allowing(format_columns=True, format_rows=True),
    "log": _allowing(format_columns=True, autofilter=True),
    "summary": _allowing(format_columns=True),
    "gap": _allowing(format_columns=True),
    "info": _allowing(format_columns=True, format_rows=True),
    "explanations": _allowing(format_columns=True, format_rows=True),
    "units": _allowing(format_columns=True, format_rows=True),
    "tracker": _allowing(format_columns=True, format_rows=True, autofilter=True),
})
_PROTECTION_BY_SHEET: Mapping[str, ProtectionKind | None] = MappingProxyType({
    COVER_SHEET: "cover", INFO_SHEET: "info", EVIDENCE_SHEET: "evidence", LOG_SHEET: "log",
    SUMMARY_SHEET: "summary", GAP_SHEET: "gap", EXPLANATION_SHEET: "explanations",
    UNITS_SHEET: "units", REQUESTS_SHEET: "units", TRACKER_SHEET: "tracker",
    META_SHEET: None, XLWINGS_CONF_SHEET: None,
})


def sheet_protection(sheet: str) -> Mapping[str, bool] | None:
    """The protection options a sheet was built with, by name; None: the sheet is not protected.

    Any other name is a tree sheet (a field sheet or the bonus/penalty sheet).
    """
    kind = _PROTECTION_BY_SHEET.get(sheet, "tree")
    return None if kind is None else PROTECTION[kind]


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """0-based row/col → 'G12' (or '$G$12')."""
    if absolute:
        return f"${col_letter(col)}${row + 1}"
    return f"{col_letter(col)}{row + 1}"


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def code_token(code: str) -> str:
    """The part of a defined name that stands for a code: '3.2.1' → '3_2_1'."""
    return re.sub(r"[^0-9A-Za-z]", "_", code)


def defined_name(what: str, code: str) -> str:
    """CCHC_A_3_2_1, CCHC_POINTS_3_2_1 … (what: A, B, VALUE, NA, SUPP, POINTS, …)."""
    return f"CCHC_{what}_{code_token(code)}"


INPUT_NAME = {"a": "A", "b": "B", "value": "VALUE", "na": "NA", "supp": "SUPP"}

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def field_sheet_name(field: Group) -> str:
    """'3. Thủ tục hành chính' within Excel's 31 characters, cut at a word boundary."""
    base = field.short_name or field.name
    name = _BAD_SHEET_CHARS.sub("-", f"{field.code}. {base}").strip("'")
    if len(name) <= 31:
        return name
    cut = name[:31]
    return cut[: cut.rfind(" ")] if " " in cut[len(field.code) + 2:] else cut
