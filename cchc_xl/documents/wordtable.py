"""Data tables in the Word documents: a header row repeated on every page, ruled cells, group
rows (a field's sub-heading) and total rows.

A cell's text may hold line breaks: each line becomes a paragraph of the cell. The header is
one row: LibreOffice clips vertically merged cells in a repeated header, so none are merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .admin import row_flag, set_widths
from .text import printable

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Column:
    header: str
    width_cm: float
    align: Align = "left"


@dataclass(frozen=True)
class Row:
    cells: Sequence[str]
    bold: bool = False
    italic: bool = False
    merge: tuple[int, int] | None = None  # columns first..last (inclusive) merged into one
    keep: bool = True  # the row stays on one page (long rows of text may break)
    heading: bool = False  # a group's heading row: kept on the page of the row after it


def add_table(doc: Any, columns: Sequence[Column], rows: Sequence[Row], *,
              size: int = 12) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(table.rows[0].cells, columns):
        write_cell(cell, column.header, align="center", size=size, bold=True)
    row_flag(table.rows[0]._tr, "w:tblHeader")
    row_flag(table.rows[0]._tr, "w:cantSplit")
    for row in rows:
        _add_row(table, columns, row, size)
    set_widths(table, [c.width_cm for c in columns])
    return table


def _add_row(table: Any, columns: Sequence[Column], row: Row, size: int) -> None:
    added = table.add_row()
    cells = added.cells
    first, last = row.merge if row.merge is not None else (-1, -1)
    if row.merge is not None:
        cells[first].merge(cells[last])
    for i, (cell, column) in enumerate(zip(cells, columns)):
        if first < i <= last:
            continue
        text = row.cells[i] if i < len(row.cells) else ""
        write_cell(cell, text, align="left" if i == first else column.align, size=size,
                   bold=row.bold, italic=row.italic)
        if row.heading:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
    if row.keep:
        row_flag(added._tr, "w:cantSplit")


def write_cell(cell: Any, text: str, *, align: Align = "left", size: int = 12,
               bold: bool = False, italic: bool = False) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                 "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = printable(text).split("\n") if text else [""]
    for n, line in enumerate(lines):
        p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        fmt = p.paragraph_format
        fmt.alignment = alignment
        fmt.space_before, fmt.space_after = Pt(2), Pt(2)
        fmt.first_line_indent = Cm(0)
        fmt.line_spacing = 1.0
        run = p.add_run(line)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
