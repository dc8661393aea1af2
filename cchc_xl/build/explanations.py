"""The master's appraisal sheet (Giải trình thẩm định): one row per item the council lowered.

For each item: the council's first points, the Sở's explanation, the evidence supplemented, the
council's decision (typed, blue), and the final points, which are the item's appraised points on
its field sheet (one number in one place), with the difference from the self-assessed points.
"""

from __future__ import annotations

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
from .context import Context, cached, estimate_lines, write_value

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
    blue = s.cell(fill=st.OFFICE_INPUT, unlocked=True)
    first_blank = EXPLANATION_FIRST_ROW + len(items)
    for r in range(first_blank, first_blank + EXPLANATION_BLANK_ROWS):
        for key, col in E.items():
            typed = key in ("code", "first", "explanation", "supplement", "decision")
            ws.write_blank(r, col, None, blue if typed else s.cell())
    ws.freeze_panes(EXPLANATION_FIRST_ROW, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(EXPLANATION_HEADER_ROW)
    ws.fit_to_pages(1, 0)
    ctx.protect(ws, "explanations")


def _write_row(ctx: Context, ws: Any, r: int, node: NodeReport,
               where: dict[str, tuple[str, int]]) -> None:
    s = ctx.styles
    text, num, mx = s.cell(), s.cell(kind="number"), s.cell(kind="max")
    blue_num = s.cell(kind="number", fill=st.OFFICE_INPUT, unlocked=True)
    blue = s.cell(fill=st.OFFICE_INPUT, unlocked=True)
    explanation = ctx.state.explanations.get(node.code)
    ws.write_string(r, E["code"], node.code, text)
    ws.write_string(r, E["name"], node.node.name, text)
    ws.write_number(r, E["max"], float(node.max), mx)
    ws.write_number(r, E["points"], float(node.points), num)
    for key in ("first", "explanation", "supplement", "decision"):
        write_value(ws, r, E[key], getattr(explanation, key, None),
                    blue_num if key == "first" else blue, s)
    sheet, row = where[node.code]
    appraised = f"{quote_sheet(sheet)}!{cell_ref(row, COL['appraised'], absolute=True)}"
    final, x = cell_ref(r, E["final"]), r + 1
    ws.write_formula(r, E["final"], f'=IF(ISNUMBER({appraised}),{appraised},"")', num,
                     cached(node.appraised))
    change = None if node.appraised is None else node.appraised - node.points
    ws.write_formula(r, E["change"], f'=IF(ISNUMBER({final}),ROUND({final}-D{x},2),"")', num,
                     cached(change))
    texts = [node.node.name] + [str(getattr(explanation, k, "") or "") for k in
                                ("explanation", "supplement", "decision")]
    widths = [EXPLANATION_COLUMNS[E[k]][2] for k in ("name", "explanation", "supplement",
                                                      "decision")]
    ws.set_row(r, 15 * max(estimate_lines(t, w) for t, w in zip(texts, widths)) + 3)
