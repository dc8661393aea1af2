"""The master's Excel parts: VBA project, buttons, xlwings config sheet.

What a macro-enabled master (.xlsm) gets when it is built (`build_master(..., macros=True)`):

* `master_vba_project` — ``vbaProject.bin`` built from the ``macros/*.bas`` sources (source only;
  Excel compiles it on open). Modules: ``CchcButtons`` (one Sub per button), ``CchcUdfs`` (the
  worksheet functions ``CCHC_DIEM``/``CCHC_DIEM_KHOI``, which call `cchc_xl.excel.udfs` through
  the xlwings add-in and return #N/A without it), ``CchcCommon`` (Vietnamese text, messages) and
  the ``ThisWorkbook`` body (``Workbook_Open`` warms up Python when the add-in is there).
* `master_extras` — the buttons on the cover sheet (a column of nine in column C, in three groups
  in the order of the year: `COVER_GROUPS`) and a "Đồng bộ"/"Kiểm tra" pair at the top of each
  field sheet, and the hidden ``xlwings.conf`` sheet.

What the buttons run on the Python side is `cchc_xl.excel.bridge`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..criteria.numbers import vn_number
from ..errors import FileError
from ..format.layout import (
    CATALOGUE_NAME,
    COLUMNS,
    XLWINGS_CONF_SHEET,
    field_sheet_name,
)

__all__ = [
    "CATALOGUE_NAME",
    "COVER_BUTTONS",
    "COVER_GROUPS",
    "FIELD_BUTTONS",
    "UDF_MODULE",
    "Button",
    "macros_folder",
    "master_extras",
    "master_vba_project",
    "vba_text",
]

UDF_MODULE = "cchc_xl.excel.udfs"



@dataclass(frozen=True)
class Button:
    macro: str  # a public Sub of macros/CchcButtons.bas
    caption: str
    description: str  # alternative text


SPLIT = Button("CchcTaoFileDonVi", "Tạo file cho đơn vị",
               "Tạo tệp Excel riêng cho từng đơn vị chủ trì, lưu vào thư mục bạn chọn")
MERGE = Button("CchcGopDuLieu", "Gộp dữ liệu",
               "Kiểm tra và gộp các tệp đơn vị gửi về, tệp chấm điểm hoặc tệp kế hoạch khắc phục "
               "(chọn thư mục chứa các tệp)")
CHECK = Button("CchcKiemTra", "Kiểm tra",
               "Kiểm tra tệp tổng hợp: số liệu sai, thiếu tài liệu kiểm chứng")
SYNC = Button("CchcDongBo", "Đồng bộ", "Cập nhật sheet Tổng hợp và Phân tích chênh lệch")
REPORT = Button("CchcBaoCaoTuDanhGia", "Báo cáo tự đánh giá",
                "Xuất báo cáo kết quả tự đánh giá gửi Sở Nội vụ ra tệp Word (.docx) hoặc Excel "
                "(.xlsx), kèm gói tài liệu kiểm chứng nếu chọn")
APPRAISAL = Button("CchcNhapDiemThamDinh", "Nhập điểm thẩm định",
                   "Nhập điểm của Hội đồng thẩm định từ bảng tính của Hội đồng (chọn tệp)")
PLAN = Button("CchcXuatKeHoach", "Xuất kế hoạch khắc phục",
              "Xuất kế hoạch khắc phục ra tệp Word (.docx) hoặc Excel (.xlsx)")
SPLIT_PLAN = Button("CchcTaoFileKeHoach", "Tạo file kế hoạch cho đơn vị",
                    "Tạo tệp kế hoạch khắc phục cho từng đơn vị chủ trì, lưu vào thư mục bạn chọn")
PROGRESS = Button("CchcBaoCaoTienDo", "Báo cáo tiến độ khắc phục",
                  "Xuất báo cáo tiến độ thực hiện kế hoạch khắc phục đến hôm nay, ra tệp Word "
                  "(.docx) hoặc Excel (.xlsx)")

# The cover's buttons in the order of the year, a small gap between groups: the self-assessment
# round, the report and the appraisal, the remediation plan. The cover's steps (build/sheets.py
# MASTER_PHASES) follow the same order, under the same three headings.
COVER_GROUPS = (
    (SPLIT, MERGE, CHECK, SYNC),
    (REPORT, APPRAISAL),
    (PLAN, SPLIT_PLAN, PROGRESS),
)
COVER_BUTTONS = tuple(button for group in COVER_GROUPS for button in group)
FIELD_BUTTONS = (SYNC, CHECK)

# Geometry, in pixels (XlsxWriter's units for objects).
COVER_ANCHOR = (4, 2)  # row 5 of column C: right of the cover's text column B
COVER_SIZE = (240, 30)
COVER_GAP = 8
COVER_GROUP_GAP = 26  # between two groups, instead of COVER_GAP
FIELD_SIZE = (96, 34)  # two rows high: the title and subtitle rows, above the legend row
FIELD_GAP = 6
_PX_PER_CHAR = 7  # XlsxWriter: a column of width w is int(w * 7 + 5) pixels wide
# Estimated width, in column-width units, of one character of the sheet title (bold 14 pt,
# upper case) and subtitle (italic 11 pt): generous, so buttons never hide the text.
_TITLE_CHAR = 1.9
_SUBTITLE_CHAR = 1.1


# ---------------------------------------------------------------------------------------------
# The VBA project


def macros_folder(package_dir: Path | None = None) -> Path:
    """The folder with the ``*.bas`` sources: package data when installed, else the checkout.

    package_dir: the ``cchc_xl`` package folder (default: this module's).
    """
    here = Path(package_dir) if package_dir is not None else Path(__file__).resolve().parents[1]
    candidates = [here / "macros", here.parent / "macros"]
    for folder in candidates:
        if any(folder.glob("*.bas")):
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise FileError(f"Không tìm thấy các tệp macro (.bas) của cchc-xl (đã tìm ở: {looked}). "
                    "Bản cài đặt bị thiếu tệp; hãy cài lại: "
                    'pip install --force-reinstall "cchc-xl[excel]"')


def master_vba_project(sheet_count: int | None = None) -> bytes:
    """The master's ``vbaProject.bin`` from ``macros/*.bas``.

    sheet_count: how many sheets the workbook has. XlsxWriter gives every sheet of a workbook
    with a VBA project the code name ``Sheet<index + 1>`` (``Sheet1`` … ``SheetN``, hidden sheets
    included), so the project gets one matching document module each, as Excel itself would save
    it. None: no sheet modules (LibreOffice reads that fine; Excel is expected to add them).
    """
    from ..vba import build_vba_project, read_bas_modules

    if sheet_count is not None and sheet_count < 0:
        raise ValueError("sheet_count must not be negative")
    names = [f"Sheet{i}" for i in range(1, (sheet_count or 0) + 1)]
    return build_vba_project(read_bas_modules(macros_folder()), sheet_code_names=names)


def vba_text(text: str) -> str:
    """Text for a VBA ``VN("...")`` literal: ASCII, with ``\\uXXXX`` escapes and ``\\n``.

    The .bas files must be ASCII; ``VN`` in ``macros/CchcCommon.bas`` decodes this at run time.
    A backslash is escaped too (``\\u005c``), so paths like ``D:\\CCHC\\nhan-ve`` stay intact.
    """
    import unicodedata

    out = []
    for char in unicodedata.normalize("NFC", text):
        if char == "\n":
            out.append("\\n")
        elif char == "\\" or ord(char) > 127:
            units = char.encode("utf-16-le")
            out.extend(f"\\u{int.from_bytes(units[i:i + 2], 'little'):04x}"
                       for i in range(0, len(units), 2))
        elif char == '"':
            out.append('""')
        else:
            out.append(char)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Buttons, the xlwings config sheet, the catalogue name


def master_extras(ctx: Any, cover_ws: Any) -> None:
    """Add the buttons, the ``xlwings.conf`` sheet and ``CCHC_CATALOGUE`` to a master being built.

    Called by `build_master` after every visible sheet and before the metadata sheet.
    """
    _cover_buttons(cover_ws)
    for field in ctx.catalogue.fields:
        ws = ctx.workbook.get_worksheet_by_name(field_sheet_name(field))
        if ws is not None:
            _field_buttons(ctx, ws, field)
    _xlwings_conf(ctx)


def _button(ws: Any, row: int, col: int, button: Button, size: tuple[int, int],
            x_offset: int = 0, y_offset: int = 0) -> None:
    ws.insert_button(row, col, {"macro": button.macro, "caption": button.caption,
                                "description": button.description, "width": size[0],
                                "height": size[1], "x_offset": x_offset, "y_offset": y_offset})


def _cover_buttons(ws: Any) -> None:
    row, col = COVER_ANCHOR
    for button, y in zip(COVER_BUTTONS, cover_offsets(), strict=True):
        _button(ws, row, col, button, COVER_SIZE, x_offset=4, y_offset=y)


def cover_offsets() -> list[int]:
    """Each cover button's distance in pixels below the anchor cell's top, group after group."""
    offsets, y = [], 0
    for g, group in enumerate(COVER_GROUPS):
        if g:
            y += COVER_GROUP_GAP - COVER_GAP
        for _ in group:
            offsets.append(y)
            y += COVER_SIZE[1] + COVER_GAP
    return offsets


def _field_buttons(ctx: Any, ws: Any, field: Any) -> bool:
    """The "Đồng bộ"/"Kiểm tra" pair in the title rows, right of the titles; False: no room."""
    # The same texts as tree._sheet_frame writes (master: no unit suffix), only to estimate
    # how far right they reach.
    org = ctx.state.org or "Sở"
    title = f"{org.upper()}: TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {ctx.catalogue.year}"
    subtitle = f"Lĩnh vực {field.code}: {field.name} — tối đa {vn_number(field.max)} điểm"
    reach = max(len(title) * _TITLE_CHAR, len(subtitle) * _SUBTITLE_CHAR) + 2
    left, col = 0.0, 0
    while col < len(COLUMNS) and left < reach:
        left += COLUMNS[col].width
        col += 1
    needed = len(FIELD_BUTTONS) * (FIELD_SIZE[0] + FIELD_GAP)
    room = sum(c.width * _PX_PER_CHAR + 5 for c in COLUMNS[col:])
    if col >= len(COLUMNS) or room < needed:
        return False
    for i, button in enumerate(FIELD_BUTTONS):
        _button(ws, 0, col, button, FIELD_SIZE, x_offset=2 + i * (FIELD_SIZE[0] + FIELD_GAP),
                y_offset=2)
    return True


def _xlwings_conf(ctx: Any) -> None:
    """The add-in reads settings from a sheet named ``xlwings.conf``: keys in A, values in B.

    Only the UDF module is set; the interpreter and the rest come from the user's own
    ``%USERPROFILE%\\.xlwings\\xlwings.conf`` (written by the ribbon) or the add-in's defaults.
    """
    ws = ctx.workbook.add_worksheet(XLWINGS_CONF_SHEET)
    ws.write_string(0, 0, "UDF Modules")
    ws.write_string(0, 1, UDF_MODULE)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 24)
    ws.hide()
