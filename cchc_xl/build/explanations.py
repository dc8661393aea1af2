"""The master's appraisal sheet (Giải trình thẩm định): one row per item the council lowered.

For each item: the council's first points, the Sở's explanation, the evidence supplemented, the
council's decision (typed, blue), and the final points, which are the item's appraised points on
its field sheet (one number in one place), with the difference from the self-assessed points.
The rows' cells (`explanation_cells`) and formats (`row_formats`) are shared with the live mode
of the *Nhập điểm thẩm định* button, which writes this table into the workbook open in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis.report import NodeReport, Report
from ..format.layout import (
    COL,
    EXPLANATION_BLANK_ROWS,
    EXPLANATION_COLUMNS,
    EXPLANATION_FIRST_ROW,
    EXPLANATION_HEADER_ROW,
    cell_ref,
    quote_sheet,
)
from . import styles as st
from .context import Context, cached, estimate_lines, print_a4_landscape, write_value

E = {key: i for i, (key, _, _) in enumerate(EXPLANATION_COLUMNS)}


def explained_items(report: Report) -> list[NodeReport]:
    """The items with a row: an explanation already typed, or appraised below self-assessed."""
    explanations = report.state.explanations
    rows = []
    for leaf in report.catalogue.all_leaves():
        node = report.nodes[leaf.code]
        typed = leaf.code in explanations and not explanations[leaf.code].is_blank()
        lowered = node.appraised is not None and node.appraised < node.points
        if typed or lowered:
            rows.append(node)
    return rows


def write_explanations(ctx: Context, name: str) -> None:
    s, report = ctx.styles, ctx.report
    ws = ctx.workbook.add_worksheet(name)
    ws.write_string(0, 0, f"THẨM ĐỊNH VÀ GIẢI TRÌNH CHỈ SỐ CCHC NĂM {ctx.catalogue.year}",
                    s.title())
    ws.merge_range(1, 0, 1, len(EXPLANATION_COLUMNS) - 1,
                   "Mỗi tiêu chí Hội đồng thẩm định chấm thấp hơn điểm tự chấm có một dòng. "
                   "Văn phòng ghi điểm thẩm định lần đầu, nội dung giải trình, tài liệu bổ sung và "
                   "kết luận của Hội đồng (ô xanh). Điểm sau giải trình là cột 'Điểm thẩm định' ở "
                   "sheet lĩnh vực. Dòng trống ở cuối: gõ mã tiêu chí để ghi thêm.",
                   s.get(italic=True, font_size=10, text_wrap=True, valign="top"))
    ws.set_row(1, 30)
    for i, (_, header, width) in enumerate(EXPLANATION_COLUMNS):
        ws.write_string(EXPLANATION_HEADER_ROW, i, header, s.header())
        ws.set_column(i, i, width)
    header_lines = max(estimate_lines(header, width) for _, header, width in EXPLANATION_COLUMNS)
    ws.set_row(EXPLANATION_HEADER_ROW, 15 * header_lines + 3)
    where = {e.code: (e.sheet, e.row) for e in ctx.row_map}
    items = explained_items(report)
    for i, node in enumerate(items):
        _write_row(ctx, ws, EXPLANATION_FIRST_ROW + i, node, where)
    formats = row_formats(ctx)
    first_blank = EXPLANATION_FIRST_ROW + len(items)
    for r in range(first_blank, first_blank + EXPLANATION_BLANK_ROWS):
        for key, col in E.items():
            ws.write_blank(r, col, None, formats[key])
    ws.freeze_panes(EXPLANATION_FIRST_ROW, 2)
    print_a4_landscape(ws, repeat=EXPLANATION_HEADER_ROW)
    ctx.protect(ws, "explanations")


@dataclass(frozen=True)
class ExplanationCell:
    """One cell of an item's row: a value (as typed, for the Văn phòng's cells), or a formula
    with its cached result in `value`."""

    value: Any = None
    formula: str | None = None


def explanation_cells(report: Report, node: NodeReport, where: dict[str, tuple[str, int]],
                      r: int) -> dict[str, ExplanationCell]:
    """The cells of the item's row `r` (0-based), by column key: written by the builder and by
    the live mode (the *Nhập điểm thẩm định* button)."""
    explanation = report.state.explanations.get(node.code)
    sheet, row = where[node.code]
    appraised = f"{quote_sheet(sheet)}!{cell_ref(row, COL['appraised'], absolute=True)}"
    final, x = cell_ref(r, E["final"]), r + 1
    change = None if node.appraised is None else node.appraised - node.points
    cells = {"code": ExplanationCell(node.code), "name": ExplanationCell(node.node.name),
             "max": ExplanationCell(float(node.max)),
             "points": ExplanationCell(float(node.points))}
    for key in ("first", "explanation", "supplement", "decision"):
        cells[key] = ExplanationCell(getattr(explanation, key, None))
    cells["final"] = ExplanationCell(node.appraised,
                                     f'=IF(ISNUMBER({appraised}),{appraised},"")')
    cells["change"] = ExplanationCell(change, f'=IF(ISNUMBER({final}),ROUND({final}-D{x},2),"")')
    return cells


def row_formats(ctx: Context) -> dict[str, Any]:
    """Each column's format, the same on every row of the table and on the blank rows after it:
    the Văn phòng types the code (to add a row), the first points, the explanation, the
    evidence supplemented and the decision (blue, unlocked). So any row of the table is a model
    for another: the live mode gives the rows it adds the formats of the first one."""
    s = ctx.styles
    blue = s.cell(fill=st.OFFICE_INPUT, unlocked=True)
    num = s.cell(kind="number")
    return {"code": blue, "name": s.cell(), "max": s.cell(kind="max"), "points": num,
            "first": s.cell(kind="number", fill=st.OFFICE_INPUT, unlocked=True),
            "explanation": blue, "supplement": blue, "decision": blue, "final": num,
            "change": num}


def _write_row(ctx: Context, ws: Any, r: int, node: NodeReport,
               where: dict[str, tuple[str, int]]) -> None:
    s, formats = ctx.styles, row_formats(ctx)
    cells = explanation_cells(ctx.report, node, where, r)
    ws.write_string(r, E["code"], cells["code"].value, formats["code"])
    ws.write_string(r, E["name"], cells["name"].value, formats["name"])
    for key in ("max", "points"):
        ws.write_number(r, E[key], cells[key].value, formats[key])
    for key in ("first", "explanation", "supplement", "decision"):
        write_value(ws, r, E[key], cells[key].value, formats[key], s)
    for key in ("final", "change"):
        ws.write_formula(r, E[key], cells[key].formula, formats[key], cached(cells[key].value))
    texts = [node.node.name] + [str(cells[k].value or "") for k in
                                ("explanation", "supplement", "decision")]
    widths = [EXPLANATION_COLUMNS[E[k]][2] for k in ("name", "explanation", "supplement",
                                                      "decision")]
    ws.set_row(r, 15 * max(estimate_lines(t, w) for t, w in zip(texts, widths)) + 3)
