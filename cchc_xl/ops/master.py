"""The master workbook as a file: read its state, write it back atomically with a backup.

`merge` and `sync` both end in `save_master`: the whole master is regenerated from the catalogue
and the state, so what it shows is always consistent with its inputs.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from ..criteria.catalogue import Catalogue
from ..errors import FileError, InputError
from ..files.atomic import atomic_write, ensure_writable
from ..format.state import State
from ..read.reader import WorkbookData


def write_master(catalogue: Catalogue, state: State, path: Path, *, password: str = "",
                 recalc_probe: bool = False) -> None:
    """Build the master at `path`: with macros and buttons when it is an .xlsm."""
    from ..build import build_master

    path = Path(path)
    vba, extra = None, None
    if path.suffix.lower() == ".xlsm":
        from ..build.macros import master_extras, master_vba_project

        vba, extra = master_vba_project, master_extras
    build_master(catalogue, state, path, password=password, vba_project=vba, extra=extra,
                 recalc_probe=recalc_probe)


def save_master(catalogue: Catalogue, state: State, path: Path, *, password: str = "",
                now: dt.datetime | None = None, current: WorkbookData | None = None,
                action: str = "ghi") -> Path | None:
    """Atomically replace the master; returns the backup of the previous version.

    With `current` (what was read from the file), the file is first compared with the new build:
    anything it would lose (text typed outside the input cells, a sheet added by hand) makes the
    write fail with InputError, file untouched.
    """
    ensure_writable(path)
    check_password(path, password)

    def write_checked(fresh: Path) -> None:
        write_master(catalogue, state, fresh, password=password)
        if current is not None and current.state is not None and path.exists():
            _refuse_drift(path, fresh, catalogue, current, action, current.state != state)

    return atomic_write(path, write_checked, now=now)


def _refuse_drift(path: Path, rebuilt: Path, catalogue: Catalogue, current: WorkbookData,
                  action: str, state_changed: bool) -> None:
    from .drift import drift

    problems = drift(path, rebuilt, catalogue, current, state_changed)
    if problems:  # raised before anything is replaced; atomic_write removes its temporary file
        raise InputError(f"Không {action}: {path.name} có nội dung mà bản tạo lại sẽ làm mất. Hãy "
                         "chuyển các nội dung này vào đúng ô nhập (ô màu) hoặc xóa, rồi chạy "
                         "lại. Tệp chưa bị thay đổi.", problems)


def sheet_password_set(path: Path) -> bool:
    """Whether any sheet of the workbook is protected with a password."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                    text = archive.read(name).decode("utf-8", "replace")
                    match = re.search(r"<sheetProtection[^>]*>", text)
                    if match and ("password=" in match.group(0)
                                  or "hashValue=" in match.group(0)):
                        return True
    except (OSError, zipfile.BadZipFile):
        return False
    return False


def check_password(path: Path, password: str) -> None:
    """Refuse to drop a sheet password silently: regeneration needs it given again."""
    if path.exists() and not password and sheet_password_set(path):
        raise FileError(f"Các sheet của {path.name} được bảo vệ bằng mật khẩu; hãy chạy lại với "
                        "--password <mật khẩu> để tệp mới giữ nguyên mật khẩu. Tệp chưa bị thay "
                        "đổi.")
