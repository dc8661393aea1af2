"""The master's Excel side: VBA project, buttons, xlwings config, and the buttons' Python entry.

What the master .xlsm gets from here (`cchc_xl.master.write_master` calls these):

* `master_vba_project` — ``vbaProject.bin`` built from the ``macros/*.bas`` sources (source only;
  Excel compiles it on open). Modules: ``CchcButtons`` (one Sub per button), ``CchcUdfs`` (the
  worksheet functions ``CCHC_DIEM``/``CCHC_DIEM_KHOI``, which call `cchc_xl.udfs` through the
  xlwings add-in and return #N/A without it), ``CchcCommon`` (Vietnamese text, messages) and the
  ``ThisWorkbook`` body (``Workbook_Open`` warms up Python when the add-in is there).
* `master_extras` — the buttons on the cover sheet (a column of five in column C) and a
  "Đồng bộ"/"Kiểm tra" pair at the top of each field sheet, the hidden ``xlwings.conf`` sheet,
  and the defined name ``CCHC_CATALOGUE`` (the catalogue YAML chunks the UDFs read).

A button runs, through the add-in, ``import cchc_xl.excel_bridge as b; b.run_button('<name>',
'<argument>')`` (text escaped as ``\\uXXXX`` by the VBA, so any path survives the command line).
`run_button` finds the calling workbook and calls the handler registered in `BUTTON_HANDLERS`.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CchcError, FileError
from .layout import (COLUMNS, META_KEYS, META_SHEET, XLWINGS_CONF_SHEET, field_sheet_name,
                     quote_sheet)
from .numbers import vn_number

__all__ = [
    "BUTTON_HANDLERS",
    "CATALOGUE_NAME",
    "COVER_BUTTONS",
    "FIELD_BUTTONS",
    "UDF_MODULE",
    "Button",
    "catalogue_range",
    "dispatch",
    "macros_folder",
    "master_extras",
    "master_vba_project",
    "run_button",
    "vba_text",
]

UDF_MODULE = "cchc_xl.udfs"
CATALOGUE_NAME = "CCHC_CATALOGUE"
TITLE = "cchc-xl"

# Where write_meta puts the catalogue YAML on the metadata sheet: a header row, one row per
# META_KEYS entry, then catalogue_yaml_1..n in column B, 30 000 characters each.
_META_FIRST_YAML_ROW = len(META_KEYS) + 1  # 0-based
_META_CHUNK = 30000


@dataclass(frozen=True)
class Button:
    macro: str  # a public Sub of macros/CchcButtons.bas
    caption: str
    description: str  # alternative text


COVER_BUTTONS = (
    Button("CchcTaoFileDonVi", "Tạo file cho đơn vị",
           "Tạo tệp Excel riêng cho từng đơn vị chủ trì, lưu vào thư mục bạn chọn"),
    Button("CchcGopDuLieu", "Gộp dữ liệu",
           "Kiểm tra và gộp các tệp đơn vị gửi về (chọn thư mục chứa các tệp)"),
    Button("CchcDongBo", "Đồng bộ", "Cập nhật sheet Tổng hợp và Phân tích chênh lệch"),
    Button("CchcXuatKeHoach", "Xuất kế hoạch khắc phục",
           "Xuất kế hoạch khắc phục ra tệp Word (.docx) hoặc Excel (.xlsx)"),
    Button("CchcKiemTra", "Kiểm tra",
           "Kiểm tra tệp tổng hợp: số liệu sai, thiếu tài liệu kiểm chứng"),
)
FIELD_BUTTONS = (COVER_BUTTONS[2], COVER_BUTTONS[4])

# Geometry, in pixels (XlsxWriter's units for objects).
COVER_ANCHOR = (4, 2)  # row 5 of column C: right of the cover's text column B
COVER_SIZE = (190, 30)
COVER_GAP = 8
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
    here = Path(package_dir) if package_dir is not None else Path(__file__).resolve().parent
    candidates = [here / "macros", here.parent / "macros"]
    for folder in candidates:
        if any(folder.glob("*.bas")):
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise FileError(f"Không tìm thấy các tệp macro (.bas) của cchc-xl (đã tìm ở: {looked}). "
                    "Bản cài đặt bị thiếu tệp; hãy cài lại: pip install --force-reinstall cchc-xl")


def master_vba_project(sheet_count: int | None = None) -> bytes:
    """The master's ``vbaProject.bin`` from ``macros/*.bas``.

    sheet_count: how many sheets the workbook has. XlsxWriter gives every sheet of a workbook
    with a VBA project the code name ``Sheet<index + 1>`` (``Sheet1`` … ``SheetN``, hidden sheets
    included), so the project gets one matching document module each, as Excel itself would save
    it. None: no sheet modules (LibreOffice reads that fine; Excel is expected to add them).
    """
    from .vba import build_vba_project, read_bas_modules

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


def catalogue_range(catalogue: Any) -> str:
    """``='_cchc'!$B$12:$B$<n>``: the cells holding the catalogue YAML chunks."""
    from .catalogue import dump_catalogue

    chunks = max(1, math.ceil(len(dump_catalogue(catalogue)) / _META_CHUNK))
    first = _META_FIRST_YAML_ROW + 1
    return f"={quote_sheet(META_SHEET)}!$B${first}:$B${first + chunks - 1}"


def _button(ws: Any, row: int, col: int, button: Button, size: tuple[int, int],
            x_offset: int = 0, y_offset: int = 0) -> None:
    ws.insert_button(row, col, {"macro": button.macro, "caption": button.caption,
                                "description": button.description, "width": size[0],
                                "height": size[1], "x_offset": x_offset, "y_offset": y_offset})


def _cover_buttons(ws: Any) -> None:
    row, col = COVER_ANCHOR
    for i, button in enumerate(COVER_BUTTONS):
        _button(ws, row, col, button, COVER_SIZE, x_offset=4,
                y_offset=i * (COVER_SIZE[1] + COVER_GAP))


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


# ---------------------------------------------------------------------------------------------
# The buttons' Python entry point

Handler = Callable[..., "str | None"]

#: Button name -> "module:function", imported only when the button is clicked. A handler is
#: called as handler(master_path, *arguments) after the workbook was saved, and returns the
#: Vietnamese text to show (None: a plain "Đã xong."); it raises CchcError for the user's errors.
BUTTON_HANDLERS: dict[str, str] = {
    "split": "cchc_xl.buttons:split",  # (master, folder)
    "merge": "cchc_xl.buttons:merge",  # (master, folder)
    "sync": "cchc_xl.buttons:sync",  # (master,)
    "plan": "cchc_xl.buttons:plan",  # (master, target .docx or .xlsx)
    "check": "cchc_xl.buttons:check",  # (master,)
}


def run_button(name: str, *args: str) -> None:
    """What a master's button runs, through the xlwings add-in's ``RunPython``.

    Needs Excel on Windows (``xw.Book.caller()``), so no test runs it; it only finds the
    workbook and shows the result of `dispatch` in a message box. The VBA saved the workbook
    before calling, so handlers read the file as the user sees it.
    """
    import xlwings as xw

    book = xw.Book.caller()
    ok, message = dispatch(name, Path(book.fullname), args)
    book.app.alert(message, title=TITLE, mode="info" if ok else "critical")


def dispatch(name: str, master: Path, args: tuple[str, ...] | list[str],
             handlers: Mapping[str, str | Handler] | None = None) -> tuple[bool, str]:
    """Run the handler for button `name`; (succeeded, Vietnamese message). Never raises."""
    table = BUTTON_HANDLERS if handlers is None else handlers
    target = table.get(name)
    if target is None:
        return False, (f"Nút '{name}' không có trong cchc-xl đã cài; hãy cập nhật: "
                       "pip install -U cchc-xl")
    try:
        handler = _resolve(target)
    except (ImportError, AttributeError):
        return False, (f"Chức năng '{name}' chưa có trong bản cchc-xl đã cài trên máy này; "
                       "hãy cập nhật: pip install -U cchc-xl")
    try:
        message = handler(master, *(_whole(a) for a in args))
    except CchcError as exc:
        return False, str(exc)
    except Exception as exc:  # the user must see something, not a silent failure
        return False, (f"Lỗi không mong đợi khi chạy '{name}': {type(exc).__name__}: {exc}\n"
                       "Hãy gửi thông báo này cho người hỗ trợ kỹ thuật.")
    return True, message or "Đã xong."


def _resolve(target: str | Handler) -> Handler:
    if callable(target):
        return target
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def _whole(text: str) -> str:
    """Join surrogate pairs: VBA escapes a character outside the BMP as two \\uXXXX."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
