"""Drift: what a master file holds that regenerating it from its state would lose.

Every write of the master regenerates it whole from (catalogue, state). Before the new file
replaces the old one, the two are compared cell by cell: a value typed outside the input cells,
a sheet added by hand or a formula overwritten with another number would be lost, so the write
is refused and nothing is replaced. Merge and sync both go through this check.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from .._version import __version__
from ..criteria.catalogue import Catalogue
from ..criteria.numbers import vn_number
from ..errors import Problem
from ..format.layout import (
    COL,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_SHEET,
    GAP_SHEET,
    INPUT_KEYS,
    META_SHEET,
    OFFICE_KEYS,
    TEXT_KEYS,
    XLWINGS_CONF_SHEET,
    cell_ref,
)
from ..read.reader import WorkbookData, normalise

TOLERANCE = 1e-6



def input_cells(catalogue: Catalogue, data: WorkbookData) -> dict[str, set[tuple[int, int]]]:
    """Cells whose content is state (read back and rewritten), per sheet."""
    cells: dict[str, set[tuple[int, int]]] = {}
    for entry in data.rows.values():
        keys = INPUT_KEYS + OFFICE_KEYS + TEXT_KEYS if entry.kind != "group" else \
            OFFICE_KEYS + TEXT_KEYS
        for key in keys:
            cells.setdefault(entry.sheet, set()).add((entry.row, COL[key]))
    return cells


def drift(current: Path, fresh: Path, catalogue: Catalogue, data: WorkbookData,
          state_changed: bool = False) -> list[Problem]:
    """Problems for every sheet or cell of `current` that `fresh` does not reproduce.

    `fresh` is built from the state read from `current` (sync) or from that state updated with
    merged returns (`state_changed`). Every text cell the tool writes is independent of the
    state except the gap analysis, whose rows are sorted by the numbers, and the log, whose new
    rows come after the old ones: so after a merge the gap sheet is left out of the comparison
    (it is generated and protected; sync compares it).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        old = CalamineWorkbook.from_path(str(current))
        new = CalamineWorkbook.from_path(str(fresh))
        skip = {GAP_SHEET} if state_changed else set()
        return _drift(current, fresh, old, new, catalogue, data, skip)
    except CalamineError as exc:  # a sheet of the master the reader did not need is damaged
        return [Problem(f"một sheet của tệp bị hỏng, không so sánh được ({type(exc).__name__}); "
                        "hãy khôi phục từ thư mục sao-luu.", file=current.name)]


def _drift(current: Path, fresh: Path, old: Any, new: Any, catalogue: Catalogue,
           data: WorkbookData, skip: set[str]) -> list[Problem]:
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
                             same_version, skip)


def _drift_sheets(problems: list[Problem], current: Path, fresh_zip: zipfile.ZipFile,
                  current_zip: zipfile.ZipFile, old: Any, new: Any,
                  inputs: dict[str, set[tuple[int, int]]], same_version: bool,
                  skip: set[str]) -> list[Problem]:
    """The cell-by-cell part of `_drift`, added to `problems` (both packages opened once)."""
    for sheet in new.sheet_names:
        if sheet not in old.sheet_names or sheet in (META_SHEET, XLWINGS_CONF_SHEET, *skip):
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
