"""Tree sheets: one per field (lĩnh vực), plus the bonus/penalty sheet, in the same columns.

Leaf rows carry the inputs and two native formulas (applicable maximum and points) compiled
from the rule expressions; parent rows sum their children. Master: every row, Văn phòng
columns unlocked. Unit workbook: only the unit's own leaves (editable) and the leaves it
supports (read-only), under their parent headings; survey items never appear.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..analysis.report import NodeReport
from ..criteria.catalogue import Group, Leaf
from ..criteria.expr import to_formula
from ..criteria.numbers import vn_number
from ..criteria.rules import applicable_max_expr, input_cell, points_expr
from ..format.layout import (
    COL,
    COLUMNS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INPUT_NAME,
    NOTE_ROW,
    OFFICE_KEYS,
    SECOND_PAGE_COLUMN,
    SUBTITLE_ROW,
    TITLE_ROW,
    UDF_COLUMN,
    UDF_HEADER,
    cell_ref,
    col_letter,
    defined_name,
    field_sheet_name,
)
from ..format.rowmap import PlannedRow, flatten, plan_extras
from . import styles as st
from .context import Context, cached, estimate_lines, write_value

LINE_HEIGHT = 15.0
# Input cells a rule does not use are greyed out, in the look of the column.
NOT_APPLICABLE_FORMAT = {"a": "count", "b": "count", "value": "text"}


# ---------------------------------------------------------------------------------------------
# Writing


def write_field_sheet(ctx: Context, field_node: Group, rows: list[PlannedRow]) -> str:
    """Write one field's sheet with its planned rows."""
    name = field_sheet_name(field_node)
    ws = ctx.workbook.add_worksheet(name)
    subtitle = (f"Lĩnh vực {field_node.code}: {field_node.name} — tối đa "
                f"{vn_number(field_node.max)} điểm")
    _sheet_frame(ctx, ws, subtitle)
    for planned_row in rows:
        _write_row(ctx, ws, name, planned_row)
    _write_udf_block(ctx, ws, rows)
    _finish_sheet(ctx, ws, rows[-1].row)
    return name


def _write_udf_block(ctx: Context, ws: Any, rows: list[PlannedRow]) -> None:
    """One CCHC_DIEM_KHOI call for the whole sheet (never one per cell: each is a COM call)."""
    if not ctx.udfs:
        return
    first, last = rows[0].row, rows[-1].row
    codes = f"$A${first + 1}:$A${last + 1}"
    inputs = f"${col_letter(COL['a'])}${first + 1}:${col_letter(COL['supp'])}${last + 1}"
    ws.write_string(HEADER_ROW, UDF_COLUMN, UDF_HEADER, ctx.styles.header())
    # Cached results stay 0 until Excel recalculates; the visible points cells carry the values.
    ws.write_array_formula(first, UDF_COLUMN, last, UDF_COLUMN,
                           f"{{=CCHC_DIEM_KHOI({codes},{inputs},CCHC_CATALOGUE)}}",
                           ctx.styles.cell(kind="number"), 0)
    ws.set_column(UDF_COLUMN, UDF_COLUMN, 10, None, {"hidden": True})


def write_extras_sheet(ctx: Context, name: str) -> str | None:
    """Bonus (điểm thưởng) and penalty (điểm trừ) items with their caps; master only."""
    rows = plan_extras(ctx.catalogue)
    if not rows or not ctx.is_master:
        return None
    ws = ctx.workbook.add_worksheet(name)
    _sheet_frame(ctx, ws, "Điểm thưởng và điểm trừ — cộng/trừ sau tổng điểm các lĩnh vực, "
                          "trong giới hạn tối đa")
    for planned_row in rows:
        _write_row(ctx, ws, name, planned_row)
        if planned_row.role == "section":
            what = "BONUS" if planned_row.section is ctx.catalogue.bonus else "PENALTY"
            ctx.define(f"CCHC_{what}", name, planned_row.row, COL["points"])
    _write_udf_block(ctx, ws, rows)
    _finish_sheet(ctx, ws, rows[-1].row)
    return name


