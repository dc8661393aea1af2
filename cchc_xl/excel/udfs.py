"""Excel functions (xlwings UDFs) that score criteria with the Python engine.

The master workbook calls them through its own VBA wrappers (`macros/CchcUdfs.bas`), which ask
the xlwings add-in's COM server to run ``cchc_xl.udfs.<name>``; when Python or the add-in is
missing, the wrapper returns #N/A and the sheet shows its native formula instead. So these
functions must give exactly what the native formulas give, and they do by calling the same
engine (`engine.score_leaf`) on the same cases.

Each function is pure: its result depends only on its arguments. The catalogue comes in as its
YAML text (the chunks the master keeps on its hidden ``_cchc`` sheet, defined name
``CCHC_CATALOGUE``), parsed once per distinct text (cache keyed by SHA-256).

On Windows with Excel, `xw.func`/`xw.arg`/`xw.ret` register conversion options (``ndim=2`` gives
lists of rows). Elsewhere they are no-op decorators and these are plain functions: pass the
arguments already in final form (lists of rows, None for an empty cell).

Values arrive as Excel sends them: float, str, bool, None (empty), datetime (a date-formatted
number) or, with ``err_to_str``, an error name such as ``"#N/A"``. An error anywhere in the
inputs raises, so the wrapper's #N/A sends the sheet back to the native formula, which shows
Excel's own error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

import xlwings as xw

from ..criteria.catalogue import Catalogue, Group, Leaf, parse_catalogue
from ..criteria.engine import LeafInput, LeafScore, score_leaf
from ..criteria.numbers import plain, to_decimal
from ..errors import CatalogueError, InputError

__all__ = ["CATEGORY", "CCHC_DIEM", "CCHC_DIEM_KHOI", "catalogue_text", "load_catalogue_text"]

CATEGORY = "cchc-xl: Chỉ số CCHC"
CACHE_SIZE = 8
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# The error names xlwings gives with err_to_str=True (and what a user could type as text:
# either way the native formula is the safe answer, so both send the sheet back to it).
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#BLOCKED!", "#CONNECT!",
                          "#BUSY!", "#UNKNOWN!", "#FIELD!", "#PYTHON!"})
# Excel's error values as COM codes: 0x800A0000 … 0x800AFFFF read as signed 32-bit ints.
_COM_ERRORS = (-2146828288, -2146762753)

Result = Union[float, str]


class ExcelErrorInput(InputError):
    """An input cell holds an Excel error: the native formula, not Python, must show it."""


@dataclass(frozen=True)
class _Parsed:
    catalogue: Catalogue
    leaves: dict[str, Leaf]  # every leaf, bonus and penalty items included
    groups: dict[str, tuple[str, ...]]  # group code -> codes of all leaves below it


_cache: OrderedDict[str, _Parsed] = OrderedDict()
_cache_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# The catalogue argument


def catalogue_text(chunks: object) -> str:
    """The YAML text from what Excel passes: one text, or a range of text chunks in order.

    Empty cells are skipped, so the range may be longer than the chunks it holds.
    """
    parts: list[str] = []
    for item in _flatten(chunks):
        if item is None or item == "":
            continue
        if not isinstance(item, str):
            raise InputError(f"Ô bộ tiêu chí phải chứa văn bản YAML (đang là {item!r}).")
        parts.append(item)
    text = "".join(parts)
    if not text.strip():
        raise InputError("Không có nội dung bộ tiêu chí (vùng CCHC_CATALOGUE trống).")
    return text


def load_catalogue_text(text: str) -> Catalogue:
    """Parse catalogue YAML text, cached by its SHA-256 (the last few distinct texts)."""
    return _parsed(text).catalogue


def _parsed(text: str) -> _Parsed:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    with _cache_lock:
        found = _cache.get(digest)
        if found is not None:
            _cache.move_to_end(digest)
            return found
    parsed = _parse(text)
    with _cache_lock:
        _cache[digest] = parsed
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed


def _parse(text: str) -> _Parsed:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError("Nội dung bộ tiêu chí trong tệp bị hỏng (sai cú pháp YAML); "
                             "hãy tạo lại tệp tổng hợp bằng cchc-xl.") from exc
    catalogue = parse_catalogue(data, source="CCHC_CATALOGUE")
    groups: dict[str, tuple[str, ...]] = {}
    for node in catalogue.nodes():
        if isinstance(node, Group):
            groups[node.code] = tuple(leaf.code for leaf in node.leaves())
    return _Parsed(catalogue, {leaf.code: leaf for leaf in catalogue.all_leaves()}, groups)


# ---------------------------------------------------------------------------------------------
# Cells


def _flatten(value: object) -> Iterable[object]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _input(raw: object) -> object:
    """One input cell as the engine reads it; dates become Excel serial numbers, as in Excel."""
    if isinstance(raw, str) and raw.strip() in EXCEL_ERRORS:
        raise ExcelErrorInput(f"Ô nhập có lỗi Excel {raw.strip()}.")
    if type(raw) is int and _COM_ERRORS[0] <= raw <= _COM_ERRORS[1]:
        # An error xlwings has no name for (#SPILL!, #CALC! …) arrives as its COM code; numbers
        # from Excel are always floats.
        raise ExcelErrorInput(f"Ô nhập có lỗi Excel (mã {raw}).")
    if isinstance(raw, dt.datetime):
        return (raw.replace(tzinfo=None) - EXCEL_EPOCH) / dt.timedelta(days=1)
    if isinstance(raw, dt.date):
        return float((raw - EXCEL_EPOCH.date()).days)
    return raw


def _code(raw: object) -> str:
    """A code cell as text: '2.1' stays '2.1'; a number typed as 3 or 3.0 reads '3'."""
    if raw is None or isinstance(raw, bool):
        return ""
    if isinstance(raw, str):
        return raw.strip()
    try:
        return plain(to_decimal(raw))
    except ValueError:
        return str(raw).strip()


def _leaf_input(row: Sequence[object]) -> LeafInput:
    a, b, value, na, supp = (_input(x) for x in row)
    return LeafInput(a, b, value, na, supp)


def _shown(score: LeafScore) -> Result:
    """What the leaf's points cell shows: a number, '' or the 'Lỗi: …' text."""
    if score.status == "ok" and score.points is not None:
        return float(score.points)
    return score.cell_text


