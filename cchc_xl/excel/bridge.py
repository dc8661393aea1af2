"""What the master's buttons run on the Python side.

A button runs, through the xlwings add-in, ``import cchc_xl.excel.bridge as b;
b.run_button('<name>', '<argument>')`` (text escaped as ``\\uXXXX`` by the VBA, so any path
survives the command line). `run_button` finds the calling workbook and calls the handler
registered in `BUTTON_HANDLERS`; `dispatch` is the part that runs without Excel.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path

from ..errors import CchcError

__all__ = ["BUTTON_HANDLERS", "dispatch", "run_button"]

TITLE = "cchc-xl"

Handler = Callable[..., "str | None"]

#: Button name -> "module:function", imported only when the button is clicked. A handler is
#: called as handler(master_path, *arguments) after the workbook was saved, and returns the
#: Vietnamese text to show (None: a plain "Đã xong."); it raises CchcError for the user's errors.
#: The names are the `cchc-xl` commands each button runs the same operation as.
BUTTON_HANDLERS: dict[str, str] = {
    # the self-assessment round
    "split": "cchc_xl.excel.buttons:split",  # (master, folder)
    "merge": "cchc_xl.excel.buttons:merge",  # (master, folder[, password]): scores and plans
    "check": "cchc_xl.excel.buttons:check",  # (master,)
    "sync": "cchc_xl.excel.buttons:sync",  # (master[, password])
    # the report and the appraisal
    "report": "cchc_xl.excel.buttons:report",  # (master, target .docx/.xlsx[, "1": evidence])
    "appraisal": "cchc_xl.excel.buttons:appraisal",  # (master, council's file[, password])
    # the remediation plan
    "plan": "cchc_xl.excel.buttons:plan",  # (master, target .docx or .xlsx)
    "split-plan": "cchc_xl.excel.buttons:split_plan",  # (master, folder)
    "progress": "cchc_xl.excel.buttons:progress",  # (master, target .docx or .xlsx)
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
        return False, ("Nút này cần bản cchc-xl mới hơn bản đã cài trên máy. Hãy nhờ người cài "
                       'đặt cập nhật (pip install -U "cchc-xl[excel]"), hoặc dùng lệnh tương ứng.')
    try:
        handler = _resolve(target)
    except (ImportError, AttributeError):
        return False, ("Nút này cần bản cchc-xl mới hơn bản đã cài trên máy. Hãy nhờ người cài "
                       'đặt cập nhật (pip install -U "cchc-xl[excel]"), hoặc dùng lệnh tương ứng.')
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
