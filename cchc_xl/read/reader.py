"""Reading workbooks back (fast, read-only, with python-calamine) into the state model.

A workbook is checked against the layout it was built with (`workbook.plan.row_map`), not
against its own metadata map, so rows inserted, deleted, moved or re-coded by a user are found.
Readers never execute or keep macros and never write to the file they read. Formula cells are
read as their cached values: the merge recomputes every point itself.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .._version import __version__
from ..criteria.catalogue import UNIT_CODE, Catalogue, parse_catalogue, yaml_load
from ..errors import CatalogueError, FileError, InputError, Problem
from ..files.grids import Book, BrokenSheet, cell, normalise
from ..files.oserrors import reason
from ..files.package import Package
from ..format.info import INFO_SHEET, info_cells
from ..format.layout import (
    COL,
    COLUMNS,
    EVIDENCE_COL,
    EVIDENCE_COLUMNS,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_HEADER_ROW,
    EVIDENCE_SHEET,
    EXPLANATION_COLUMNS,
    EXPLANATION_FIRST_ROW,
    EXPLANATION_SHEET,
    GROUP_KEYS,
    HEADER_ROW,
    LEAF_KEYS,
    LOG_COLUMNS,
    LOG_FIRST_ROW,
    LOG_HEADER_ROW,
    LOG_SHEET,
    META_SHEET,
    ORIGIN_COLUMN,
    READABLE_FORMATS,
    TEMPLATE_ID,
    cell_ref,
)
from ..format.rowmap import Audience, RowMapEntry, row_map
from ..format.state import (
    EXPLANATION_KEYS,
    Entry,
    EvidenceRow,
    Explanation,
    LogRow,
    State,
    shown,
)
from ..format.tracker import PLAN_KIND
from .plan import read_plan
from .tasks import read_tracker, read_tracker_formulas
from .typed import read_dates, read_formulas, read_info_values, read_numbers
from .untrusted import CheckedFile, ContainerInfo, UnsafeFile, open_checked


# The kind of a notice about typed content the next write of the master could not keep: the
# drift check refuses the write (ops/drift.py) instead of dropping it.
WOULD_BE_LOST = "would-be-lost"


@dataclass
class WorkbookData:
    """What was read from one workbook, and what was structurally wrong with it."""

    path: Path
    sha256: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    meta_cells: dict[str, str] = field(default_factory=dict)  # key → its value's cell on '_cchc'
    state: State | None = None
    cached_points: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, RowMapEntry] = field(default_factory=dict)
    evidence_rows: list[int] = field(default_factory=list)  # 0-based sheet row of each evidence
    task_rows: list[int] = field(default_factory=list)  # 0-based sheet row of each task
    plan_rows: list[Any] = field(default_factory=list)  # plan returns: (row, code, cause, remedy)
    sheet_names: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # fixed while reading (text → number)
    saved: dt.datetime | None = None
    container: ContainerInfo = field(default_factory=ContainerInfo)
    unreadable: bool = False  # nothing could be read at all

    @property
    def unit(self) -> str:
        return str(self.meta.get("unit_code") or "")

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind") or "")

    def problem(self, message: str, sheet: str | None = None, cell: str | None = None,
                code: str | None = None, severity: str = "error",
                kind: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.path.name, sheet=sheet, cell=cell,
                                     unit=self.unit or None, code=code,
                                     severity=severity, kind=kind))  # type: ignore[arg-type]


def container_warnings(data: WorkbookData, expected_sheets: set[str]) -> None:
    """What a returned file carries that is never merged: macros, links to other files, sheets
    the template does not have. Warnings: the rest of the file is merged."""
    if data.container.has_macros:
        data.problem("tệp có macro (VBA); macro không được chạy và không được đưa vào tệp tổng "
                     "hợp.", severity="warning")
    if data.container.external_links:
        data.problem("tệp có liên kết tới tệp khác (external links); liên kết bị bỏ qua, chỉ "
                     "lấy giá trị đã nhập.", severity="warning")
    for extra in sorted(set(data.sheet_names) - expected_sheets):
        data.problem(f"sheet thêm '{extra}' không thuộc mẫu; nội dung của sheet này không được "
                     "gộp.", sheet=extra, severity="warning")


def _open(path: Path, data: WorkbookData) -> tuple[Book, CheckedFile] | None:
    from python_calamine import CalamineError, PasswordError, XmlError, ZipError

    try:
        checked = open_checked(path)
    except UnsafeFile as exc:
        data.problem(str(exc))
        data.unreadable = True
        return None
    except OSError as exc:
        data.problem(f"không đọc được tệp ({reason(exc)}); hãy kiểm tra quyền truy cập tệp.")
        data.unreadable = True
        return None
    data.sha256 = checked.sha256
    data.container = checked.info
    try:
        return Book(checked.data, guard=checked.check_sheet), checked
    except PasswordError:
        data.problem("tệp được đặt mật khẩu nên không đọc được; hãy gỡ mật khẩu rồi gửi lại.")
    except (ZipError, XmlError, CalamineError) as exc:
        data.problem(f"tệp bị hỏng, không đọc được nội dung ({type(exc).__name__}); hãy yêu cầu "
                     "gửi lại tệp.")
    data.unreadable = True
    return None


# ---------------------------------------------------------------------------------------------
# Metadata


def read_meta(book: Book, data: WorkbookData) -> bool:
    grid = book.grid(META_SHEET)
    if grid is None:
        data.problem("không có sheet thông tin ẩn '_cchc': đây không phải tệp do cchc-xl tạo, "
                     "hoặc sheet đã bị xóa. Hãy dùng đúng tệp Văn phòng gửi.")
        return False
    meta: dict[str, Any] = {}
    yaml_chunks: list[tuple[int, str]] = []
    for r, row in enumerate(grid[1:], start=1):
        key = normalise(row[0]) if row else None
        value = row[1] if len(row) > 1 else None
        if not isinstance(key, str):
            continue
        if key.startswith("catalogue_yaml_"):
            number = key.rsplit("_", 1)[1]
            if number.isascii() and number.isdigit():  # another suffix: not ours, ignored
                yaml_chunks.append((int(number), str(value or "")))
        else:
            meta[key] = normalise(value)
            data.meta_cells[key] = cell_ref(r, 1)
    if yaml_chunks:
        meta["catalogue_yaml"] = "".join(chunk for _, chunk in sorted(yaml_chunks))
    data.meta = meta
    if meta.get("template_id") != TEMPLATE_ID:
        data.problem("sheet '_cchc' bị hỏng hoặc không phải của cchc-xl (thiếu template_id); "
                     "hãy dùng đúng tệp Văn phòng gửi.", sheet=META_SHEET,
                     cell=data.meta_cells.get("template_id"))
        return False
    version = meta.get("format_version")
    if not isinstance(version, (int, float)) or int(version) not in READABLE_FORMATS:
        readable = ", ".join(map(str, READABLE_FORMATS))
        data.problem(f"tệp theo định dạng phiên bản {shown(version)}, công cụ này đọc phiên bản "
                     f"{readable}; hãy dùng tệp mới do Văn phòng gửi.", sheet=META_SHEET,
                     cell=data.meta_cells.get("format_version"))
        return False
    unit = meta.get("unit_code")
    if unit is not None and not (isinstance(unit, str) and UNIT_CODE.match(unit)):
        meta["unit_code"] = None  # not a code (it may even be console markup): never shown raw
        data.problem(f"mã đơn vị {shown(unit)} trong sheet '_cchc' không hợp lệ; hãy dùng đúng tệp "
                     "Văn phòng gửi cho đơn vị.", sheet=META_SHEET,
                     cell=data.meta_cells.get("unit_code"))
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Tree sheets, evidence and log


_LEAF_COLUMNS = tuple((k, COL[k]) for k in LEAF_KEYS)
_GROUP_COLUMNS = tuple((k, COL[k]) for k in GROUP_KEYS)


def read_tree(book: Book, catalogue: Catalogue, audience: Audience, data: WorkbookData,
              state: State) -> None:
    """Read every expected row; stop at a sheet's first row whose code is not the expected one."""
    broken: set[str] = set()
    for entry in row_map(catalogue, audience):
        if entry.sheet in broken:
            continue
        grid = book.grid(entry.sheet)
        if grid is None:
            data.problem(f"thiếu sheet '{entry.sheet}' (bị đổi tên hoặc xóa); hãy lấy lại tệp gốc "
                         "và nhập lại, không đổi tên sheet.", sheet=entry.sheet)
            broken.add(entry.sheet)
            continue
        found = cell(grid, entry.row, COL["code"])
        if str(found or "").strip() != entry.code:
            data.problem(f"dòng {entry.row + 1} phải là tiêu chí {entry.code} nhưng đang là "
                         f"{shown(found)}: có dòng bị chèn, xóa, đổi chỗ hoặc mã bị sửa. Hãy trả "
                         "lại đúng thứ tự dòng như tệp gốc (không chèn/xóa dòng) rồi gửi lại.",
                         sheet=entry.sheet, cell=cell_ref(entry.row, COL["code"]),
                         code=entry.code)
            broken.add(entry.sheet)
            continue
        data.rows[entry.code] = entry
        row = grid[entry.row]  # the code was found on it
        width = len(row)
        keys = _LEAF_COLUMNS if entry.kind != "group" else _GROUP_COLUMNS
        values = {k: normalise(row[c]) if c < width else None for k, c in keys}
        if entry.kind != "group":
            data.cached_points[entry.code] = cell(grid, entry.row, COL["points"])
        entry_obj = Entry(**values)
        if not entry_obj.is_blank():
            state.entries[entry.code] = entry_obj
    _check_headers(book, data, broken)


