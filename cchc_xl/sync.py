"""Sync: regenerate the master from its own inputs, with fresh consolidated and gap sheets.

Before replacing anything, the regenerated master is compared with the current one cell by
cell. Whatever the regeneration would lose — a value typed outside the input cells, a sheet
added by hand — makes sync refuse, list what it found, and leave the file untouched.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .catalogue import Catalogue
from .errors import InputError, Problem
from .layout import (COL, EVIDENCE_FIRST_ROW, EVIDENCE_SHEET, INPUT_KEYS, META_SHEET,
                     OFFICE_KEYS, TEXT_KEYS, XLWINGS_CONF_SHEET, cell_ref)
from .master import check_password, write_master
from .numbers import vn_number
from .reader import WorkbookData, normalise, read_master
from .report import Report, build_report
from .safeio import atomic_write, ensure_writable
from .state import State

TOLERANCE = 1e-6


@dataclass
class SyncResult:
    master: Path
    catalogue: Catalogue
    state: State
    report: Report
    backup: Path | None = None
    problems: list[Problem] = field(default_factory=list)


def load(master_path: Path) -> tuple[Catalogue, WorkbookData]:
    catalogue, data = read_master(Path(master_path))
    if data.problems:
        raise InputError(f"Tệp tổng hợp {Path(master_path).name} có lỗi cấu trúc, không đồng bộ "
                         "được; hãy sửa theo danh sách dưới đây hoặc khôi phục từ thư mục sao-luu.",
                         data.problems)
    return catalogue, data


def sync(master_path: Path, *, password: str = "", now: dt.datetime | None = None) -> SyncResult:
    """Regenerate the master in place (atomically, with a backup) after the drift check."""
    master_path = Path(master_path)
    ensure_writable(master_path)
    check_password(master_path, password)
    catalogue, data = load(master_path)
    assert data.state is not None
    state = data.state

    def write_checked(fresh: Path) -> None:
        write_master(catalogue, state, fresh, password=password)
        problems = drift(master_path, fresh, catalogue, data)
        if problems:  # raised before anything is replaced; atomic_write removes `fresh`
            raise InputError(f"Không đồng bộ: {master_path.name} có nội dung mà bản tạo lại sẽ làm "
                             "mất. Hãy chuyển các nội dung này vào đúng ô nhập (ô màu) hoặc xóa, "
                             "rồi chạy lại. Tệp chưa bị thay đổi.", problems)

    saved = atomic_write(master_path, write_checked, now=now)
    return SyncResult(master_path, catalogue, state, build_report(catalogue, state), saved)


# ---------------------------------------------------------------------------------------------
# Drift: what the current file holds that the regenerated one would not


def input_cells(catalogue: Catalogue, data: WorkbookData) -> dict[str, set[tuple[int, int]]]:
    """Cells whose content is state (read back and rewritten), per sheet."""
    cells: dict[str, set[tuple[int, int]]] = {}
    for entry in data.rows.values():
        keys = INPUT_KEYS + OFFICE_KEYS + TEXT_KEYS if entry.kind != "group" else \
            OFFICE_KEYS + TEXT_KEYS
        for key in keys:
            cells.setdefault(entry.sheet, set()).add((entry.row, COL[key]))
    return cells


def drift(current: Path, fresh: Path, catalogue: Catalogue, data: WorkbookData) -> list[Problem]:
    """Problems for every sheet or cell of `current` that `fresh` does not reproduce."""
    from python_calamine import CalamineWorkbook

    from python_calamine import CalamineError

    try:
        old = CalamineWorkbook.from_path(str(current))
        new = CalamineWorkbook.from_path(str(fresh))
        return _drift(current, fresh, old, new, catalogue, data)
    except CalamineError as exc:  # a sheet of the master the reader did not need is damaged
        return [Problem(f"một sheet của tệp bị hỏng, không so sánh được ({type(exc).__name__}); "
                        "hãy khôi phục từ thư mục sao-luu.", file=current.name)]


def _drift(current: Path, fresh: Path, old: Any, new: Any, catalogue: Catalogue,
           data: WorkbookData) -> list[Problem]:
    problems: list[Problem] = []
    for sheet in old.sheet_names:
        if sheet not in new.sheet_names and sheet != XLWINGS_CONF_SHEET:
            problems.append(Problem("sheet này không thuộc mẫu; đồng bộ sẽ làm mất nó. Hãy chuyển "
                                    "nội dung sang tệp khác rồi xóa sheet.", file=current.name,
                                    sheet=sheet))
    inputs = input_cells(catalogue, data)
    # A master written by another version of the tool may differ in its own labels (cover text,
    # rule wording): there only text typed into cells the fresh build leaves empty is user data.
    same_version = data.meta.get("generator") == f"cchc-xl {__version__}"
    with zipfile.ZipFile(fresh) as fresh_zip, zipfile.ZipFile(current) as current_zip:
        return _drift_sheets(problems, current, fresh_zip, current_zip, old, new, inputs,
                             same_version)


def _drift_sheets(problems: list[Problem], current: Path, fresh_zip: zipfile.ZipFile,
                  current_zip: zipfile.ZipFile, old: Any, new: Any,
                  inputs: dict[str, set[tuple[int, int]]], same_version: bool) -> list[Problem]:
    """The cell-by-cell part of `_drift`, added to `problems` (both packages opened once)."""
    for sheet in new.sheet_names:
        if sheet not in old.sheet_names or sheet in (META_SHEET, XLWINGS_CONF_SHEET):
            continue
        # A cell that is a formula in both files is recomputed: its cached value may differ
        # (another engine, another locale). One that is a formula only in the fresh file was
        # typed over by hand, so its value is compared like any other.
        formulas = formula_cells(fresh_zip, sheet) & formula_cells(current_zip, sheet)
        problems += _sheet_drift(current.name, sheet,
                                 old.get_sheet_by_name(sheet).to_python(skip_empty_area=False),
                                 new.get_sheet_by_name(sheet).to_python(skip_empty_area=False),
                                 inputs.get(sheet, set()), formulas, same_version)
        if len(problems) > 50:
            break
    return problems


def _sheet_drift(file: str, sheet: str, old: list[list[Any]], new: list[list[Any]],
                 inputs: set[tuple[int, int]], formulas: set[tuple[int, int]],
                 strict: bool = True) -> list[Problem]:
    problems = []
    for r, row in enumerate(old):
        if sheet == EVIDENCE_SHEET and r >= EVIDENCE_FIRST_ROW:
            break  # the register rows are state; read back and rewritten in full
        for c, value in enumerate(row):
            value = normalise(value)
            if value is None or (r, c) in inputs:
                continue
            expected = normalise(new[r][c]) if r < len(new) and c < len(new[r]) else None
            if (r, c) in formulas or _same(value, expected):
                continue
            if not strict and expected is not None:
                continue
            problems.append(Problem(f"ô ngoài vùng nhập đang chứa {_show(value)}"
                                    + (f" (mẫu: {_show(expected)})" if expected is not None else "")
                                    + "; đồng bộ sẽ ghi đè.", file=file, sheet=sheet,
                                    cell=cell_ref(r, c)))
    return problems


def _show(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return vn_number(value)
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= TOLERANCE
    return a == b


_CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)


def formula_cells(source: Path | zipfile.ZipFile, sheet: str) -> set[tuple[int, int]]:
    """(row, col) of every formula cell of `sheet` in a workbook we generated ourselves.

    `source` is the file, or its package already open (drift asks for every sheet of two).
    """
    if not isinstance(source, zipfile.ZipFile):
        with zipfile.ZipFile(source) as archive:
            return formula_cells(archive, sheet)
    archive = source
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rid = _sheet_rid(workbook, sheet)
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'Target="([^"]+)"[^>]*Id="{rid}"', rels)
    if target is None:
        return set()
    xml = archive.read("xl/" + target.group(1).lstrip("/").removeprefix("xl/")).decode("utf-8")
    result = set()
    for letters, number, body in _CELL.findall(xml):
        if body and "<f" in body:
            result.add((int(number) - 1, _col_index(letters)))
    return result


def _sheet_rid(workbook_xml: str, sheet: str) -> str:
    # What xml.sax.saxutils.escape(sheet, {'"': "&quot;"}) gives, without importing it: it
    # pulls in urllib.request, http and email, a quarter of `cchc-xl sync`'s start-up.
    name = sheet.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    name = name.replace('"', "&quot;")
    match = re.search(rf'<sheet name="{re.escape(name)}"[^>]*r:id="([^"]+)"', workbook_xml)
    return match.group(1) if match else ""


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1
