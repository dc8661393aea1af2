"""The documents' Excel tables: real Excel table objects with filters, typed cells, frozen
headers and A4 landscape printing with the header repeated on every page.

Numbers are numbers (2 decimals shown), dates are dates (dd/mm/yyyy), percents are fractions
shown as percents; a formula is written with the value it computes, so a reader that does not
calculate (calamine, a preview) shows the right figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from ..format.layout import cell_ref

Kind = Literal["text", "number", "int", "date", "percent"]
TITLE_ROW, SUBTITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 2, 3
FONT = "Times New Roman"
NUMBER_FORMATS = {"number": "#,##0.00", "int": "0", "date": "dd/mm/yyyy", "percent": "0.00%",
                  "text": "@"}


@dataclass(frozen=True)
class XColumn:
    header: str
    width: float
    kind: Kind = "text"
    total: Literal["", "sum", "label"] = ""  # what the table's total row shows


@dataclass(frozen=True)
class Formula:
    """A cell's formula (A1 references) and the value it computes."""

    text: str
    value: Any


class Book:
    """An XlsxWriter workbook with the documents' formats."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
            "default_date_format": "dd/mm/yyyy",
            "default_format_properties": {"font_name": FONT, "font_size": 12}})
        self._formats: dict[tuple[Any, ...], Any] = {}
        self.tables = 0

    def fmt(self, kind: Kind = "text", *, bold: bool = False, wrap: bool = True,
            size: int = 12, fill: str = "") -> Any:
        key = (kind, bold, wrap, size, fill)
        if key not in self._formats:
            props: dict[str, Any] = {"font_name": FONT, "font_size": size, "bold": bold,
                                     "valign": "top", "text_wrap": wrap,
                                     "num_format": NUMBER_FORMATS[kind]}
            if kind != "text":
                props["align"] = "center"
            if fill:
                props["bg_color"] = fill
            self._formats[key] = self.workbook.add_format(props)
        return self._formats[key]

    def close(self) -> None:
        self.workbook.close()


@dataclass(frozen=True)
class Placed:
    """Where a table landed: 0-based rows of its header, first and last data row, total row."""

    header: int
    first: int
    last: int
    total: int | None


def sheet(book: Book, name: str, title: str, subtitle: str, note: str = "") -> Any:
    ws = book.workbook.add_worksheet(name)
    ws.write_string(TITLE_ROW, 0, title, book.fmt(bold=True, wrap=False, size=14))
    ws.write_string(SUBTITLE_ROW, 0, subtitle, book.fmt(bold=True, wrap=False, size=13))
    if note:
        ws.write_string(NOTE_ROW, 0, note, book.fmt(wrap=False, size=11))
    return ws


def table(book: Book, ws: Any, columns: Sequence[XColumn], rows: Sequence[Sequence[Any]], *,
          name: str, total_label: str = "") -> Placed:
    """An Excel table at HEADER_ROW with the rows typed by their columns' kinds; a total row
    (SUBTOTAL of the visible rows, cached with the sum of all rows) when `total_label`."""
    count = max(len(rows), 1)  # a table needs a data row
    first, last = HEADER_ROW + 1, HEADER_ROW + count
    total_row = last + 1 if total_label else None
    specs = []
    for c, column in enumerate(columns):
        spec: dict[str, Any] = {"header": column.header,
                                "header_format": book.fmt(bold=True, size=11, fill="#D9E1F2"),
                                "format": book.fmt(column.kind)}
        if total_label and column.total == "label":
            spec["total_string"] = total_label
        elif total_label and column.total == "sum":
            values = [v for r in rows if c < len(r) and (v := _number(r[c])) is not None]
            if values:  # a column with nothing in it has no total (as the Word table)
                spec["total_function"] = "sum"
                spec["total_value"] = float(sum(values, Decimal(0)))
        specs.append(spec)
    book.tables += 1
    ws.add_table(HEADER_ROW, 0, total_row if total_row is not None else last, len(columns) - 1,
                 {"name": name, "columns": specs, "total_row": bool(total_label),
                  "style": "Table Style Light 1", "autofilter": True})
    for r, cells in enumerate(rows, start=first):
        for c, (column, value) in enumerate(zip(columns, cells)):
            write(book, ws, r, c, value, column.kind)
        ws.set_row(r, row_height(columns, cells))
    for c, column in enumerate(columns):
        ws.set_column(c, c, column.width)
    ws.set_row(HEADER_ROW, 48)
    _print_setup(ws, HEADER_ROW, len(columns) - 1)
    return Placed(HEADER_ROW, first, last, total_row)


def write(book: Book, ws: Any, r: int, c: int, value: Any, kind: Kind, *,
          bold: bool = False) -> None:
    fmt = book.fmt(kind, bold=bold)
    if isinstance(value, Formula):
        cached = value.value
        if isinstance(cached, Decimal):
            cached = float(cached)
        ws.write_formula(r, c, value.text, fmt, "" if cached is None else cached)
    elif value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), book.fmt("date",
                                                                                   bold=bold))
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value), book.fmt("text", bold=bold))


LINE_PT = 15.75  # a line of 12 pt text
CHARS_PER_WIDTH = 1.0  # characters of 12 pt Times New Roman per unit of column width (safe side)


def row_height(columns: Sequence[XColumn], values: Sequence[Any]) -> float:
    """The height wrapped text needs: neither XlsxWriter nor LibreOffice's PDF export sizes
    rows to their text, so the rows are sized here (an estimate from the column widths)."""
    import math

    lines = 1
    for column, value in zip(columns, values):
        if not isinstance(value, str) or not value:
            continue
        per_line = max(int(column.width * CHARS_PER_WIDTH), 1)
        lines = max(lines, sum(max(math.ceil(len(part) / per_line), 1)
                               for part in value.split("\n")))
    return round(lines * LINE_PT + 3, 2)


def ref(r: int, c: int) -> str:
    return cell_ref(r, c)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, Formula):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        return None
    return Decimal(str(value))


def _print_setup(ws: Any, header_row: int, last_col: int) -> None:
    ws.freeze_panes(header_row + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_footer("&CTrang &P/&N")