def _check_headers(book: Book, data: WorkbookData, broken: set[str]) -> None:
    for sheet in {e.sheet for e in data.rows.values()} - broken:
        grid = book.grid(sheet)
        if grid is None:
            continue
        for column in COLUMNS:
            found = cell(grid, HEADER_ROW, COL[column.key])
            if found != column.header:
                data.problem(f"cột {cell_ref(HEADER_ROW, COL[column.key])[:-1]} phải là "
                             f"'{column.header}' nhưng đang là {shown(found)}: cột bị chèn, xóa "
                             "hoặc đổi chỗ. Hãy dùng lại tệp gốc.", sheet=sheet,
                             cell=cell_ref(HEADER_ROW, COL[column.key]))
                break


def read_evidence(book: Book, data: WorkbookData, state: State) -> None:
    grid = book.grid(EVIDENCE_SHEET)
    if grid is None:
        data.problem(f"thiếu sheet '{EVIDENCE_SHEET}' (bị đổi tên hoặc xóa).",
                     sheet=EVIDENCE_SHEET)
        return
    for column in EVIDENCE_COLUMNS:
        if cell(grid, EVIDENCE_HEADER_ROW, EVIDENCE_COL[column.key]) != column.header:
            data.problem(f"cột '{column.header}' của sổ tài liệu kiểm chứng bị chèn, xóa hoặc đổi "
                         "chỗ; hãy dùng lại tệp gốc.", sheet=EVIDENCE_SHEET,
                         cell=cell_ref(EVIDENCE_HEADER_ROW, EVIDENCE_COL[column.key]))
            return
    origin_col = EVIDENCE_COL["origin"]
    has_origin = cell(grid, EVIDENCE_HEADER_ROW, origin_col) == ORIGIN_COLUMN.header
    for r in range(EVIDENCE_FIRST_ROW, len(grid)):
        row = EvidenceRow(**{c.key: cell(grid, r, EVIDENCE_COL[c.key]) for c in EVIDENCE_COLUMNS})
        if row.is_blank():
            continue
        if data.kind == "master":
            # Masters of format 1 had no origin column: their rule was "a unit's rows are those
            # whose 'Đơn vị cung cấp' is the unit", which is what the origin says.
            origin = cell(grid, r, origin_col) if has_origin else row.unit
            row = replace(row, origin=str(origin).strip() if origin not in (None, "") else None)
        state.evidence.append(row)
        data.evidence_rows.append(r)
    read_dates(state)


