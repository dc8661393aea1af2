"""Building workbooks with XlsxWriter, always fresh, from (catalogue, state).

`build_master` writes the Văn phòng's master (.xlsm with macros, or .xlsx), `build_unit` one
unit's workbook (.xlsx, no macros). Both are deterministic: the same inputs give the same bytes
(fixed document dates, fixed zip timestamps), so the shipped template can be checked in CI.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..analysis.report import Report, build_report
from ..criteria.catalogue import Catalogue
from ..format.layout import (
    COVER_SHEET,
    EVIDENCE_SHEET,
    EXPLANATION_SHEET,
    EXTRAS_SHEET,
    GAP_SHEET,
    INFO_SHEET,
    LOG_SHEET,
    META_SHEET,
    REQUESTS_SHEET,
    SUMMARY_SHEET,
    UNITS_SHEET,
    TRACKER_SHEET,
    field_sheet_name,
)
from ..format.rowmap import Audience, plan_fields, row_map
from ..format.state import State
from .context import Context
from .explanations import write_explanations
from .info import write_info
from .sheets import write_cover, write_evidence, write_log, write_meta
from .styles import FONT, Styles
from .summary import write_gap, write_summary
from .tracker import write_tracker
from .tree import write_extras_sheet, write_field_sheet
from .units import write_requests, write_units

__all__ = ["Audience", "build_master", "build_unit", "row_map"]


# Classic worksheet functions (Excel 2007 and older): XlsxWriter never prefixes them with
# _xlfn., so a formula calling only these comes out of _prepare_formula merely stripped of its
# '=' (and array braces). Our formulas use IF, AND, TRIM, ROUND, FIXED, N, SUM … ("" is a bare
# bracket).
_CLASSIC = frozenset({
    "", "ABS", "AND", "AVERAGE", "CHOOSE", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF", "FALSE",
    "FIXED", "IF", "INDEX", "INT", "ISBLANK", "ISERROR", "ISNUMBER", "ISTEXT", "LEFT", "LEN",
    "MATCH", "MAX", "MID", "MIN", "MOD", "N", "NOT", "OR", "RIGHT", "ROUND", "ROUNDDOWN",
    "ROUNDUP", "SUM", "SUMIF", "SUMPRODUCT", "TEXT", "TRIM", "TRUE", "VALUE",
})
_CALLED = re.compile(r"([A-Za-z0-9_.]*)\(")  # the whole name before each '('
_WORKSHEET: list[Any] = []


def _worksheet_class() -> Any:
    """XlsxWriter's Worksheet without 29 regex substitutions per formula that ours never need.

    XlsxWriter looks for every newer function (FILTER, XLOOKUP …) with one re.sub each on every
    formula it writes: a fifth of the time of building a workbook. Formulas calling only
    classic functions skip that and get exactly what XlsxWriter would return (checked on
    first use; any other formula, or another XlsxWriter, goes through XlsxWriter's own code).
    """
    if _WORKSHEET:
        return _WORKSHEET[0]
    from xlsxwriter.worksheet import Worksheet

    class _Worksheet(Worksheet):  # type: ignore[misc]
        def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
            # Validations pass expand_future_functions=True: some 400 more substitutions, none
            # of which can match a classic function either.
            if self.use_future_functions or "_xlfn." in formula or not all(
                    name in _CLASSIC for name in _CALLED.findall(formula)):
                return str(super()._prepare_formula(formula, expand_future_functions))
            if formula.startswith("{"):
                formula = formula[1:]
            if formula.startswith("="):
                formula = formula[1:]
            if formula.endswith("}"):
                formula = formula[:-1]
            return formula

    probe = _Worksheet()
    samples = ("=IF(AND(A1>0,(B1+1)>2),ROUND(A1,2),\"\")", "{=SUM(A1:A3)}", "=N(TRIM(C1))",
               'AND(TRIM(F7)<>"",TRIM(F7)<>"x",NOT(ISNUMBER(F7)))')
    same = all(_Worksheet._prepare_formula(probe, f, expand) ==
               Worksheet._prepare_formula(probe, f, expand)
               for f in samples for expand in (False, True))
    _WORKSHEET.append(_Worksheet if same else Worksheet)
    return _WORKSHEET[0]


def _workbook(path: Path, catalogue: Catalogue, title: str) -> Any:
    import xlsxwriter

    # User text must never turn into formulas or links: returns may hold "=HYPERLINK(...)".
    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        # The Normal style sets the column-width unit; Times New Roman everywhere keeps widths
        # the same in Excel and in LibreOffice (Liberation Serif has the same metrics).
        "default_format_properties": {"font_name": FONT, "font_size": 11},
    })
    workbook.set_properties({"title": title, "subject": catalogue.name, "author": "cchc-xl",
                             "company": "", "created": dt.datetime(catalogue.year, 1, 1)})
    workbook.set_calc_mode("auto")
    workbook.worksheet_class = _worksheet_class()
    return workbook


def build_master(catalogue: Catalogue, state: State, path: Path, *, password: str = "",
                 vba_project: bytes | Callable[[int], bytes] | None = None, extra: Any = None,
                 recalc_probe: bool = False) -> None:
    """Write the master workbook. `extra(ctx)` may add sheets/buttons (the xlwings layer)."""
    path = Path(path)
    workbook = _workbook(path, catalogue, f"Chỉ số CCHC {catalogue.year} — tổng hợp")
    ctx = Context(workbook, Styles(workbook), catalogue, state, build_report(catalogue, state),
                  "master", None, password, udfs=vba_project is not None,
                  row_map=row_map(catalogue, Audience("master")))
    field_names = [field_sheet_name(f) for f in catalogue.fields]
    has_extras = catalogue.bonus is not None or catalogue.penalty is not None
    sheets = [INFO_SHEET, *field_names, *([EXTRAS_SHEET] if has_extras else []), EVIDENCE_SHEET,
              SUMMARY_SHEET, GAP_SHEET, EXPLANATION_SHEET, UNITS_SHEET, TRACKER_SHEET,
              LOG_SHEET]
    cover = write_cover(ctx, COVER_SHEET, sheets)
    write_info(ctx, INFO_SHEET)
    for field_node, rows in plan_fields(catalogue, Audience("master")):
        write_field_sheet(ctx, field_node, rows)
    write_extras_sheet(ctx, EXTRAS_SHEET)
    write_evidence(ctx, EVIDENCE_SHEET)
    write_summary(ctx, SUMMARY_SHEET)
    write_gap(ctx, GAP_SHEET)
    write_explanations(ctx, EXPLANATION_SHEET)
    write_units(ctx, UNITS_SHEET)
    write_tracker(ctx, TRACKER_SHEET)
    write_log(ctx, LOG_SHEET)
    if extra is not None:
        extra(ctx, cover)
    write_meta(ctx, META_SHEET)
    _finish(ctx, recalc_probe, vba_project)


def build_unit(catalogue: Catalogue, state: State, unit: str, path: Path, *,
               password: str = "", recalc_probe: bool = False,
               report: Report | None = None) -> None:
    """Write one unit's workbook: its own items (and the ones it supports, read-only).

    `report` is `build_report(catalogue, state.without_formulas())` (the master's whole state:
    its log and register decide the unit's requests), for a caller that builds every unit from one
    state: it depends only on the entries all units share, and scoring the whole catalogue
    once per unit made splitting n units cost n² (120 units: 11 of 15 seconds).
    """
    path = Path(path)
    name = catalogue.unit_name(unit)
    workbook = _workbook(path, catalogue, f"Chỉ số CCHC {catalogue.year} — {name}")
    plain = state.without_formulas()
    unit_state = State("unit", org=state.org, unit=unit, entries=plain.entries,
                       evidence=[e for e in plain.evidence if e.origin == unit])
    ctx = Context(workbook, Styles(workbook), catalogue, unit_state,
                  report or build_report(catalogue, plain), "unit", unit, password,
                  row_map=row_map(catalogue, Audience("unit", unit)))
    fields = plan_fields(catalogue, Audience("unit", unit))
    sheets = [REQUESTS_SHEET, *(field_sheet_name(f) for f, _ in fields), EVIDENCE_SHEET]
    write_cover(ctx, COVER_SHEET, sheets)
    write_requests(ctx, REQUESTS_SHEET)
    for field_node, rows in fields:
        write_field_sheet(ctx, field_node, rows)
    write_evidence(ctx, EVIDENCE_SHEET)
    write_meta(ctx, META_SHEET)
    _finish(ctx, recalc_probe, None)


def _finish(ctx: Context, recalc_probe: bool,
            vba_project: bytes | Callable[[int], bytes] | None) -> None:
    workbook = ctx.workbook
    for name, formula in sorted(ctx.names.items()):
        workbook.define_name(name, formula)
    if recalc_probe:
        # Tests only: a formula whose cached value is deliberately wrong, to prove a spreadsheet
        # engine really recalculated the file.
        meta = workbook.get_worksheet_by_name(META_SHEET)
        meta.write_formula("A100", "=1+1", None, 0)
        workbook.define_name("CCHC_RECALC_PROBE", f"='{META_SHEET}'!$A$100")
    if vba_project is not None:
        # A callable gets the sheet count: the VBA project carries one module per sheet, as
        # Excel itself saves it (XlsxWriter names the sheets Sheet1..SheetN).
        blob = vba_project(len(workbook.worksheets())) if callable(vba_project) else vba_project
        workbook.add_vba_project(io.BytesIO(blob), is_stream=True)
    workbook.get_worksheet_by_name(COVER_SHEET).activate()
    workbook.close()