def _rows(value: object, width: int, what: str) -> list[list[object]]:
    """A range as rows of `width` cells (a single row or cell is accepted as one row)."""
    if not isinstance(value, (list, tuple)):
        value = [[value]]
    elif value and not isinstance(value[0], (list, tuple)):
        # One flat list: a column of codes (width 1) or one row of inputs.
        value = [[v] for v in value] if width == 1 else [list(value)]
    rows = [list(r) for r in value]
    for r in rows:
        if len(r) != width:
            raise InputError(f"Vùng {what} phải có đúng {width} cột (đang có {len(r)}).")
    return rows


# ---------------------------------------------------------------------------------------------
# The functions
#
# No type annotations on the UDFs themselves: on Windows, xlwings turns an argument's or the
# result's annotation into its converter (``Union``, ``object`` or ``list`` would break the call).


@xw.func(category=CATEGORY)
@xw.arg("code", doc="Mã tiêu chí thành phần, ví dụ 2.1 hoặc II.2.3.3.1")
@xw.arg("a", doc="a: tổng số (tiêu chí tính theo tỷ lệ)", err_to_str=True)
@xw.arg("b", doc="b: số đạt (tiêu chí tính theo tỷ lệ)", err_to_str=True)
@xw.arg("value", doc="Giá trị hoặc lựa chọn (số lượng, Đạt/Không đạt, mức, điểm tự chấm)",
        err_to_str=True)