def read_info(book: Book, catalogue: Catalogue, state: State) -> None:
    """The 'Thông tin chung' sheet (absent from masters of format 1: then nothing is set)."""
    grid = book.grid(INFO_SHEET)
    if grid is None:
        return
    for key, (row, col) in info_cells(catalogue).items():
        value = cell(grid, row, col)
        if value is not None:
            state.info[key] = value


def read_explanations(book: Book, catalogue: Catalogue, data: WorkbookData,
                      state: State) -> None:
    """The appraisal sheet's typed cells, by the code in column A (rows follow the state)."""
    grid = book.grid(EXPLANATION_SHEET)
    if grid is None:
        return
    column = {key: i for i, (key, _, _) in enumerate(EXPLANATION_COLUMNS)}
    for r in range(EXPLANATION_FIRST_ROW, len(grid)):
        code = cell(grid, r, column["code"])
        typed = Explanation(**{key: cell(grid, r, column[key]) for key in EXPLANATION_KEYS})
        if code is None or typed.is_blank():
            continue
        code = str(code).strip()
        if catalogue.leaf(code) is None:
            data.notices.append(Problem(
                f"mã '{code}' không có trong bộ tiêu chí, nên ghi lại tệp sẽ làm mất dòng giải "
                "trình này; hãy sửa mã cho đúng (hoặc xóa dòng nếu không cần).",
                file=data.path.name, sheet=EXPLANATION_SHEET, cell=cell_ref(r, column["code"]),
                kind=WOULD_BE_LOST))
            continue
        state.explanations[code] = typed


