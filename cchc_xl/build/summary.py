"""The consolidated sheet (Tổng hợp) and the gap analysis (Phân tích chênh lệch).

Every number is a live formula over the field sheets, written with the report model's value as
its cached result; labels are formulas too ("trừ 1,5 điểm" via FIXED, which follows the user's
decimal separator), so editing a field sheet in Excel can never leave a stale label behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis.report import NodeReport, Report
from ..format.layout import (
    COL,
    GAP_HEADER_ROW,
    SUMMARY_HEADER_ROW,
    cell_ref,
    code_token,
    quote_sheet,
)
from . import styles as st
from .context import Context, cached, estimate_lines

SUMMARY_HEADERS = ("STT", "Lĩnh vực", "Điểm tối đa", "Điểm tối đa áp dụng", "Điểm tự chấm",
                   "Điểm thẩm định (tiêu chí chưa thẩm định: điểm tự chấm)",
                   "Kết quả năm trước", "Mục tiêu năm nay",
                   "Chỉ số thành phần", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn hoàn thành")
SUMMARY_WIDTHS = (5, 40, 9, 9, 9, 13, 9, 9, 10, 22, 26, 14)
FIELD_GAP_HEADERS = ("STT", "Lĩnh vực", "Điểm tối đa áp dụng", "Điểm đạt", "Mục tiêu",
                     "Điểm bị mất", "Còn thiếu so với mục tiêu", "Nhận xét", "Đơn vị chủ trì",
                     "Đơn vị phối hợp")
LEAF_GAP_HEADERS = ("Mã", "Tiêu chí thành phần", "Điểm tối đa áp dụng", "Điểm đạt", "Mục tiêu",
                    "Điểm bị mất", "Còn thiếu so với mục tiêu", "Nhận xét", "Đơn vị chủ trì",
                    "Đơn vị phối hợp", "Nguyên nhân", "Giải pháp khắc phục")
GAP_WIDTHS = (8, 44, 9, 9, 9, 9, 10, 16, 20, 22, 28, 28)
CHART_ROWS = 17  # rows the chart covers between the two tables
NO_GAPS = "Không có tiêu chí nào bị mất điểm."


def _ref(sheet: str, row: int, key: str) -> str:
    return f"{quote_sheet(sheet)}!{cell_ref(row, COL[key], absolute=True)}"


def _places(x: str) -> str:
    """Text of a rounded number with only the decimals it needs, in the user's locale."""
    return f"IF({x}=ROUND({x},0),FIXED({x},0),IF({x}=ROUND({x},1),FIXED({x},1),FIXED({x},2)))"


def label_formula(applicable: str, lost: str) -> str:
    return (f'=IF({applicable}=0,"không chấm điểm",IF({lost}<=0,"đạt điểm tối đa",'
            f'"trừ "&{_places(lost)}&" điểm"))')


def _locations(ctx: Context) -> dict[str, tuple[str, int]]:
    return {e.code: (e.sheet, e.row) for e in ctx.row_map}