@xw.arg("na", doc="Không chấm điểm: x hoặc để trống", err_to_str=True)
@xw.arg("supp", doc="Giải trình bổ sung (trừ điểm): x (cả tiêu chí), số điểm của phần phải "
        "bổ sung, hoặc để trống", err_to_str=True)
@xw.arg("catalogue", ndim=1, doc="Bộ tiêu chí: vùng CCHC_CATALOGUE (sheet ẩn _cchc)")
def CCHC_DIEM(code, a, b, value, na, supp, catalogue):  # type: ignore[no-untyped-def]
    """Điểm tự chấm của một tiêu chí thành phần, tính bằng Python đúng như công thức của tệp.

    Trả về số điểm (đã làm tròn 2 chữ số thập phân, đã trừ điểm phần giải trình bổ sung), chuỗi
    rỗng khi chưa nhập hoặc không chấm điểm, hoặc "Lỗi: …" khi số liệu không hợp lệ (b lớn hơn
    a, số âm, chữ thay cho số, lựa chọn ngoài danh sách). Mã không có trong bộ tiêu chí, hoặc
    mã của một nhóm tiêu chí, là lỗi.
    """
    parsed = _parsed(catalogue_text(catalogue))
    key = _code(code)
    leaf = parsed.leaves.get(key)
    if leaf is None:
        raise InputError(f"Không có tiêu chí thành phần mã '{key}' trong bộ tiêu chí.")
    inputs = _leaf_input((a, b, value, na, supp))
    return _shown(score_leaf(leaf, inputs, parsed.catalogue.supplement_deduction))


@xw.func(category=CATEGORY)
@xw.arg("codes", ndim=2, doc="Cột mã tiêu chí của cả sheet (n dòng × 1 cột)")
@xw.arg("inputs", ndim=2, err_to_str=True,
        doc="Các cột a, b, Giá trị, Không chấm điểm, Giải trình bổ sung (n dòng × 5 cột)")
@xw.arg("catalogue", ndim=1, doc="Bộ tiêu chí: vùng CCHC_CATALOGUE (sheet ẩn _cchc)")
def CCHC_DIEM_KHOI(codes, inputs, catalogue):  # type: ignore[no-untyped-def]
    """Điểm tự chấm của cả một sheet lĩnh vực trong một lần gọi (n dòng × 1 cột).

    Dòng tiêu chí thành phần: điểm như công thức của dòng đó. Dòng nhóm hoặc lĩnh vực: tổng
    điểm các tiêu chí thành phần thuộc nhóm có mặt trong vùng (như công thức tổng của tệp tổng
    hợp). Dòng không có mã, hoặc mã không có trong bộ tiêu chí: chuỗi rỗng.
    """
    parsed = _parsed(catalogue_text(catalogue))
    code_rows = [_code(r[0]) for r in _rows(codes, 1, "mã tiêu chí")]
    input_rows = _rows(inputs, 5, "số liệu")
    if len(code_rows) != len(input_rows):
        raise InputError(f"Vùng mã có {len(code_rows)} dòng nhưng vùng số liệu có "
                         f"{len(input_rows)} dòng; hai vùng phải cùng số dòng.")
    deduction = parsed.catalogue.supplement_deduction
    leaf_scores: dict[str, LeafScore] = {}
    for code, row in zip(code_rows, input_rows, strict=True):
        leaf = parsed.leaves.get(code)
        if leaf is not None and code not in leaf_scores:  # a repeated code counts once
            leaf_scores[code] = score_leaf(leaf, _leaf_input(row), deduction)
    out: list[list[Result]] = []
    for code in code_rows:
        if code in leaf_scores:
            out.append([_shown(leaf_scores[code])])
        elif code in parsed.groups:
            below = [leaf_scores[c] for c in parsed.groups[code] if c in leaf_scores]
            total = sum((s.earned for s in below), Decimal(0))
            out.append([float(total) if below else ""])
        else:
            out.append([""])
    return out