def read_log(book: Book, state: State) -> None:
    grid = book.grid(LOG_SHEET)
    if grid is None:
        return
    headers = {str(normalise(v) or ""): c for c, v in enumerate(
        grid[LOG_HEADER_ROW] if len(grid) > LOG_HEADER_ROW else [])}
    columns = [(key, headers.get(header, -1)) for key, header in LOG_COLUMNS]
    for row in grid[LOG_FIRST_ROW:]:
        values = {key: str(normalise(row[c]) or "") if 0 <= c < len(row) else ""
                  for key, c in columns}
        if any(values.values()):
            state.log.append(LogRow(**values))


# ---------------------------------------------------------------------------------------------
# Entry points


def generator_is_current(data: WorkbookData) -> bool:
    """Whether the workbook was written by this very version of cchc-xl."""
    return data.meta.get("generator") == f"cchc-xl {__version__}"


def read_master(path: Path) -> tuple[Catalogue, WorkbookData]:
    """Read a master workbook file with its embedded catalogue (see `master_from_book`)."""
    path = Path(path)
    if not path.is_file():
        what = "là một thư mục, không phải tệp" if path.is_dir() else "không tồn tại"
        raise FileError(f"Không mở được tệp tổng hợp {path}: {what}. Hãy kiểm tra lại đường dẫn.")
    data = WorkbookData(path)
    opened = _open(path, data)
    if opened is None:
        raise FileError(f"Không đọc được tệp tổng hợp {path.name}.",
                        [for_master(p) for p in data.problems])
    book, checked = opened
    try:
        catalogue = master_from_book(book, data)
        assert data.state is not None
        package = Package(checked.zip)
        read_formulas(package, catalogue, data.state, data.rows, data.evidence_rows,
                      data.notices, path.name)
        read_tracker_formulas(package, data.state, data.task_rows, data.notices, path.name)
        data.saved = checked.saved()
    except (UnsafeFile, zipfile.BadZipFile, zlib.error) as exc:
        message = str(exc) if isinstance(exc, UnsafeFile) else "tệp bị hỏng (không giải nén được)."
        raise FileError(f"Không đọc được tệp tổng hợp {path.name}.",
                        [for_master(Problem(message, file=path.name))]) from None
    return catalogue, data


