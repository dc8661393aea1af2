"""What a person typed, read as what they meant, or reported with its cell.

Spreadsheets keep a number typed into a text-formatted cell as text ("0,5"), a date typed in
another locale as text ("15/03/2026"), and a formula as a formula whose value only some
programs compute. The Văn phòng's cells in the master are data: a number typed as text is read
as the number (and said so), a date as a date, and a formula is kept as a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from ..criteria.catalogue import Catalogue
from ..criteria.numbers import vn_number
from ..errors import Problem
from ..files.package import Package
from ..format.info import INFO_SHEET, all_fields, info_cells
from ..format.layout import COL, EVIDENCE_COL, EVIDENCE_SHEET, GROUP_KEYS, LEAF_KEYS, cell_ref
from ..format.rowmap import RowMapEntry
from ..format.state import Entry, Formula, State, shown

_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DECIMAL = re.compile(r"^[+]?\d+(?:[.,]\d+)?$")
_GROUPED = re.compile(r"^[+]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # Vietnamese 1.234,5
# Cells of the master holding numbers the Văn phòng types (besides a rule's numeric inputs).
OFFICE_NUMBERS = ("appraised", "last_year", "target")


def parse_number(text: str) -> Decimal | None:
    """'0,5' → 0.5, '4.5' → 4.5, '1.234,5' → 1234.5, '14697' → 14697; None if not a number."""
    compact = text.strip().replace(" ", "").replace("\u00a0", "")
    if _GROUPED.match(compact):
        compact = compact.replace(".", "").replace(",", ".")
    elif _DECIMAL.match(compact):
        compact = compact.replace(",", ".")
    else:
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None


def parse_date(text: str) -> dt.date | None:
    """'15/03/2026', '15-3-2026', '15.03.2026' (day first) or '2026-03-15'; None otherwise."""
    match = _DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO_DATE.match(text)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def as_number(value: Any) -> tuple[Any, bool]:
    """(the value, whether text was turned into a number)."""
    if isinstance(value, str):
        number = parse_number(value)
        if number is not None:
            return (int(number) if number == number.to_integral_value() else float(number)), True
    return value, False


def numeric_inputs(catalogue: Catalogue, code: str) -> tuple[str, ...]:
    """The input cells of a leaf that hold numbers (a, b, and a numeric `value`)."""
    leaf = catalogue.leaf(code)
    if leaf is None:
        return ()
    return tuple(k for k in leaf.rule.inputs
                 if leaf.rule.input_cell(k, leaf.max).format in ("count", "number"))


def read_numbers(catalogue: Catalogue, state: State, rows: dict[str, RowMapEntry],
                 notices: list[Problem], file: str) -> None:
    """Numbers the Văn phòng typed as text in the master's number cells, read as numbers."""
    for code, entry in list(state.entries.items()):
        if code not in rows:
            continue
        changes: dict[str, Any] = {}
        for key in OFFICE_NUMBERS + numeric_inputs(catalogue, code):
            value, converted = as_number(getattr(entry, key))
            if converted:
                changes[key] = value
                sheet, row = rows[code].sheet, rows[code].row
                notices.append(Problem(
                    f"ô chứa chữ '{getattr(entry, key)}' ở chỗ cần số: đã đọc là số "
                    f"{vn_number(Decimal(str(value)))} và ghi lại dạng số.", file=file,
                    sheet=sheet, cell=cell_ref(row, COL[key]), code=code, severity="warning",
                    kind="text-number"))
        if changes:
            state.entries[code] = replace(entry, **changes)


def read_info_values(catalogue: Catalogue, state: State, notices: list[Problem],
                     file: str) -> None:
    """Numbers typed as text and dates typed as text on 'Thông tin chung', read as meant."""
    cells = info_cells(catalogue)
    for field in all_fields(catalogue):
        value = state.info.get(field.key)
        if (field.kind == "percent" and isinstance(value, (int, float))
                and not isinstance(value, bool) and value > 2):
            # 89,17 typed in a percent cell means 89,17 % (Excel would show 8917 %): the sheet's
            # formulas and the documents then read the same fraction.
            state.info[field.key] = value / 100
            row, col = cells[field.key]
            notices.append(Problem(
                f"ô ghi {vn_number(value)} ở chỗ cần tỷ lệ phần trăm: đã đọc là "
                f"{vn_number(value)}% và ghi lại dạng phần trăm.", file=file, sheet=INFO_SHEET,
                cell=cell_ref(row, col), severity="warning", kind="text-number"))
            continue
        if not isinstance(value, str):
            continue
        if field.kind == "date" and parse_date(value) is not None:
            state.info[field.key] = parse_date(value)
        elif field.kind in ("number", "percent"):
            percent = field.kind == "percent" and value.strip().endswith("%")
            number = parse_number(value.strip().rstrip("%").strip())
            if number is None:
                continue
            state.info[field.key] = float(number / 100 if percent else number)
            row, col = cells[field.key]
            notices.append(Problem(
                f"ô chứa chữ '{value}' ở chỗ cần số: đã đọc là số {vn_number(number)}"
                + ("%" if percent else "") + " và ghi lại dạng số.", file=file, sheet=INFO_SHEET,
                cell=cell_ref(row, col), severity="warning", kind="text-number"))


