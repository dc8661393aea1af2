"""The consolidated sheet (Tổng hợp) and the gap analysis (Phân tích chênh lệch).

Every number is a live formula over the field sheets, written with the report model's value as
its cached result; labels are formulas too ("trừ 1,5 điểm" via FIXED, which follows the user's
decimal separator), so editing a field sheet in Excel can never leave a stale label behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis.report import INDEX_LABEL, NodeReport, Report, change_text, index_label
from ..criteria.catalogue import Group
from ..criteria.expr import to_formula
from ..criteria.rules import pending_max_expr
from ..format.layout import (
    COL,
    GAP_HEADER_ROW,
    INPUT_NAME,
    SUMMARY_HEADER_ROW,
    cell_ref,
    code_token,
    col_letter,
    quote_sheet,
)
from ..format.state import plain_value
from . import styles as st
from .context import Context, cached, estimate_lines, print_a4_landscape, write_value

# The consolidated sheet's columns: self-assessed, appraised and published side by side.
SUMMARY_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("no", "STT", 5), ("name", "Lĩnh vực", 36), ("max", "Điểm tối đa", 8),
    ("applicable", "Điểm tối đa áp dụng", 8),
    ("pending", "Chờ kết quả điều tra xã hội học", 9), ("points", "Điểm tự chấm", 8),
    ("appraised", "Điểm thẩm định (tiêu chí chưa thẩm định: điểm tự chấm)", 11),
    ("published", "Điểm được công bố", 9), ("last_year", "Kết quả năm trước (đã công bố)", 9),
    ("target", "Mục tiêu năm nay", 8), ("sub_index", "Chỉ số thành phần (tự chấm)", 9),
    ("lead", "Đơn vị chủ trì", 20), ("support", "Đơn vị phối hợp", 24),
    ("deadline", "Thời hạn hoàn thành", 13),
)
SUMMARY_HEADERS = tuple(header for _, header, _ in SUMMARY_COLUMNS)
SUMMARY_WIDTHS = tuple(width for _, _, width in SUMMARY_COLUMNS)
S = {key: i for i, (key, _, _) in enumerate(SUMMARY_COLUMNS)}  # summary column → index
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


def label_formula(applicable: str, lost: str, pending: str = "0") -> str:
    """The native twin of `report.lost_label`."""
    lost_text = f'"trừ "&{_places(lost)}&" điểm"'
    if pending == "0":
        waiting = '""'
    else:
        waiting = (f'IF(({pending})>0,IF({lost}>0,{lost_text}&"; ","")&"chờ kết quả "&'
                   f'{_places(f"({pending})")}&" điểm","")')
    done = f'IF({lost}<=0,"đạt điểm tối đa",{lost_text})'
    if pending == "0":
        return f'=IF({applicable}=0,"không chấm điểm",{done})'
    return f'=IF({applicable}=0,"không chấm điểm",IF({waiting}<>"",{waiting},{done}))'


def _locations(ctx: Context) -> dict[str, tuple[str, int]]:
    return {e.code: (e.sheet, e.row) for e in ctx.row_map}


def pending_formula(report: Report, node: NodeReport, where: dict[str, tuple[str, int]]) -> str:
    """A formula (without '=') of the survey points `node` still waits for; '0' when none.

    The same expression the engine evaluates (`rules.pending_max_expr`), over each survey
    leaf's own cells on its sheet.
    """
    parts = []
    leaves = node.node.leaves() if isinstance(node.node, Group) else [node.node]
    for leaf in leaves:
        expr = pending_max_expr(leaf.rule, leaf.max)
        if expr is None or leaf.code not in where:
            continue
        sheet, row = where[leaf.code]
        refs = {key: _ref(sheet, row, key) for key in INPUT_NAME}
        parts.append(to_formula(expr, refs)[1:])
    return "+".join(parts) if parts else "0"


def write_summary(ctx: Context, name: str) -> None:
    s, report = ctx.styles, ctx.report
    ws = ctx.workbook.add_worksheet(name)
    where = _locations(ctx)
    ws.write_string(0, 0, f"TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {ctx.catalogue.year}",
                    s.title())
    ws.write_string(1, 0, ctx.state.org or "", s.subtitle())
    for i, (_, header, width) in enumerate(SUMMARY_COLUMNS):
        ws.write_string(SUMMARY_HEADER_ROW, i, header, s.header())
        ws.set_column(i, i, width)
    ws.set_row(SUMMARY_HEADER_ROW, 90)
    text, num, mx = s.cell(), s.cell(kind="number"), s.cell(kind="max")
    pct = s.cell(kind="percent")
    first = SUMMARY_HEADER_ROW + 1
    for i, f in enumerate(report.fields):
        r = first + i
        sheet, row = where[f.code]
        x = r + 1
        ws.write_number(r, S["no"], i + 1, text)
        ws.write_string(r, S["name"], f.node.name, text)
        ws.write_formula(r, S["max"], f"={_ref(sheet, row, 'max')}", mx, cached(f.max))
        ws.write_formula(r, S["applicable"], f"={_ref(sheet, row, 'applicable')}", mx,
                         cached(f.applicable_max))
        ws.write_formula(r, S["pending"], f"={pending_formula(report, f, where)}", mx,
                         cached(f.pending))
        ws.write_formula(r, S["points"], f"={_ref(sheet, row, 'points')}", num, cached(f.points))
        for key, value in (("appraised", f.appraised), ("last_year", f.last_year),
                           ("target", f.target)):
            ref = _ref(sheet, row, key)
            ws.write_formula(r, S[key], f'=IF(ISNUMBER({ref}),{ref},"")', num, cached(value))
        published = f"CCHC_PUBLISHED_FIELD_{code_token(f.code)}"
        ws.write_formula(r, S["published"], f'=IF(ISNUMBER({published}),{published},"")', num,
                         cached(report.published_field(f.code)))
        base = f"({_c('applicable', x)}-{_c('pending', x)})"
        ws.write_formula(r, S["sub_index"], f'=IF({base}=0,"",ROUND({_c("points", x)}/{base},4))',
                         pct, cached(f.sub_index))
        texts = {S["name"]: f.node.name, S["lead"]: ctx.catalogue.unit_name(f.node.lead),
                 S["support"]: ", ".join(ctx.catalogue.unit_name(u) for u in f.node.support)}
        for col in (S["lead"], S["support"]):
            ws.write_string(r, col, texts[col], text)
        write_value(ws, r, S["deadline"], plain_value(f.entry.deadline), text, s)
        ws.set_row(r, _row_height(texts, SUMMARY_WIDTHS))
        ctx.define(f"CCHC_FIELD_POINTS_{code_token(f.code)}", name, r, S["points"])
    _write_summary_totals(ctx, ws, name, first, first + len(report.fields) - 1)
    print_a4_landscape(ws, repeat=SUMMARY_HEADER_ROW)
    ctx.protect(ws, "summary")


def _c(key: str, x: int) -> str:
    """The summary cell of column `key` on 1-based row `x` ('F12')."""
    return f"{col_letter(S[key])}{x}"


def _write_summary_totals(ctx: Context, ws: Any, name: str, first: int, last: int) -> None:
    """Totals, index, rating, rank and the change from last year, one column per source."""
    s, report, cat = ctx.styles, ctx.report, ctx.catalogue
    bold_text = s.cell(bold=True, fill=st.FIELD)
    num = s.cell(kind="number", bold=True, fill=st.FIELD)
    mx = s.cell(kind="max", bold=True, fill=st.FIELD)
    pct = s.cell(kind="percent", bold=True, fill=st.FIELD)
    blank = s.cell(fill=st.FIELD)

    def span(key: str) -> str:
        return f"{_c(key, first + 1)}:{_c(key, last + 1)}"

    def row_label(row: int, label: str) -> None:
        ws.write_blank(row, 0, None, blank)
        ws.write_string(row, S["name"], label, bold_text)
        for col in range(2, len(SUMMARY_COLUMNS)):
            ws.write_blank(row, col, None, blank)
        ws.set_row(row, _row_height({S["name"]: label}, SUMMARY_WIDTHS, bold=True))

    def formula(row: int, key: str, text: str, fmt: Any, value: Any) -> None:
        ws.write_formula(row, S[key], text, fmt, cached(value))

    published, last_year = report.published, report.last_year_published
    r = sum_row = last + 1
    x = r + 1
    row_label(r, "Cộng các lĩnh vực")
    formula(r, "max", f"=SUM({span('max')})", mx, report.max)
    formula(r, "applicable", f"=SUM({span('applicable')})", mx, report.applicable_max)
    formula(r, "pending", f"=SUM({span('pending')})", mx, report.pending)
    formula(r, "points", f"=ROUND(SUM({span('points')}),2)", num, report.points)
    # Appraisal has started once any field or bonus/penalty item has appraised points.
    extras = [f"CCHC_{kind}_APPRAISED" for kind, section in (("BONUS", cat.bonus),
                                                             ("PENALTY", cat.penalty)) if section]
    none_appraised = f"COUNT({','.join([span('appraised'), *extras])})=0"
    mixed = ",".join(f"IF(ISNUMBER({_c('appraised', i + 1)}),{_c('appraised', i + 1)},"
                     f"{_c('points', i + 1)})" for i in range(first, last + 1))
    formula(r, "appraised", f'=IF({none_appraised},"",ROUND(SUM({mixed}),2))', num,
            report.appraised)
    fields_published = report.published_fields_total
    formula(r, "published", f'=IF(COUNT({span("published")})<{last - first + 1},"",'
                            f'ROUND(SUM({span("published")}),2))', num, fields_published)
    for key, value in (("last_year", report.last_year), ("target", report.target)):
        formula(r, key, f'=IF(COUNT({span(key)})=0,"",SUM({span(key)}))', num, value)
    base = f"({_c('applicable', x)}-{_c('pending', x)})"
    formula(r, "sub_index", f'=IF({base}=0,"",ROUND({_c("points", x)}/{base},4))', pct,
            report.points_index)
    for what, col in (("MAX", "max"), ("APPLICABLE_MAX", "applicable"), ("PENDING", "pending"),
                      ("TREE_POINTS", "points")):
        ctx.define(f"CCHC_{what}", name, r, S[col])

    for label, name_ref, section, value, appraised in (
            ("Điểm thưởng (trong giới hạn)", "CCHC_BONUS", cat.bonus, report.bonus,
             report.appraised_bonus),
            ("Điểm trừ (trong giới hạn)", "CCHC_PENALTY", cat.penalty, report.penalty,
             report.appraised_penalty)):
        r += 1
        row_label(r, label)
        formula(r, "points", f"={name_ref if section else 0}", num, value)
        # The section's appraised points (its items' appraised, else self-assessed, capped).
        source = f"{name_ref}_APPRAISED" if section else "0"
        formula(r, "appraised", f'=IF({_c("appraised", sum_row + 1)}="","",IF(ISNUMBER('
                                f'{source}),{source},{_c("points", r + 1)}))', num, appraised)

    r += 1
    total_row = r
    row_label(r, "TỔNG ĐIỂM ĐẠT ĐƯỢC")
    p, b, q = sum_row + 1, r - 1, r  # the sum, bonus and penalty rows (1-based)
    formula(r, "points", f"=ROUND({_c('points', p)}+{_c('points', b)}-{_c('points', q)},2)", num,
            report.total)
    formula(r, "appraised", f'=IF({_c("appraised", p)}="","",ROUND({_c("appraised", p)}+'
                            f'{_c("appraised", b)}-{_c("appraised", q)},2))', num,
            report.appraised_total)
    _typed(ws, r, "published", "CCHC_PUBLISHED_TOTAL", num, published.total)
    _typed(ws, r, "last_year", "CCHC_LAST_YEAR_TOTAL", num, last_year.total)
    ctx.define("CCHC_TOTAL", name, r, S["points"])
    ctx.define("CCHC_APPRAISED_TOTAL", name, r, S["appraised"])

    r += 1
    index_row = r
    waiting = _c("pending", sum_row + 1)
    provisional = (f'IF({waiting}>0," — tạm tính, chưa gồm "&{_places(waiting)}&'
                   '" điểm chờ kết quả điều tra xã hội học","")')
    ws.write_formula(r, S["name"], f'="{INDEX_LABEL}"&{provisional}', bold_text,
                     index_label(report))
    for key in ("no", *(k for k, _, _ in SUMMARY_COLUMNS[2:])):
        ws.write_blank(r, S[key], None, blank)
    ws.set_row(r, _row_height({S["name"]: index_label(report)}, SUMMARY_WIDTHS, bold=True))
    denominator = f"({_c('applicable', sum_row + 1)}-{waiting})"
    for key, value in (("points", report.index), ("appraised", report.appraised_index)):
        total = _c(key, total_row + 1)
        formula(r, key, f'=IF(OR({total}="",{denominator}=0),"",ROUND({total}/{denominator},4))',
                pct, value)
    _typed(ws, r, "published", "CCHC_PUBLISHED_INDEX", pct, published.index)
    _typed(ws, r, "last_year", "CCHC_LAST_YEAR_INDEX", pct, last_year.index)
    ctx.define("CCHC_INDEX", name, r, S["points"])
    ctx.define("CCHC_APPRAISED_INDEX", name, r, S["appraised"])

    r += 1
    row_label(r, "Xếp loại")
    for key, rating in (("points", report.rating), ("appraised", report.appraised_rating)):
        ws.write_formula(r, S[key], _rating_formula(ctx, _c(key, index_row + 1)), bold_text,
                         rating)
    typed, banded = "CCHC_PUBLISHED_RATING", _rating_formula(ctx, _c("published", index_row + 1))
    ws.write_formula(r, S["published"], f'=IF(TRIM({typed})<>"",{typed},{banded[1:]})',
                     bold_text, report.published_rating)
    ws.write_formula(r, S["last_year"], '=""&CCHC_LAST_YEAR_RATING', bold_text,
                     last_year.rating)
    ctx.define("CCHC_RATING", name, r, S["points"])
    ctx.define("CCHC_APPRAISED_RATING", name, r, S["appraised"])

    r += 1
    row_label(r, "Xếp hạng")
    ws.write_formula(r, S["published"], '=""&CCHC_PUBLISHED_RANK', bold_text, published.rank)
    ws.write_formula(r, S["last_year"], '=""&CCHC_LAST_YEAR_RANK', bold_text, last_year.rank)

    r += 1
    row_label(r, "Chỉ số CCHC so với năm trước")
    ws.set_row(r, 33)  # "giảm 0,22%" wraps in the narrow figure columns
    previous = _c("last_year", index_row + 1)
    for key, value in (("points", report.index), ("appraised", report.appraised_index),
                       ("published", published.index)):
        ws.write_formula(r, S[key], _change_formula(_c(key, index_row + 1), previous), bold_text,
                         change_text(value, last_year.index))


def _typed(ws: Any, row: int, key: str, name: str, fmt: Any, value: Any) -> None:
    """A figure typed on 'Thông tin chung', shown here (blank until typed)."""
    ws.write_formula(row, S[key], f'=IF(ISNUMBER({name}),{name},"")', fmt, cached(value))


def _change_formula(index: str, previous: str) -> str:
    """'tăng 0,34%', 'giảm 1,2%' (percentage points) or 'bằng năm trước', as change_text."""
    diff = f"ROUND(({index}-{previous})*100,2)"
    return (f'=IF(OR(NOT(ISNUMBER({index})),NOT(ISNUMBER({previous}))),"",IF({diff}>0,"tăng "&'
            f'{_places(diff)}&"%",IF({diff}<0,"giảm "&{_places(f"-{diff}")}&"%",'
            f'"bằng năm trước")))')


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
    field_rows = [gap_cells(report, f, str(i + 1), where, first + i, is_field=True)
                  for i, f in enumerate(fields)]
    leaf_header = first + len(fields) + 1 + CHART_ROWS
    leaf_rows = [gap_cells(report, leaf, leaf.code, where, leaf_header + 1 + i, is_field=False)
                 for i, leaf in enumerate(report.gap_leaves())]
    return GapLayout(first, field_rows, leaf_header, leaf_rows)


def gap_cells(report: Report, node: NodeReport, first_col: str,
              where: dict[str, tuple[str, int]], r: int, is_field: bool) -> list[GapCell]:
    sheet, row = where[node.code]
    cat = report.catalogue
    x = r + 1  # 1-based row in formulas
    appraised, points = _ref(sheet, row, "appraised"), _ref(sheet, row, "points")
    target = _ref(sheet, row, "target")
    pending = pending_formula(report, node, where)
    waits = "" if pending == "0" else f"-({pending})"  # what is pending is not lost
    cells = [
        GapCell(first_col), GapCell(node.node.name),
        GapCell(f"={_ref(sheet, row, 'applicable')}", node.applicable_max, "max"),
        GapCell(f"=IF(ISNUMBER({appraised}),{appraised},N({points}))", node.achieved, "number"),
        GapCell(f"=IF(ISNUMBER({target}),{target},C{x})", node.target_or_max, "number"),
        GapCell(f"=MAX(ROUND(C{x}{waits}-D{x},2),0)", node.lost, "number"),
        GapCell(f"=MAX(ROUND(E{x}{waits}-D{x},2),0)", node.needed, "number"),
        GapCell(label_formula(f"C{x}", f"F{x}", pending), node.label),
        GapCell(cat.unit_name(node.node.lead)),
        GapCell(", ".join(cat.unit_name(u) for u in node.node.support)),
    ]
    if not is_field:
        cells += [GapCell(str(plain_value(node.entry.cause) or "")),
                  GapCell(str(plain_value(node.entry.remedy) or ""))]
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
    print_a4_landscape(ws)
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
    # The wrapped columns: names, units, cause, remedy, and the label ("trừ 1 điểm; chờ …").
    texts = {col: str(c.cached) if c.is_formula else c.value for col, c in enumerate(cells)
             if col in (1, 7, 8, 9, 10, 11)}
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