# The advice the container checks give about a damaged unit return, and what to do instead when
# the damaged file is the master itself: its previous version is in sao-luu.
_RESEND = re.compile(r"[;.]?\s*(hãy|Hãy) yêu cầu (đơn vị )?gửi lại( tệp)?\.?\s*$")
RESTORE = "hãy khôi phục bản trước từ thư mục sao-luu (cạnh tệp tổng hợp)."


def for_master(problem: Problem) -> Problem:
    """A problem found reading the master, with the master's advice instead of a unit's
    ("ask the unit to send it again"); advice of another kind (save it as .xlsx) is kept."""
    return replace(problem, message=readvised(problem.message, RESTORE))


def readvised(message: str, advice: str) -> str:
    """A container check's message about a unit's return, with `advice` for another file."""
    if _RESEND.search(message) or "hãy" not in message.lower():
        return f"{_RESEND.sub('', message).rstrip(' .;')}; {advice}"
    return message


def master_from_book(book: Any, data: WorkbookData) -> Catalogue:
    """The catalogue and state of a master from any book with `names` and `grid(sheet)`.

    The one way a master is loaded: from its file (`read_master`) or from the workbook open in
    Excel (the buttons' live mode). FileError (exit code 2) when it is not a readable master;
    InputError (exit code 1) when its structure was changed by hand (rows moved, sheets renamed).
    """
    path = data.path
    try:
        meta_ok = read_meta(book, data)
    except BrokenSheet as exc:
        data.problem(str(exc), sheet=exc.sheet)
        meta_ok = False
    if not meta_ok:
        raise FileError(f"Không đọc được tệp tổng hợp {path.name}.", data.problems)
    if data.kind != "master":
        raise FileError(f"{path.name} là tệp của đơn vị {data.unit}, không phải tệp tổng hợp của "
                        "Văn phòng; hãy chọn đúng tệp tổng hợp.")
    text = data.meta.get("catalogue_yaml")
    if not text:
        raise FileError(f"{path.name}: thiếu bộ tiêu chí trong sheet '_cchc'; hãy tạo lại tệp "
                        "tổng hợp bằng cchc-xl new.")
    import yaml

    try:
        catalogue = parse_catalogue(yaml_load(text), source=f"{path.name}/_cchc")
    except (CatalogueError, yaml.YAMLError) as exc:
        raise FileError(f"{path.name}: bộ tiêu chí lưu trong tệp bị hỏng; hãy tạo lại tệp tổng "
                        f"hợp. ({exc})") from None
    if catalogue.content_hash != data.meta.get("catalogue_hash"):
        raise FileError(f"{path.name}: bộ tiêu chí lưu trong tệp không khớp mã kiểm tra; tệp đã "
                        "bị sửa ngoài công cụ. Hãy dùng bản sao lưu hoặc tạo lại.")
    state = State("master", org=str(data.meta.get("org") or ""))
    try:
        read_tree(book, catalogue, Audience("master"), data, state)
        read_evidence(book, data, state)
        read_log(book, state)
        read_info(book, catalogue, state)
        read_explanations(book, catalogue, data, state)
        read_tracker(book, data, state)
    except BrokenSheet as exc:
        raise FileError(f"Không đọc được tệp tổng hợp {path.name}.",
                        [for_master(Problem(str(exc), file=path.name, sheet=exc.sheet))]) from None
    data.state = state
    data.sheet_names = list(book.names)
    if data.problems:
        raise InputError(f"Tệp tổng hợp {path.name} có lỗi cấu trúc; hãy sửa theo danh sách dưới "
                         "đây hoặc khôi phục bản trước từ thư mục sao-luu.", data.problems)
    read_numbers(catalogue, state, data.rows, data.notices, path.name)
    read_info_values(catalogue, state, data.notices, path.name)
    return catalogue