def read_dates(state: State) -> None:
    """Evidence dates typed as text ('15/03/2026') are dates."""
    for i, row in enumerate(state.evidence):
        if isinstance(row.date, str):
            date = parse_date(row.date)
            if date is not None:
                state.evidence[i] = replace(row, date=date)


def read_formulas(package: Package, catalogue: Catalogue, state: State,
                  rows: dict[str, RowMapEntry], evidence_rows: list[int], notices: list[Problem],
                  file: str) -> None:
    """Formulas typed into the master's input cells, kept as formulas (with their values)."""
    by_sheet: dict[str, dict[int, RowMapEntry]] = {}
    for entry_row in rows.values():
        by_sheet.setdefault(entry_row.sheet, {})[entry_row.row] = entry_row
    for sheet, entries in by_sheet.items():
        for (row, col), text in package.formulas(sheet).items():
            found = entries.get(row)
            key = _KEY_OF_COLUMN.get(col)
            if found is None or key not in typed_keys(found):
                continue
            code = found.code
            entry = state.entries.get(code, Entry())
            kept = _kept(getattr(entry, key), text, notices, file, sheet, cell_ref(row, col), code)
            state.entries[code] = replace(entry, **{key: kept})
    info = {cell: key for key, cell in info_cells(catalogue).items()}
    for (row, col), text in package.formulas(INFO_SHEET).items():
        if (row, col) in info:
            key = info[(row, col)]
            state.info[key] = _kept(state.info.get(key), text, notices, file, INFO_SHEET,
                                    cell_ref(row, col), None)
    register = {r: i for i, r in enumerate(evidence_rows)}  # sheet row → index in the register
    for (row, col), text in package.formulas(EVIDENCE_SHEET).items():
        key = _EVIDENCE_KEY_OF_COLUMN.get(col)
        if row not in register or key is None or key == "origin":
            continue
        i = register[row]
        kept = _kept(getattr(state.evidence[i], key), text, notices, file, EVIDENCE_SHEET,
                     cell_ref(row, col), None)
        state.evidence[i] = replace(state.evidence[i], **{key: kept})


def _kept(value: Any, text: str, notices: list[Problem], file: str, sheet: str, ref: str,
          code: str | None) -> Any:
    if not text:  # continues a shared formula written elsewhere: only the value is known
        notices.append(Problem(
            "ô chứa công thức dùng chung (chép từ ô khác); công cụ giữ giá trị "
            f"{shown(value)} nhưng không giữ được công thức. Nếu cần công thức, hãy gõ lại vào ô "
            "này.", file=file, sheet=sheet, cell=ref, code=code, severity="warning",
            kind="shared-formula"))
        return value
    if value is None:
        notices.append(Problem(
            f"ô chứa công thức {text} nhưng tệp chưa lưu kết quả của nó (chương trình đã lưu tệp "
            "không tính công thức); công thức được giữ, các tổng tạm coi ô này là trống. Hãy mở "
            "tệp bằng Excel hoặc LibreOffice và lưu lại.", file=file, sheet=sheet, cell=ref,
            code=code, severity="warning", kind="formula-without-value"))
    return Formula(text, value)


def typed_keys(row: RowMapEntry) -> tuple[str, ...]:
    """The cells of a tree row that hold what people typed (the rest the tool computes)."""
    return LEAF_KEYS if row.kind != "group" else GROUP_KEYS


_KEY_OF_COLUMN = {index: key for key, index in COL.items()}
_EVIDENCE_KEY_OF_COLUMN = {index: key for key, index in EVIDENCE_COL.items()}
