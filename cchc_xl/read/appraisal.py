"""The appraisal council's points (điểm thẩm định) from its own spreadsheet.

The council's tables differ from province to province, so the columns are found by their
headers: a code column ('Mã', 'Mã tiêu chí', 'TT') and a points column ('Điểm thẩm định',
'Kết quả thẩm định', 'Điểm HĐTĐ', or 'Điểm' when it is the only one). Every sheet is searched;
rows whose code is a criterion code of the catalogue are taken, group codes are ignored (the
master sums them), and every problem names the file, sheet and cell.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..criteria.catalogue import Catalogue
from ..criteria.numbers import to_decimal, vn_number
from ..errors import FileError, Problem
from ..files.grids import Book, Grid, cell
from ..format.layout import cell_ref
from ..format.state import shown
from .reader import readvised
from .typed import parse_number
from .untrusted import UnsafeFile, open_checked

HEADER_SCAN_ROWS = 30
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Appraisal:
    """What a council's file holds: code → points, and where each came from."""

    path: Path
    points: dict[str, Decimal] = field(default_factory=dict)
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (sheet, cell)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # group codes, summed by the master


def _fold(text: Any) -> str:
    """Lower case without diacritics: 'Điểm thẩm định' → 'diem tham dinh'."""
    decomposed = unicodedata.normalize("NFD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _code_rank(text: str) -> int:
    """How surely a header names the criterion code: 2 for 'Mã …', 1 for 'TT'/'STT'."""
    if text in ("ma", "ma so", "ma tctp") or text.startswith("ma tieu chi"):
        return 2
    return 1 if text in ("tt", "stt") else 0


def _points_rank(text: str) -> int:
    """How surely a header names the appraised points: 3 sure, 1 plausible, 0 not."""
    if "tham dinh" in text or "hdtd" in text or "hoi dong" in text:
        return 3
    if text.startswith("diem dat") or text == "ket qua":
        return 2
    if text == "diem" or text.startswith("diem "):
        return 1 if "toi da" not in text and "tu cham" not in text else 0
    return 0


def find_columns(grid: Grid) -> tuple[int, int, int] | None:
    """(header row, code column, points column) of a sheet, or None."""
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        folded = [_fold(v) for v in row]
        codes = sorted(((_code_rank(text), -c) for c, text in enumerate(folded)), reverse=True)
        ranked = sorted(((_points_rank(text), -c) for c, text in enumerate(folded)), reverse=True)
        if codes and codes[0][0] > 0 and ranked and ranked[0][0] > 0:
            return r, -codes[0][1], -ranked[0][1]
    return None


def _book(path: Path) -> Book:
    """An .xlsx/.xlsm after the container checks a unit's return gets (bounded size and cells,
    no entities); an .xls or .ods as calamine reads it."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        checked = open_checked(path)
        return Book(checked.data, guard=checked.check_sheet)
    return Book(path)


def read_appraisal(path: Path, catalogue: Catalogue) -> Appraisal:
    """The points of every criterion the file lists; FileError when it cannot be read at all."""
    path = Path(path)
    if not path.is_file():
        raise FileError(f"Không tìm thấy tệp kết quả thẩm định {path}; hãy kiểm tra đường dẫn.")
    if path.suffix.lower() not in SUFFIXES:
        raise FileError(f"Tệp {path.name} không phải bảng tính (.xlsx, .xls, .ods); hãy lưu kết "
                        "quả thẩm định dạng Excel rồi nhập lại.")
    try:
        grids = _book(path).grids()
    except UnsafeFile as exc:  # it came by email, like a unit's return: the same checks
        raise FileError(f"Không đọc được tệp {path.name}: "
                        + readvised(str(exc), "hãy đề nghị Sở Nội vụ gửi lại tệp.")) from None
    except Exception as exc:  # calamine's own errors, a damaged sheet, an unreadable file

        raise FileError(f"Không đọc được tệp {path.name} như một bảng tính ({type(exc).__name__})"
                        "; hãy mở bằng Excel, lưu lại dạng .xlsx rồi nhập lại.") from None
    result = Appraisal(path)
    found_any = False
    for sheet, grid in grids.items():
        columns = find_columns(grid)
        if columns is None:
            continue
        found_any = True
        _read_sheet(result, catalogue, sheet, grid, *columns)
    if not found_any:
        raise FileError(f"Tệp {path.name} không có bảng nào có cột mã tiêu chí ('Mã') và cột "
                        "điểm thẩm định ('Điểm thẩm định' hoặc 'Điểm'); hãy thêm tiêu đề cột "
                        "rồi nhập lại.")
    return result


def _read_sheet(result: Appraisal, catalogue: Catalogue, sheet: str, grid: Grid, header: int,
                code_col: int, points_col: int) -> None:
    groups = {node.code for node in catalogue.nodes() if not node.is_leaf}
    for r in range(header + 1, len(grid)):
        code = cell(grid, r, code_col)
        if code is None:
            continue
        code = _code_text(code)
        where = cell_ref(r, points_col)
        if code in groups:
            result.ignored.append(code)
            continue
        leaf = catalogue.leaf(code)
        if leaf is None:
            if any(ch.isdigit() for ch in code) and "." in code:
                result.problems.append(Problem(
                    f"mã '{code}' không có trong bộ tiêu chí của tệp tổng hợp; hãy sửa mã cho "
                    "đúng hoặc xóa dòng.", file=result.path.name, sheet=sheet,
                    cell=cell_ref(r, code_col)))
            continue
        raw = cell(grid, r, points_col)
        if raw is None:
            continue
        points = _points(raw)
        if points is None:
            result.problems.append(Problem(
                f"điểm thẩm định {shown(raw)} không phải là số; hãy gõ số (ví dụ 0,85).",
                file=result.path.name, sheet=sheet, cell=where, code=code))
        elif not 0 <= points <= leaf.max:
            result.problems.append(Problem(
                f"điểm thẩm định {vn_number(points)} ngoài khoảng 0 đến điểm tối đa "
                f"{vn_number(leaf.max)}; hãy kiểm tra lại.", file=result.path.name, sheet=sheet,
                cell=where, code=code))
        elif code in result.points and result.points[code] != points:
            first = result.cells[code]
            result.problems.append(Problem(
                f"tiêu chí có hai điểm thẩm định khác nhau ({vn_number(result.points[code])} ở "
                f"sheet '{first[0]}', ô {first[1]} và {vn_number(points)} ở đây); hãy giữ một.",
                file=result.path.name, sheet=sheet, cell=where, code=code))
        else:
            result.points[code] = points
            result.cells[code] = (sheet, where)


def _code_text(value: Any) -> str:
    """A code as typed: '3.2.1'; a number cell holding 3.2 stays '3.2' (not '3.2000000001')."""
    if isinstance(value, float):
        return repr(value).rstrip("0").rstrip(".") if "." in repr(value) else repr(value)
    return str(value).strip().rstrip(".")


def _points(value: Any) -> Decimal | None:
    if isinstance(value, str):
        return parse_number(value)
    if isinstance(value, bool):
        return None
    try:
        return to_decimal(value)
    except ValueError:
        return None