def write_summary(ctx: Context, name: str) -> None:
    s, report = ctx.styles, ctx.report
    ws = ctx.workbook.add_worksheet(name)
    where = _locations(ctx)
    ws.write_string(0, 0, f"TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {ctx.catalogue.year}",
                    s.title())
    ws.write_string(1, 0, ctx.state.org or "", s.subtitle())
    for i, (header, width) in enumerate(zip(SUMMARY_HEADERS, SUMMARY_WIDTHS)):
        ws.write_string(SUMMARY_HEADER_ROW, i, header, s.header())
        ws.set_column(i, i, width)
    ws.set_row(SUMMARY_HEADER_ROW, 75)
    text, num, mx = s.cell(), s.cell(kind="number"), s.cell(kind="max")
    pct = s.cell(kind="percent")
    first = SUMMARY_HEADER_ROW + 1
    for i, f in enumerate(report.fields):
        r = first + i
        sheet, row = where[f.code]
        ws.write_number(r, 0, i + 1, text)
        ws.write_string(r, 1, f.node.name, text)
        ws.write_formula(r, 2, f"={_ref(sheet, row, 'max')}", mx, cached(f.max))
        ws.write_formula(r, 3, f"={_ref(sheet, row, 'applicable')}", mx, cached(f.applicable_max))
        ws.write_formula(r, 4, f"={_ref(sheet, row, 'points')}", num, cached(f.points))
        for col, key, value in ((5, "appraised", f.appraised), (6, "last_year", f.last_year),
                                (7, "target", f.target)):
            ref = _ref(sheet, row, key)
            ws.write_formula(r, col, f'=IF(ISNUMBER({ref}),{ref},"")', num, cached(value))
        ws.write_formula(r, 8, f'=IF(D{r + 1}=0,"",ROUND(E{r + 1}/D{r + 1},4))', pct,
                         cached(f.sub_index))
        texts = {1: f.node.name, 9: ctx.catalogue.unit_name(f.node.lead),
                 10: ", ".join(ctx.catalogue.unit_name(u) for u in f.node.support),
                 11: str(f.entry.deadline or "")}
        for col in (9, 10, 11):
            ws.write_string(r, col, texts[col], text)
        ws.set_row(r, _row_height(texts, SUMMARY_WIDTHS))
        ctx.define(f"CCHC_FIELD_POINTS_{code_token(f.code)}", name, r, 4)
    _write_summary_totals(ctx, ws, name, first, first + len(report.fields) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(SUMMARY_HEADER_ROW)
    ctx.protect(ws, "summary")


def _write_summary_totals(ctx: Context, ws: Any, name: str, first: int, last: int) -> None:
    s, report, cat = ctx.styles, ctx.report, ctx.catalogue
    bold_text = s.cell(bold=True, fill=st.FIELD)
    num = s.cell(kind="number", bold=True, fill=st.FIELD)
    mx = s.cell(kind="max", bold=True, fill=st.FIELD)
    pct = s.cell(kind="percent", bold=True, fill=st.FIELD)
    blank = s.cell(fill=st.FIELD)
    r = last + 1
    def span(col: int) -> str:
        return f"{chr(65 + col)}{first + 1}:{chr(65 + col)}{last + 1}"

    def row_label(row: int, label: str) -> None:
        ws.write_blank(row, 0, None, blank)
        ws.write_string(row, 1, label, bold_text)
        for col in range(2, len(SUMMARY_HEADERS)):
            ws.write_blank(row, col, None, blank)
        ws.set_row(row, _row_height({1: label}, SUMMARY_WIDTHS, bold=True))

    row_label(r, "Cộng các lĩnh vực")
    ws.write_formula(r, 2, f"=SUM({span(2)})", mx, cached(report.max))
    ws.write_formula(r, 3, f"=SUM({span(3)})", mx, cached(report.applicable_max))
    ws.write_formula(r, 4, f"=ROUND(SUM({span(4)}),2)", num, cached(report.points))
    # Appraisal has started once any field or bonus/penalty item has appraised points.
    extras = [f"CCHC_{kind}_APPRAISED" for kind, section in (("BONUS", cat.bonus),
                                                             ("PENALTY", cat.penalty)) if section]
    none_appraised = f"COUNT({','.join([span(5), *extras])})=0"
    mixed = ",".join(f"IF(ISNUMBER(F{i + 1}),F{i + 1},E{i + 1})" for i in range(first, last + 1))
    ws.write_formula(r, 5, f'=IF({none_appraised},"",ROUND(SUM({mixed}),2))', num,
                     cached(report.appraised))
    for col, value in ((6, report.last_year), (7, report.target)):
        ws.write_formula(r, col, f'=IF(COUNT({span(col)})=0,"",SUM({span(col)}))', num,
                         cached(value))
    ws.write_formula(r, 8, f'=IF(D{r + 1}=0,"",ROUND(E{r + 1}/D{r + 1},4))', pct,
                     cached(report.points_index))
    ctx.define("CCHC_MAX", name, r, 2)
    ctx.define("CCHC_APPLICABLE_MAX", name, r, 3)
    ctx.define("CCHC_TREE_POINTS", name, r, 4)
    sum_row = r

    for label, name_ref, section, value, appraised in (
            ("Điểm thưởng (trong giới hạn)", "CCHC_BONUS", cat.bonus, report.bonus,
             report.appraised_bonus),
            ("Điểm trừ (trong giới hạn)", "CCHC_PENALTY", cat.penalty, report.penalty,
             report.appraised_penalty)):
        r += 1
        row_label(r, label)
        ws.write_formula(r, 4, f"={name_ref if section else 0}", num, cached(value))
        # The section's appraised points (its items' appraised, else self-assessed, capped).
        source = f"{name_ref}_APPRAISED" if section else "0"
        ws.write_formula(r, 5, f'=IF(F{sum_row + 1}="","",IF(ISNUMBER({source}),{source},'
                               f'E{r + 1}))', num, cached(appraised))
    r += 1
    row_label(r, "TỔNG ĐIỂM ĐẠT ĐƯỢC")
    total_formula = f"=ROUND(E{sum_row + 1}+E{r - 1}-E{r},2)"
    ws.write_formula(r, 4, total_formula, num, cached(report.total))
    ws.write_formula(r, 5, f'=IF(F{sum_row + 1}="","",ROUND(F{sum_row + 1}+F{r - 1}-F{r},2))',
                     num, cached(report.appraised_total))
    ctx.define("CCHC_TOTAL", name, r, 4)
    ctx.define("CCHC_APPRAISED_TOTAL", name, r, 5)
    total_row = r

    r += 1
    row_label(r, "CHỈ SỐ CCHC (tổng điểm / điểm tối đa áp dụng)")
    applicable = f"D{sum_row + 1}"
    ws.write_formula(r, 4, f'=IF({applicable}=0,"",ROUND(E{total_row + 1}/{applicable},4))', pct,
                     cached(report.index))
    ws.write_formula(r, 5, f'=IF(OR(F{total_row + 1}="",{applicable}=0),"",'
                           f'ROUND(F{total_row + 1}/{applicable},4))', pct,
                     cached(report.appraised_index))
    ctx.define("CCHC_INDEX", name, r, 4)
    ctx.define("CCHC_APPRAISED_INDEX", name, r, 5)
    index_row = r

    r += 1
    row_label(r, "Xếp loại")
    ws.write_formula(r, 4, _rating_formula(ctx, f"E{index_row + 1}"), bold_text,
                     report.rating)
    ws.write_formula(r, 5, _rating_formula(ctx, f"F{index_row + 1}"), bold_text,
                     report.appraised_rating)
    ctx.define("CCHC_RATING", name, r, 4)
    ctx.define("CCHC_APPRAISED_RATING", name, r, 5)


def _rating_formula(ctx: Context, index_cell: str) -> str:
    result = '""'
    for band in reversed(ctx.catalogue.rating):
        label = band.label.replace('"', '""')
        result = f'IF(ROUND({index_cell}*100,2)>={band.min},"{label}",{result})'
    return f'=IF(ISNUMBER({index_cell}),{result},"")'


# ---------------------------------------------------------------------------------------------
# Gap analysis


@dataclass(frozen=True)
class GapCell:
    """One cell of a gap-analysis row: text, or a formula (starting '=') with its cached value."""

    value: str
    cached: Any = None
    kind: str = "text"  # text, number or max

    @property
    def is_formula(self) -> bool:
        return self.value.startswith("=")


@dataclass(frozen=True)
class GapLayout:
    """Where the two tables of the gap sheet go and what their rows hold (0-based rows)."""

    field_first: int
    field_rows: list[list[GapCell]]
    leaf_header: int
    leaf_rows: list[list[GapCell]]

    @property
    def chart_row(self) -> int:
        return self.field_first + len(self.field_rows) + 1


def gap_layout(report: Report, where: dict[str, tuple[str, int]]) -> GapLayout:
    """The gap tables, sorted by points lost: written by the builder and by the live mode."""
    order = {f.code: i for i, f in enumerate(report.fields)}
    fields = sorted(report.fields, key=lambda f: (-f.lost, order[f.code]))
    first = GAP_HEADER_ROW + 1
    field_rows = [gap_cells(report, f, str(i + 1), where[f.code], first + i, is_field=True)
                  for i, f in enumerate(fields)]
    leaf_header = first + len(fields) + 1 + CHART_ROWS
    leaf_rows = [gap_cells(report, leaf, leaf.code, where[leaf.code], leaf_header + 1 + i,
                           is_field=False) for i, leaf in enumerate(report.gap_leaves())]
    return GapLayout(first, field_rows, leaf_header, leaf_rows)


def gap_cells(report: Report, node: NodeReport, first_col: str, where: tuple[str, int], r: int,
              is_field: bool) -> list[GapCell]:
    sheet, row = where
    cat = report.catalogue
    x = r + 1  # 1-based row in formulas
    appraised, points = _ref(sheet, row, "appraised"), _ref(sheet, row, "points")
    target = _ref(sheet, row, "target")
    cells = [
        GapCell(first_col), GapCell(node.node.name),
        GapCell(f"={_ref(sheet, row, 'applicable')}", node.applicable_max, "max"),
        GapCell(f"=IF(ISNUMBER({appraised}),{appraised},N({points}))", node.achieved, "number"),
        GapCell(f"=IF(ISNUMBER({target}),{target},C{x})", node.target_or_max, "number"),
        GapCell(f"=MAX(ROUND(C{x}-D{x},2),0)", node.lost, "number"),
        GapCell(f"=MAX(ROUND(E{x}-D{x},2),0)", node.needed, "number"),
        GapCell(label_formula(f"C{x}", f"F{x}"), node.label),
        GapCell(cat.unit_name(node.node.lead)),
        GapCell(", ".join(cat.unit_name(u) for u in node.node.support)),
    ]
    if not is_field:
        cells += [GapCell(str(node.entry.cause or "")), GapCell(str(node.entry.remedy or ""))]
    return cells


def write_gap(ctx: Context, name: str) -> None:
    s, report = ctx.styles, ctx.report
    ws = ctx.workbook.add_worksheet(name)
    ws.write_string(0, 0, f"PHÂN TÍCH CHÊNH LỆCH CHỈ SỐ CCHC NĂM {ctx.catalogue.year}: "
                          "ĐIỂM TỐI ĐA, ĐIỂM ĐẠT VÀ MỤC TIÊU", s.title())
    ws.write_string(1, 0, "Điểm đạt = điểm thẩm định nếu đã nhập, nếu chưa là điểm tự chấm. "
                          "Mục tiêu để trống được tính bằng điểm tối đa áp dụng. Thứ tự: mất "
                          "nhiều điểm nhất trước (sắp xếp lại khi Đồng bộ).",
                    s.get(italic=True, font_size=10))
    for i, width in enumerate(GAP_WIDTHS):
        ws.set_column(i, i, width)
    layout = gap_layout(report, _locations(ctx))
    ws.write_string(GAP_HEADER_ROW - 1, 0, "A. THEO LĨNH VỰC", s.get(bold=True, font_size=12))
    _gap_header(ws, s, GAP_HEADER_ROW, FIELD_GAP_HEADERS)
    first = layout.field_first
    for i, cells in enumerate(layout.field_rows):
        _gap_row(ctx, ws, first + i, cells)
    last = first + len(layout.field_rows) - 1
    _gap_formats(ctx, ws, first, last)
    _gap_chart(ctx, ws, name, first, last, layout.chart_row)
    leaf_header = layout.leaf_header
    ws.write_string(leaf_header - 1, 0, "B. THEO TIÊU CHÍ THÀNH PHẦN CHƯA ĐẠT ĐIỂM TỐI ĐA HOẶC "
                                        "CHƯA ĐẠT MỤC TIÊU", s.get(bold=True, font_size=12))
    _gap_header(ws, s, leaf_header, LEAF_GAP_HEADERS)
    for i, cells in enumerate(layout.leaf_rows):
        _gap_row(ctx, ws, leaf_header + 1 + i, cells)
    if layout.leaf_rows:
        _gap_formats(ctx, ws, leaf_header + 1, leaf_header + len(layout.leaf_rows))
    else:
        ws.write_string(leaf_header + 1, 1, NO_GAPS, s.cell())
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ctx.protect(ws, "gap")


def _gap_header(ws: Any, s: Any, row: int, headers: tuple[str, ...]) -> None:
    for i, header in enumerate(headers):
        ws.write_string(row, i, header, s.header())
    ws.set_row(row, 45)


def _gap_row(ctx: Context, ws: Any, r: int, cells: list[GapCell]) -> None:
    s = ctx.styles
    formats = {"text": s.cell(), "number": s.cell(kind="number"), "max": s.cell(kind="max")}
    for col, c in enumerate(cells):
        if c.is_formula:
            ws.write_formula(r, col, c.value, formats[c.kind], cached(c.cached))
        else:
            ws.write_string(r, col, c.value, formats[c.kind])
    texts = {col: c.value for col, c in enumerate(cells) if col in (1, 8, 9, 10, 11)}
    ws.set_row(r, _row_height(texts, GAP_WIDTHS))


def _row_height(texts: dict[int, str], widths: tuple[float, ...], bold: bool = False) -> float:
    """Points for a row whose wrapped cells (column → text) must all print in full."""
    lines = max(estimate_lines(t, widths[col], bold) for col, t in texts.items())
    return 15 * lines + 3


def _gap_formats(ctx: Context, ws: Any, first: int, last: int) -> None:
    s = ctx.styles
    ws.conditional_format(first, 5, last, 5, {"type": "data_bar", "bar_color": "#F4B183",
                                              "bar_solid": True})
    ws.conditional_format(first, 7, last, 7, {"type": "text", "criteria": "begins with",
                                              "value": "trừ",
                                              "format": s.get(font_color="#C00000", bold=True)})
    ws.conditional_format(first, 3, last, 3, {"type": "formula",
                                              "criteria": f"=$D{first + 1}<$E{first + 1}",
                                              "format": s.get(bg_color="#FCE4D6")})


def _gap_chart(ctx: Context, ws: Any, name: str, first: int, last: int, row: int) -> None:
    chart = ctx.workbook.add_chart({"type": "column"})
    quoted = quote_sheet(name)
    categories = f"={quoted}!$B${first + 1}:$B${last + 1}"
    for col, title, colour in ((2, "Điểm tối đa áp dụng", "#A6A6A6"), (3, "Điểm đạt", "#5B9BD5"),
                               (4, "Mục tiêu", "#ED7D31")):
        letter = chr(65 + col)
        chart.add_series({"name": title, "categories": categories,
                          "values": f"={quoted}!${letter}${first + 1}:${letter}${last + 1}",
                          "fill": {"color": colour}, "gap": 80})
    chart.set_title({"name": "Điểm tối đa, điểm đạt và mục tiêu theo lĩnh vực",
                     "name_font": {"name": st.FONT, "size": 12}})
    chart.set_x_axis({"num_font": {"name": st.FONT, "size": 9}})
    chart.set_y_axis({"num_font": {"name": st.FONT, "size": 9}, "min": 0})
    chart.set_legend({"position": "bottom", "font": {"name": st.FONT, "size": 10}})
    chart.set_size({"width": 900, "height": 320})
    ws.insert_chart(row, 1, chart)