def read_return(path: Path, catalogue: Catalogue) -> WorkbookData:
    """Read a returned unit workbook; every problem is recorded in `problems`, never raised."""
    data, book = identify_return(path, catalogue)
    return data if book is None else finish_return(book, data, catalogue)


def identify_return(path: Path, catalogue: Catalogue) -> tuple[WorkbookData, Book | None]:
    """What decides which file of a unit is merged: hash, metadata ('_cchc'), save time.

    The book (None when the file is unreadable, with its problems) reads the rest in
    `finish_return`; a file superseded by a newer one of its unit needs no more than this.
    """
    data = WorkbookData(Path(path))
    try:
        return data, _identify(data, catalogue)
    except (BrokenSheet, UnsafeFile) as exc:
        _refuse(data, exc)
        return data, None


def _identify(data: WorkbookData, catalogue: Catalogue) -> Book | None:
    opened = _open(data.path, data)
    if opened is None:
        return None
    book, checked = opened
    if not read_meta(book, data):
        data.unreadable = True
        return None
    data.sheet_names = book.names
    data.saved = checked.saved()
    if data.kind not in ("unit", PLAN_KIND):
        data.problem("đây là tệp tổng hợp của Văn phòng, không phải tệp của đơn vị.")
        data.unreadable = True
        return None
    if not _same_catalogue(data, catalogue):
        data.unreadable = True
        return None
    if catalogue.unit(data.unit) is None:
        data.problem(f"mã đơn vị '{data.unit}' không có trong bộ tiêu chí; hãy dùng đúng tệp "
                     "Văn phòng gửi cho đơn vị.", sheet=META_SHEET,
                     cell=data.meta_cells.get("unit_code"))
        data.unreadable = True
        return None
    return book


def finish_return(book: Book, data: WorkbookData, catalogue: Catalogue) -> WorkbookData:
    """Read the tree sheets and the evidence register of an identified return (a plan return:
    its causes, solutions and tasks, read/plan.py)."""
    if data.kind == PLAN_KIND:
        try:
            read_plan(book, data)
        except (BrokenSheet, UnsafeFile) as exc:
            _refuse(data, exc)
        return data
    state = State("unit", unit=data.unit)
    try:
        read_tree(book, catalogue, Audience("unit", data.unit), data, state)
        read_evidence(book, data, state)
    except (BrokenSheet, UnsafeFile) as exc:
        _refuse(data, exc)
        return data
    data.state = state
    return data


def _refuse(data: WorkbookData, exc: BrokenSheet | UnsafeFile) -> None:
    """A sheet that cannot be read, or read safely: the file is refused as a whole."""
    if isinstance(exc, UnsafeFile):  # as if found before anything was read, like the others
        data.problems.clear()
        data.problem(str(exc))
    else:
        data.problem(str(exc), sheet=exc.sheet)
    data.state = None
    data.unreadable = True


def _same_catalogue(data: WorkbookData, catalogue: Catalogue) -> bool:
    year = data.meta.get("catalogue_year")
    if not isinstance(year, (int, float)) or int(year) != catalogue.year:
        shown_year = int(year) if isinstance(year, (int, float)) else shown(year)
        data.problem(f"tệp của năm {shown_year}, không phải năm {catalogue.year}; hãy dùng tệp của "
                     f"năm {catalogue.year} do Văn phòng gửi.", sheet=META_SHEET,
                     cell=data.meta_cells.get("catalogue_year"))
        return False
    if data.meta.get("catalogue_hash") != catalogue.content_hash:
        data.problem("tệp được tạo từ bộ tiêu chí khác (mã kiểm tra không khớp); hãy nhập lại số "
                     "liệu vào tệp mới nhất Văn phòng gửi.", sheet=META_SHEET,
                     cell=data.meta_cells.get("catalogue_hash"))
        return False
    return True
