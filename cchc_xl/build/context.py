"""What every sheet writer needs: the workbook, formats, the data, and the registry of names."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..analysis.report import Report
from ..criteria.catalogue import Catalogue, Leaf
from ..format.layout import (
    META_LIST_FIRST_COL,
    META_SHEET,
    PROTECTION,
    Kind,
    ProtectionKind,
    cell_ref,
    quote_sheet,
)
from ..format.rowmap import RowMapEntry
from ..format.state import Formula, State
from .styles import Styles


@dataclass
class Context:
    workbook: Any
    styles: Styles
    catalogue: Catalogue
    state: State
    report: Report
    kind: Kind
    unit: str | None = None
    password: str = ""
    udfs: bool = False  # points computed by the Python UDF block, native formula as fallback
    names: dict[str, str] = field(default_factory=dict)
    row_map: list[RowMapEntry] = field(default_factory=list)  # format.rowmap.row_map's
    option_lists: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)  # for 'late' and 'overdue'

    @property
    def is_master(self) -> bool:
        return self.kind == "master"

    def define(self, name: str, sheet: str, row: int, col: int) -> None:
        """Register a workbook-level defined name for one cell (written at the end)."""
        self.names[name] = f"={quote_sheet(sheet)}!{cell_ref(row, col, absolute=True)}"

    def protect(self, ws: Any, kind: ProtectionKind) -> None:
        """Protect a sheet with the options of its kind (`layout.PROTECTION`), one place for both
        the builders and the live mode's re-protection."""
        ws.protect(self.password, dict(PROTECTION[kind]))

    def option_source(self, leaf: Leaf, options: tuple[str, ...]) -> str:
        """A list-validation source on the metadata sheet holding this leaf's options."""
        row = len(self.option_lists)
        self.option_lists.append((leaf.code, options))
        first = cell_ref(row, META_LIST_FIRST_COL + 2, absolute=True)
        last = cell_ref(row, META_LIST_FIRST_COL + 2 + len(options) - 1, absolute=True)
        return f"={quote_sheet(META_SHEET)}!{first}:{last}"


def write_value(ws: Any, row: int, col: int, value: Any, fmt: Any, styles: Styles) -> None:
    """Write what a person typed, keeping its type: a number stays a number, a date a date
    (shown dd/mm/yyyy), a formula a formula; text is always text, never turned into a formula."""
    if isinstance(value, Formula):
        cached_value = value.value
        if isinstance(cached_value, (dt.date, dt.datetime)):
            fmt = styles.as_date(fmt)
            cached_value = excel_serial(cached_value)
        ws.write_formula(row, col, value.text, fmt, cached(cached_value))
    elif value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value, styles.as_date(fmt))
    else:
        ws.write_string(row, col, str(value), fmt)


def excel_serial(value: dt.date) -> float:
    """A date as the number Excel stores (days since 1899-12-30)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def cached(value: Any) -> Any:
    """The cached result XlsxWriter stores with a formula: a float, a string or ''."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _char_width(ch: str) -> float:
    """Rough advance width in Times New Roman, in widths of the digit 0 (the column unit)."""
    if ch == " ":
        return 0.5
    if ch in "mwMW%—":
        return 1.7
    if ch.isupper():
        return 1.4
    if ch in "iljtfr.,:;'|!()[]-/":
        return 0.62
    return 1.0


@lru_cache(maxsize=16384)
def _word_width(word: str) -> float:
    """A word's width (cached: the same words recur in every row, sheet and workbook)."""
    return sum(_char_width(c) for c in unicodedata.normalize("NFD", word)
               if not unicodedata.combining(c))


def print_a4_landscape(ws: Any, repeat: int | None = None) -> None:
    """How every sheet prints: A4 landscape, one page wide, the header row on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    if repeat is not None:
        ws.repeat_rows(repeat)


def estimate_lines(text: str, width: float, bold: bool = False) -> int:
    """Lines a wrapped cell needs; XlsxWriter cannot autofit and LibreOffice/Excel differ.

    Wraps word by word, as spreadsheets do, with rough glyph widths: counting characters
    alone underestimated text with capitals, digits and '%', and printed cells were clipped.
    """
    if not text:
        return 1
    capacity = max(width - 0.8, 1.0)  # a cell's padding
    scale = 1.08 if bold else 1.0
    if len(text) * 1.7 * scale <= capacity and "\n" not in text:
        return 1  # even at the widest glyph (1.7) it fits: most log and register values
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            size = scale * _word_width(word)
            space = scale * 0.5 if used else 0.0
            if used and used + space + size > capacity:
                lines += 1
                used = 0.0
                space = 0.0
            used += space + size
            while used > capacity:  # a word longer than the cell breaks inside
                lines += 1
                used -= capacity
    return lines