def _sheet_frame(ctx: Context, ws: Any, subtitle: str) -> None:
    s = ctx.styles
    org = ctx.state.org or "Sở"
    who = "" if ctx.is_master else f" — {ctx.catalogue.unit_name(ctx.unit)}"
    ws.write_string(TITLE_ROW, 0, f"{org.upper()}: TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM "
                                  f"{ctx.catalogue.year}{who}", s.title())
    ws.write_string(SUBTITLE_ROW, 0, subtitle, s.subtitle())
    legend = ("Ô vàng: đơn vị nhập; ô xanh: Văn phòng nhập; ô xám: không áp dụng; các ô khác "
              "tự tính và được khóa. Cột Không chấm điểm: gõ x. Cột Giải trình bổ sung: gõ x "
              "(cả tiêu chí) hoặc số điểm của phần phải bổ sung.")
    ws.write_string(NOTE_ROW, 0, legend, s.get(italic=True, font_size=10))
    for i, column in enumerate(COLUMNS):
        ws.write_string(HEADER_ROW, i, column.header, s.header())
        ws.set_column(i, i, column.width)
    ws.set_row(HEADER_ROW, 45)
    ws.freeze_panes(FIRST_DATA_ROW, 2)


def _finish_sheet(ctx: Context, ws: Any, last_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.repeat_rows(HEADER_ROW)
    if ctx.is_master:
        # Two page columns: what units fill, then responsibility and the Văn phòng's columns,
        # each with the code and name repeated.
        ws.print_area(0, 0, last_row, len(COLUMNS) - 1)
        ws.repeat_columns(0, 1)
        ws.set_v_pagebreaks([COL[SECOND_PAGE_COLUMN]])
        ws.set_print_scale(72)
    else:
        ws.print_area(0, 0, last_row, COL[SECOND_PAGE_COLUMN] - 1)
        ws.fit_to_pages(1, 0)
    ws.set_footer("&C&\"Times New Roman\"Trang &P/&N")
    ctx.protect(ws, "tree")


def _fill_for(role: str, column_role: str, applies: bool) -> str | None:
    if not applies:
        return st.NOT_APPLICABLE
    if column_role == "unit" and role in ("own",):
        return st.UNIT_INPUT
    if (column_role == "office" or role == "office") and role != "support":
        return st.OFFICE_INPUT
    return None


def _write_row(ctx: Context, ws: Any, sheet: str, planned: PlannedRow) -> None:
    node = planned.node
    if planned.role == "section":
        _write_section_row(ctx, ws, planned)
        return
    assert node is not None
    is_leaf = isinstance(node, Leaf)
    bold = not is_leaf
    fill = st.FIELD if planned.role == "field" else (st.GROUP if not is_leaf else None)
    s, r = ctx.styles, planned.row
    text = s.cell(bold=bold, fill=fill)
    ws.write_string(r, COL["code"], node.code, text)
    ws.write_string(r, COL["name"], node.name, s.cell(bold=bold, fill=fill,
                                                      indent=min(planned.depth, 3)))
    show_max = ctx.is_master or is_leaf
    write_value(ws, r, COL["max"], node.max if show_max else None,
                s.cell(kind="max", bold=bold, fill=fill), s)
    rule_text = node.rule.describe(node.max) if isinstance(node, Leaf) else ""
    if planned.role == "support":
        rule_text = f"Do {ctx.catalogue.unit_name(node.lead)} chấm; đơn vị phối hợp cung cấp " \
                    f"tài liệu kiểm chứng. " + rule_text
    ws.write_string(r, COL["rule"], rule_text, text)
    ws.write_string(r, COL["lead"], ctx.catalogue.unit_name(node.lead) if is_leaf else "", text)
    support = ", ".join(ctx.catalogue.unit_name(u) for u in node.support) if is_leaf else ""
    ws.write_string(r, COL["support"], support, text)
    report = ctx.report.nodes[node.code]
    if isinstance(node, Leaf):
        _write_leaf_cells(ctx, ws, sheet, planned, node, report)
    else:
        _write_group_cells(ctx, ws, planned, report, fill)
    heights = [estimate_lines(node.name, COLUMNS[COL["name"]].width - planned.depth, bold),
               estimate_lines(rule_text, COLUMNS[COL["rule"]].width),
               estimate_lines(support, COLUMNS[COL["support"]].width)]
    for key in ("note", "cause", "remedy"):
        heights.append(estimate_lines(str(getattr(report.entry, key) or ""),
                                      COLUMNS[COL[key]].width))
    ws.set_row(r, LINE_HEIGHT * max(heights) + 3)


def _leaf_refs(row: int) -> dict[str, str]:
    return {key: cell_ref(row, COL[key]) for key in INPUT_NAME}


def _write_leaf_cells(ctx: Context, ws: Any, sheet: str, planned: PlannedRow, leaf: Leaf,
                      report: NodeReport) -> None:
    s, r, entry = ctx.styles, planned.row, report.entry
    editable = planned.role in ("own", "office")
    score = ctx.report.assessment.leaves[leaf.code]
    refs = _leaf_refs(r)
    deduction = ctx.catalogue.supplement_deduction
    for key in ("a", "b", "value", "na", "supp"):
        applies = key in leaf.rule.inputs or key in ("na", "supp")
        column_role = "unit" if planned.role != "office" else "office"
        fill = _fill_for(planned.role, column_role, applies)
        cell = input_cell(leaf.rule, key, leaf.max, deduction) if applies else None
        kind = cell.format if cell else NOT_APPLICABLE_FORMAT[key]
        fmt = s.cell(kind=kind, fill=fill, unlocked=editable and applies)
        value = getattr(entry, key) if applies else None
        write_value(ws, r, COL[key], value, fmt, s)
        if editable and cell:
            options = dict(cell.validation)
            if cell.options:
                options["source"] = ctx.option_source(leaf, cell.options)
            if cell.formula is not None:
                options["value"] = to_formula(cell.formula, refs)
            options["ignore_blank"] = True
            ws.data_validation(r, COL[key], r, COL[key], options)
    ws.write_formula(r, COL["applicable"],
                     to_formula(applicable_max_expr(leaf.rule, leaf.max), refs),
                     s.cell(kind="max"), cached(score.applicable_max))
    formula = to_formula(points_expr(leaf.rule, leaf.max, deduction), refs)
    if ctx.udfs:
        udf = cell_ref(r, UDF_COLUMN, absolute=False)
        formula = f"=IF(ISERROR({udf}),{formula[1:]},{udf})"
    ws.write_formula(r, COL["points"], formula, s.cell(kind="number", bold=True),
                     cached(score.points if score.status == "ok" else score.cell_text))
    _write_office_cells(ctx, ws, planned, report, is_leaf=True)
    note_fmt = s.cell(fill=st.UNIT_INPUT if editable else None, unlocked=editable)
    write_value(ws, r, COL["note"], entry.note, note_fmt, s)
    if planned.role in ("own", "office") and (ctx.is_master or planned.role == "own"):
        for key in ("a", "b", "value", "na", "supp"):
            if key in leaf.rule.inputs or key in ("na", "supp"):
                ctx.define(defined_name(INPUT_NAME[key], leaf.code), sheet, r, COL[key])
        ctx.define(defined_name("POINTS", leaf.code), sheet, r, COL["points"])
        ctx.define(defined_name("APPLICABLE", leaf.code), sheet, r, COL["applicable"])


def _write_office_cells(ctx: Context, ws: Any, planned: PlannedRow, report: NodeReport,
                        is_leaf: bool) -> None:
    """Appraised points, last year, target, cause, remedy, deadline: typed by the Văn phòng."""
    s, r, entry = ctx.styles, planned.row, report.entry
    editable = ctx.is_master
    for key in OFFICE_KEYS:
        if key == "appraised" and not is_leaf:
            continue  # parents compute it
        numeric = key in ("appraised", "last_year", "target")
        fill = st.OFFICE_INPUT if editable else None
        if planned.role == "field":
            fill = fill or st.FIELD
        fmt = s.cell(kind="number" if numeric else "text", fill=fill, unlocked=editable,
                     bold=not is_leaf and numeric)
        write_value(ws, r, COL[key], getattr(entry, key), fmt, s)
        if editable and numeric and key == "last_year":
            # Last year's result as published: this year's maximum may be lower (not capped).
            ws.data_validation(r, COL[key], r, COL[key], {
                "validate": "decimal", "criteria": ">=", "value": 0,
                "error_title": "Điểm không hợp lệ", "ignore_blank": True,
                "error_message": "Nhập số điểm năm trước như đã công bố (từ 0 trở lên)."})
        elif editable and numeric:
            ws.data_validation(r, COL[key], r, COL[key], {
                "validate": "decimal", "criteria": "between", "minimum": 0,
                "maximum": float(report.max), "error_title": "Điểm không hợp lệ",
                "error_message": f"Nhập số điểm từ 0 đến {vn_number(report.max)}.",
                "ignore_blank": True})


def _sum_formula(col: int, rows: list[PlannedRow], rounded: bool = True) -> str:
    refs = ",".join(cell_ref(c.row, col) for c in rows)
    return f"=ROUND(SUM({refs}),2)" if rounded else f"=SUM({refs})"


def _write_group_cells(ctx: Context, ws: Any, planned: PlannedRow, report: NodeReport,
                       fill: str | None) -> None:
    s, r = ctx.styles, planned.row
    counted = planned.counted()
    num = s.cell(kind="number", bold=True, fill=fill)
    for key in ("a", "b", "value", "na", "supp"):
        ws.write_blank(r, COL[key], None, s.cell(fill=fill))
    if counted:
        applicable, points = _group_values(ctx, planned, report)
        ws.write_formula(r, COL["applicable"], _sum_formula(COL["applicable"], counted, False),
                         s.cell(kind="max", bold=True, fill=fill), cached(applicable))
        ws.write_formula(r, COL["points"], _sum_formula(COL["points"], counted), num,
                         cached(points))
    else:
        ws.write_blank(r, COL["applicable"], None, num)
        ws.write_blank(r, COL["points"], None, num)
    if ctx.is_master:
        refs_n = ",".join(cell_ref(c.row, COL["appraised"]) for c in counted)
        parts = ",".join(f"IF(ISNUMBER({cell_ref(c.row, COL['appraised'])}),"
                         f"{cell_ref(c.row, COL['appraised'])},N({cell_ref(c.row, COL['points'])}))"
                         for c in counted)
        ws.write_formula(r, COL["appraised"], f'=IF(COUNT({refs_n})=0,"",ROUND(SUM({parts}),2))',
                         num, cached(report.appraised))
    else:
        ws.write_blank(r, COL["appraised"], None, num)
    _write_office_cells(ctx, ws, planned, report, is_leaf=False)
    write_value(ws, r, COL["note"], report.entry.note,
                s.cell(fill=st.OFFICE_INPUT if ctx.is_master else fill, unlocked=ctx.is_master), s)
    if planned.role == "field" and ctx.is_master:
        sheet = ws.get_name()
        ctx.define(defined_name("FIELD_APPLICABLE", report.code), sheet, r, COL["applicable"])


def _group_values(ctx: Context, planned: PlannedRow, report: NodeReport) -> tuple[Decimal, Decimal]:
    """Cached sums: the catalogue node's totals in the master; own leaves only in a unit file."""
    if ctx.is_master:
        return report.applicable_max, report.points
    leaves = [p for p in flatten(planned) if p.is_leaf and p.role == "own"]
    scores = [ctx.report.assessment.leaves[p.node.code] for p in leaves]  # type: ignore[union-attr]
    return (sum((x.applicable_max for x in scores), Decimal(0)),
            sum((x.earned for x in scores), Decimal(0)))


def _write_section_row(ctx: Context, ws: Any, planned: PlannedRow) -> None:
    s, r = ctx.styles, planned.row
    section = planned.section
    assert section is not None
    fmt = s.cell(bold=True, fill=st.FIELD)
    ws.write_blank(r, COL["code"], None, fmt)
    title = f"{planned.title} (tính tối đa {vn_number(section.cap)} điểm)"
    ws.write_string(r, COL["name"], title, fmt)
    ws.write_number(r, COL["max"], float(section.cap), s.cell(kind="max", bold=True, fill=st.FIELD))
    for key in ("rule", "lead", "support", "a", "b", "value", "na", "supp", "applicable",
                "last_year", "target", "note", "cause", "remedy", "deadline"):
        ws.write_blank(r, COL[key], None, fmt)
    kind = "bonus" if section is ctx.catalogue.bonus else "penalty"
    items = ctx.report.extras(kind)
    capped = min(sum((i.points for i in items), Decimal(0)), section.cap)
    cap, num = cell_ref(r, COL["max"]), s.cell(kind="number", bold=True, fill=st.FIELD)
    refs = ",".join(cell_ref(c.row, COL["points"]) for c in planned.children)
    ws.write_formula(r, COL["points"], f"=MIN(ROUND(SUM({refs}),2),{cap})", num, cached(capped))
    # Appraised: each item's appraised points, else its own, capped; blank until one is entered.
    appraised = [cell_ref(c.row, COL["appraised"]) for c in planned.children]
    mixed = ",".join(f"IF(ISNUMBER({a}),{a},N({cell_ref(c.row, COL['points'])}))"
                     for a, c in zip(appraised, planned.children))
    value = (ctx.report.appraised_bonus if kind == "bonus" else ctx.report.appraised_penalty)
    if not any(i.appraised is not None for i in items):
        value = None  # the section shows blank until one of its items is appraised
    ws.write_formula(r, COL["appraised"], f'=IF(COUNT({",".join(appraised)})=0,"",'
                                          f'MIN(ROUND(SUM({mixed}),2),{cap}))', num, cached(value))
    ctx.define(f"CCHC_{kind.upper()}_APPRAISED", ws.get_name(), r, COL["appraised"])
    ws.set_row(r, LINE_HEIGHT + 3)
